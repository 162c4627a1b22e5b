package api

import (
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Role rules of the evaluation routes (issue 7): the route table admits
// roles; evaluation.Service narrows to the project's agent, the seated
// committee (only from the room's network, the address gin sees after
// the trusted proxies) and supervisors. Expert names appear only to the
// committee and supervisors until the section's result is final.

// ReviewRequest saves (and with submit, submits) a member's review.
type ReviewRequest struct {
	Entries []evaluation.ReviewEntry `json:"entries" required:"true"`
	Submit  bool                     `json:"submit,omitempty"`
}

// ScoresRequest saves (and with submit, submits) a member's scores.
type ScoresRequest struct {
	Entries []evaluation.ScoreEntry `json:"entries" required:"true"`
	Submit  bool                    `json:"submit,omitempty"`
}

// SignInCodeRequest carries the one-time code of the confirmation SMS.
type SignInCodeRequest struct {
	Code string `json:"code" required:"true"`
}

// DeclarationRequest is a signed avoidance declaration: the exact JSON
// statement (evaluation.Statement) and the base64 SM2 signature over
// evaluation.DeclarationLabel ‖ statement.
type DeclarationRequest struct {
	Statement string `json:"statement" required:"true"`
	Signature string `json:"signature" required:"true"`
}

// AbsenceRequest records a member who did not come.
type AbsenceRequest struct {
	Seat   int    `json:"seat" required:"true"`
	Reason string `json:"reason" required:"true"`
}

// VoteRequest names the seat voted chair.
type VoteRequest struct {
	Seat int `json:"seat" required:"true"`
}

// ConclusionsRequest carries the chair's conclusion on every bid.
type ConclusionsRequest struct {
	Conclusions []evaluation.ConclusionInput `json:"conclusions" required:"true"`
}

// CompetitionRequest is the committee's decision on competition.
type CompetitionRequest struct {
	Effective bool   `json:"effective"`
	Reason    string `json:"reason" required:"true"`
}

// PublicityRequest publishes the candidates for Days days (default 3).
type PublicityRequest struct {
	Days int `json:"days,omitempty"`
}

// SchemeRequest is a section's evaluation scheme.
type SchemeRequest = evaluation.Scheme

func (s *Server) evaluationService() (*evaluation.Service, error) {
	if s.deps.Evaluation == nil {
		return nil, apperr.New(apperr.Unavailable, "评标服务未启用", "the evaluation service is not configured").WithCode("no_evaluation")
	}
	return s.deps.Evaluation, nil
}

// withEval runs fn with the evaluation service and the :id parameter.
func (s *Server) withEval(c *gin.Context, fn func(svc *evaluation.Service, id int64) error) error {
	return withService(c, s.evaluationService, fn)
}

func (s *Server) getScheme(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		sc, err := svc.SchemeOf(c.Request.Context(), caller(c), id)
		return reply(c, sc, err, false)
	})
}

func (s *Server) putScheme(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req SchemeRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		sc, err := svc.SetScheme(c.Request.Context(), caller(c), id, req)
		return reply(c, sc, err, false)
	})
}

func (s *Server) listEvalRooms(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, _ int64) error {
		rs, err := svc.Rooms(c.Request.Context())
		return reply(c, rs, err, false)
	})
}

func (s *Server) createEvalRoom(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, _ int64) error {
		var req evaluation.NewRoom
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		r, err := svc.CreateRoom(c.Request.Context(), caller(c), req)
		return reply(c, r, err, true)
	})
}

func (s *Server) updateEvalRoom(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req evaluation.NewRoom
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		r, err := svc.UpdateRoom(c.Request.Context(), caller(c), id, req)
		return reply(c, r, err, false)
	})
}

func (s *Server) startEvaluation(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req evaluation.StartRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.Start(c.Request.Context(), caller(c), id, req)
		return reply(c, v, err, true)
	})
}

func (s *Server) sectionEvaluation(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.SectionView(c.Request.Context(), caller(c), id, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) getEvaluation(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.View(c.Request.Context(), caller(c), id, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) myEvaluations(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, _ int64) error {
		v, err := svc.MySessions(c.Request.Context(), caller(c))
		return reply(c, v, err, false)
	})
}

func (s *Server) evalSignIn(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req SignInCodeRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.SignIn(c.Request.Context(), caller(c), id, req.Code, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) evalDeclare(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req DeclarationRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.Declare(c.Request.Context(), caller(c), id, req.Statement, req.Signature, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) evalVote(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req VoteRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.Vote(c.Request.Context(), caller(c), id, req.Seat, c.ClientIP())
		return reply(c, v, err, false)
	})
}

// withBidParam runs fn with the session id and the :bid parameter.
func (s *Server) withBidParam(c *gin.Context, fn func(svc *evaluation.Service, id, bid int64) error) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		bid, err := pathID(c, "bid")
		if err != nil {
			return err
		}
		return fn(svc, id, bid)
	})
}

func (s *Server) evalBidFiles(c *gin.Context) error {
	return s.withBidParam(c, func(svc *evaluation.Service, id, bid int64) error {
		fs, err := svc.BidFiles(c.Request.Context(), caller(c), id, bid, c.ClientIP())
		return reply(c, fs, err, false)
	})
}

// evalBidFile streams one document of a decrypted bid to the committee.
// The status goes out when the document is reached; a failure after that
// is logged, since it can no longer become an error body.
func (s *Server) evalBidFile(c *gin.Context) error {
	return s.withBidParam(c, func(svc *evaluation.Service, id, bid int64) error {
		name := c.Query("name")
		sent := false
		err := svc.OpenBidFile(c.Request.Context(), caller(c), id, bid, name, c.ClientIP(), func(size int64) io.Writer {
			h := c.Writer.Header()
			h.Set("Content-Type", contentTypeOf(name))
			h.Set("Content-Length", strconv.FormatInt(size, 10))
			h.Set("Content-Disposition", contentDisposition(name))
			h.Set("Cache-Control", "private, no-store")
			c.Status(http.StatusOK)
			sent = true
			return c.Writer
		})
		if err != nil && sent {
			s.log.ErrorContext(c.Request.Context(), "bid document stream failed", "request_id", requestID(c), "bid", bid, "err", err)
			return nil
		}
		return err
	})
}

func contentTypeOf(name string) string {
	if len(name) > 4 && name[len(name)-4:] == ".pdf" {
		return "application/pdf"
	}
	return "application/octet-stream"
}

func (s *Server) evalAbsence(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req AbsenceRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.MarkAbsent(c.Request.Context(), caller(c), id, req.Seat, req.Reason)
		return reply(c, v, err, false)
	})
}
