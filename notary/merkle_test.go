package notary

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/emmansun/gmsm/sm3"
)

// The naive implementation below follows RFC 6962 §2.1 word for word on a
// list of leaf inputs, hashing whole subtrees recursively, with SM3 called
// directly; the store-based algorithms must agree with it on every size.

func naiveLeaf(d []byte) Hash { return sm3.Sum(append([]byte{0}, d...)) }

func naiveNode(l, r Hash) Hash { return sm3.Sum(append(append([]byte{1}, l[:]...), r[:]...)) }

func naiveK(n int) int {
	k := 1
	for k*2 < n {
		k *= 2
	}
	return k
}

func naiveMTH(d [][]byte) Hash {
	switch len(d) {
	case 0:
		return sm3.Sum(nil)
	case 1:
		return naiveLeaf(d[0])
	}
	k := naiveK(len(d))
	return naiveNode(naiveMTH(d[:k]), naiveMTH(d[k:]))
}

func naivePath(m int, d [][]byte) []Hash {
	if len(d) <= 1 {
		return nil
	}
	k := naiveK(len(d))
	if m < k {
		return append(naivePath(m, d[:k]), naiveMTH(d[k:]))
	}
	return append(naivePath(m-k, d[k:]), naiveMTH(d[:k]))
}

func naiveSubproof(m int, d [][]byte, b bool) []Hash {
	n := len(d)
	if m == n {
		if b {
			return nil
		}
		return []Hash{naiveMTH(d)}
	}
	k := naiveK(n)
	if m <= k {
		return append(naiveSubproof(m, d[:k], b), naiveMTH(d[k:]))
	}
	return append(naiveSubproof(m-k, d[k:], false), naiveMTH(d[:k]))
}

func leafInputs(n int) [][]byte {
	d := make([][]byte, n)
	for i := range d {
		d[i] = []byte(fmt.Sprintf("event %d", i+1))
	}
	return d
}

func memTreeOf(d [][]byte) *MemTree {
	var t MemTree
	for _, x := range d {
		t.Append(LeafHash(x))
	}
	return &t
}

