package jobs

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
)

// embeddedStore opens a fresh database per test on backend b; every opener
// call is a new Embedded instance on it.
func embeddedStore(b dbtest.Backend) newStore {
	return func(t *testing.T) opener {
		db, dialect := dbtest.OpenSQL(t, b)
		return func(o Options) Queue { return openEmbedded(t, db, dialect, o, time.Second) }
	}
}

func openEmbedded(t *testing.T, db *sql.DB, dialect string, o Options, lease time.Duration) *Embedded {
	t.Helper()
	q, err := NewEmbedded(db, dialect, EmbeddedOptions{Options: o, PollInterval: 50 * time.Millisecond, Lease: lease})
	if err != nil {
		t.Fatalf("NewEmbedded: %v", err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

func TestEmbeddedConformance(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			runConformance(t, embeddedStore(b))
			t.Run("CrashedWorkerIsReclaimed", func(t *testing.T) { t.Parallel(); testCrashReclaim(t, b) })
			t.Run("FakeClockRunAt", func(t *testing.T) { t.Parallel(); testFakeClockRunAt(t, b) })
		})
	}
}

// testCrashReclaim: worker A claims a task and dies (it never runs the
// handler, heartbeats or records an outcome). When A's lease expires,
// worker B reclaims the task and completes it; A's late write is refused.
func testCrashReclaim(t *testing.T, b dbtest.Backend) {
	db, dialect := dbtest.OpenSQL(t, b)
	const lease = time.Second
	a := openEmbedded(t, db, dialect, testOptions(), lease)
	mustEnqueue(t, a, Task{Type: "call", ID: "call:expert-7"}, true)
	jobs, err := a.claim(context.Background(), 10)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("claim = %d jobs, %v", len(jobs), err)
	}
	claimedAt := time.Now()

	r := newRuns()
	bq := openEmbedded(t, db, dialect, testOptions(), lease)
	counting(bq, r, "call", nil)
	start(t, bq)
	r.waitFor(t, 10*time.Second, "the reclaimed run", func() bool { return r.count("call:expert-7") == 1 })
	if ran := r.times("call:expert-7")[0]; ran.Sub(claimedAt) < lease-50*time.Millisecond {
		t.Errorf("reclaimed %v after the claim, before the %v lease ended", ran.Sub(claimedAt), lease)
	}
	waitState(t, bq, "call:expert-7", Done)

	if ok, err := a.update(context.Background(), jobs[0], "state = ?", string(Done)); ok || err != nil {
		t.Errorf("the crashed worker's late write: ok=%v err=%v, want refused", ok, err)
	}
	var attempts int
	db.QueryRow("SELECT attempts FROM th_jobs WHERE id = ?", "call:expert-7").Scan(&attempts)
	if attempts != 2 {
		t.Errorf("attempts = %d, want 2 (the crashed one and the reclaim)", attempts)
	}
}

// testFakeClockRunAt: run-at is judged by the queue's clock, not the wall.
func testFakeClockRunAt(t *testing.T, b dbtest.Backend) {
	db, dialect := dbtest.OpenSQL(t, b)
	fake := clock.NewFake(time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC))
	opts := testOptions()
	opts.Clock = fake
	q, r := openEmbedded(t, db, dialect, opts, 30*time.Second), newRuns()
	counting(q, r, "open", nil)
	start(t, q)
	mustEnqueue(t, q, Task{Type: "open", ID: "open:S1", RunAt: fake.Now().Add(time.Hour)}, true)
	r.quiet(t, 300*time.Millisecond, "ran before the fake clock reached run-at")
	fake.Advance(time.Hour)
	r.waitFor(t, 5*time.Second, "the run at the fake deadline", func() bool { return r.count("open:S1") == 1 })
}

func TestEmbeddedUnavailable(t *testing.T) {
	db, dialect := dbtest.OpenSQL(t, dbtest.SQLite)
	q := openEmbedded(t, db, dialect, testOptions(), time.Second)
	db.Close()
	ctx := context.Background()
	if err := q.Ping(ctx); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("Ping on a closed DB = %v, want Unavailable", err)
	}
	if _, err := q.Enqueue(ctx, Task{Type: "t", ID: "x"}); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("Enqueue on a closed DB = %v, want Unavailable", err)
	}
	if _, err := NewEmbedded(db, "oracle", EmbeddedOptions{}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("NewEmbedded(oracle) = %v, want Invalid", err)
	}
}
