package eventlog

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/notary"
)

func TestAppendStoresLeafHashesAndTheTree(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.appendN(t, 37)
		evs := e.all(t)
		if len(evs) != 37 {
			t.Fatalf("%d events", len(evs))
		}
		for _, ev := range evs {
			// The stored row hashes to the leaf written at append time:
			// times and text survive the database round trip exactly.
			if ev.LeafHash != LeafHash(ev).String() {
				t.Fatalf("event %d: stored leaf %s, recomputed %s (%v)", ev.Seq, ev.LeafHash, LeafHash(ev), ev.OccurredAt)
			}
		}
		mem := memTreeOf(evs)
		for n := uint64(0); n <= 37; n++ {
			got, err := e.tree.Root(e.ctx, n)
			want, _ := mem.Root(n)
			if err != nil || got != want {
				t.Fatalf("root %d: %v", n, err)
			}
			for m := uint64(1); m <= n; m++ {
				p, err := e.tree.InclusionProof(e.ctx, m, n)
				if err != nil || p.Verify(want) != nil || p.LeafHash != mem.Leaf(m-1) {
					t.Fatalf("inclusion %d in %d: %v", m, n, err)
				}
				c, err := e.tree.ConsistencyProof(e.ctx, m, n)
				rm, _ := mem.Root(m)
				if err != nil || c.Verify(rm, want) != nil {
					t.Fatalf("consistency %d→%d: %v", m, n, err)
				}
			}
		}
	})
}

func TestAppendRollsBackWithTheCallersTransaction(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.appendN(t, 3)
		boom := errors.New("domain change failed")
		err := e.db.InTx(e.ctx, func(ctx context.Context) error {
			if _, err := e.log.Append(ctx, Entry{Type: "x", Subject: "s", Actor: "a"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		e.appendN(t, 2)
		evs := e.all(t)
		if size, _ := e.tree.Size(e.ctx); size != 5 || len(evs) != 5 || evs[4].Seq != 5 {
			t.Fatalf("size %d, %d events", size, len(evs))
		}
		root, _ := e.tree.Root(e.ctx, 5)
		if want, _ := memTreeOf(evs).Root(5); root != want {
			t.Fatal("tree differs after a rollback")
		}
	})
}

// TestConcurrentReplicasKeepOneTree appends from two database handles (two
// replicas) at once, some appends inside transactions that read first (so
// that on MySQL their snapshot predates other replicas' commits) and some
// rolled back; the sequence stays gap-free and the tree whole.
func TestConcurrentReplicasKeepOneTree(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		replicas := []*Service{e.log, New(openDB(t, e.dsn), e.clk)}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := 0; w < 6; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				s := replicas[w%2]
				for i := 0; i < 15; i++ {
					err := s.db.InTx(e.ctx, func(ctx context.Context) error {
						var n int64
						if err := s.db.Conn(ctx).Raw("SELECT COUNT(*) FROM log_nodes").Scan(&n).Error; err != nil {
							return err
						}
						if _, err := s.Append(ctx, Entry{Type: "t", Subject: "s", Actor: "a", Payload: []int{w, i}}); err != nil {
							return err
						}
						if i%5 == 4 {
							return errRollback
						}
						return nil
					})
					if err != nil && !errors.Is(err, errRollback) {
						errs <- err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		evs := e.all(t)
		if len(evs) != 6*12 {
			t.Fatalf("%d events, want %d", len(evs), 6*12)
		}
		for i, ev := range evs {
			if ev.Seq != int64(i+1) {
				t.Fatalf("gap: position %d has seq %d", i, ev.Seq)
			}
		}
		size, _ := e.tree.Size(e.ctx)
		root, err := e.tree.Root(e.ctx, size)
		if want, _ := memTreeOf(evs).Root(uint64(len(evs))); err != nil || size != uint64(len(evs)) || root != want {
			t.Fatalf("tree of size %d differs from the events (%v)", size, err)
		}
	})
}

var errRollback = errors.New("rolled back on purpose")

func TestEventsFromBeforeTheTreeAreBackfilled(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.appendN(t, 20)
		// Make the database look as it did before migration 0003 ran.
		e.exec(t, "UPDATE events SET leaf_hash = ''")
		e.exec(t, "DELETE FROM log_nodes")
		e.exec(t, "UPDATE event_counter SET tree_size = 0")
		n, err := e.log.Backfill(e.ctx, 7)
		if err != nil || n != 20 {
			t.Fatalf("backfill %d: %v", n, err)
		}
		if n, _ := e.log.Backfill(e.ctx, 7); n != 0 {
			t.Fatalf("second backfill hashed %d", n)
		}
		e.exec(t, "UPDATE events SET leaf_hash = '' WHERE seq > 9")
		e.exec(t, "DELETE FROM log_nodes WHERE (idx + 1) * (1 << height) > 8") // keep the tree of size 8
		e.exec(t, "UPDATE event_counter SET tree_size = 8")
		e.appendN(t, 1) // catches up inline: events 9..20, then 21
		evs := e.all(t)
		root, err := e.tree.Root(e.ctx, 21)
		if want, _ := memTreeOf(evs).Root(21); err != nil || root != want || evs[15].LeafHash != LeafHash(evs[15]).String() {
			t.Fatalf("tree after inline catch-up is wrong: %v", err)
		}
	})
}

