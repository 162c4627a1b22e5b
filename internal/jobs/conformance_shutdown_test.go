package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func testShutdownWaits(t *testing.T, open opener) {
	q, r := open(testOptions()), newRuns()
	started, release := make(chan struct{}), make(chan struct{})
	cancelled := make(chan bool, 1)
	counting(q, r, "slow", func(ctx context.Context, _ Task, _ int) error {
		close(started)
		<-release
		cancelled <- ctx.Err() != nil
		return nil
	})
	w := start(t, q)
	mustEnqueue(t, q, Task{Type: "slow", ID: "slow:1"}, true)
	<-started
	stopped := make(chan struct{})
	go func() { w.stop(t); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Run returned while a handler was still running")
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after the handler finished")
	}
	if <-cancelled {
		t.Error("handler context cancelled during graceful shutdown")
	}
	waitState(t, q, "slow:1", Done)
}

func testShutdownTimeoutRequeues(t *testing.T, open opener) {
	opts := testOptions()
	opts.ShutdownTimeout = 500 * time.Millisecond
	r := newRuns()
	started := make(chan struct{}, 2)
	// The first run outlives the shutdown timeout and is cancelled; the
	// task goes back to the queue and the next worker completes it.
	handler := func(ctx context.Context, _ Task, n int) error {
		started <- struct{}{}
		if n == 1 {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
	q1 := open(opts)
	counting(q1, r, "long", handler)
	w1 := start(t, q1)
	mustEnqueue(t, q1, Task{Type: "long", ID: "long:1"}, true)
	<-started
	begin := time.Now()
	w1.stop(t)
	if took := time.Since(begin); took > 4*time.Second {
		t.Errorf("shutdown took %v with a 500ms timeout", took)
	}
	q2 := open(opts)
	counting(q2, r, "long", handler)
	start(t, q2)
	r.waitFor(t, 10*time.Second, "the rerun", func() bool { return r.count("long:1") == 2 })
	waitState(t, q2, "long:1", Done)
}

func testRestartRunsOnce(t *testing.T, open opener) {
	r := newRuns()
	q1 := open(testOptions())
	counting(q1, r, "open", nil)
	w1 := start(t, q1)
	runAt := time.Now().Add(1200 * time.Millisecond)
	mustEnqueue(t, q1, Task{Type: "open", ID: "open:S9", RunAt: runAt}, true)
	w1.stop(t) // the process restarts before the deadline
	if n := r.count("open:S9"); n != 0 {
		t.Fatalf("ran %d times before its run-at", n)
	}
	q2 := open(testOptions())
	counting(q2, r, "open", nil)
	w2 := start(t, q2)
	r.waitFor(t, 6*time.Second, "the run after restart", func() bool { return r.count("open:S9") == 1 })
	waitState(t, q2, "open:S9", Done)
	w2.stop(t)
	if n := r.count("open:S9"); n != 1 {
		t.Errorf("ran %d times", n)
	}
	if ran := r.times("open:S9")[0]; ran.Before(runAt.Truncate(time.Millisecond)) {
		t.Errorf("ran %v early", runAt.Sub(ran))
	}
}

func testPingAndValidation(t *testing.T, open opener) {
	q := open(testOptions())
	ctx := context.Background()
	if err := q.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	for _, bad := range []Task{{ID: "x"}, {Type: "t"}, {Type: "t", ID: string(make([]byte, 192))}} {
		if _, err := q.Enqueue(ctx, bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Enqueue(type %q, id len %d) = %v, want Invalid", bad.Type, len(bad.ID), err)
		}
	}
	if _, err := q.Status(ctx, "never-enqueued"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Status(unknown) = %v, want NotFound", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := q.Run(done); err != nil {
		t.Fatalf("Run with a finished context = %v", err)
	}
	if err := q.Run(done); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second Run = %v, want Conflict", err)
	}
}
