package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

const (
	ctxRequestID = "th.request_id"
	ctxClock     = "th.clock"
	ctxPrincipal = "th.principal"
	ctxToken     = "th.token" // the caller's raw session token, for logout
)

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// withRequestID takes a well-formed X-Request-ID from the client or makes
// one, echoes it, and puts it with the client address into the context for
// the event log.
func withRequestID(clk clock.Clock) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !validRequestID.MatchString(id) {
			b := make([]byte, 12)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(ctxRequestID, id)
		c.Set(ctxClock, clk)
		c.Header("X-Request-ID", id)
		ctx := eventlog.WithRequest(c.Request.Context(), eventlog.Request{ID: id, IP: c.ClientIP()})
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// now returns the server clock's time for the request.
func now(c *gin.Context) time.Time {
	if clk, ok := c.Get(ctxClock); ok {
		return clk.(clock.Clock).Now()
	}
	return time.Now().UTC()
}

// accessLog writes one structured line per request. It logs the route
// pattern and path without the query string, which may hold signatures.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		attrs := []any{"request_id", requestID(c), "method", c.Request.Method, "route", c.FullPath(),
			"path", c.Request.URL.Path, "status", c.Writer.Status(), "bytes", c.Writer.Size(),
			"duration_ms", time.Since(start).Milliseconds(), "ip", c.ClientIP()}
		if p, ok := principalOf(c); ok {
			attrs = append(attrs, "user_id", p.UserID)
		}
		log.InfoContext(c.Request.Context(), "http", attrs...)
	}
}

// recoverPanics turns a panic into a logged 500 in the usual error shape.
func recoverPanics(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				serveError(c, log, apperr.Wrap(fmt.Errorf("panic: %v", r), apperr.Internal, "服务器内部错误", "internal server error"))
			}
		}()
		c.Next()
	}
}

// limitBody caps request bodies; decodeJSON reports the overflow as 413.
func limitBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > max {
			serveError(c, slog.Default(), apperr.Newf(apperr.TooLarge, "请求体超过 %d 字节上限",
				"the request body exceeds the %d-byte limit", max))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		c.Next()
	}
}

// securityHeaders sets the headers every response carries.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	c.Next()
}
