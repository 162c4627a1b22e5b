package api

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The live opening room (issue 5): a server-sent-events stream per section.
//
//	id: <seq>              the room message's event-log sequence number
//	event: <type>          e.g. opening.checkin, opening.announcement
//	data: <RoomMessage>    redacted as bidding.RoomMessages redacts it
//
//	event: tick            every second
//	data: {"serverTimeMs":…,"phase":…,"state":…,"bidCount":…,"decrypted":…,"checkins":{…},"windowEndsAt":…}
//
//	: heartbeat            every 15 s, for proxies
//
// A client resumes after the last id it saw (the Last-Event-ID header, which
// EventSource sends by itself, or ?after=); without either it gets the
// room's messages from the start. Clients estimate their clock offset from
// the ticks' serverTimeMs. The ticks carry counts only, the same for every
// client (the caller's own bid and check-in are in GET …/room). The stream
// ends when the client leaves, when the server shuts down, or when the
// client falls too far behind (it then reconnects with Last-Event-ID).
//
// Only a client that accepts text/event-stream (EventSource always says so)
// gets the live stream; any other request gets what the stream starts with
// (the messages after the cursor and the latest tick) and the response
// ends, so that plain HTTP clients and route scanners do not hang.

// streamWriteTimeout bounds one write to a stream client, so that a client
// that stops reading does not hold its handler forever.
const streamWriteTimeout = 10 * time.Second

func (s *Server) roomStream(c *gin.Context) error {
	return s.withID(c, func(svc *bidding.Service, id int64) error {
		after, err := streamCursor(c)
		if err != nil {
			return err
		}
		ctx := c.Request.Context()
		// The same check as the room view: the section exists and the caller may watch.
		if _, err := svc.Room(ctx, caller(c), id); err != nil {
			return err
		}
		sub, err := s.rooms.subscribe(ctx, id, after)
		if err != nil {
			if ctx.Err() != nil {
				return nil // the client left while waiting
			}
			return err
		}
		defer s.rooms.unsubscribe(sub)
		s.rooms.mu.Lock()
		heartbeat := s.rooms.heartbeat
		s.rooms.mu.Unlock()
		shutdown := s.rooms.shutdownOf(c.Request)

		w := startEventStream(c, after)
		defer w.rc.SetWriteDeadline(time.Time{}) // the connection may serve another request

		var buf bytes.Buffer
		buf.WriteString("retry: 3000\n\n")
		if sub.gapTo > after {
			// Older than the feed keeps: read from the log once.
			cursor := after
			for cursor < sub.gapTo {
				ms, next, _, err := svc.RoomPage(ctx, id, cursor, eventlog.MaxPage)
				if err != nil || next == cursor {
					break
				}
				for _, m := range ms {
					if m.Seq <= sub.gapTo {
						w.message(&buf, roomEntry{seq: m.Seq, frame: messageFrame(m)})
					}
				}
				cursor = next
			}
			w.last = max(w.last, sub.gapTo)
		}
		w.batch(&buf, sub.backlog)
		if !w.send(&buf) || !acceptsEventStream(c.GetHeader("Accept")) {
			return nil
		}

		beat := time.NewTicker(heartbeat)
		defer beat.Stop()
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-shutdown:
				return nil
			case <-sub.gone:
				return nil
			case b := <-sub.ch:
				w.batch(&buf, b)
			case <-beat.C:
				buf.WriteString(": heartbeat\n\n")
			}
			if !w.send(&buf) {
				return nil
			}
		}
	})
}

// startEventStream answers 200 with the headers of a server-sent-events
// stream and returns its writer, resuming after last.
func startEventStream(c *gin.Context, last int64) *streamWriter {
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	if c.Request.ProtoMajor == 1 {
		h.Set("Connection", "keep-alive")
	}
	c.Status(http.StatusOK)
	return &streamWriter{c: c, rc: http.NewResponseController(c.Writer), last: last}
}

// acceptsEventStream reports whether an Accept header admits
// text/event-stream.
func acceptsEventStream(accept string) bool {
	return strings.Contains(strings.ToLower(accept), "text/event-stream")
}

// streamCursor is where the client resumes: the Last-Event-ID header, else
// ?after=, else 0 (the start).
func streamCursor(c *gin.Context) (int64, error) {
	v := strings.TrimSpace(c.GetHeader("Last-Event-ID"))
	if v == "" {
		return queryInt(c, "after", 0)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.New(apperr.Invalid, "Last-Event-ID 应为非负整数", "Last-Event-ID must be a non-negative integer").
			WithField("Last-Event-ID", "not a non-negative integer")
	}
	return n, nil
}

// streamWriter writes SSE frames to one client, skipping messages it has
// already had (a client may resume on a replica whose feed is behind).
type streamWriter struct {
	c    *gin.Context
	rc   *http.ResponseController
	last int64
}

func (w *streamWriter) message(buf *bytes.Buffer, e roomEntry) {
	if e.seq <= w.last {
		return
	}
	buf.Write(e.frame)
	w.last = e.seq
}

func (w *streamWriter) batch(buf *bytes.Buffer, b roomBatch) {
	for _, e := range b.msgs {
		w.message(buf, e)
	}
	buf.Write(b.tick)
}

// send writes and flushes what buf holds; false when the client is gone.
func (w *streamWriter) send(buf *bytes.Buffer) bool {
	defer buf.Reset()
	if buf.Len() == 0 {
		return true
	}
	if err := w.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return false
	}
	if _, err := w.c.Writer.Write(buf.Bytes()); err != nil {
		return false
	}
	w.c.Writer.Flush()
	return true
}
