package api

import (
	"io"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

func (s *Server) serveMetrics(c *gin.Context) error {
	s.metrics.handler()(c)
	return nil
}

// presignedBlob serves a filesystem-store download link made by PresignGet.
// MinIO links point at MinIO itself and never reach this route.
func (s *Server) presignedBlob(c *gin.Context) error {
	fs, isFS := s.deps.Blobs.(*storage.FS)
	if !isFS {
		return errNoRoute
	}
	key := c.Param("key")
	if len(key) > 0 && key[0] == '/' {
		key = key[1:]
	}
	expires, err := strconv.ParseInt(c.Query("expires"), 10, 64)
	if err != nil {
		return apperr.New(apperr.Forbidden, "下载链接无效", "invalid download link")
	}
	if err := fs.VerifyPresigned(key, expires, c.Query("sig"), now(c)); err != nil {
		return err
	}
	r, err := fs.Open(c.Request.Context(), key, 0, -1)
	if err != nil {
		return err
	}
	defer r.Close()
	c.Header("Content-Type", "application/octet-stream")
	c.Header("Cache-Control", "private, no-store")
	c.Status(200)
	_, err = io.Copy(c.Writer, r)
	return err
}

// EventPage is a page of the event log.
type EventPage struct {
	Events []eventlog.Event `json:"events"`
	Next   int64            `json:"next"`
}

// auditEvents returns the events from ?from= (sequence, default 1),
// ?limit= (1..1000, default 100), screened for the caller as the log's
// events are (screenEvents).
func (s *Server) auditEvents(c *gin.Context) error {
	from, limit, err := eventRange(c)
	if err != nil {
		return err
	}
	evs, err := s.deps.Events.Range(c.Request.Context(), int64(from), int(limit))
	if err != nil {
		return err
	}
	if evs, err = s.screenEvents(c.Request.Context(), caller(c), evs); err != nil {
		return err
	}
	next := int64(from)
	if len(evs) > 0 {
		next = evs[len(evs)-1].Seq + 1
	}
	if evs == nil {
		evs = []eventlog.Event{}
	}
	return ok(c, EventPage{Events: evs, Next: next})
}
