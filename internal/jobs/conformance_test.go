package jobs

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
)

// runConformance runs the behaviour every Queue backend must share. Cases
// run in parallel, each on its own store.
func runConformance(t *testing.T, store newStore) {
	cases := []struct {
		name string
		run  func(t *testing.T, open opener)
	}{
		{"RunsOnceWithPayload", testRunsOnceWithPayload},
		{"DuplicateIDRunsOnce", testDuplicateIDRunsOnce},
		{"RunAtNotEarly", testRunAtNotEarly},
		{"RetriesWithBackoff", testRetriesWithBackoff},
		{"DeadAfterMaxRetry", testDeadAfterMaxRetry},
		{"BadTasksDoNotCrash", testBadTasksDoNotCrash},
		{"EveryOncePerTickAcrossWorkers", testEveryOncePerTick},
		{"ShutdownWaitsForHandler", testShutdownWaits},
		{"ShutdownTimeoutRequeues", testShutdownTimeoutRequeues},
		{"RestartRunsScheduledOnce", testRestartRunsOnce},
		{"PingAndValidation", testPingAndValidation},
		{"ClockJumpRunsDueTasks", testClockJump},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, store(t))
		})
	}
}

// counting registers a handler for typ that records each run and then
// returns fn's result (nil when fn is nil).
func counting(q Queue, r *runs, typ string, fn func(ctx context.Context, task Task, n int) error) {
	q.Handle(typ, func(ctx context.Context, task Task) error {
		n := r.record(task.ID)
		if fn == nil {
			return nil
		}
		return fn(ctx, task, n)
	})
}

func testRunsOnceWithPayload(t *testing.T, open opener) {
	q, r := open(testOptions()), newRuns()
	got := make(chan []byte, 1)
	counting(q, r, "t", func(_ context.Context, task Task, _ int) error { got <- task.Payload; return nil })
	w := start(t, q)
	mustEnqueue(t, q, Task{Type: "t", ID: "one", Payload: []byte("section-42")}, true)
	r.waitFor(t, 5*time.Second, "one run", func() bool { return r.count("one") == 1 })
	if p := <-got; !bytes.Equal(p, []byte("section-42")) {
		t.Errorf("payload = %q", p)
	}
	waitState(t, q, "one", Done)
	w.stop(t)
	if n := r.count("one"); n != 1 {
		t.Errorf("ran %d times", n)
	}
}

func testDuplicateIDRunsOnce(t *testing.T, open opener) {
	q, r := open(testOptions()), newRuns()
	counting(q, r, "t", nil)
	task := Task{Type: "t", ID: "open:S1"}
	mustEnqueue(t, q, task, true)
	mustEnqueue(t, q, task, false) // before it ran
	w := start(t, q)
	r.waitFor(t, 5*time.Second, "first run", func() bool { return r.count("open:S1") == 1 })
	waitState(t, q, "open:S1", Done)
	mustEnqueue(t, q, task, false) // after it ran, within retention
	r.quiet(t, 500*time.Millisecond, "a finished ID ran again")
	w.stop(t)
	if n := r.count("open:S1"); n != 1 {
		t.Errorf("ran %d times", n)
	}
}

func testRunAtNotEarly(t *testing.T, open opener) {
	q, r := open(testOptions()), newRuns()
	counting(q, r, "t", nil)
	start(t, q)
	runAt := time.Now().Add(1500 * time.Millisecond)
	mustEnqueue(t, q, Task{Type: "t", ID: "later", RunAt: runAt}, true)
	waitState(t, q, "later", Pending)
	r.quiet(t, time.Until(runAt)-200*time.Millisecond, "ran before its run-at")
	r.waitFor(t, 5*time.Second, "the run", func() bool { return r.count("later") == 1 })
	// The embedded store keeps milliseconds: allow the truncation.
	if ran := r.times("later")[0]; ran.Before(runAt.Truncate(time.Millisecond)) {
		t.Errorf("ran at %v, %v before run-at", ran, runAt.Sub(ran))
	}
}

