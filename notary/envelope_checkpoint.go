package notary

import (
	"encoding"
	"encoding/binary"

	"github.com/emmansun/gmsm/sm3"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// checkpointMagic starts every checkpoint; the last byte is its version.
const checkpointMagic = "THVC\x01"

// CodeBadCheckpoint is the error code of a checkpoint that cannot be resumed.
const CodeBadCheckpoint = "bad_checkpoint"

// Checkpoint ends the verifier and returns its state after every byte
// written so far, so that the verification continues in another request or
// process with ResumeVerifier. An upload received in several requests is
// thereby verified once, while it streams, and never read back.
//
// The state holds the parsed header, the chunk-tree hash so far and the
// bytes of the item in progress (at most one chunk, MaxChunkSize + tag);
// it is not secret (the envelope is ciphertext) but must be stored where
// nobody else can change it. After Checkpoint, Write fails and Finish
// returns the checkpoint's error. Errors: the structural error already
// found (the same as Write's), apperr.Internal when the hash state cannot
// be saved.
func (v *Verifier) Checkpoint() ([]byte, error) {
	if v.finished {
		return nil, apperr.New(apperr.Internal, "校验器已结束", "the verifier has already finished")
	}
	v.finished = true
	o := v.o
	if o.pool != nil {
		o.pool.close() // waits for every submitted chunk's leaf hash
	}
	d := o.dec
	if d.err != nil {
		v.err = d.err
		return nil, d.err
	}
	tree, err := o.tree.h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		v.err = apperr.Wrap(err, apperr.Internal, "无法保存摘要状态", "cannot save the digest state")
		return nil, v.err
	}
	var raw []byte
	if d.hdr != nil {
		raw = d.hdr.Raw
	}
	b := make([]byte, 0, 128+len(raw)+d.have+len(d.sig)+len(tree))
	b = append(b, checkpointMagic...)
	b = binary.BigEndian.AppendUint64(b, uint64(d.size))
	b = append(b, byte(d.st), boolByte(d.final))
	b = binary.BigEndian.AppendUint64(b, d.index)
	b = binary.BigEndian.AppendUint32(b, uint32(len(d.item)))
	b = appendBytes32(b, d.item[:d.have])
	b = appendBytes32(b, raw)
	b = append(b, d.digest[:]...)
	b = appendBytes32(b, d.sig)
	b = binary.BigEndian.AppendUint64(b, o.tree.n)
	b = appendBytes32(b, tree)
	v.err = apperr.New(apperr.Internal, "校验器已保存为检查点", "the verifier was checkpointed")
	return b, nil
}

// ResumeVerifier continues a verification from a Checkpoint taken with
// the same expectations: write the bytes that follow Size(). Errors:
// apperr.Invalid with code bad_checkpoint when state is not a checkpoint,
// and those of VerifyEnvelope when the header fails expect.
func ResumeVerifier(expect Expect, state []byte) (*Verifier, error) {
	o := newOpener(expect, nil, nil, 0)
	if err := o.restore(state); err != nil {
		if o.pool != nil {
			o.pool.close()
		}
		return nil, err
	}
	return &Verifier{o: o}, nil
}

// restore rebuilds the decoder and the tree hasher from a checkpoint.
func (o *opener) restore(state []byte) error {
	r := checkpointReader{b: state}
	if string(r.take(len(checkpointMagic))) != checkpointMagic {
		return errCheckpoint()
	}
	d := o.dec
	d.size = int64(r.u64())
	st, final := r.take(1), r.take(1)
	d.index = r.u64()
	itemLen := int(r.u32())
	partial := r.bytes32()
	raw := r.bytes32()
	copy(d.digest[:], r.take(DigestSize))
	d.sig = r.bytes32()
	n := r.u64()
	tree := r.bytes32()
	if r.bad || len(r.b) != 0 || len(partial) > itemLen || d.size < 0 {
		return errCheckpoint()
	}
	d.st, d.final = decodeState(st[0]), final[0] == 1
	if d.st > stDone || (d.st >= stRecord && len(raw) == 0) {
		return errCheckpoint()
	}
	h := sm3.New()
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(tree); err != nil {
		return errCheckpoint()
	}
	o.tree.h, o.tree.n = h, n
	if len(raw) > 0 {
		hdr, err := parseHeader(raw)
		if err != nil {
			return err
		}
		d.hdr = hdr
		if err := o.onHeader(hdr); err != nil {
			return err
		}
	}
	return d.restoreItem(itemLen, partial)
}

// restoreItem sets up the item in progress with its bytes so far.
func (d *decoder) restoreItem(itemLen int, partial []byte) error {
	var buf []byte
	switch d.st {
	case stDone:
		d.item, d.have = nil, 0
		return nil
	case stChunk:
		if itemLen > d.hdr.ChunkSize+TagSize {
			return errCheckpoint()
		}
		b, err := d.getBuf()
		if err != nil {
			return err
		}
		buf = b[:itemLen]
	default:
		if itemLen > MaxHeaderSize+prefixSize {
			return errCheckpoint()
		}
		buf = make([]byte, itemLen)
	}
	d.item, d.have = buf, copy(buf, partial)
	return nil
}

func errCheckpoint() error {
	return apperr.New(apperr.Invalid, "校验检查点已损坏，请重新上传", "the verification checkpoint is damaged; upload again").
		WithCode(CodeBadCheckpoint)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func appendBytes32(b, v []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
	return append(b, v...)
}

// checkpointReader reads a checkpoint's fields; a short read sets bad.
type checkpointReader struct {
	b   []byte
	bad bool
}

func (r *checkpointReader) take(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.bad = true
		r.b = nil
		return make([]byte, max(n, 0))
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *checkpointReader) u64() uint64 { return binary.BigEndian.Uint64(r.take(8)) }
func (r *checkpointReader) u32() uint32 { return binary.BigEndian.Uint32(r.take(4)) }

func (r *checkpointReader) bytes32() []byte {
	n := r.u32()
	if n > 64<<20 {
		r.bad = true
		return nil
	}
	return r.take(int(n))
}
