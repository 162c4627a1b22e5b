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

// sandboxInbox shows a sandbox expert the SMS the simulated carrier sent
// to their phones (the one-time room code among them). A production
// server has no simulated phone to read.
func (s *Server) sandboxInbox(c *gin.Context) error {
	if !s.deps.Sandbox.Enabled() {
		return apperr.New(apperr.NotFound, "此服务器不是测试环境", "this server is not a sandbox").WithCode("sandbox_off")
	}
	svc, err := s.expertsService()
	if err != nil {
		return err
	}
	msgs, err := svc.SimulatedInbox(c.Request.Context(), caller(c).UserID)
	return reply(c, msgs, err, false)
}

// CarrierRequest scripts a sandbox's simulated phones (notify.ParseProfile
// syntax, e.g. "accept=1,13900009001=decline").
type CarrierRequest struct {
	Profile string `json:"profile" required:"true"`
}

// setCarrierProfile lets a sandbox's administrator script the simulated
// carrier's callees for the calls placed from now on.
func (s *Server) setCarrierProfile(c *gin.Context) error {
	if !s.deps.Sandbox.Enabled() {
		return apperr.New(apperr.NotFound, "此服务器不是测试环境", "this server is not a sandbox").WithCode("sandbox_off")
	}
	var req CarrierRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if s.deps.SetCarrierProfile == nil {
		return apperr.New(apperr.Unavailable, "本进程没有模拟运营商", "no simulated carrier runs in this process").WithCode("no_simulator")
	}
	if err := s.deps.SetCarrierProfile(req.Profile); err != nil {
		return err
	}
	return ok(c, req)
}
