package jobs

import (
	"log/slog"
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
)

// Options are the settings both backends share. Zero values take the
// defaults noted on each field.
type Options struct {
	Workers         int           // handlers running at once; default 4
	MaxRetry        int           // retries for tasks with MaxRetry 0; default 5, negative: none
	RetryBase       time.Duration // delay before the first retry, doubled for each next one; default 10s
	RetryMax        time.Duration // cap on the retry delay; default 1h
	Retention       time.Duration // how long finished task IDs keep deduping; default 7 days
	ShutdownTimeout time.Duration // how long Run waits for running handlers; default 10s
	Clock           clock.Clock   // "now" for schedule ticks and, in Embedded, run-at times and leases (asynq keeps its own time); default clock.System
	Logger          *slog.Logger  // default slog.Default()
}

// maxIDLen keeps IDs and types indexable in a utf8mb4 VARCHAR primary key.
const maxIDLen = 191

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	switch {
	case o.MaxRetry == 0:
		o.MaxRetry = 5
	case o.MaxRetry < 0:
		o.MaxRetry = 0
	}
	o.RetryBase = orDefault(o.RetryBase, 10*time.Second)
	o.RetryMax = orDefault(o.RetryMax, time.Hour)
	o.Retention = orDefault(o.Retention, 7*24*time.Hour)
	o.ShutdownTimeout = orDefault(o.ShutdownTimeout, 10*time.Second)
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// maxRetry resolves a task's retry budget against the defaults.
func (o Options) maxRetry(t Task) int {
	switch {
	case t.MaxRetry < 0:
		return 0
	case t.MaxRetry == 0:
		return o.MaxRetry
	}
	return t.MaxRetry
}

// backoff is the delay before retry number n (0 for the first retry):
// RetryBase doubled n times, capped at RetryMax.
func (o Options) backoff(n int) time.Duration {
	d := o.RetryBase
	for i := 0; i < n && d < o.RetryMax; i++ {
		d *= 2
	}
	return min(d, o.RetryMax)
}
