package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// RedisConfig locates the Redis server that holds the asynq queues.
type RedisConfig struct {
	Addr     string // host:port
	Password string
	DB       int
}

// AsynqOptions configure the Redis-backed queue.
type AsynqOptions struct {
	Options
	QueueName     string        // asynq queue; task IDs are unique within it; default "tenderhall"
	CheckInterval time.Duration // how often idle workers poll, and how often due scheduled/retry tasks are moved to pending; default 1s
}

// Asynq is the Queue for production: tasks live in Redis and any number of
// replicas process them through asynq. Task IDs map to asynq.TaskID, so
// the Redis store dedupes across replicas.
type Asynq struct {
	core
	rdb       *redis.Client
	client    *asynq.Client
	inspector *asynq.Inspector
	queue     string
	check     time.Duration
}

// NewAsynq returns a queue on the Redis server in cfg. It does not connect
// yet; Ping tells whether Redis is reachable. It returns no error today;
// the error is kept for configuration checks.
func NewAsynq(cfg RedisConfig, opts AsynqOptions) (*Asynq, error) {
	rdb := redis.NewClient(&redis.Options{Addr: cfg.Addr, Password: cfg.Password, DB: cfg.DB})
	q := &Asynq{
		core:      newCore(opts.Options),
		rdb:       rdb,
		client:    asynq.NewClientFromRedisClient(rdb),
		inspector: asynq.NewInspectorFromRedisClient(rdb),
		queue:     opts.QueueName,
		check:     orDefault(opts.CheckInterval, time.Second),
	}
	if q.queue == "" {
		q.queue = "tenderhall"
	}
	return q, nil
}

// Enqueue stores t unless its ID exists; see Queue.Enqueue.
func (q *Asynq) Enqueue(ctx context.Context, t Task) (bool, error) {
	if err := validate(t); err != nil {
		return false, err
	}
	opts := []asynq.Option{
		asynq.TaskID(t.ID),
		asynq.Queue(q.queue),
		asynq.MaxRetry(q.opts.maxRetry(t)),
		asynq.Retention(q.opts.Retention),
	}
	if at := q.wallTime(t.RunAt); at.After(time.Now()) {
		opts = append(opts, asynq.ProcessAt(ceilSecond(at)))
	}
	_, err := q.client.EnqueueContext(ctx, asynq.NewTask(t.Type, t.Payload), opts...)
	switch {
	case errors.Is(err, asynq.ErrTaskIDConflict), errors.Is(err, asynq.ErrDuplicateTask):
		return false, nil
	case err != nil:
		return false, unavailable(err)
	}
	return true, nil
}

// ceilSecond rounds t up to a whole second. asynq keeps run-at and retry
// times as Unix seconds and releases a task once the current second reaches
// that number, so an unrounded time could run up to a second early — too
// early for a bid deadline.
func ceilSecond(t time.Time) time.Time {
	s := t.Truncate(time.Second)
	if s.Equal(t) {
		return t
	}
	return s.Add(time.Second)
}

// Status returns the task's state; see Queue.Status.
func (q *Asynq) Status(ctx context.Context, id string) (State, error) {
	info, err := q.inspector.GetTaskInfo(q.queue, id)
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		return "", notFound(id)
	case err != nil:
		return "", unavailable(err)
	}
	switch info.State {
	case asynq.TaskStateActive:
		return Running, nil
	case asynq.TaskStateCompleted:
		return Done, nil
	case asynq.TaskStateArchived:
		return Dead, nil
	}
	return Pending, nil // pending, scheduled, retry, aggregating
}

// Ping checks that Redis answers; see Queue.Ping.
func (q *Asynq) Ping(ctx context.Context) error {
	if err := q.rdb.Ping(ctx).Err(); err != nil {
		return unavailable(err)
	}
	return nil
}

// Close closes the Redis connection pool, which the asynq client,
// inspector and server share (asynq refuses to close a shared pool itself).
// It returns the pool's close error.
func (q *Asynq) Close() error { return q.rdb.Close() }
