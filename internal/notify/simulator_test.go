package notify

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// rig is a Simulator on a fake clock whose callbacks are verified in-process
// and arrive on events.
type rig struct {
	sim    *Simulator
	clk    *clock.Fake
	events chan Event
}

func newRig(t *testing.T, profile string, consume func(context.Context, Event) error) *rig {
	t.Helper()
	p, err := ParseProfile(profile)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{clk: clock.NewFake(t0), events: make(chan Event, 10000)}
	if consume == nil {
		consume = func(context.Context, Event) error { return nil }
	}
	deliver := Direct(testKey(t), r.clk, func(ctx context.Context, e Event) error {
		if err := consume(ctx, e); err != nil {
			return err
		}
		r.events <- e
		return nil
	})
	// Poll is long: only Wake makes the simulator look at the fake clock,
	// so every delivery in these tests is caused by advancing it.
	r.sim, err = NewSimulator(context.Background(), SimOptions{Profile: p, Key: testKey(t), Deliver: deliver, Clock: r.clk, Poll: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.sim.Close() })
	return r
}

// advance moves the clock and lets the simulator see it.
func (r *rig) advance(d time.Duration) {
	r.clk.Advance(d)
	r.sim.Wake()
}

// take receives n events; the timeout only guards against a hang.
func (r *rig) take(t *testing.T, n int) []Event {
	t.Helper()
	var out []Event
	for len(out) < n {
		select {
		case e := <-r.events:
			out = append(out, e)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d of %d callbacks: %v", len(out), n, out)
		}
	}
	return out
}

func (r *rig) dial(t *testing.T, id, phone string) string {
	t.Helper()
	cid, err := r.sim.Dial(context.Background(), request(id, phone))
	if err != nil {
		t.Fatal(err)
	}
	return cid
}

func TestSimulatorDeliversTheIVROnTheClock(t *testing.T) {
	r := newRig(t, "10011=accept,10012=silent,10013=busy,10014=press:32", nil)
	for i, phone := range []string{"10011", "10011", "10012", "10013", "10014"} {
		r.dial(t, fmt.Sprintf("a%d", i), phone)
	}
	r.sim.Wake()
	got := r.take(t, 4) // the four ringing phones, due at once
	for _, e := range got {
		if e.Type != CallRinging || !e.At.Equal(t0) {
			t.Errorf("at t0 got %+v", e)
		}
	}
	if p := r.sim.Pending(); p != 15 {
		t.Fatalf("pending = %d before the clock moved, want 15", p)
	}
	r.advance(time.Second)
	if e := r.take(t, 1)[0]; e.Outcome != OutcomeBusy || e.AttemptID != "a3" {
		t.Fatalf("after 1s got %+v, want a3 busy", e)
	}
	r.advance(time.Minute)
	got = append(got, r.take(t, 14)...)
	byCall := map[string][]Event{}
	for _, e := range got {
		byCall[e.AttemptID] = append(byCall[e.AttemptID], e)
	}
	calls := r.sim.Calls()
	for _, c := range calls {
		want := describe(timeline(c.request, c.Behaviour, r.sim.opts.Profile, t0), t0)
		if c.AttemptID == "a3" {
			continue // its one event was taken above
		}
		if have := describe(byCall[c.AttemptID], t0); have != want {
			t.Errorf("%s delivered %s, want %s", c.AttemptID, have, want)
		}
	}
	outcomes := map[string]Outcome{}
	for _, c := range calls {
		outcomes[c.AttemptID] = c.Outcome
	}
	want := map[string]Outcome{"a0": OutcomeAccept, "a1": OutcomeAccept, "a2": OutcomeNoAnswer, "a3": OutcomeBusy, "a4": OutcomeDecline}
	if fmt.Sprint(outcomes) != fmt.Sprint(want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
	checkIDs(t, got)
}

// checkIDs: event IDs are unique and Seq runs 1, 2, … per call.
func checkIDs(t *testing.T, evs []Event) {
	t.Helper()
	seen := map[string]bool{}
	seqs := map[string][]int{}
	for _, e := range evs {
		if seen[e.ID] {
			t.Errorf("event ID %s delivered twice", e.ID)
		}
		seen[e.ID] = true
		seqs[e.CarrierID] = append(seqs[e.CarrierID], e.Seq)
	}
	for cid, s := range seqs {
		if !sort.IntsAreSorted(s) || s[0] != 1 || s[len(s)-1] != len(s) {
			t.Errorf("call %s seqs %v", cid, s)
		}
	}
}

func TestDialIsIdempotent(t *testing.T) {
	r := newRig(t, "", nil)
	first := r.dial(t, "draw42-e7-a1", "13800000001")
	if again := r.dial(t, "draw42-e7-a1", "13800000001"); again != first {
		t.Fatalf("redial got call %s, want %s", again, first)
	}
	_, err := r.sim.Dial(context.Background(), request("draw42-e7-a1", "13900000009"))
	wantErr(t, err, apperr.Conflict, "attempt_id_reused")
	_, err = r.sim.Dial(context.Background(), request("", "13800000001"))
	wantErr(t, err, apperr.Invalid, "call_request_invalid")
	calls := r.sim.Calls()
	if len(calls) != 1 || calls[0].Requests != 2 || calls[0].CarrierID != first {
		t.Fatalf("calls = %+v, want one call absorbing two requests", calls)
	}
}

// TestConcurrentDialsPlaceOneCallPerAttempt: many workers racing on the
// same attempts (a crashed-and-retried campaign) never place two calls.
func TestConcurrentDialsPlaceOneCallPerAttempt(t *testing.T) {
	r := newRig(t, "accept=1", nil)
	const workers, attempts = 16, 25
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range attempts {
				if _, err := r.sim.Dial(context.Background(), request(fmt.Sprintf("att-%d", i), fmt.Sprintf("1380000%04d", i))); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	calls := r.sim.Calls()
	if len(calls) != attempts {
		t.Fatalf("%d calls placed for %d attempts", len(calls), attempts)
	}
	for _, c := range calls {
		if c.Requests != workers {
			t.Errorf("%s absorbed %d requests, want %d", c.AttemptID, c.Requests, workers)
		}
	}
	r.advance(time.Minute)
	evs := r.take(t, attempts*4) // ring, answer, key 1, accept
	checkIDs(t, evs)
}

func TestSimulatorIsDeterministicAcrossOrder(t *testing.T) {
	a, b := newRig(t, "seed=9", nil), newRig(t, "seed=9", nil)
	for i := range 40 {
		a.dial(t, fmt.Sprintf("att-%d", i), fmt.Sprintf("1380000%04d", i))
		b.dial(t, fmt.Sprintf("att-%d", 39-i), fmt.Sprintf("1380000%04d", 39-i))
	}
	got := map[string]Outcome{}
	for _, c := range a.sim.Calls() {
		got[c.AttemptID] = c.Outcome
	}
	for _, c := range b.sim.Calls() {
		if got[c.AttemptID] != c.Outcome {
			t.Errorf("%s: %s in one order, %s in the other", c.AttemptID, got[c.AttemptID], c.Outcome)
		}
	}
}