func TestProofRequestsOutsideTheTreeAreRefused(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.appendN(t, 5)
		cases := []struct {
			err   error
			field string
		}{
			{second(e.tree.InclusionProof(e.ctx, 0, 5)), "seq"},
			{second(e.tree.InclusionProof(e.ctx, 6, 5)), "seq"},
			{second(e.tree.InclusionProof(e.ctx, 2, 6)), "size"},
			{second(e.tree.ConsistencyProof(e.ctx, 4, 3)), "first"},
			{second(e.tree.ConsistencyProof(e.ctx, 4, 9)), "second"},
			{second(e.tree.Root(e.ctx, 6)), "size"},
		}
		for i, c := range cases {
			ae, ok := apperr.As(c.err)
			if !ok || ae.Kind != apperr.Invalid || ae.Fields[c.field] == "" {
				t.Errorf("case %d: %v (fields %v), want Invalid on %s", i, c.err, ae, c.field)
			}
		}
		evs, size, err := e.tree.Events(e.ctx, 4, 10)
		if err != nil || size != 5 || len(evs) != 2 || evs[0].Seq != 4 {
			t.Fatalf("events from 4: %d, size %d, %v", len(evs), size, err)
		}
	})
}

func jobsTask() jobs.Task { return jobs.Task{Type: HeadTask, ID: "sched:log-head:1"} }

func second[T any](_ T, err error) error { return err }

func TestSignedHeadsOnDemandAndOnSchedule(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		if _, err := NewTree(e.db, e.clk, nil).SignHead(e.ctx); !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("signing without a key: %v", err)
		}
		if _, err := e.tree.LatestHead(e.ctx); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("latest head of a fresh log: %v", err)
		}
		empty, err := e.tree.SignHead(e.ctx)
		if err != nil || empty.TreeSize != 0 || empty.RootHash != notary.EmptyRoot() || empty.Verify(testKey.Public()) != nil {
			t.Fatalf("empty head %+v: %v", empty, err)
		}
		e.appendN(t, 9)
		job := e.tree.HeadHandler(time.Hour)
		for i := 0; i < 3; i++ { // grown once, then unchanged: one new head
			if err := job(e.ctx, jobsTask()); err != nil {
				t.Fatal(err)
			}
		}
		e.clk.Advance(2 * time.Hour)
		if err := job(e.ctx, jobsTask()); err != nil { // stale: signed again
			t.Fatal(err)
		}
		heads, err := e.tree.Heads(e.ctx, 1, 10)
		if err != nil || len(heads) != 3 {
			t.Fatalf("%d heads: %v", len(heads), err)
		}
		root, _ := e.tree.Root(e.ctx, 9)
		h := heads[1]
		if h.ID != heads[0].ID+1 || h.TreeSize != 9 || h.RootHash != root || h.Verify(testKey.Public()) != nil {
			t.Fatalf("head %+v", h)
		}
		latest, _ := e.tree.LatestHead(e.ctx)
		if latest.ID != heads[2].ID || latest.Timestamp != e.clk.Now().UnixMilli() {
			t.Fatalf("latest %+v", latest)
		}
		if page, _ := e.tree.Heads(e.ctx, heads[2].ID, 10); len(page) != 1 {
			t.Fatalf("heads from the last id: %d", len(page))
		}
	})
}
