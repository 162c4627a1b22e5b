// Package jobs runs background tasks that must happen once even with many
// replicas: opening a section at its deadline, placing a phone call, a
// periodic sweep. Every task has a fixed ID, so enqueuing it again (from a
// retry, another replica or a restarted process) is a no-op, and tasks live
// in a shared store, never in one process's memory.
//
// Two backends implement Queue: Embedded keeps tasks in a table of the
// platform's SQL database (SQLite or MySQL/MariaDB) and claims them under a
// lease; Asynq keeps them in Redis through github.com/hibiken/asynq. One
// conformance suite checks that both behave alike.
package jobs

import (
	"context"
	"time"
)

// Task is one unit of background work.
type Task struct {
	Type     string    // handler key, e.g. "bidding:open"
	ID       string    // fixed task ID, e.g. "open:<section>"; enqueuing an ID that exists (pending, running or finished within retention) is a no-op
	Payload  []byte    // handler input, opaque to the queue
	RunAt    time.Time // earliest time to run; zero or past: now
	MaxRetry int       // retries after the first attempt; 0: Options.MaxRetry; negative: none
}

// Handler processes a task. It must be idempotent: a task may run again
// after a crash or a lost lease. A returned error (or a panic) schedules a
// retry with backoff until MaxRetry is exhausted. ctx is cancelled when the
// worker's shutdown timeout passes or its claim on the task is lost.
type Handler func(ctx context.Context, t Task) error

// State is where a task is in its life.
type State string

// The task states common to both backends.
const (
	Pending State = "pending" // waiting for its run-at time or for a retry
	Running State = "running" // claimed by a worker
	Done    State = "done"    // succeeded; kept for dedupe until retention ends
	Dead    State = "dead"    // failed MaxRetry+1 times; kept, never run again
)

// Queue enqueues tasks and runs their handlers.
type Queue interface {
	// Enqueue stores t to run at t.RunAt. It returns false, nil when a task
	// with t.ID already exists; apperr.Invalid for a task without Type or ID
	// or with one longer than 191 bytes; apperr.Unavailable when the backend
	// cannot be reached.
	Enqueue(ctx context.Context, t Task) (bool, error)
	// Status returns the state of the task with the given ID: apperr.NotFound
	// when there is none (never enqueued, or purged after retention),
	// apperr.Unavailable when the backend cannot be reached.
	Status(ctx context.Context, id string) (State, error)
	// Handle registers h for tasks of taskType, replacing any earlier one. A
	// task whose type has no handler fails its attempt (and is retried, so a
	// newer replica may take it). It panics on an empty type or a nil h.
	Handle(taskType string, h Handler)
	// Every enqueues a copy of t at each multiple of interval since the Unix
	// epoch, with ID "sched:<name>:<tick unix seconds>", so that any number
	// of replicas enqueue each tick once. Ticks missed while no worker ran
	// are skipped. Register before Run; it panics when interval < 1s.
	Every(name string, interval time.Duration, t Task)
	// Run processes tasks until ctx is done, then shuts down gracefully: it
	// stops claiming, waits for running handlers up to the shutdown timeout,
	// then cancels them and hands their tasks back to the queue. It may be
	// called once per Queue; a second call returns apperr.Conflict.
	Run(ctx context.Context) error
	// Ping checks the backend for readiness probes: apperr.Unavailable when
	// it cannot be reached.
	Ping(ctx context.Context) error
	// Close releases the queue's connections. Call it after Run returns.
	Close() error
}

// Both backends implement Queue.
var (
	_ Queue = (*Embedded)(nil)
	_ Queue = (*Asynq)(nil)
)
