package jobs

import (
	"context"
	"errors"
	"time"
)

// claimed is a task this worker holds the lease on. attempts is the row's
// version after the claim: every later write is conditional on it and on
// the owner, so a worker that lost its lease cannot overwrite anything.
type claimed struct {
	task     Task
	attempts int
	maxRetry int
}

var errLeaseExpired = errors.New("jobs: the worker running the final attempt stopped (lease expired)")

// maxErrorLen bounds last_error, a TEXT column (64 KiB on MySQL).
const maxErrorLen = 4000

// claim takes up to limit due tasks: pending ones whose time has come and
// running ones whose lease has expired (their worker crashed). Each claim
// is an UPDATE conditional on the version read, checked by RowsAffected,
// so two workers never claim one task; a lost race just skips the row.
func (q *Embedded) claim(ctx context.Context, limit int) ([]claimed, error) {
	now := q.now()
	rows, err := q.db.QueryContext(ctx, `SELECT id, task_type, payload, attempts, max_retry FROM th_jobs
		WHERE state IN (?, ?) AND next_at <= ? ORDER BY next_at LIMIT ?`,
		string(Pending), string(Running), now, limit)
	if err != nil {
		return nil, err
	}
	var due []claimed
	for rows.Next() {
		var c claimed
		if err := rows.Scan(&c.task.ID, &c.task.Type, &c.task.Payload, &c.attempts, &c.maxRetry); err != nil {
			rows.Close()
			return nil, err
		}
		c.task.MaxRetry = c.maxRetry
		due = append(due, c)
	}
	rows.Close() // before writing: SQLite must not hold a read cursor meanwhile
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var got []claimed
	for _, c := range due {
		res, err := q.db.ExecContext(ctx, `UPDATE th_jobs
			SET state = ?, lease_owner = ?, next_at = ?, attempts = attempts + 1
			WHERE id = ? AND attempts = ? AND state IN (?, ?) AND next_at <= ?`,
			string(Running), q.owner, now+q.lease.Milliseconds(),
			c.task.ID, c.attempts, string(Pending), string(Running), now)
		if err != nil {
			return got, err
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			c.attempts++
			got = append(got, c)
		}
	}
	return got, nil
}

// finish records a handler's outcome: done, a retry after backoff, or dead
// once the retries are spent.
func (q *Embedded) finish(j claimed, herr error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := q.now()
	var ok bool
	var err error
	switch {
	case herr == nil:
		ok, err = q.update(ctx, j, "state = ?, finished_at = ?, lease_owner = ''", string(Done), now)
	case j.attempts > j.maxRetry:
		ok, err = q.update(ctx, j, "state = ?, finished_at = ?, last_error = ?, lease_owner = ''",
			string(Dead), now, storableError(herr, maxErrorLen))
		q.opts.Logger.Error("jobs: task is dead", "id", j.task.ID, "attempts", j.attempts, "err", herr)
	default:
		// now is truncated to the millisecond; one more keeps the retry from
		// running up to a millisecond before its backoff has passed.
		next := now + 1 + q.opts.backoff(j.attempts-1).Milliseconds()
		ok, err = q.update(ctx, j, "state = ?, next_at = ?, last_error = ?, lease_owner = ''",
			string(Pending), next, storableError(herr, maxErrorLen))
	}
	q.logLost(j, ok, err, "record outcome")
}

// release hands a task back without counting the attempt: its handler was
// stopped by this worker's shutdown, not by its own failure.
func (q *Embedded) release(j claimed) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ok, err := q.update(ctx, j, "state = ?, next_at = ?, lease_owner = '', attempts = attempts - 1",
		string(Pending), q.now())
	q.logLost(j, ok, err, "hand back")
}

func (q *Embedded) logLost(j claimed, ok bool, err error, what string) {
	switch {
	case err != nil:
		q.opts.Logger.Warn("jobs: "+what, "id", j.task.ID, "err", err)
	case !ok:
		q.opts.Logger.Warn("jobs: "+what+": lease lost to another worker", "id", j.task.ID)
	}
}

// update applies set (a constant SQL fragment) to j's row if this worker
// still holds the lease, and reports whether it did. MySQL counts an UPDATE
// that changes nothing as 0 rows (a heartbeat under a stopped fake clock),
// so a 0 is confirmed by reading the row before it means "lost".
func (q *Embedded) update(ctx context.Context, j claimed, set string, args ...any) (bool, error) {
	const owned = " WHERE id = ? AND lease_owner = ? AND attempts = ? AND state = ?"
	key := []any{j.task.ID, q.owner, j.attempts, string(Running)}
	res, err := q.db.ExecContext(ctx, "UPDATE th_jobs SET "+set+owned, append(args, key...)...)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return true, nil
	}
	var n int
	err = q.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM th_jobs"+owned, key...).Scan(&n)
	return n == 1, err
}
