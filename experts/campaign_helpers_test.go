package experts

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/jobs"
)

// stepQueue is a jobs.Queue that runs due tasks only when the test calls
// runDue, so a campaign can be stepped with a fake clock. It keeps the
// queue contract the campaign relies on (fixed IDs dedupe, a failed task
// runs again); the real backends are checked against that contract in
// internal/jobs.
type stepQueue struct {
	clk      *clock.Fake
	mu       sync.Mutex
	tasks    map[string]*stepTask
	handlers map[string]jobs.Handler
}

type stepTask struct {
	jobs.Task
	done bool
	runs int
}

func newStepQueue(clk *clock.Fake) *stepQueue {
	return &stepQueue{clk: clk, tasks: map[string]*stepTask{}, handlers: map[string]jobs.Handler{}}
}

func (q *stepQueue) Enqueue(_ context.Context, t jobs.Task) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.tasks[t.ID]; ok {
		return false, nil
	}
	q.tasks[t.ID] = &stepTask{Task: t}
	return true, nil
}

func (q *stepQueue) Status(_ context.Context, id string) (jobs.State, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if t, ok := q.tasks[id]; ok && t.done {
		return jobs.Done, nil
	}
	return jobs.Pending, nil
}

func (q *stepQueue) Handle(typ string, h jobs.Handler)      { q.handlers[typ] = h }
func (q *stepQueue) Every(string, time.Duration, jobs.Task) {}
func (q *stepQueue) Run(context.Context) error              { return nil }
func (q *stepQueue) Ping(context.Context) error             { return nil }
func (q *stepQueue) Close() error                           { return nil }
func (q *stepQueue) pending() (n int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, t := range q.tasks {
		if !t.done {
			n++
		}
	}
	return
}

// runDue runs every task due by the clock, in run-at then ID order, until
// none is due; a task whose handler fails stays pending for the next call.
func (q *stepQueue) runDue(t *testing.T) {
	t.Helper()
	for {
		q.mu.Lock()
		var due []*stepTask
		for _, x := range q.tasks {
			if !x.done && !x.RunAt.After(q.clk.Now()) && x.runs < 50 {
				due = append(due, x)
			}
		}
		q.mu.Unlock()
		if len(due) == 0 {
			return
		}
		sort.Slice(due, func(i, j int) bool {
			return due[i].RunAt.Before(due[j].RunAt) || due[i].RunAt.Equal(due[j].RunAt) && due[i].ID < due[j].ID
		})
		progress := false
		for _, x := range due {
			x.runs++
			if err := q.handlers[x.Type](context.Background(), x.Task); err == nil {
				x.done, progress = true, true
			}
		}
		if !progress {
			return // only failing tasks left: the next step retries them
		}
	}
}
