package notary

import (
	"crypto/cipher"
	"encoding/binary"

	"github.com/emmansun/gmsm/sm4"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Chunk record flags (FORMAT.md §3). The flag is also the nonce's last
// byte, so flipping it in the framing makes the chunk fail its tag.
const (
	flagMore  = 0x00
	flagFinal = 0x01
)

// chunkNonce is the STREAM nonce: prefix (7) ‖ counter (4, big-endian) ‖
// last-chunk flag (1). Distinct per chunk and per position, so chunks
// cannot be reordered, duplicated, dropped or marked final elsewhere.
func chunkNonce(prefix [NoncePrefixSize]byte, index uint64, final bool) [12]byte {
	var n [12]byte
	copy(n[:], prefix[:])
	binary.BigEndian.PutUint32(n[NoncePrefixSize:], uint32(index))
	if final {
		n[11] = flagFinal
	}
	return n
}

// newChunkAEAD returns SM4-GCM under dek. Each worker makes its own, so no
// cipher state is ever shared between goroutines.
func newChunkAEAD(dek []byte) (cipher.AEAD, error) {
	block, err := sm4.NewCipher(dek)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "数据密钥长度错误", "the data key has the wrong length").WithCode(CodeWrongKey)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "SM4-GCM 初始化失败", "SM4-GCM setup failed")
	}
	return aead, nil
}

// aeadSet holds one AEAD per worker, created on first use.
type aeadSet struct {
	dek   []byte
	aeads []cipher.AEAD
}

func newAEADSet(dek []byte, workers int) (*aeadSet, error) {
	s := &aeadSet{dek: dek, aeads: make([]cipher.AEAD, workers)}
	a, err := newChunkAEAD(dek) // also validates the key once, up front
	if err != nil {
		return nil, err
	}
	s.aeads[0] = a
	return s, nil
}

func (s *aeadSet) get(worker int) cipher.AEAD {
	if s.aeads[worker] == nil {
		s.aeads[worker], _ = newChunkAEAD(s.dek) // the key was validated in newAEADSet
	}
	return s.aeads[worker]
}

// frameChunk writes the 5-byte record head in front of a ciphertext that
// sits at buf[recordSize:], returning the whole record.
func frameChunk(buf []byte, ctLen int, final bool) []byte {
	buf[0] = flagMore
	if final {
		buf[0] = flagFinal
	}
	binary.BigEndian.PutUint32(buf[1:recordSize], uint32(ctLen))
	return buf[:recordSize+ctLen]
}
