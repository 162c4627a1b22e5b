package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// SandboxClockRequest moves a sandbox's clock forward: by Advance (a Go
// duration such as "36h" or "20m"), or to To.
type SandboxClockRequest struct {
	Advance string     `json:"advance,omitempty"`
	To      *time.Time `json:"to,omitempty"`
}

// sandboxState answers whether this server is a sandbox and its clock; a
// server built without the sandbox service answers as production.
func (s *Server) sandboxState(c *gin.Context) error {
	return ok(c, s.deps.Sandbox.Current())
}

// advanceSandbox moves the sandbox clock (administrators, sandbox only).
func (s *Server) advanceSandbox(c *gin.Context) error {
	var req SandboxClockRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	var by time.Duration
	var to time.Time
	switch {
	case req.To != nil && req.Advance == "":
		to = *req.To
	case req.To == nil && req.Advance != "":
		d, err := time.ParseDuration(req.Advance)
		if err != nil {
			return apperr.New(apperr.Invalid, "advance 应为时长，如 36h 或 20m", "advance must be a duration such as 36h or 20m").WithField("advance", "not a duration")
		}
		by = d
	default:
		return apperr.New(apperr.Invalid, "请给出 advance 或 to 之一", "give exactly one of advance and to").WithField("advance", "exactly one of advance and to")
	}
	st, err := s.deps.Sandbox.Advance(c.Request.Context(), caller(c), to, by)
	if err != nil {
		return err
	}
	return ok(c, st)
}

// markSandbox tells every client of a sandbox that what it reads is a test.
func (s *Server) markSandbox(c *gin.Context) {
	if s.deps.Sandbox.Enabled() {
		c.Header("X-TenderHall-Sandbox", "true")
	}
	c.Next()
}
