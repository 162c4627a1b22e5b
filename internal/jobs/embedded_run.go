package jobs

import (
	"context"
	"sync"
	"time"
)

// purgeEvery spaces out the retention purge; it need not be prompt.
const purgeEvery = 10 * time.Minute

// Run claims and processes due tasks until ctx is done; see Queue.Run.
func (q *Embedded) Run(ctx context.Context) error {
	if err := q.begin(); err != nil {
		return err
	}
	// Handlers outlive ctx during graceful shutdown; hard ends them when the
	// shutdown timeout passes.
	hard, abort := context.WithCancel(context.WithoutCancel(ctx))
	defer abort()
	waitSchedules := q.runSchedules(ctx, q.Enqueue)
	slots := make(chan struct{}, q.opts.Workers)
	var running sync.WaitGroup
	ticker := time.NewTicker(q.poll)
	defer ticker.Stop()
	var lastPurge time.Time
	for {
		if time.Since(lastPurge) > purgeEvery {
			q.purge(ctx)
			lastPurge = time.Now()
		}
		q.startDue(ctx, hard, slots, &running)
		select {
		case <-ctx.Done():
			waitSchedules()
			q.drain(&running, abort)
			return nil
		case <-ticker.C:
		case <-q.wake:
		}
	}
}

// startDue claims as many due tasks as there are free worker slots and
// starts a goroutine for each.
func (q *Embedded) startDue(ctx, hard context.Context, slots chan struct{}, running *sync.WaitGroup) {
	free := cap(slots) - len(slots)
	if free == 0 {
		return
	}
	// Claim on a detached context: a claim cancelled after its UPDATE went
	// through would strand the task until its lease expired.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	jobs, err := q.claim(cctx, free)
	if err != nil {
		q.opts.Logger.Warn("jobs: claim due tasks", "err", err)
	}
	for _, j := range jobs {
		slots <- struct{}{}
		running.Go(func() {
			defer func() { <-slots; q.signal() }()
			q.work(hard, j)
		})
	}
}

// drain waits for running handlers up to the shutdown timeout, then aborts
// them; aborted work hands its task back and returns at once.
func (q *Embedded) drain(running *sync.WaitGroup, abort context.CancelFunc) {
	done := make(chan struct{})
	go func() { running.Wait(); close(done) }()
	timer := time.NewTimer(q.opts.ShutdownTimeout)
	defer timer.Stop()
	select {
	case <-done:
		return
	case <-timer.C:
		q.opts.Logger.Warn("jobs: shutdown timeout; aborting running handlers")
		abort()
		<-done
	}
}

// work runs one claimed task under a heartbeat and records the outcome.
// When ctx ends first (shutdown timeout, or the lease was lost) the task
// is handed back and the handler goroutine is abandoned, as asynq does, so
// a handler that ignores ctx cannot hold up shutdown.
func (q *Embedded) work(hard context.Context, j claimed) {
	if j.attempts > j.maxRetry+1 {
		// Reclaimed after its last attempt's worker died: a task that keeps
		// killing its worker must not be retried forever.
		q.finish(j, errLeaseExpired)
		return
	}
	ctx, cancel := context.WithCancel(hard)
	defer cancel()
	go q.heartbeat(ctx, j, cancel)
	result := make(chan error, 1)
	go func() { result <- q.dispatch(ctx, j.task) }()
	select {
	case err := <-result:
		if err != nil && ctx.Err() != nil {
			q.release(j) // failed because we cancelled it: not the task's fault
			return
		}
		q.finish(j, err)
	case <-ctx.Done():
		select {
		case err := <-result: // it finished at the same moment: keep the outcome
			q.finish(j, err)
		default:
			q.release(j)
		}
	}
}

// heartbeat extends j's lease every third of the lease while its handler
// runs, and cancels the handler when the lease turns out to be lost.
func (q *Embedded) heartbeat(ctx context.Context, j claimed, lost context.CancelFunc) {
	ticker := time.NewTicker(q.lease / 3)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		ok, err := q.update(ctx, j, "next_at = ?", q.now()+q.lease.Milliseconds())
		switch {
		case err != nil && ctx.Err() == nil:
			q.opts.Logger.Warn("jobs: extend lease", "id", j.task.ID, "err", err)
		case err == nil && !ok:
			q.opts.Logger.Warn("jobs: lease lost; cancelling handler", "id", j.task.ID)
			lost()
			return
		}
	}
}
