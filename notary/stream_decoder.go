package notary

import (
	"encoding/binary"
	"strings"
)

// decodeState is where in the envelope the next byte belongs.
type decodeState int

const (
	stPrefix  decodeState = iota // the 15 fixed bytes
	stHeader                     // the rest of the header
	stRecord                     // a chunk record's flag and length
	stChunk                      // a chunk's ciphertext
	stTrailer                    // the digest and the signature length
	stSig                        // the signature
	stDone                       // nothing more may come
)

// decoder is a push parser of the envelope's framing: the caller writes
// bytes as they arrive (an upload, a file, a pipe) and the decoder calls
// back at each complete item. It holds one header and one chunk at a time,
// so its memory does not depend on the envelope's size. It checks
// structure only; cryptography happens in the callbacks.
type decoder struct {
	onHeader func(h *Header) error
	getBuf   func() ([]byte, error) // a buffer of at least chunk size + tag
	onChunk  func(t *task)

	st    decodeState
	item  []byte // the item being filled
	have  int
	hdr   *Header
	index uint64
	final bool
	size  int64
	err   error

	digest Digest // from the trailer
	sig    []byte
}

func newDecoder() *decoder {
	return &decoder{st: stPrefix, item: make([]byte, prefixSize)}
}

// Write consumes p. The first structural fault is returned, and again on
// every later call; bytes after the trailer are trailing_data.
func (d *decoder) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 && d.err == nil {
		if d.st == stDone {
			d.err = errTrailingData()
			break
		}
		k := copy(d.item[d.have:], p)
		d.have += k
		d.size += int64(k)
		n += k
		p = p[k:]
		if d.have == len(d.item) {
			d.err = d.advance()
		}
	}
	return n, d.err
}

// expect makes the next item n bytes long in buf (or a new buffer).
func (d *decoder) expect(st decodeState, buf []byte, n int) {
	if buf == nil {
		buf = make([]byte, n)
	}
	d.st, d.item, d.have = st, buf[:n], 0
}

// advance handles a complete item and sets up the next one.
func (d *decoder) advance() error {
	switch d.st {
	case stPrefix:
		n, err := checkPrefix(d.item)
		if err != nil {
			return err
		}
		raw := make([]byte, n)
		copy(raw, d.item)
		d.st, d.item, d.have = stHeader, raw, prefixSize
		if n == prefixSize {
			return d.advance()
		}
	case stHeader:
		return d.header()
	case stRecord:
		return d.record()
	case stChunk:
		d.onChunk(&task{index: d.index, final: d.final, buf: d.item[:cap(d.item)], data: d.item})
		d.index++
		if d.final {
			d.expect(stTrailer, nil, trailerHead)
		} else {
			d.expect(stRecord, nil, recordSize)
		}
	case stTrailer:
		copy(d.digest[:], d.item)
		n := int(d.item[DigestSize])
		if n < minSigLen || n > maxSigLen {
			return errSignature("签名长度超出范围", "signature length out of range")
		}
		d.expect(stSig, nil, n)
	case stSig:
		d.sig = d.item
		d.st = stDone
	}
	return nil
}

func (d *decoder) header() error {
	h, err := parseHeader(d.item)
	if err != nil {
		return err
	}
	d.hdr = h
	if err := d.onHeader(h); err != nil {
		return err
	}
	d.expect(stRecord, nil, recordSize)
	return nil
}

// record checks a chunk's framing before any of its bytes are buffered: a
// non-final chunk is exactly chunk size + tag, a final one at most that.
func (d *decoder) record() error {
	flag, n := d.item[0], int(binary.BigEndian.Uint32(d.item[1:recordSize]))
	full := d.hdr.ChunkSize + TagSize
	switch {
	case d.index >= MaxChunks:
		return errChunk(d.index, "数据块过多", "too many chunks")
	case flag != flagMore && flag != flagFinal:
		return errChunk(d.index, "记录标志无效", "invalid record flag")
	case flag == flagMore && n != full:
		return errChunk(d.index, "非末块长度错误", "a non-final chunk has the wrong length")
	case flag == flagFinal && (n < TagSize || n > full):
		return errChunk(d.index, "末块长度超出范围", "the final chunk's length is out of range")
	}
	buf, err := d.getBuf()
	if err != nil {
		return err
	}
	d.final = flag == flagFinal
	d.expect(stChunk, buf, n)
	return nil
}

// finish reports whether the input ended where an envelope may end.
func (d *decoder) finish() error {
	if d.err != nil {
		return d.err
	}
	switch d.st {
	case stDone:
		return nil
	case stPrefix:
		got := string(d.item[:min(d.have, len(Magic))])
		if d.have == 0 || !strings.HasPrefix(Magic, got) {
			return errNotAnEnvelope()
		}
		return errTruncated("header")
	case stHeader:
		return errTruncated("header")
	case stRecord, stChunk:
		return errTruncated("chunks")
	}
	return errTruncated("trailer")
}
