package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// ReadyCheck is one dependency /readyz probes: the database, the blob store,
// the job queue.
type ReadyCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// healthz answers as long as the process serves HTTP.
func (s *Server) healthz(c *gin.Context) error {
	return ok(c, gin.H{"status": "ok"})
}

// readyz probes every dependency and answers 503 naming the ones that fail.
func (s *Server) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	status := http.StatusOK
	checks := map[string]string{}
	for _, rc := range s.deps.Ready {
		if err := rc.Check(ctx); err != nil {
			status = http.StatusServiceUnavailable
			checks[rc.Name] = "unavailable"
			s.log.WarnContext(ctx, "readiness check failed", "check", rc.Name, "err", err.Error())
			continue
		}
		checks[rc.Name] = "ok"
	}
	c.JSON(status, gin.H{"ready": status == http.StatusOK, "checks": checks})
	return nil
}

// TimeResponse is the server clock, for clients to compute their offset.
type TimeResponse struct {
	UnixMillis int64  `json:"unixMillis"`
	ISO        string `json:"iso"`
	Zone       string `json:"zone"`
}

// serverTime returns the server time in milliseconds. Deadlines are decided
// by this clock, so clients show countdowns against it, not their own.
func (s *Server) serverTime(c *gin.Context) error {
	t := s.deps.Clock.Now()
	c.Header("Cache-Control", "no-store")
	return ok(c, TimeResponse{UnixMillis: t.UnixMilli(), ISO: t.UTC().Format(time.RFC3339Nano), Zone: "Asia/Shanghai"})
}
