package jobs

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// core is what both backends share: the handler registry, the periodic
// schedules and the once-only Run guard. Backends embed it.
type core struct {
	opts      Options
	mu        sync.RWMutex
	handlers  map[string]Handler
	schedules []schedule
	started   atomic.Bool
}

func newCore(o Options) core {
	return core{opts: o.withDefaults(), handlers: map[string]Handler{}}
}

// Handle registers h for tasks of taskType; see Queue.Handle.
func (c *core) Handle(taskType string, h Handler) {
	if taskType == "" || h == nil {
		panic("jobs: Handle needs a task type and a handler")
	}
	c.mu.Lock()
	c.handlers[taskType] = h
	c.mu.Unlock()
}

// Every adds a periodic schedule; see Queue.Every.
func (c *core) Every(name string, interval time.Duration, t Task) {
	if name == "" || interval < time.Second {
		panic("jobs: Every needs a name and an interval of at least 1s")
	}
	c.mu.Lock()
	c.schedules = append(c.schedules, schedule{name: name, every: interval.Truncate(time.Second), task: t})
	c.mu.Unlock()
}

// begin guards against a second Run: a backend's workers and schedules are
// started once, and asynq servers cannot be restarted.
func (c *core) begin() error {
	if !c.started.CompareAndSwap(false, true) {
		return apperr.New(apperr.Conflict, "任务队列已在运行", "the job queue is already running")
	}
	return nil
}

// dispatch runs the handler for t, turning a missing handler and a panic
// into errors so that one bad task cannot take the worker down.
func (c *core) dispatch(ctx context.Context, t Task) (err error) {
	c.mu.RLock()
	h := c.handlers[t.Type]
	c.mu.RUnlock()
	if h == nil {
		return fmt.Errorf("jobs: no handler for task type %q", t.Type)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("jobs: handler for %q panicked: %v\n%s", t.Type, r, debug.Stack())
		}
	}()
	return h(ctx, t)
}

// validate checks what both stores need of a task before enqueuing it.
func validate(t Task) error {
	switch {
	case t.Type == "" || t.ID == "":
		return apperr.New(apperr.Invalid, "任务缺少类型或编号", "a task needs a type and an ID")
	case len(t.Type) > maxIDLen || len(t.ID) > maxIDLen:
		return apperr.Newf(apperr.Invalid, "任务类型或编号超过 %d 字节", "task type or ID longer than %d bytes", maxIDLen)
	}
	return nil
}

func unavailable(err error) error {
	return apperr.Wrap(err, apperr.Unavailable, "任务队列暂不可用", "the job queue backend is unavailable")
}

func notFound(id string) error {
	return apperr.Newf(apperr.NotFound, "任务 %s 不存在", "no task with ID %s", id)
}

// storableError bounds an error message (which may carry a stack) and makes
// it valid UTF-8, cut on a rune boundary: MySQL rejects invalid utf8mb4, and
// a failed write would leave the task running until its lease expires.
func storableError(err error, n int) string {
	s := strings.ToValidUTF8(err.Error(), "?")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