func equalHashes(a, b []Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestHashesMatchRFC6962Definitions(t *testing.T) {
	if LeafHash([]byte("x")) != naiveLeaf([]byte("x")) {
		t.Fatal("leaf hash")
	}
	a, b := LeafHash([]byte("a")), LeafHash([]byte("b"))
	if NodeHash(a, b) != naiveNode(a, b) || NodeHash(a, b) == NodeHash(b, a) {
		t.Fatal("node hash")
	}
	// SM3("") from GB/T 32905 implementations: the empty tree's root.
	if EmptyRoot().String() != "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b" {
		t.Fatalf("empty root %s", EmptyRoot())
	}
}

func TestRootsAndProofsAgreeWithNaiveForSizes1To64(t *testing.T) {
	all := leafInputs(64)
	tree := memTreeOf(all)
	for n := 1; n <= 64; n++ {
		d := all[:n]
		root, err := tree.Root(uint64(n))
		if err != nil || root != naiveMTH(d) {
			t.Fatalf("size %d: root %s, want %s (%v)", n, root, naiveMTH(d), err)
		}
		f, err := LoadFrontier(uint64(n), tree.Nodes)
		if err != nil || f.Root() != root {
			t.Fatalf("size %d: frontier root differs (%v)", n, err)
		}
		for m := 0; m < n; m++ {
			p, err := tree.InclusionProof(uint64(m), uint64(n))
			if err != nil || !equalHashes(p.Path, naivePath(m, d)) || p.LeafHash != naiveLeaf(d[m]) {
				t.Fatalf("inclusion %d in %d: %v", m, n, err)
			}
			if err := p.Verify(root); err != nil {
				t.Fatalf("inclusion %d in %d does not verify: %v", m, n, err)
			}
			if err := VerifyInclusion(uint64(m), uint64(n), naiveLeaf([]byte("other")), p.Path, root); err == nil {
				t.Fatalf("inclusion %d in %d accepts a wrong leaf", m, n)
			}
		}
		for m := 1; m <= n; m++ {
			p, err := tree.ConsistencyProof(uint64(m), uint64(n))
			want := naiveSubproof(m, d, true)
			if err != nil || !equalHashes(p.Path, want) {
				t.Fatalf("consistency %d→%d: got %d hashes, want %d (%v)", m, n, len(p.Path), len(want), err)
			}
			if err := p.Verify(naiveMTH(all[:m]), root); err != nil {
				t.Fatalf("consistency %d→%d does not verify: %v", m, n, err)
			}
			if m < n {
				if err := p.Verify(naiveMTH(leafInputs(m + 1)[1:]), root); err == nil {
					t.Fatalf("consistency %d→%d accepts a wrong first root", m, n)
				}
			}
		}
	}
}

func TestAppendNodesWriteEveryPerfectSubtree(t *testing.T) {
	all := leafInputs(64)
	tree := memTreeOf(all)
	for h := 0; h <= 6; h++ {
		for i := 0; i < 64>>h; i++ {
			got, err := tree.Nodes([]NodeID{{uint8(h), uint64(i)}})
			if err != nil || got[0] != naiveMTH(all[i<<h:(i+1)<<h]) {
				t.Fatalf("node (%d,%d) wrong: %v", h, i, err)
			}
		}
	}
	if _, err := tree.Nodes([]NodeID{{7, 0}}); err == nil {
		t.Fatal("a node beyond the tree was returned")
	}
	var f Frontier
	for i, x := range all {
		f.Append(LeafHash(x))
		if r, _ := tree.Root(uint64(i + 1)); f.Root() != r {
			t.Fatalf("frontier root at %d", i+1)
		}
	}
}

func TestProofVerificationRejectsTampering(t *testing.T) {
	all := leafInputs(13)
	tree := memTreeOf(all)
	root, _ := tree.Root(13)
	p, _ := tree.InclusionProof(5, 13)
	mutations := map[string]InclusionProof{
		"index":     {LeafIndex: 4, TreeSize: 13, LeafHash: p.LeafHash, Path: p.Path},
		"short":     {LeafIndex: 5, TreeSize: 13, LeafHash: p.LeafHash, Path: p.Path[1:]},
		"long":      {LeafIndex: 5, TreeSize: 13, LeafHash: p.LeafHash, Path: append(append([]Hash{}, p.Path...), root)},
		"flipped":   {LeafIndex: 5, TreeSize: 13, LeafHash: p.LeafHash, Path: flipHash(p.Path, 2)},
		"beyond":    {LeafIndex: 13, TreeSize: 13, LeafHash: p.LeafHash, Path: p.Path},
		"emptytree": {LeafIndex: 0, TreeSize: 0, LeafHash: p.LeafHash},
	}
	for name, m := range mutations {
		if m.Verify(root) == nil {
			t.Errorf("inclusion mutation %q accepted", name)
		}
	}
	// A path says nothing about the size by itself: the size is bound by the
	// root the verifier trusts for it.
	big := memTreeOf(leafInputs(14))
	root14, _ := big.Root(14)
	if (InclusionProof{LeafIndex: 5, TreeSize: 14, LeafHash: p.LeafHash, Path: p.Path}).Verify(root14) == nil {
		t.Error("a proof for size 13 verified against the root of size 14")
	}
	c, _ := tree.ConsistencyProof(6, 13)
	r6, _ := tree.Root(6)
	if c.Verify(r6, root) != nil {
		t.Fatal("genuine consistency proof refused")
	}
	for name, m := range map[string]ConsistencyProof{
		"first":   {First: 5, Second: 13, Path: c.Path},
		"flipped": {First: 6, Second: 13, Path: flipHash(c.Path, 1)},
		"empty":   {First: 6, Second: 13},
		"swapped": {First: 13, Second: 6, Path: c.Path},
	} {
		if m.Verify(r6, root) == nil {
			t.Errorf("consistency mutation %q accepted", name)
		}
	}
	if (ConsistencyProof{First: 6, Second: 14, Path: c.Path}).Verify(r6, root14) == nil {
		t.Error("a consistency proof to size 13 verified against the root of size 14")
	}
	if VerifyConsistency(0, 13, EmptyRoot(), root, nil) != nil || VerifyConsistency(13, 13, root, root, nil) != nil {
		t.Error("trivial consistency refused")
	}
	if VerifyConsistency(13, 13, root, r6, nil) == nil || VerifyConsistency(0, 13, r6, root, nil) == nil {
		t.Error("trivial consistency with wrong roots accepted")
	}
}

func flipHash(hs []Hash, i int) []Hash {
	out := append([]Hash{}, hs...)
	out[i][0] ^= 1
	return out
}

func TestProofJSONRoundTrips(t *testing.T) {
	tree := memTreeOf(leafInputs(9))
	p, _ := tree.InclusionProof(3, 9)
	raw, _ := json.Marshal(p)
	back, err := ParseInclusionProof(raw)
	if err != nil || back.LeafIndex != 3 || !equalHashes(back.Path, p.Path) {
		t.Fatalf("inclusion round trip: %v %s", err, raw)
	}
	c, _ := tree.ConsistencyProof(0, 9)
	raw, _ = json.Marshal(c)
	if string(raw) != `{"first":0,"second":9,"path":[]}` {
		t.Fatalf("empty consistency proof JSON %s", raw)
	}
	for _, bad := range []string{`{"leafIndex":9,"treeSize":9}`, `{"leafIndex":0,"treeSize":1,"leafHash":"00"}`,
		`{"leafIndex":0,"treeSize":1} {}`, `[`, `{"leafIndex":-1,"treeSize":1}`} {
		if _, err := ParseInclusionProof([]byte(bad)); err == nil {
			t.Errorf("parsed %s", bad)
		}
	}
	if _, err := ParseConsistencyProof([]byte(`{"first":3,"second":2}`)); err == nil {
		t.Error("parsed first > second")
	}
}
