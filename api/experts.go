package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Role rules of the expert routes (issue 6): administrators manage the
// pool and see it masked; the project's agent requests a draw; a
// supervisor enters the public random value and, as supervisor of record,
// alone reads the result and exports the proof until the section's result
// is final. The route table admits roles; experts.Service narrows to the
// project and to the supervisor of record. Nothing an agent or a bidder
// can reach names a candidate or a drawn expert before the award.

// LeaveRequest records an expert's leave.
type LeaveRequest struct {
	From   time.Time `json:"from" required:"true"`
	Until  time.Time `json:"until" required:"true"`
	Reason string    `json:"reason,omitempty"`
}

// PublicValueRequest carries the supervisor's public random value.
type PublicValueRequest struct {
	Value string `json:"value" required:"true"`
}

// expertsService returns the service, or apperr.Unavailable when the
// server was built without one.
func (s *Server) expertsService() (*experts.Service, error) {
	if s.deps.Experts == nil {
		return nil, apperr.New(apperr.Unavailable, "专家库服务未启用", "the expert pool service is not configured").WithCode("no_experts")
	}
	return s.deps.Experts, nil
}

// withExperts runs fn with the expert service and the :id path parameter
// (0 on routes without one).
func (s *Server) withExperts(c *gin.Context, fn func(svc *experts.Service, id int64) error) error {
	return withService(c, s.expertsService, fn)
}

// withService runs fn with the service get returns and the :id path
// parameter (0 on routes without one).
func withService[T any](c *gin.Context, get func() (T, error), fn func(svc T, id int64) error) error {
	svc, err := get()
	if err != nil {
		return err
	}
	var id int64
	if c.Param("id") != "" {
		if id, err = pathID(c, "id"); err != nil {
			return err
		}
	}
	return fn(svc, id)
}

func (s *Server) listExperts(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, _ int64) error {
		after, err := queryInt(c, "after", 0)
		if err != nil {
			return err
		}
		limit, err := queryInt(c, "limit", 100)
		if err != nil {
			return err
		}
		page, err := svc.List(c.Request.Context(), caller(c), after, int(limit), experts.Status(c.Query("status")))
		return reply(c, page, err, false)
	})
}

func (s *Server) createExpert(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, _ int64) error {
		var req experts.NewExpert
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		e, err := svc.Create(c.Request.Context(), caller(c), req)
		return reply(c, e, err, true)
	})
}

func (s *Server) getExpert(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		v, err := svc.Get(c.Request.Context(), caller(c), id)
		return reply(c, v, err, false)
	})
}

func (s *Server) updateExpert(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		var req experts.NewExpert
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		e, err := svc.Update(c.Request.Context(), caller(c), id, req)
		return reply(c, e, err, false)
	})
}

func (s *Server) setExpertStatus(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		var req experts.StatusChange
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		e, err := svc.SetStatus(c.Request.Context(), caller(c), id, req)
		return reply(c, e, err, false)
	})
}

func (s *Server) addExpertLeave(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		var req LeaveRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		l, err := svc.AddLeave(c.Request.Context(), caller(c), id, req.From, req.Until, req.Reason)
		return reply(c, l, err, true)
	})
}

// importExperts takes the raw CSV or XLSX file as the body (?format=csv|xlsx,
// or recognised by its signature) and answers with the per-row report.
func (s *Server) importExperts(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, _ int64) error {
		if !caller(c).Has(accounts.RoleAdmin) {
			return apperr.New(apperr.Forbidden, "只有平台管理员可以导入专家", "only a platform administrator may import experts")
		}
		body, err := readImportFile(c)
		if err != nil {
			return err
		}
		rep, err := svc.ImportFile(c.Request.Context(), caller(c), c.Query("format"), body)
		return reply(c, rep, err, false)
	})
}

func (s *Server) requestDraw(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		var req experts.Request
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		d, err := svc.RequestDraw(c.Request.Context(), caller(c), id, req)
		return reply(c, d, err, true)
	})
}

func (s *Server) sectionDraws(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		ds, err := svc.SectionDraws(c.Request.Context(), caller(c), id)
		return reply(c, ds, err, false)
	})
}

func (s *Server) getDraw(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		d, err := svc.GetDraw(c.Request.Context(), caller(c), id)
		return reply(c, d, err, false)
	})
}

func (s *Server) enterPublicValue(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		var req PublicValueRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		r, err := svc.EnterPublicValue(c.Request.Context(), caller(c), id, req.Value)
		return reply(c, r, err, false)
	})
}

func (s *Server) drawResult(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		r, err := svc.Result(c.Request.Context(), caller(c), id)
		return reply(c, r, err, false)
	})
}

func (s *Server) drawExclusions(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		x, err := svc.Exclusions(c.Request.Context(), caller(c), id)
		return reply(c, x, err, false)
	})
}

// drawProof serves the proof to the supervisor of record (signed-in route)
// or, on the public route, to anyone once the section's result is final.
func (s *Server) drawProof(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		p, err := svc.Proof(c.Request.Context(), caller(c), id)
		if err == nil {
			c.Header("Content-Disposition", `attachment; filename="draw-proof.json"`)
		}
		return reply(c, p, err, false)
	})
}

// AccountLinkRequest links a pool expert to a platform account (0 unlinks).
type AccountLinkRequest struct {
	UserID int64 `json:"userId"`
}

func (s *Server) linkExpertAccount(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		var req AccountLinkRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		e, err := svc.LinkAccount(c.Request.Context(), caller(c), id, req.UserID)
		return reply(c, e, err, false)
	})
}
