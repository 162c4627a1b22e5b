package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Role rules of the bidding routes: the route table lets agents and
// administrators at the project routes, and bidding.Service narrows that to
// the agents of the project's agency (or of its tenderer, for approval; see
// bidding.Service). Bidders ask questions and raise objections. Published
// announcements are public.

// ProjectRequest creates a project; agencyOrgId defaults to the caller's organisation.
type ProjectRequest struct {
	Name          string `json:"name" required:"true"`
	TendererOrgID int64  `json:"tendererOrgId" required:"true"`
	AgencyOrgID   int64  `json:"agencyOrgId,omitempty"`
	Region        string `json:"region,omitempty"`
	// SupervisingOrgID is the supervising department (an organisation of kind department).
	SupervisingOrgID int64 `json:"supervisingOrgId,omitempty"`
}

// SectionRequest adds a section to a project.
type SectionRequest struct {
	Code             string `json:"code" required:"true"`
	Name             string `json:"name" required:"true"`
	Kind             string `json:"kind" required:"true"`      // engineering, goods, services
	BudgetFen        int64  `json:"budgetFen" required:"true"` // 分
	Rulebook         string `json:"rulebook" required:"true"`  // engineering, procurement
	Prequalification bool   `json:"prequalification,omitempty"`
	EscrowThreshold  int    `json:"escrowThreshold,omitempty"` // k of a k-of-n escrow key among the project's supervisors (0 = none)
	EscrowHolders    int    `json:"escrowHolders,omitempty"`   // n
}

// AnnouncementRequest is the draft of a section's announcement (times RFC 3339).
type AnnouncementRequest struct {
	Title     string    `json:"title" required:"true"`
	Body      string    `json:"body" required:"true"`
	DocsFrom  time.Time `json:"docsFrom" required:"true"`
	DocsUntil time.Time `json:"docsUntil" required:"true"`
	Deadline  time.Time `json:"deadline" required:"true"`
}

// ClarificationRequest publishes a clarification on a project;
// affectsPreparation defaults to true.
type ClarificationRequest struct {
	Title              string `json:"title" required:"true"`
	Body               string `json:"body" required:"true"`
	AffectsPreparation *bool  `json:"affectsPreparation,omitempty"`
}

// CancelRequest cancels a section.
type CancelRequest struct {
	Reason string `json:"reason" required:"true"`
}

// QuestionRequest asks a question about a section.
type QuestionRequest struct {
	Question string `json:"question" required:"true"`
}

// ObjectionRequest raises an objection to a section's tender documents.
type ObjectionRequest struct {
	Body string `json:"body" required:"true"`
}

// AnswerRequest answers a question or an objection.
type AnswerRequest struct {
	Answer string `json:"answer" required:"true"`
}

// biddingService returns the service, or apperr.Unavailable when the server
// was built without one.
func (s *Server) biddingService() (*bidding.Service, error) {
	if s.deps.Bidding == nil {
		return nil, apperr.New(apperr.Unavailable, "招投标服务未启用", "the bidding service is not configured").WithCode("no_bidding")
	}
	return s.deps.Bidding, nil
}

// withID runs fn with the bidding service and the :id path parameter.
func (s *Server) withID(c *gin.Context, fn func(svc *bidding.Service, id int64) error) error {
	svc, err := s.biddingService()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return fn(svc, id)
}

// reply writes v (201 when isNew) or returns err.
func reply(c *gin.Context, v any, err error, isNew bool) error {
	if err != nil {
		return err
	}
	if isNew {
		return created(c, v)
	}
	return ok(c, v)
}

func (s *Server) createProject(c *gin.Context) error {
	svc, err := s.biddingService()
	if err != nil {
		return err
	}
	var req ProjectRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := svc.CreateProject(c.Request.Context(), caller(c), bidding.NewProject{Name: req.Name,
		TendererOrgID: req.TendererOrgID, AgencyOrgID: req.AgencyOrgID, Region: req.Region, SupervisingOrgID: req.SupervisingOrgID})
	return reply(c, p, err, true)
}

func (s *Server) getProject(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		p, err := svc.GetProject(c.Request.Context(), caller(c), id)
		return reply(c, p, err, false)
	})
}

func (s *Server) listProjects(c *gin.Context) error {
	svc, err := s.biddingService()
	if err != nil {
		return err
	}
	ps, err := svc.ListProjects(c.Request.Context(), caller(c))
	return reply(c, ps, err, false)
}

