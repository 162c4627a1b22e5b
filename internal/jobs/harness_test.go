package jobs

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// opener returns a new Queue instance — a new "replica" — on the one store
// (database or Redis queue) its test was given. Queues are closed when the
// test ends.
type opener func(o Options) Queue

// newStore gives each test a fresh store and an opener for it.
type newStore func(t *testing.T) opener

// testOptions are short enough for tests: the retry delays are 300 ms,
// 600 ms, then capped at 1 s.
func testOptions() Options {
	return Options{
		Workers:         4,
		RetryBase:       300 * time.Millisecond,
		RetryMax:        time.Second,
		ShutdownTimeout: 5 * time.Second,
		Logger:          testLogger(),
	}
}

// testLogger is silent unless JOBS_TEST_LOG is set: abandoned handler
// goroutines may log after their test ended, which t.Log forbids.
func testLogger() *slog.Logger {
	if os.Getenv("JOBS_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// worker runs q.Run in the background. stop cancels it and waits for Run to
// return; it also runs at test cleanup, and is safe to call twice.
type worker struct {
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

func start(t *testing.T, q Queue) *worker {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &worker{cancel: cancel, done: make(chan error, 1)}
	go func() { w.done <- q.Run(ctx) }()
	t.Cleanup(func() { w.stop(t) })
	return w
}

func (w *worker) stop(t *testing.T) {
	t.Helper()
	w.once.Do(func() {
		w.cancel()
		select {
		case err := <-w.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
}

// runs counts handler runs per task ID and lets tests wait for a count
// without sleeping: every record closes the current "changed" channel.
type runs struct {
	mu      sync.Mutex
	n       map[string]int
	at      map[string][]time.Time
	changed chan struct{}
}

func newRuns() *runs {
	return &runs{n: map[string]int{}, at: map[string][]time.Time{}, changed: make(chan struct{})}
}

func (r *runs) record(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n[id]++
	r.at[id] = append(r.at[id], time.Now())
	close(r.changed)
	r.changed = make(chan struct{})
	return r.n[id]
}

func (r *runs) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[id]
}

func (r *runs) times(id string) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.at[id]...)
}

// withPrefix returns the run counts of the IDs starting with prefix.
func (r *runs) withPrefix(prefix string) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := map[string]int{}
	for id, n := range r.n {
		if strings.HasPrefix(id, prefix) {
			m[id] = n
		}
	}
	return m
}

// waitFor blocks until cond holds (checked after every recorded run) or
// fails the test after timeout.
func (r *runs) waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		changed := r.changed
		r.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// quiet fails the test if any run is recorded within d: for checking that
// something does NOT happen, where waiting is the point.
func (r *runs) quiet(t *testing.T, d time.Duration, what string) {
	t.Helper()
	r.mu.Lock()
	changed := r.changed
	r.mu.Unlock()
	select {
	case <-changed:
		t.Fatalf("unexpected run: %s", what)
	case <-time.After(d):
	}
}

// waitState polls Status until the task reaches want. A state change has no
// event to wait on, so this one helper polls, briefly and with a deadline.
func waitState(t *testing.T, q Queue, id string, want State) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var got State
	var err error
	for time.Now().Before(deadline) {
		if got, err = q.Status(context.Background(), id); err == nil && got == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("task %s: state %q (err %v), want %q", id, got, err, want)
}

func mustEnqueue(t *testing.T, q Queue, task Task, want bool) {
	t.Helper()
	got, err := q.Enqueue(context.Background(), task)
	if err != nil || got != want {
		t.Fatalf("Enqueue(%s) = %v, %v; want %v, nil", task.ID, got, err, want)
	}
}
