package notary

import (
	"crypto/cipher"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// SealStream seals a bid incrementally: the caller pushes plaintext with
// Write and gets back the envelope bytes each call completes. It exists for
// callers that cannot hand Seal an io.Reader: the browser's WebAssembly
// sealer reads a File in slices between JavaScript awaits and uploads each
// piece of ciphertext before reading the next. The envelope is byte for byte
// what Seal writes for the same input and randomness; it works on one core
// and holds at most one chunk of plaintext.
type SealStream struct {
	s       *sealer
	aead    cipher.AEAD
	pending []byte // plaintext not yet sealed: up to one chunk, held back until we know whether it is the last
	index   uint64
	res     SealResult
	done    bool
}

// NewSealStream checks the options like Seal, wraps a fresh data key to the
// recipients and returns the stream with the envelope's header bytes, the
// first bytes to send. opts.Workers and opts.Progress are not used.
func NewSealStream(opts SealOptions) (*SealStream, []byte, error) {
	opts.Workers = 1
	s, err := newSealer(opts)
	if err != nil {
		return nil, nil, err
	}
	st := &SealStream{s: s, aead: s.aeads.get(0), pending: make([]byte, 0, s.hdr.ChunkSize)}
	st.res.Header = s.hdr
	st.res.Size = int64(len(s.hdr.Raw))
	return st, s.hdr.Raw, nil
}

// Write takes the next plaintext bytes and returns the chunk records they
// complete (often none). A full chunk is sealed only once more input
// arrives, because the last chunk is marked final in its nonce.
func (st *SealStream) Write(p []byte) ([]byte, error) {
	if st.done {
		return nil, errStreamClosed()
	}
	var out []byte
	cs := st.s.hdr.ChunkSize
	for len(p) > 0 {
		if len(st.pending) == cs {
			var err error
			if out, err = st.appendChunk(out, false); err != nil {
				return nil, err
			}
		}
		n := min(cs-len(st.pending), len(p))
		st.pending = append(st.pending, p[:n]...)
		p = p[n:]
	}
	return out, nil
}

// Close seals the held-back plaintext as the final chunk (an empty input is
// one empty final chunk, as with Seal), signs, and returns the last records
// and the trailer with the result.
func (st *SealStream) Close() ([]byte, *SealResult, error) {
	if st.done {
		return nil, nil, errStreamClosed()
	}
	out, err := st.appendChunk(nil, true)
	if err != nil {
		return nil, nil, err
	}
	st.done = true
	st.res.Digest = st.s.tree.sum()
	sig, err := st.s.sign(signedMessage(st.s.hdr.Hash(), st.res.Digest))
	if err != nil {
		return nil, nil, err
	}
	out = append(append(append(out, st.res.Digest[:]...), byte(len(sig))), sig...)
	st.res.Size += int64(DigestSize + 1 + len(sig))
	res := st.res
	return out, &res, nil
}

// Sealed returns the plaintext bytes sealed into chunk records so far.
func (st *SealStream) Sealed() int64 { return st.res.Plaintext }

// appendChunk seals the pending plaintext as chunk st.index and appends its
// record (flag, length, ciphertext with tag) to out.
func (st *SealStream) appendChunk(out []byte, final bool) ([]byte, error) {
	if st.index >= MaxChunks {
		return nil, badOptions("输入过大，超过此分块大小下的块数上限", "the input is too large for this chunk size")
	}
	start := len(out)
	out = append(out, make([]byte, recordSize)...)
	nonce := chunkNonce(st.s.hdr.NoncePrefix, st.index, final)
	out = st.aead.Seal(out, nonce[:], st.pending, st.s.hdr.Raw)
	ct := out[start+recordSize:]
	st.s.tree.add(leafHash(ct))
	frameChunk(out[start:], len(ct), final)
	st.res.Size += int64(recordSize + len(ct))
	st.res.Plaintext += int64(len(st.pending))
	st.res.Chunks++
	st.index++
	st.pending = st.pending[:0]
	return out, nil
}

func errStreamClosed() error {
	return apperr.New(apperr.Invalid, "封装已结束，不能继续写入", "the sealing stream is closed").WithCode(CodeBadSealOptions)
}
