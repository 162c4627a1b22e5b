package supervision

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/eventlog"
)

// seedStream files cases of which every third waits three working days
// for its pre-review (limit one: a red warning each when the acceptance
// arrives) and the others are accepted at once.
func seedStream(t *testing.T, e *env, cases int) (red int) {
	start := e.clock.Now()
	for i := 1; i <= cases; i++ {
		e.clock.Set(start)
		subj := "case:" + itoa(int64(i))
		e.appendEvent(t, approval.EventCaseApplied, subj, map[string]any{"caseNo": "SP" + itoa(int64(i)), "item": "350100-ZJ-001",
			"departmentOrgId": e.dept, "promisedDays": 5})
		e.appendEvent(t, approval.EventCaseSubmitted, subj, map[string]any{"from": "draft"})
		if i%3 == 0 {
			e.clock.Set(start.AddDate(0, 0, 3))
			red++
		}
		e.appendEvent(t, approval.EventCaseAccepted, subj, map[string]any{"promisedDays": 5,
			"dueAt": approval.DueAt(e.cal, e.clock.Now(), 5, 0)})
	}
	e.clock.Set(start.AddDate(0, 0, 3))
	return red
}

// A consumer that dies in the middle of a batch, and one restarted after
// it, write every warning exactly once: the cursor moves only with the
// batch's writes.
func TestConsumerRestartNeitherLosesNorDoubles(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		red := seedStream(t, e, 30) // the consumer runs three days late
		e.svc.batch = 20            // two batches commit, the third dies
		crash := errors.New("killed")
		seen := 0
		e.svc.beforeApply = func(ev eventlog.Event) error {
			if seen++; seen == 50 {
				return crash
			}
			return nil
		}
		if _, err := e.svc.Consume(context.Background()); !errors.Is(err, crash) {
			t.Fatalf("consume: %v, want the crash", err)
		}
		before := e.warnings(t)
		if len(before) == 0 || len(before) >= red {
			t.Fatalf("%d warnings after the crash, want those of the two committed batches (0 < n < %d)", len(before), red)
		}
		restarted := e.service()
		if _, err := restarted.Consume(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := restarted.Consume(context.Background()); err != nil { // nothing new: a no-op
			t.Fatal(err)
		}
		if ws := e.warnings(t); len(ws) != red {
			t.Fatalf("%d warnings, want %d", len(ws), red)
		}
		if n := e.countEvents(t, EventWarningRaised); n != red {
			t.Fatalf("%d warning events, want %d", n, red)
		}
		if lag, err := restarted.Lag(context.Background()); err != nil || lag != 0 {
			t.Fatalf("lag %d, %v", lag, err)
		}
	})
}

// Two replicas consuming at once still write each warning once.
func TestTwoConsumersAtOnce(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		red := seedStream(t, e, 60)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.service().Consume(context.Background())
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if ws := e.warnings(t); len(ws) != red {
			t.Fatalf("%d warnings, want %d", len(ws), red)
		}
	})
}

func (e *env) warnings(t *testing.T) []Warning {
	t.Helper()
	ws, err := e.svc.Warnings(context.Background(), platformSupervisor, WarningFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}
