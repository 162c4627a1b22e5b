package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"
)

// EmbeddedOptions configure the SQL-backed queue.
type EmbeddedOptions struct {
	Options
	PollInterval time.Duration // how often idle workers look for due tasks; default 1s
	Lease        time.Duration // how long a claim lasts without a heartbeat; default 30s
}

// Embedded is the Queue kept in the th_jobs table of the platform's own
// database, for the single-binary default and small installations. Workers
// in any number of processes claim due rows with a lease they extend while
// the handler runs; a crashed worker's rows are reclaimed when the lease
// ends.
type Embedded struct {
	core
	db      *sql.DB
	dialect string
	poll    time.Duration
	lease   time.Duration
	owner   string        // this instance's lease owner ID
	wake    chan struct{} // a local Enqueue or a finished task: look for work now
}

// NewEmbedded returns a queue stored in db, whose dialect is "sqlite" or
// "mysql", creating th_jobs if needed. The caller keeps ownership of db;
// SQLite should be opened in WAL mode with a busy timeout, since workers
// write from several connections.
// It returns apperr.Invalid for an unknown dialect and apperr.Unavailable
// when the table cannot be created.
func NewEmbedded(db *sql.DB, dialect string, opts EmbeddedOptions) (*Embedded, error) {
	q := &Embedded{
		core:    newCore(opts.Options),
		db:      db,
		dialect: dialect,
		poll:    orDefault(opts.PollInterval, time.Second),
		lease:   orDefault(opts.Lease, 30*time.Second),
		owner:   newOwnerID(),
		wake:    make(chan struct{}, 1),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := q.migrate(ctx); err != nil {
		return nil, err
	}
	return q, nil
}

func newOwnerID() string {
	b := make([]byte, 12)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// Enqueue stores t unless its ID exists; see Queue.Enqueue.
func (q *Embedded) Enqueue(ctx context.Context, t Task) (bool, error) {
	if err := validate(t); err != nil {
		return false, err
	}
	now := q.now()
	due := max(t.RunAt.UnixMilli(), now)
	payload := t.Payload
	if payload == nil {
		payload = []byte{} // the column is NOT NULL; drivers send nil as NULL
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO th_jobs
		(id, task_type, payload, state, next_at, max_retry, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Type, payload, string(Pending), due, q.opts.maxRetry(t), now)
	if err != nil {
		// Portable duplicate detection: a failed insert whose ID now exists
		// lost to an earlier enqueue, whatever the driver's error looks like.
		if _, serr := q.Status(ctx, t.ID); serr == nil {
			return false, nil
		}
		return false, unavailable(err)
	}
	q.signal()
	return true, nil
}

// Status returns the task's state; see Queue.Status.
func (q *Embedded) Status(ctx context.Context, id string) (State, error) {
	var s string
	err := q.db.QueryRowContext(ctx, "SELECT state FROM th_jobs WHERE id = ?", id).Scan(&s)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", notFound(id)
	case err != nil:
		return "", unavailable(err)
	}
	return State(s), nil
}

// Ping checks the database; see Queue.Ping.
func (q *Embedded) Ping(ctx context.Context) error {
	if err := q.db.PingContext(ctx); err != nil {
		return unavailable(err)
	}
	return nil
}

// Close does nothing: the *sql.DB belongs to the caller. It returns nil.
func (q *Embedded) Close() error { return nil }

// now is the queue clock's time in Unix milliseconds, as stored.
func (q *Embedded) now() int64 { return q.opts.Clock.Now().UnixMilli() }

// signal wakes the run loop without blocking; one pending wake is enough.
func (q *Embedded) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// purge deletes finished rows older than the retention, after which their
// IDs may be enqueued again.
func (q *Embedded) purge(ctx context.Context) {
	cutoff := q.now() - q.opts.Retention.Milliseconds()
	_, err := q.db.ExecContext(ctx,
		"DELETE FROM th_jobs WHERE state IN (?, ?) AND finished_at < ?", string(Done), string(Dead), cutoff)
	if err != nil && ctx.Err() == nil {
		q.opts.Logger.Warn("jobs: purge finished tasks", "err", err)
	}
}
