package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
)

// The live lights board (issue 16): a server-sent-events stream that says
// when the board changed, so that the page reloads it then rather than
// polling.
//
//	event: changed        at the start and whenever the board changed
//	data: {"version":"…"}
//
//	: heartbeat           every 15 s, for proxies
//
// Every replica answers from the database (the board's version is the
// latest subject change, read through an index every second), so a client
// on any replica sees a change the consumer made on another. As with the
// room stream, a client that does not accept text/event-stream gets the
// first frame and the response ends.
func (s *Server) supervisionBoardStream(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	version, err := svc.BoardVersion(ctx, caller(c))
	if err != nil {
		return err
	}
	w := startEventStream(c, 0)
	defer w.rc.SetWriteDeadline(time.Time{})
	var buf bytes.Buffer
	frame := func(v string) {
		data, _ := json.Marshal(map[string]string{"version": v})
		buf.WriteString("event: changed\ndata: ")
		buf.Write(data)
		buf.WriteString("\n\n")
	}
	buf.WriteString("retry: 3000\n\n")
	frame(version)
	if !w.send(&buf) || !acceptsEventStream(c.GetHeader("Accept")) {
		return nil
	}
	shutdown := s.rooms.shutdownOf(c.Request)
	look, beat := time.NewTicker(time.Second), time.NewTicker(15*time.Second)
	defer look.Stop()
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-shutdown:
			return nil
		case <-beat.C:
			buf.WriteString(": heartbeat\n\n")
		case <-look.C:
			v, err := svc.BoardVersion(ctx, caller(c))
			if err != nil {
				slog.WarnContext(ctx, "the live board stopped: its version cannot be read", "err", err)
				return nil // the client reconnects (retry: 3000)
			}
			if v != version {
				version = v
				frame(v)
			}
		}
		if !w.send(&buf) {
			return nil
		}
	}
}
