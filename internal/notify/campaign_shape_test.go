package notify

import (
	"context"
	"sync"
	"testing"
	"time"
)

// miniCampaign is the shape part 5's campaign takes, reduced to a test:
// callbacks are deduped on the event ID, only CallCompleted decides, a
// decline moves to the next candidate, busy retries the same candidate
// with a new attempt ID, an accept sends the confirmation SMS. A rerun of
// a crashed job dials the same attempt ID again.
type miniCampaign struct {
	t      *testing.T
	sim    *Simulator
	phones []string // candidates in draw order
	mu     sync.Mutex
	seen   map[string]bool // the unique key on (carrier, event ID)
	dups   int
	steps  chan Event // completed calls and SMS reports, once each
}

func (c *miniCampaign) consume(ctx context.Context, e Event) error {
	c.mu.Lock()
	if c.seen[e.Carrier+"/"+e.ID] {
		c.dups++
		c.mu.Unlock()
		return nil // already applied: a duplicate delivery is success
	}
	c.seen[e.Carrier+"/"+e.ID] = true
	c.mu.Unlock()
	switch {
	case e.Type == CallCompleted && e.Outcome == OutcomeDecline:
		c.dial(ctx, "cand2-a1", c.phones[1])
	case e.Type == CallCompleted && e.Outcome == OutcomeBusy:
		c.dial(ctx, "cand2-a1", c.phones[1]) // the crashed job's rerun: must not call again
		c.dial(ctx, "cand2-a2", c.phones[1]) // the planned retry
	case e.Type == CallCompleted && e.Outcome == OutcomeAccept:
		if _, err := c.sim.Send(ctx, SMSRequest{AttemptID: "sms-" + e.AttemptID, Phone: c.phones[1], Text: "您已确认参加评标"}); err != nil {
			c.t.Error(err)
		}
	case e.Type != SMSReport:
		return nil
	}
	c.steps <- e
	return nil
}

func (c *miniCampaign) dial(ctx context.Context, id, phone string) {
	if _, err := c.sim.Dial(ctx, request(id, phone)); err != nil {
		c.t.Error(err)
	}
}

func TestCampaignShapedConsumer(t *testing.T) {
	c := &miniCampaign{t: t, phones: []string{"13800000001", "13800000002"}, seen: map[string]bool{}, steps: make(chan Event, 10)}
	r := newRig(t, "duplicate=1,13800000001=decline,13800000002=busy|accept", c.consume)
	c.sim = r.sim
	r.dial(t, "cand1-a1", c.phones[0])
	want := []struct {
		attempt string
		typ     EventType
		outcome Outcome
	}{
		{"cand1-a1", CallCompleted, OutcomeDecline},
		{"cand2-a1", CallCompleted, OutcomeBusy},
		{"cand2-a2", CallCompleted, OutcomeAccept},
		{"sms-cand2-a2", SMSReport, ""},
	}
	for _, w := range want {
		r.advance(time.Minute)
		select {
		case e := <-c.steps:
			if e.AttemptID != w.attempt || e.Type != w.typ || e.Outcome != w.outcome {
				t.Fatalf("step %+v, want %+v", e, w)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no step %+v", w)
		}
	}
	var ids []string
	for _, call := range r.sim.Calls() {
		ids = append(ids, call.AttemptID)
	}
	if got := len(ids); got != 3 || ids[1] != "cand2-a1" || r.sim.Calls()[1].Requests != 2 {
		t.Fatalf("calls %v, want cand1-a1, cand2-a1 (dialed twice, placed once), cand2-a2", ids)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dups == 0 {
		t.Error("no duplicate delivery reached the consumer; duplicate=1 should send each event twice")
	}
}