func testRetriesWithBackoff(t *testing.T, open opener) {
	opts := testOptions()
	q, r := open(opts), newRuns()
	counting(q, r, "flaky", func(_ context.Context, _ Task, n int) error {
		if n < 3 {
			return errors.New("gateway busy")
		}
		return nil
	})
	start(t, q)
	mustEnqueue(t, q, Task{Type: "flaky", ID: "call:1", MaxRetry: 3}, true)
	r.waitFor(t, 10*time.Second, "third attempt", func() bool { return r.count("call:1") == 3 })
	waitState(t, q, "call:1", Done)
	at := r.times("call:1")
	if gap := at[1].Sub(at[0]); gap < opts.RetryBase {
		t.Errorf("first retry after %v, want >= %v", gap, opts.RetryBase)
	}
	if gap := at[2].Sub(at[1]); gap < 2*opts.RetryBase {
		t.Errorf("second retry after %v, want >= %v", gap, 2*opts.RetryBase)
	}
	r.quiet(t, 300*time.Millisecond, "ran again after success")
}

func testDeadAfterMaxRetry(t *testing.T, open opener) {
	q, r := open(testOptions()), newRuns()
	counting(q, r, "bad", func(context.Context, Task, int) error { return errors.New("always fails") })
	start(t, q)
	mustEnqueue(t, q, Task{Type: "bad", ID: "doomed", MaxRetry: 1}, true)
	r.waitFor(t, 10*time.Second, "two attempts", func() bool { return r.count("doomed") == 2 })
	waitState(t, q, "doomed", Dead)
	mustEnqueue(t, q, Task{Type: "bad", ID: "doomed"}, false) // a dead ID still dedupes
	r.quiet(t, 1500*time.Millisecond, "a dead task ran again")
}

func testBadTasksDoNotCrash(t *testing.T, open opener) {
	q, r := open(testOptions()), newRuns()
	counting(q, r, "ok", nil)
	counting(q, r, "panics", func(context.Context, Task, int) error { panic("handler bug") })
	start(t, q)
	mustEnqueue(t, q, Task{Type: "nobody-handles-this", ID: "orphan", MaxRetry: 1}, true)
	mustEnqueue(t, q, Task{Type: "panics", ID: "boom", MaxRetry: 1}, true)
	mustEnqueue(t, q, Task{Type: "ok", ID: "fine"}, true)
	r.waitFor(t, 5*time.Second, "the good task", func() bool { return r.count("fine") == 1 })
	r.waitFor(t, 10*time.Second, "the panicking task's retry", func() bool { return r.count("boom") == 2 })
	// A type without a handler fails its attempts like an error would.
	waitState(t, q, "boom", Dead)
	waitState(t, q, "orphan", Dead)
}

func testEveryOncePerTick(t *testing.T, open opener) {
	r := newRuns()
	var workers []*worker
	for range 2 {
		q := open(testOptions())
		counting(q, r, "sweep", nil)
		q.Every("sweep", time.Second, Task{Type: "sweep", Payload: []byte("x")})
		workers = append(workers, start(t, q))
	}
	r.waitFor(t, 8*time.Second, "three ticks", func() bool { return len(r.withPrefix("sched:sweep:")) >= 3 })
	for _, w := range workers {
		w.stop(t)
	}
	for id, n := range r.withPrefix("sched:sweep:") {
		if n != 1 {
			t.Errorf("%s ran %d times with two workers", id, n)
		}
	}
}

// testClockJump: on a clock that jumps forward (the sandbox's), a task the
// jump made due runs at once after Shift, and one still in the future does
// not run.
func testClockJump(t *testing.T, open opener) {
	clk := clock.NewShifted(clock.System{}, 0)
	opts := testOptions()
	opts.Clock = clk
	q, r := open(opts), newRuns()
	counting(q, r, "t", nil)
	mustEnqueue(t, q, Task{Type: "t", ID: "open:S1", RunAt: clk.Now().Add(2 * time.Hour)}, true)
	mustEnqueue(t, q, Task{Type: "t", ID: "open:S2", RunAt: clk.Now().Add(5 * time.Hour)}, true)
	w := start(t, q)
	r.quiet(t, 300*time.Millisecond, "a task ran before the jump")
	clk.SetOffset(3 * time.Hour)
	if _, err := Shift(context.Background(), q, 3*time.Hour); err != nil {
		t.Fatal(err)
	}
	r.waitFor(t, 5*time.Second, "the task the jump made due", func() bool { return r.count("open:S1") == 1 })
	r.quiet(t, 500*time.Millisecond, "a task still in the future ran")
	w.stop(t)
	if n := r.count("open:S2"); n != 0 {
		t.Errorf("the future task ran %d times", n)
	}
}
