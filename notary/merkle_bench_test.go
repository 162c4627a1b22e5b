package notary

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// benchLeaves is the size of the benchmark tree: a million events.
const benchLeaves = 1 << 20

var (
	benchOnce sync.Once
	benchTree *MemTree
)

// millionTree builds the 1M-leaf tree once per test binary, through the
// same AppendNodes the database store uses, with ~300-byte leaf inputs
// like real events.
func millionTree(b *testing.B) *MemTree {
	benchOnce.Do(func() {
		start := time.Now()
		defer func() { b.Logf("built the %d-leaf tree in %s", benchLeaves, time.Since(start).Round(time.Millisecond)) }()
		t := &MemTree{}
		for i := 0; i < benchLeaves; i++ {
			t.Append(LeafHash(benchInput(i)))
		}
		benchTree = t
	})
	return benchTree
}

func benchInput(i int) []byte {
	return fmt.Appendf(nil, `%08d|2026-11-22T08:00:00.000Z|bid.received|section:S-%d|user:%d|203.0.113.9|req-%d|`+
		`{"bid":"B-%d","digest":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","size":104857600,"received":"2026-11-22T08:00:00Z"}`,
		i, i%97, i%1000, i, i)
}

// BenchmarkLogAppend appends leaves to a tree that already has 1M: hashing
// the event, the O(log n) interior nodes it completes, and the frontier
// reads the store would answer.
func BenchmarkLogAppend(b *testing.B) {
	t := millionTree(b)
	f, err := LoadFrontier(t.Size(), t.Nodes)
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput(benchLeaves)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Append(LeafHash(in))
	}
}

// BenchmarkInclusionProof builds and verifies inclusion proofs for leaves
// spread over the 1M-leaf tree against its root.
func BenchmarkInclusionProof(b *testing.B) {
	t := millionTree(b)
	size := t.Size()
	root, _ := t.Root(size)
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := t.InclusionProof(uint64(i*7919)%size, size); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		p, _ := t.InclusionProof(size/3, size)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := p.Verify(root); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkConsistencyProof builds and verifies consistency proofs from
// sizes spread over the tree to its full 1M size.
func BenchmarkConsistencyProof(b *testing.B) {
	t := millionTree(b)
	size := t.Size()
	root, _ := t.Root(size)
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := t.ConsistencyProof(1+uint64(i*7919)%(size-1), size); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		first := size/3 + 1
		p, _ := t.ConsistencyProof(first, size)
		r1, _ := t.Root(first)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := p.Verify(r1, root); err != nil {
				b.Fatal(err)
			}
		}
	})
}
