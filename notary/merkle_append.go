package notary

import (
	"math/bits"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// AppendNodes returns the nodes that appending leaf at index (the tree's
// current size) adds to a perfect-subtree store: the leaf itself (height 0)
// and every perfect subtree it completes, lowest first. It reads from src
// only the left siblings it needs, one per trailing 1-bit of index, so an
// append costs O(log n) hashes and at most one read.
func AppendNodes(index uint64, leaf Hash, src NodeSource) ([]Node, error) {
	t := bits.TrailingZeros64(^index) // trailing 1-bits: subtrees this leaf completes
	out := make([]Node, 1, t+1)
	out[0] = Node{NodeID{0, index}, leaf}
	if t == 0 {
		return out, nil
	}
	ids := make([]NodeID, t)
	for h := 0; h < t; h++ {
		ids[h] = NodeID{Height: uint8(h), Index: index>>h - 1}
	}
	sib, err := src(ids)
	if err != nil {
		return nil, err
	}
	if len(sib) != t {
		return nil, apperr.Newf(apperr.Internal, "日志树节点读取不完整", "the log tree store returned %d of %d nodes", len(sib), t)
	}
	acc := leaf
	for h := 0; h < t; h++ {
		acc = NodeHash(sib[h], acc)
		out = append(out, Node{NodeID{uint8(h + 1), index >> (h + 1)}, acc})
	}
	return out, nil
}

// Frontier is the compact range of a tree: the roots of the perfect subtrees
// in the binary decomposition of its size, which is all an append and the
// root need. Bulk loaders and catch-up use it to append many leaves after a
// single read.
type Frontier struct {
	size   uint64
	hashes [64]Hash // hashes[h] is the frontier subtree of height h, where bit h of size is set
}

// LoadFrontier reads the frontier of the tree of size leaves from src (one
// call, at most 64 nodes).
func LoadFrontier(size uint64, src NodeSource) (*Frontier, error) {
	f := &Frontier{size: size}
	if size == 0 {
		return f, nil
	}
	ids := decompose(span{0, size})
	hs, err := src(ids)
	if err != nil {
		return nil, err
	}
	if len(hs) != len(ids) {
		return nil, apperr.Newf(apperr.Internal, "日志树节点读取不完整", "the log tree store returned %d of %d nodes", len(hs), len(ids))
	}
	for i, id := range ids {
		f.hashes[id.Height] = hs[i]
	}
	return f, nil
}

// Size returns the number of leaves.
func (f *Frontier) Size() uint64 { return f.size }

// Append adds a leaf and returns the nodes to store, as AppendNodes does.
func (f *Frontier) Append(leaf Hash) []Node {
	nodes, _ := AppendNodes(f.size, leaf, func(ids []NodeID) ([]Hash, error) {
		out := make([]Hash, len(ids))
		for i, id := range ids {
			out[i] = f.hashes[id.Height] // the siblings are exactly the low frontier subtrees
		}
		return out, nil
	})
	top := nodes[len(nodes)-1]
	f.hashes[top.Height] = top.Hash
	f.size++
	return nodes
}

// Root returns the root hash of the tree.
func (f *Frontier) Root() Hash {
	if f.size == 0 {
		return EmptyRoot()
	}
	var hs []Hash
	for h := 63; h >= 0; h-- {
		if f.size&(1<<h) != 0 {
			hs = append(hs, f.hashes[h])
		}
	}
	return fold(hs)
}
