package jobs

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// schedule is one Every registration.
type schedule struct {
	name  string
	every time.Duration
	task  Task
}

// enqueueFunc is Queue.Enqueue, which schedules are built on.
type enqueueFunc func(ctx context.Context, t Task) (bool, error)

// runSchedules starts one goroutine per schedule and returns a function
// that waits for them all to stop after ctx is done.
func (c *core) runSchedules(ctx context.Context, enqueue enqueueFunc) (wait func()) {
	c.mu.RLock()
	scheds := append([]schedule(nil), c.schedules...)
	c.mu.RUnlock()
	var wg sync.WaitGroup
	for _, s := range scheds {
		wg.Go(func() { c.runSchedule(ctx, s, enqueue) })
	}
	return wg.Wait
}

// runSchedule enqueues s's task at each tick. Ticks are multiples of the
// interval since the Unix epoch, so every replica computes the same tick
// and the same task ID; whichever enqueues first wins and the others are
// no-ops. The wait is capped at a second so that a jumped (or fake) clock
// is noticed soon.
func (c *core) runSchedule(ctx context.Context, s schedule, enqueue enqueueFunc) {
	clk := c.opts.Clock
	next := floorTick(clk.Now(), s.every).Add(s.every)
	for {
		if wait := min(next.Sub(clk.Now()), time.Second); wait > 0 {
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case <-timer.C:
			}
			continue
		}
		tick := floorTick(clk.Now(), s.every) // the latest tick: missed ones are skipped
		t := s.task
		t.ID = fmt.Sprintf("sched:%s:%d", s.name, tick.Unix())
		t.RunAt = tick
		if _, err := enqueue(ctx, t); err != nil && ctx.Err() == nil {
			c.opts.Logger.Warn("jobs: enqueue scheduled task", "id", t.ID, "err", err)
		}
		next = tick.Add(s.every)
	}
}

// floorTick returns the last multiple of every since the Unix epoch at or
// before now.
func floorTick(now time.Time, every time.Duration) time.Time {
	ms, step := now.UnixMilli(), every.Milliseconds()
	return time.UnixMilli(ms - ms%step).UTC()
}
