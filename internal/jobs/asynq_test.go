package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/testenv"
)

// asynqStore gives each test its own asynq queue name on the shared Redis
// and deletes that queue's keys when the test ends, touching nothing else.
func asynqStore(addr string) newStore {
	return func(t *testing.T) opener {
		b := make([]byte, 6)
		rand.Read(b)
		queue := "jobstest-" + hex.EncodeToString(b)
		t.Cleanup(func() { deleteQueue(t, addr, queue) }) // runs after the queues close
		return func(o Options) Queue {
			q, err := NewAsynq(RedisConfig{Addr: addr}, AsynqOptions{Options: o, QueueName: queue, CheckInterval: 50 * time.Millisecond})
			if err != nil {
				t.Fatalf("NewAsynq: %v", err)
			}
			t.Cleanup(func() { q.Close() })
			return q
		}
	}
}

// deleteQueue removes every key of the test's queue. asynq's own
// Inspector.DeleteQueue leaves completed tasks and statistics behind.
func deleteQueue(t *testing.T, addr, queue string) {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	ctx := context.Background()
	keys, err := rdb.Keys(ctx, "asynq:{"+queue+"}:*").Result() // a small, test-only queue
	if err == nil && len(keys) > 0 {
		err = rdb.Del(ctx, keys...).Err()
	}
	if err == nil {
		err = rdb.SRem(ctx, "asynq:queues", queue).Err()
	}
	if err != nil {
		t.Logf("clean up asynq queue %s: %v", queue, err)
	}
}

func TestAsynqConformance(t *testing.T) {
	addr := testenv.Require(t, testenv.RedisVar)
	runConformance(t, asynqStore(addr))
}

func TestAsynqUnavailable(t *testing.T) {
	t.Parallel() // go-redis retries for ~1.7 s per call before giving up
	// Port 1 refuses connections on any test machine: no Redis is needed.
	q, err := NewAsynq(RedisConfig{Addr: "127.0.0.1:1"}, AsynqOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.Ping(ctx); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("Ping = %v, want Unavailable", err)
	}
	if _, err := q.Enqueue(ctx, Task{Type: "t", ID: "x"}); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("Enqueue = %v, want Unavailable", err)
	}
	if _, err := q.Status(ctx, "x"); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("Status = %v, want Unavailable", err)
	}
}

func TestCeilSecond(t *testing.T) {
	base := time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)
	for in, want := range map[time.Duration]time.Duration{
		0: 0, time.Millisecond: time.Second, 999 * time.Millisecond: time.Second, time.Second: time.Second,
	} {
		if got := ceilSecond(base.Add(in)); !got.Equal(base.Add(want)) {
			t.Errorf("ceilSecond(+%v) = +%v, want +%v", in, got.Sub(base), want)
		}
	}
}
