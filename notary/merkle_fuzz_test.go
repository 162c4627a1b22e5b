package notary

import (
	"encoding/json"
	"fmt"
	"testing"
)

// fuzzTree is the tree the proof fuzzers verify against: 11 leaves, so that
// every shape of proof (perfect and ragged subtrees) is reachable.
var fuzzTree = memTreeOf(leafInputs(11))

// fuzzRoot returns the trusted root for size: the real one inside the tree,
// and an unrelated hash beyond it (a verifier never has a root for a size
// the log has not signed).
func fuzzRoot(size uint64) Hash {
	if size <= fuzzTree.Size() {
		r, _ := fuzzTree.Root(size)
		return r
	}
	return LeafHash(fmt.Appendf(nil, "no tree of size %d", size))
}

func addProofSeeds(f *testing.F, proofs ...any) {
	for _, p := range proofs {
		raw, _ := json.Marshal(p)
		f.Add(raw)
	}
	f.Add([]byte(`{"leafIndex":0,"treeSize":1,"leafHash":"` + LeafHash(nil).String() + `","path":[]}`))
	f.Add([]byte(`{"first":1,"second":2,"path":["` + EmptyRoot().String() + `"]}`))
	f.Add([]byte(`{"leafIndex":18446744073709551615,"treeSize":18446744073709551615}`))
	f.Add([]byte(`null`))
	f.Add([]byte{})
}

// FuzzInclusionProof parses arbitrary bytes as an inclusion proof and
// verifies what parses against the trusted root of its size: it must never
// panic, and it may only accept the genuine proof for that leaf and size.
func FuzzInclusionProof(f *testing.F) {
	p1, _ := fuzzTree.InclusionProof(5, 11)
	p2, _ := fuzzTree.InclusionProof(10, 11)
	p3, _ := fuzzTree.InclusionProof(0, 8)
	addProofSeeds(f, p1, p2, p3)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseInclusionProof(data)
		if err != nil {
			return
		}
		if p.Verify(fuzzRoot(p.TreeSize)) != nil {
			return
		}
		want, err := fuzzTree.InclusionProof(p.LeafIndex, p.TreeSize)
		if err != nil || want.LeafHash != p.LeafHash || !equalHashes(want.Path, p.Path) {
			t.Fatalf("accepted a proof that is not the genuine one: %s", data)
		}
	})
}

// FuzzConsistencyProof parses arbitrary bytes as a consistency proof and
// verifies what parses against the trusted roots of its two sizes: it must
// never panic, and it may only accept the genuine proof.
func FuzzConsistencyProof(f *testing.F) {
	c1, _ := fuzzTree.ConsistencyProof(3, 11)
	c2, _ := fuzzTree.ConsistencyProof(4, 11)
	c3, _ := fuzzTree.ConsistencyProof(7, 8)
	addProofSeeds(f, c1, c2, c3)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseConsistencyProof(data)
		if err != nil {
			return
		}
		if p.Verify(fuzzRoot(p.First), fuzzRoot(p.Second)) != nil {
			return
		}
		if len(p.Path) == 0 && (p.First == 0 || p.First == p.Second) {
			return // trivially consistent: nothing to forge
		}
		want, err := fuzzTree.ConsistencyProof(p.First, p.Second)
		if err != nil || !equalHashes(want.Path, p.Path) {
			t.Fatalf("accepted a proof that is not the genuine one: %s", data)
		}
	})
}
