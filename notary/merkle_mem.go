package notary

import "github.com/tenderhall/tenderhall/internal/apperr"

// MemTree is a log tree held in memory, behind the same algorithms as the
// database store: the verifier recomputes a server's tree with it, and the
// benchmarks build their million-leaf trees with it. Not safe for
// concurrent use.
type MemTree struct {
	levels [][]Hash // levels[h][i] is perfect subtree (h, i)
}

// Append adds a leaf hash at the next index.
func (t *MemTree) Append(leaf Hash) {
	nodes, err := AppendNodes(t.Size(), leaf, t.Nodes)
	if err != nil {
		panic(err) // a MemTree always holds every sibling it completes
	}
	for _, n := range nodes {
		if int(n.Height) == len(t.levels) {
			t.levels = append(t.levels, nil)
		}
		t.levels[n.Height] = append(t.levels[n.Height], n.Hash)
	}
}

// Size returns the number of leaves.
func (t *MemTree) Size() uint64 {
	if len(t.levels) == 0 {
		return 0
	}
	return uint64(len(t.levels[0]))
}

// Leaf returns the leaf hash at index; index must be below Size.
func (t *MemTree) Leaf(index uint64) Hash { return t.levels[0][index] }

// Nodes is the tree's NodeSource. A node not (yet) in the tree is
// apperr.Internal.
func (t *MemTree) Nodes(ids []NodeID) ([]Hash, error) {
	out := make([]Hash, len(ids))
	for i, id := range ids {
		if int(id.Height) >= len(t.levels) || id.Index >= uint64(len(t.levels[id.Height])) {
			return nil, apperr.Newf(apperr.Internal, "日志树节点缺失", "log tree node (%d, %d) is missing", id.Height, id.Index)
		}
		out[i] = t.levels[id.Height][id.Index]
	}
	return out, nil
}

// Root returns the root of the first size leaves; size above Size is
// apperr.Invalid.
func (t *MemTree) Root(size uint64) (Hash, error) {
	if size > t.Size() {
		return Hash{}, t.beyond(size)
	}
	return TreeRoot(size, t.Nodes)
}

// InclusionProof returns the proof for leaf index in the tree of size
// leaves; apperr.Invalid when index >= size or size > Size.
func (t *MemTree) InclusionProof(index, size uint64) (InclusionProof, error) {
	if size > t.Size() {
		return InclusionProof{}, t.beyond(size)
	}
	return BuildInclusionProof(index, size, t.Nodes)
}

// ConsistencyProof returns the proof between sizes first and second;
// apperr.Invalid when first > second or second > Size.
func (t *MemTree) ConsistencyProof(first, second uint64) (ConsistencyProof, error) {
	if second > t.Size() {
		return ConsistencyProof{}, t.beyond(second)
	}
	return BuildConsistencyProof(first, second, t.Nodes)
}

func (t *MemTree) beyond(size uint64) error {
	return apperr.Newf(apperr.Invalid, "树大小 %d 超过当前大小 %d", "tree size %d is beyond the current size %d", size, t.Size())
}