func (s *Server) createSection(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req SectionRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		sec, err := svc.CreateSection(c.Request.Context(), caller(c), id, bidding.NewSection{Code: req.Code, Name: req.Name,
			Kind: bidding.Kind(req.Kind), BudgetFen: req.BudgetFen, Rulebook: bidding.RulebookName(req.Rulebook), Prequalification: req.Prequalification,
			EscrowThreshold: req.EscrowThreshold, EscrowHolders: req.EscrowHolders})
		return reply(c, sec, err, true)
	})
}

func (s *Server) clarify(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req ClarificationRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		affects := req.AffectsPreparation == nil || *req.AffectsPreparation
		cl, err := svc.Clarify(c.Request.Context(), caller(c), id, bidding.ClarificationInput{Title: req.Title, Body: req.Body, AffectsPreparation: affects})
		return reply(c, cl, err, true)
	})
}

func (s *Server) getSection(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		v, err := svc.GetSection(c.Request.Context(), caller(c), id)
		return reply(c, v, err, false)
	})
}

func (s *Server) saveAnnouncement(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req AnnouncementRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		a, err := svc.SaveAnnouncement(c.Request.Context(), caller(c), id, bidding.AnnouncementInput{Title: req.Title, Body: req.Body,
			DocsFrom: req.DocsFrom, DocsUntil: req.DocsUntil, Deadline: req.Deadline})
		return reply(c, a, err, false)
	})
}

func (s *Server) approveAnnouncement(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		a, err := svc.ApproveAnnouncement(c.Request.Context(), caller(c), id)
		return reply(c, a, err, false)
	})
}

func (s *Server) publishAnnouncement(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		a, err := svc.PublishAnnouncement(c.Request.Context(), caller(c), id)
		return reply(c, a, err, false)
	})
}

func (s *Server) cancelSection(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req CancelRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		sec, err := svc.Cancel(c.Request.Context(), caller(c), id, req.Reason)
		return reply(c, sec, err, false)
	})
}

func (s *Server) listQuestions(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		qs, err := svc.Questions(c.Request.Context(), id)
		return reply(c, qs, err, false)
	})
}

func (s *Server) askQuestion(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req QuestionRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		q, err := svc.Ask(c.Request.Context(), caller(c), id, req.Question)
		return reply(c, q, err, true)
	})
}

func (s *Server) answerQuestion(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req AnswerRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		q, err := svc.AnswerQuestion(c.Request.Context(), caller(c), id, req.Answer)
		return reply(c, q, err, false)
	})
}

func (s *Server) raiseObjection(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req ObjectionRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		o, err := svc.RaiseObjection(c.Request.Context(), caller(c), id, req.Body)
		return reply(c, o, err, true)
	})
}

func (s *Server) answerObjection(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		var req AnswerRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		o, err := svc.AnswerObjection(c.Request.Context(), caller(c), id, req.Answer)
		return reply(c, o, err, false)
	})
}

// listAnnouncements: ?q=&region=&kind=&status=&from=&to=&cursor=&limit=
func (s *Server) listAnnouncements(c *gin.Context) error {
	svc, err := s.biddingService()
	if err != nil {
		return err
	}
	f := bidding.Filter{Keyword: c.Query("q"), Region: c.Query("region"), Kind: bidding.Kind(c.Query("kind")),
		Status: bidding.State(c.Query("status")), From: c.Query("from"), To: c.Query("to")}
	if v := c.Query("cursor"); v != "" {
		if f.Cursor, err = strconv.ParseInt(v, 10, 64); err != nil || f.Cursor < 0 {
			return apperr.New(apperr.Invalid, "参数 cursor 应为非负整数", "parameter cursor must be a non-negative integer").WithField("cursor", "not a number")
		}
	}
	if v := c.Query("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 {
			return apperr.New(apperr.Invalid, "参数 limit 应为正整数", "parameter limit must be a positive integer").WithField("limit", "not a number")
		}
	}
	page, err := svc.ListAnnouncements(c.Request.Context(), f)
	return reply(c, page, err, false)
}

func (s *Server) publicAnnouncement(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		d, err := svc.PublicAnnouncement(c.Request.Context(), id)
		return reply(c, d, err, false)
	})
}

func (s *Server) sectionAnnouncement(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		a, err := svc.SectionAnnouncement(c.Request.Context(), caller(c), id)
		return reply(c, a, err, false)
	})
}

func (s *Server) sectionObjections(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		o, err := svc.SectionObjections(c.Request.Context(), caller(c), id)
		return reply(c, o, err, false)
	})
}
