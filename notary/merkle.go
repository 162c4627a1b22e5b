package notary

// The transparency log's Merkle tree (DESIGN.md §3) is the tree of RFC 6962
// §2.1 (RFC 9162 §2.1) with SM3 as the hash:
//
//	MTH({})       = SM3()
//	leaf hash     = SM3(0x00 ‖ leaf input)
//	interior node = SM3(0x01 ‖ left ‖ right)
//
// where the left subtree of a tree of n > 1 leaves holds the largest power of
// two smaller than n. Every node of such a tree is either a perfect subtree
// (2^h leaves starting at a multiple of 2^h) or a subtree on the right edge,
// whose hash folds the perfect subtrees of its binary decomposition. So a
// store that keeps only the perfect subtrees (NodeID) can answer roots and
// proofs for every tree size with O(log n) reads; the functions here turn a
// root or proof into the list of perfect nodes to read, read them in one call
// to a NodeSource, and fold them. They are pure: no I/O but the NodeSource.

import (
	"encoding/hex"
	"math/bits"

	"github.com/emmansun/gmsm/sm3"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// HashSize is the length in bytes of an SM3 digest, and so of every tree hash.
const HashSize = 32

// Hash is one SM3 digest of the log's Merkle tree. In JSON (and as text) it
// is 64 lowercase hex characters.
type Hash [HashSize]byte

// String returns the hash as lowercase hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText encodes the hash as lowercase hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes exactly 64 hex characters; anything else is
// apperr.Invalid.
func (h *Hash) UnmarshalText(b []byte) error {
	parsed, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = parsed
	return nil
}

// ParseHash decodes a hash written as 64 hex characters. It returns
// apperr.Invalid for any other length or a non-hex character.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, apperr.Newf(apperr.Invalid, "哈希值应为 64 个十六进制字符，实际 %d 个",
			"a hash is 64 hex characters, got %d", len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, apperr.Wrap(err, apperr.Invalid, "哈希值不是十六进制", "the hash is not hex")
	}
	return h, nil
}

// LeafHash returns the RFC 6962 leaf hash SM3(0x00 ‖ data).
func LeafHash(data []byte) Hash {
	d := sm3.New()
	d.Write([]byte{0x00})
	d.Write(data)
	var h Hash
	d.Sum(h[:0])
	return h
}

// NodeHash returns the RFC 6962 interior node hash SM3(0x01 ‖ left ‖ right).
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*HashSize]byte
	buf[0] = 0x01
	copy(buf[1:], left[:])
	copy(buf[1+HashSize:], right[:])
	return sm3.Sum(buf[:])
}

// EmptyRoot returns the root of the empty tree, SM3 of the empty string.
func EmptyRoot() Hash { return sm3.Sum(nil) }

// NodeID names a perfect subtree: the 2^Height leaves starting at leaf
// Index<<Height. Height 0 is a leaf.
type NodeID struct {
	Height uint8
	Index  uint64
}

// Node is a perfect subtree with its hash, as a node store keeps it.
type Node struct {
	NodeID
	Hash Hash
}

// NodeSource returns the hashes of the given perfect subtrees, in the order
// asked. Stores implement it over their node table; a missing node is an
// error (apperr.Internal: the store is damaged or behind).
type NodeSource func(ids []NodeID) ([]Hash, error)

// span is the leaf range [begin, end) of a node of the RFC 6962 tree.
type span struct{ begin, end uint64 }

// decompose lists the perfect subtrees whose fold is the hash of s, left to
// right, largest first. s must be a node of an RFC 6962 tree: a perfect
// subtree, or a right-edge subtree whose start is a multiple of the largest
// power of two not above its size; then each piece is aligned.
func decompose(s span) []NodeID {
	var out []NodeID
	for b := s.begin; b < s.end; {
		h := uint8(bits.Len64(s.end-b) - 1)
		out = append(out, NodeID{Height: h, Index: b >> h})
		b += 1 << h
	}
	return out
}

// fold hashes the decomposition of one subtree: the rightmost piece first,
// each piece to its left becoming the left child.
func fold(hs []Hash) Hash {
	h := hs[len(hs)-1]
	for i := len(hs) - 2; i >= 0; i-- {
		h = NodeHash(hs[i], h)
	}
	return h
}

// hashSpans returns the hash of every span, reading all the perfect subtrees
// they need in one call to src.
func hashSpans(spans []span, src NodeSource) ([]Hash, error) {
	var ids []NodeID
	counts := make([]int, len(spans))
	for i, s := range spans {
		d := decompose(s)
		counts[i] = len(d)
		ids = append(ids, d...)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	hs, err := src(ids)
	if err != nil {
		return nil, err
	}
	if len(hs) != len(ids) {
		return nil, apperr.Newf(apperr.Internal, "日志树节点读取不完整", "the log tree store returned %d of %d nodes", len(hs), len(ids))
	}
	out := make([]Hash, len(spans))
	at := 0
	for i, n := range counts {
		out[i] = fold(hs[at : at+n])
		at += n
	}
	return out, nil
}

// TreeRoot returns the root hash of the first size leaves of the tree whose
// perfect subtrees src holds, reading at most 64 nodes.
func TreeRoot(size uint64, src NodeSource) (Hash, error) {
	if size == 0 {
		return EmptyRoot(), nil
	}
	hs, err := hashSpans([]span{{0, size}}, src)
	if err != nil {
		return Hash{}, err
	}
	return hs[0], nil
}

// largestPow2Below returns the largest power of two smaller than n (n > 1).
func largestPow2Below(n uint64) uint64 { return 1 << (bits.Len64(n-1) - 1) }
