package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// Run starts an asynq server on the queue and processes tasks until ctx is
// done; see Queue.Run. asynq's own Scheduler is not used: schedules are
// plain Enqueues with fixed IDs (see Every), which dedupe across replicas.
func (q *Asynq) Run(ctx context.Context) error {
	if err := q.begin(); err != nil {
		return err
	}
	srv := asynq.NewServerFromRedisClient(q.rdb, asynq.Config{
		Concurrency:              q.opts.Workers,
		Queues:                   map[string]int{q.queue: 1},
		RetryDelayFunc:           q.retryDelay,
		ShutdownTimeout:          q.opts.ShutdownTimeout,
		TaskCheckInterval:        q.check,
		DelayedTaskCheckInterval: q.check,
		Logger:                   slogAdapter{q.opts.Logger},
		LogLevel:                 asynq.WarnLevel,
	})
	if err := srv.Start(asynq.HandlerFunc(q.process)); err != nil {
		return unavailable(err)
	}
	waitSchedules := q.runSchedules(ctx, q.Enqueue)
	<-ctx.Done()
	waitSchedules()
	// Shutdown stops fetching, waits up to ShutdownTimeout, then cancels the
	// remaining handlers and pushes their tasks back to the queue.
	srv.Shutdown()
	return nil
}

// process adapts an asynq task to a Handler call.
func (q *Asynq) process(ctx context.Context, at *asynq.Task) error {
	id, _ := asynq.GetTaskID(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	return q.dispatch(ctx, Task{Type: at.Type(), ID: id, Payload: at.Payload(), MaxRetry: maxRetry})
}

// retryDelay is the backoff for retry n, stretched to end on a whole second
// because asynq stores retry times in Unix seconds (see ceilSecond): asynq
// adds the delay to its own time.Now a moment later, which still floors to
// the same second.
func (q *Asynq) retryDelay(n int, _ error, _ *asynq.Task) time.Duration {
	now := time.Now()
	return ceilSecond(now.Add(q.opts.backoff(n))).Sub(now)
}

// slogAdapter routes asynq's log lines to the queue's slog.Logger.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug("asynq: " + fmt.Sprint(args...)) }
func (a slogAdapter) Info(args ...any)  { a.l.Info("asynq: " + fmt.Sprint(args...)) }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn("asynq: " + fmt.Sprint(args...)) }
func (a slogAdapter) Error(args ...any) { a.l.Error("asynq: " + fmt.Sprint(args...)) }

// Fatal logs at error level and does not exit: a library must not end the
// process (asynq itself never calls it).
func (a slogAdapter) Fatal(args ...any) { a.l.Error("asynq: fatal: " + fmt.Sprint(args...)) }
