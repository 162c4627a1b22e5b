package eventlog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// benchSize is the log size the database benchmarks run at.
const benchSize = 1 << 20

// BenchmarkDBLog measures the transparency log in the database at 1M
// events, on each backend: an append (event row, leaf hash, the perfect
// subtrees it completes, counter) in its own transaction, and building
// inclusion and consistency proofs (one indexed read of O(log n) nodes).
// The 1M-event log is bulk-loaded first through the same Frontier that
// catch-up uses; loading is not timed.
func BenchmarkDBLog(b *testing.B) {
	for _, backend := range dbtest.Backends() {
		b.Run(string(backend), func(b *testing.B) {
			e := newEnv(b, dbtest.NewDSN(b, backend))
			start := time.Now()
			bulkLoad(b, e, benchSize)
			b.Logf("%s: bulk-loaded %d events in %s", backend, benchSize, time.Since(start).Round(time.Millisecond))
			b.Run("LogAppend", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if _, err := e.log.Append(e.ctx, benchEntry(i)); err != nil {
						b.Fatal(err)
					}
				}
			})
			size, _ := e.tree.Size(e.ctx)
			rng := rand.New(rand.NewPCG(1, 2))
			b.Run("InclusionProof", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if _, err := e.tree.InclusionProof(e.ctx, 1+rng.Uint64N(size), size); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("ConsistencyProof", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if _, err := e.tree.ConsistencyProof(e.ctx, 1+rng.Uint64N(size-1), size); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func benchEntry(i int) Entry {
	return Entry{Type: "bid.received", Subject: fmt.Sprintf("section:S-%d", i%97), Actor: fmt.Sprintf("user:%d", i%1000),
		Payload: map[string]any{"bid": fmt.Sprintf("B-%d", i), "size": 104857600,
			"digest": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}
}

// bulkLoad writes n events with their leaf hashes and tree nodes in large
// multi-row inserts, then sets the counter, as if n appends had happened.
func bulkLoad(b *testing.B, e *env, n int) {
	const batch = 500
	f := &notary.Frontier{}
	at := e.clk.Now().Truncate(time.Millisecond)
	for done := 0; done < n; {
		err := e.db.InTx(e.ctx, func(ctx context.Context) error {
			for k := 0; k < 40 && done < n; k++ {
				var sql strings.Builder
				sql.WriteString("INSERT INTO events (seq, occurred_at, type, subject, actor, ip, request_id, payload, leaf_hash) VALUES ")
				var args []any
				var nodes []notary.Node
				for j := 0; j < batch && done < n; j++ {
					done++
					ent := benchEntry(done)
					ev := Event{Seq: int64(done), OccurredAt: at.Add(time.Duration(done) * time.Millisecond), Type: ent.Type,
						Subject: ent.Subject, Actor: ent.Actor, IP: "203.0.113.9", RequestID: fmt.Sprintf("req-%d", done),
						Payload: fmt.Sprintf(`{"bid":"B-%d","size":104857600}`, done)}
					leaf := LeafHash(ev)
					nodes = append(nodes, f.Append(leaf)...)
					if j > 0 {
						sql.WriteString(",")
					}
					sql.WriteString("(?,?,?,?,?,?,?,?,?)")
					args = append(args, ev.Seq, ev.OccurredAt, ev.Type, ev.Subject, ev.Actor, ev.IP, ev.RequestID, ev.Payload, leaf.String())
				}
				if err := e.db.Conn(ctx).Exec(sql.String(), args...).Error; err != nil {
					return err
				}
				if err := e.log.st.insertNodes(ctx, nodes); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	e.exec(b, "UPDATE event_counter SET next_seq = ?, tree_size = ?", n, n)
	e.clk.Set(at.Add(time.Duration(n+1) * time.Millisecond))
	if size, _ := e.tree.Size(e.ctx); size != uint64(n) {
		b.Fatalf("tree size %d after bulk load", size)
	}
}
