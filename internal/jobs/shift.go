package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"
)

// Shift tells q that its clock (Options.Clock) has just jumped forward by
// d, as the sandbox's clock does: tasks whose run-at the jump reached run
// now instead of at their old wall-clock time. It returns how many tasks it
// released, or apperr.Unavailable when the backend cannot be reached. The
// embedded queue judges run-at by its clock already, so for it Shift does
// nothing; asynq keeps wall-clock times in Redis, which Shift moves.
func Shift(ctx context.Context, q Queue, d time.Duration) (int, error) {
	if s, ok := q.(interface {
		shift(context.Context, time.Duration) (int, error)
	}); ok && d > 0 {
		return s.shift(ctx, d)
	}
	return 0, nil
}

// wallTime converts a run-at time read on the queue's clock into the wall
// clock asynq schedules by. With the system clock the two agree.
func (q *Asynq) wallTime(runAt time.Time) time.Time {
	if runAt.IsZero() {
		return runAt
	}
	return runAt.Add(time.Since(q.opts.Clock.Now()))
}

// shift runs every scheduled task of the queue whose wall-clock run-at
// falls within d from now: before the jump it was that far from due. The
// IDs are listed first, because running a task takes it out of the pages.
func (q *Asynq) shift(ctx context.Context, d time.Duration) (int, error) {
	limit := time.Now().Add(d)
	var due []string
	for page := 1; ; page++ {
		infos, err := q.inspector.ListScheduledTasks(q.queue, asynq.PageSize(500), asynq.Page(page))
		if errors.Is(err, asynq.ErrQueueNotFound) {
			break
		}
		if err != nil {
			return 0, unavailable(err)
		}
		for _, info := range infos {
			if !info.NextProcessAt.After(limit) {
				due = append(due, info.ID)
			}
		}
		if len(infos) < 500 {
			break
		}
	}
	released := 0
	for _, id := range due {
		if err := ctx.Err(); err != nil {
			return released, err
		}
		err := q.inspector.RunTask(q.queue, id)
		switch {
		case err == nil:
			released++
		case errors.Is(err, asynq.ErrTaskNotFound):
			// Run by its own schedule meanwhile.
		default:
			return released, unavailable(err)
		}
	}
	return released, nil
}
