package notary

import (
	"bytes"
	"encoding/json"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// MaxProofHashes bounds the hashes a parsed proof may carry: a tree of at
// most 2^64 leaves never needs more than 64 (inclusion) or 65 (consistency),
// so anything longer is refused before any hashing.
const MaxProofHashes = 65

// InclusionProof shows that the leaf at LeafIndex (0-based; the event log's
// seq is LeafIndex+1) is in the tree of TreeSize leaves: Path is the RFC 6962
// audit path, leaf to root.
type InclusionProof struct {
	LeafIndex uint64 `json:"leafIndex"`
	TreeSize  uint64 `json:"treeSize"`
	LeafHash  Hash   `json:"leafHash"`
	Path      []Hash `json:"path"`
}

// ConsistencyProof shows that the tree of First leaves is a prefix of the
// tree of Second leaves: Path is the RFC 6962 consistency proof.
type ConsistencyProof struct {
	First  uint64 `json:"first"`
	Second uint64 `json:"second"`
	Path   []Hash `json:"path"`
}

// Verify checks p against the root of a tree of p.TreeSize leaves. It
// returns apperr.Invalid (code "bad_proof") when the proof does not hold.
func (p InclusionProof) Verify(root Hash) error {
	return VerifyInclusion(p.LeafIndex, p.TreeSize, p.LeafHash, p.Path, root)
}

// Verify checks p against the roots of its two trees. It returns
// apperr.Invalid (code "bad_proof") when the proof does not hold.
func (p ConsistencyProof) Verify(firstRoot, secondRoot Hash) error {
	return VerifyConsistency(p.First, p.Second, firstRoot, secondRoot, p.Path)
}

// inclusionSpans lists the subtrees whose hashes form the audit path of leaf
// m in the subtree s, leaf to root (RFC 9162 §2.1.3.1, PATH(m, D[n])).
func inclusionSpans(m uint64, s span) []span {
	var rev []span // root to leaf
	for s.end-s.begin > 1 {
		k := largestPow2Below(s.end - s.begin)
		mid := s.begin + k
		if m < mid {
			rev = append(rev, span{mid, s.end})
			s = span{s.begin, mid}
		} else {
			rev = append(rev, span{s.begin, mid})
			s = span{mid, s.end}
		}
	}
	out := make([]span, len(rev))
	for i := range rev {
		out[i] = rev[len(rev)-1-i]
	}
	return out
}

// consistencySpans lists the subtrees whose hashes form the consistency
// proof from the first m leaves of s to all of s (RFC 9162 §2.1.4.1,
// SUBPROOF(m, D[n], b)), in proof order.
func consistencySpans(m uint64, s span, complete bool) []span {
	var rev []span
	for {
		n := s.end - s.begin
		if m == n {
			if !complete {
				rev = append(rev, s)
			}
			break
		}
		k := largestPow2Below(n)
		mid := s.begin + k
		if m <= k {
			rev = append(rev, span{mid, s.end})
			s = span{s.begin, mid}
		} else {
			rev = append(rev, span{s.begin, mid})
			s = span{mid, s.end}
			m -= k
			complete = false
		}
	}
	out := make([]span, len(rev))
	for i := range rev {
		out[i] = rev[len(rev)-1-i]
	}
	return out
}

// BuildInclusionProof returns the proof that leaf index is in the tree of
// size leaves, reading O(log size) nodes from src in one call. It returns
// apperr.Invalid when index >= size.
func BuildInclusionProof(index, size uint64, src NodeSource) (InclusionProof, error) {
	if index >= size {
		return InclusionProof{}, apperr.Newf(apperr.Invalid, "叶子序号 %d 不在大小为 %d 的树中",
			"leaf index %d is not in a tree of size %d", index, size)
	}
	spans := append([]span{{index, index + 1}}, inclusionSpans(index, span{0, size})...)
	hs, err := hashSpans(spans, src)
	if err != nil {
		return InclusionProof{}, err
	}
	return InclusionProof{LeafIndex: index, TreeSize: size, LeafHash: hs[0], Path: nonNil(hs[1:])}, nil
}

// BuildConsistencyProof returns the proof that the tree of first leaves is a
// prefix of the tree of second leaves, reading O(log second) nodes from src
// in one call. The proof is empty when first is 0 or equals second. It
// returns apperr.Invalid when first > second.
func BuildConsistencyProof(first, second uint64, src NodeSource) (ConsistencyProof, error) {
	if first > second {
		return ConsistencyProof{}, apperr.Newf(apperr.Invalid, "第一个树大小 %d 大于第二个 %d",
			"the first tree size %d is larger than the second %d", first, second)
	}
	p := ConsistencyProof{First: first, Second: second, Path: []Hash{}}
	if first == 0 || first == second {
		return p, nil
	}
	hs, err := hashSpans(consistencySpans(first, span{0, second}, true), src)
	if err != nil {
		return ConsistencyProof{}, err
	}
	p.Path = hs
	return p, nil
}

func nonNil(hs []Hash) []Hash {
	if hs == nil {
		return []Hash{}
	}
	return hs
}

// ParseInclusionProof decodes an inclusion proof from JSON. Unknown fields
// are ignored (an API response may add the event's seq); a malformed
// document, a hash that is not 64 hex characters, an index outside the tree
// or more than MaxProofHashes hashes is apperr.Invalid. Parsing does not
// verify: call Verify with a root you trust.
func ParseInclusionProof(data []byte) (InclusionProof, error) {
	var p InclusionProof
	if err := decodeProof(data, &p); err != nil {
		return p, err
	}
	if p.LeafIndex >= p.TreeSize {
		return p, apperr.Newf(apperr.Invalid, "证明中的叶子序号 %d 不小于树大小 %d",
			"the proof's leaf index %d is not below its tree size %d", p.LeafIndex, p.TreeSize)
	}
	if len(p.Path) > MaxProofHashes {
		return p, apperr.New(apperr.Invalid, "证明路径过长", "the proof path is too long")
	}
	p.Path = nonNil(p.Path)
	return p, nil
}

// ParseConsistencyProof decodes a consistency proof from JSON, with the same
// rules as ParseInclusionProof; first > second is apperr.Invalid.
func ParseConsistencyProof(data []byte) (ConsistencyProof, error) {
	var p ConsistencyProof
	if err := decodeProof(data, &p); err != nil {
		return p, err
	}
	if p.First > p.Second {
		return p, apperr.Newf(apperr.Invalid, "证明中的第一个树大小 %d 大于第二个 %d",
			"the proof's first size %d is larger than its second %d", p.First, p.Second)
	}
	if len(p.Path) > MaxProofHashes {
		return p, apperr.New(apperr.Invalid, "证明路径过长", "the proof path is too long")
	}
	p.Path = nonNil(p.Path)
	return p, nil
}

func decodeProof(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "证明不是有效的 JSON", "the proof is not valid JSON")
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "证明 JSON 之后还有多余内容", "unexpected data after the proof JSON")
	}
	return nil
}
