package notary

import (
	"encoding/hex"
	"hash"

	"github.com/emmansun/gmsm/sm3"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// DigestSize is the size in bytes of an SM3 digest.
const DigestSize = sm3.Size

// Digest is an SM3 hash: an envelope's ciphertext digest, a header hash or a
// machine fingerprint.
type Digest [DigestSize]byte

// String returns the digest as lower-case hex.
func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// IsZero reports whether d is all zero bytes (unset).
func (d Digest) IsZero() bool { return d == Digest{} }

// ParseDigest decodes a 64-character hex digest. Anything else is
// apperr.Invalid with code "bad_digest".
func ParseDigest(s string) (Digest, error) {
	var d Digest
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != DigestSize {
		return d, apperr.New(apperr.Invalid, "摘要应为 64 位十六进制", "a digest is 64 hex characters").WithCode("bad_digest")
	}
	copy(d[:], b)
	return d, nil
}

// sm3Sum hashes the concatenation of parts.
func sm3Sum(parts ...[]byte) Digest {
	h := sm3.New()
	for _, p := range parts {
		h.Write(p)
	}
	var d Digest
	h.Sum(d[:0])
	return d
}

// Domain-separation prefixes of the chunk tree, in the manner of RFC 6962:
// a leaf can never be mistaken for a node, nor either for another SM3 use.
const (
	leafPrefix = 0x00
	nodePrefix = 0x01
	treeLabel  = "TenderHall chunk tree v1"
)

// leafHash is SM3(0x00 ‖ ciphertext chunk, tag included).
func leafHash(ct []byte) Digest {
	return sm3Sum([]byte{leafPrefix}, ct)
}

// treeHasher folds the leaf hashes, in chunk order, into the ciphertext
// digest SM3(0x01 ‖ treeLabel ‖ leaf_0 ‖ … ‖ leaf_n-1). Leaves are fixed
// size, so the list needs no length prefix, and the root can be computed
// while streaming: only the leaves (one per chunk) need the expensive SM3
// over the data, and those are computed in parallel by the workers.
type treeHasher struct {
	h hash.Hash
	n uint64
}

func newTreeHasher() *treeHasher {
	h := sm3.New()
	h.Write([]byte{nodePrefix})
	h.Write([]byte(treeLabel))
	return &treeHasher{h: h}
}

func (t *treeHasher) add(leaf Digest) {
	t.h.Write(leaf[:])
	t.n++
}

func (t *treeHasher) sum() Digest {
	var d Digest
	t.h.Sum(d[:0])
	return d
}

// ChunkTreeDigest computes the ciphertext digest of a list of ciphertext
// chunks held in memory. It exists for tests and for other implementations'
// cross-checks; envelopes compute the same value while streaming.
func ChunkTreeDigest(chunks [][]byte) Digest {
	t := newTreeHasher()
	for _, c := range chunks {
		t.add(leafHash(c))
	}
	return t.sum()
}
