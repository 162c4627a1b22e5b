package notary

import (
	"encoding/binary"
	"strconv"

	"github.com/emmansun/gmsm/sm3"
)

// The verifiable expert draw (DESIGN.md §5, experts/DRAW.md) needs three
// SM3 constructions that a third party must be able to recompute byte by
// byte; they live here because notary is the only importer of gmsm.

const (
	drawSecretLabel     = "tenderhall-draw-secret-v1"
	drawCandidatesLabel = "tenderhall-draw-candidates-v1"
	drawSeedLabel       = "tenderhall-draw-seed-v1"
	drawStreamLabel     = "tenderhall-draw-stream-v1"
)

// DrawSecretSize is the size in bytes of the server secret of a draw.
const DrawSecretSize = 32

// DrawSecretCommitment returns SM3("tenderhall-draw-secret-v1" ‖ 0x00 ‖
// secret): what the log records before the draw so the server cannot
// choose its secret after seeing the supervisor's value.
func DrawSecretCommitment(secret []byte) Hash {
	h := sm3.New()
	h.Write([]byte(drawSecretLabel))
	h.Write([]byte{0})
	h.Write(secret)
	var out Hash
	h.Sum(out[:0])
	return out
}

// DrawCandidate is one line of a draw's filtered candidate list: the group
// it was filtered for, the expert's ID and its employer key (the employer's
// unified social credit code), which the one-per-employer rule reads.
type DrawCandidate struct {
	Group    int    `json:"group"`
	ExpertID int64  `json:"expertId"`
	Employer string `json:"employer"`
}

// DrawCandidatesHash returns the SM3 hash of the canonical encoding of a
// candidate list that is already sorted by (Group, ExpertID):
//
//	"tenderhall-draw-candidates-v1\n"
//	then per candidate: decimal group, ' ', decimal expert ID, ' ', employer, '\n'
//
// Callers sort first (experts.SortCandidates); the hash of an unsorted list
// is simply a different hash.
func DrawCandidatesHash(list []DrawCandidate) Hash {
	h := sm3.New()
	h.Write([]byte(drawCandidatesLabel + "\n"))
	buf := make([]byte, 0, 64)
	for _, c := range list {
		buf = strconv.AppendInt(buf[:0], int64(c.Group), 10)
		buf = append(buf, ' ')
		buf = strconv.AppendInt(buf, c.ExpertID, 10)
		buf = append(buf, ' ')
		buf = append(buf, c.Employer...)
		buf = append(buf, '\n')
		h.Write(buf)
	}
	var out Hash
	h.Sum(out[:0])
	return out
}

// DrawSeed returns SM3("tenderhall-draw-seed-v1" ‖ 0x00 ‖ secret ‖
// uint32be(len(public)) ‖ public ‖ sth), where sth is the 66-byte
// SignedMessage of the signed tree head the draw was bound to.
func DrawSeed(secret []byte, public string, sth TreeHead) Hash {
	h := sm3.New()
	h.Write([]byte(drawSeedLabel))
	h.Write([]byte{0})
	h.Write(secret)
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(public))))
	h.Write([]byte(public))
	h.Write(sth.SignedMessage())
	var out Hash
	h.Sum(out[:0])
	return out
}

// DrawStream is the deterministic SM3-based generator of a draw. Block i
// (i = 0, 1, …) is SM3("tenderhall-draw-stream-v1" ‖ 0x00 ‖ seed ‖
// uint64be(i)); each block yields four 64-bit words, read big-endian in
// order. It is not safe for concurrent use.
type DrawStream struct {
	prefix []byte
	block  [HashSize]byte
	next   uint64 // index of the next block to compute
	pos    int    // bytes of block used; HashSize means empty
}

// NewDrawStream returns the generator for seed.
func NewDrawStream(seed Hash) *DrawStream {
	p := make([]byte, 0, len(drawStreamLabel)+1+HashSize+8)
	p = append(p, drawStreamLabel...)
	p = append(p, 0)
	p = append(p, seed[:]...)
	return &DrawStream{prefix: p, pos: HashSize}
}

// Uint64 returns the next 64-bit word of the stream.
func (d *DrawStream) Uint64() uint64 {
	if d.pos == HashSize {
		msg := binary.BigEndian.AppendUint64(d.prefix, d.next)
		d.block = sm3.Sum(msg)
		d.prefix = msg[:len(d.prefix)]
		d.next++
		d.pos = 0
	}
	v := binary.BigEndian.Uint64(d.block[d.pos:])
	d.pos += 8
	return v
}

// Uniform returns a uniformly distributed integer in [0, n) by rejection
// sampling: a word x is rejected while x < 2^64 mod n, then x mod n is
// returned, so every residue has exactly ⌊2^64/n⌋ preimages (no modulo
// bias). It panics when n is 0.
func (d *DrawStream) Uniform(n uint64) uint64 {
	if n == 0 {
		panic("notary: Uniform(0)")
	}
	threshold := -n % n // 2^64 mod n in uint64 arithmetic
	for {
		x := d.Uint64()
		if x >= threshold {
			return x % n
		}
	}
}

// Shuffle permutes ids in place with the forward Fisher–Yates shuffle: for
// i = 0 … len-2, j = i + Uniform(len-i), then ids[i] and ids[j] swap.
func (d *DrawStream) Shuffle(ids []int64) {
	for i := 0; i+1 < len(ids); i++ {
		j := i + int(d.Uniform(uint64(len(ids)-i)))
		ids[i], ids[j] = ids[j], ids[i]
	}
}
