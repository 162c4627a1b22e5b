package notary

import (
	"encoding/binary"
	"encoding/hex"
	"time"
	"unicode/utf8"
)

// encodeHeader lays out h's fields as FORMAT.md §2 says and returns the
// bytes, which it also stores in h.Raw.
func encodeHeader(h *Header) []byte {
	b := make([]byte, 0, 512)
	b = append(b, Magic...)
	b = append(b, Version, algSM4GCMStream, algSM2Wrap, algSM3, algSM2Sign)
	b = append(b, 0, 0, 0, 0) // header length, filled in below
	b = binary.BigEndian.AppendUint32(b, uint32(h.ChunkSize))
	b = append(b, h.NoncePrefix[:]...)
	b = append(b, h.KeyCommitment[:]...)
	b = appendBytes16(b, h.Signer.spki())
	b = append(b, byte(len(h.Recipients)))
	for _, r := range h.Recipients {
		b = append(b, keyIDBytes(r.KeyID)...)
		b = appendBytes16(b, r.Wrapped)
	}
	b = appendBytes16(b, []byte(h.Meta.Project))
	b = appendBytes16(b, []byte(h.Meta.Section))
	b = appendBytes16(b, []byte(h.Meta.Bidder))
	b = binary.BigEndian.AppendUint64(b, uint64(h.Meta.SealedAt.UnixMilli()))
	b = append(b, h.Meta.Fingerprint[:]...)
	b = appendBytes16(b, []byte(h.Meta.SchemaVersion))
	binary.BigEndian.PutUint32(b[11:prefixSize], uint32(len(b)))
	h.Raw = b
	return b
}

func appendBytes16(b, v []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

// checkPrefix validates the fixed 15-byte prefix and returns the header's
// total length. The order of the checks is the one FORMAT.md §5 gives.
func checkPrefix(p []byte) (int, error) {
	if string(p[:len(Magic)]) != Magic {
		return 0, errNotAnEnvelope()
	}
	if p[6] != Version {
		return 0, errUnsupportedVersion(p[6])
	}
	for i, name := range []string{"分组密码/cipher", "密钥封装/key wrap", "杂凑/hash", "签名/signature"} {
		if p[7+i] != 1 {
			return 0, errUnsupportedAlgorithm(name, p[7+i])
		}
	}
	n := binary.BigEndian.Uint32(p[11:prefixSize])
	if n < prefixSize || n > MaxHeaderSize {
		return 0, errHeader("头部长度超出范围", "header length out of range")
	}
	return int(n), nil
}

// fieldReader reads the header's fields in order; the first failure sticks
// and names the field, so parseHeader stays a flat list.
type fieldReader struct {
	b   []byte
	bad string
}

func (r *fieldReader) take(n int, field string) []byte {
	if r.bad != "" {
		return nil
	}
	if n > len(r.b) {
		r.bad = field
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *fieldReader) uint(n int, field string) uint64 {
	v := r.take(n, field)
	var x uint64
	for _, c := range v {
		x = x<<8 | uint64(c)
	}
	return x
}

// bytes16 reads a 2-byte length and that many bytes, within [lo, hi].
func (r *fieldReader) bytes16(lo, hi int, field string) []byte {
	n := int(r.uint(2, field))
	if r.bad == "" && (n < lo || n > hi) {
		r.bad = field
	}
	return r.take(n, field)
}

// text reads a length-prefixed UTF-8 string.
func (r *fieldReader) text(lo, hi int, field string) string {
	v := r.bytes16(lo, hi, field)
	if r.bad == "" && !utf8.Valid(v) {
		r.bad = field
	}
	return string(v)
}

// parseHeader decodes a complete header whose prefix checkPrefix accepted.
// Any structural fault is header_tampered, naming the field.
func parseHeader(raw []byte) (*Header, error) {
	h := &Header{Version: Version, Raw: raw}
	r := &fieldReader{b: raw[prefixSize:]}
	h.ChunkSize = int(r.uint(4, "chunk size"))
	copy(h.NoncePrefix[:], r.take(NoncePrefixSize, "nonce prefix"))
	copy(h.KeyCommitment[:], r.take(DigestSize, "key commitment"))
	spki := r.bytes16(1, maxSPKILen, "signer key")
	n := int(r.uint(1, "recipient count"))
	for i := 0; i < n && r.bad == ""; i++ {
		id := r.take(DigestSize, "recipient key id")
		w := r.bytes16(1, maxWrappedLen, "wrapped key")
		h.Recipients = append(h.Recipients, Recipient{KeyID: hex.EncodeToString(id), Wrapped: append([]byte(nil), w...)})
	}
	h.Meta.Project = r.text(1, maxIDLen, "project id")
	h.Meta.Section = r.text(1, maxIDLen, "section id")
	h.Meta.Bidder = r.text(0, maxIDLen, "bidder id")
	h.Meta.SealedAt = time.UnixMilli(int64(r.uint(8, "sealing time"))).UTC()
	copy(h.Meta.Fingerprint[:], r.take(DigestSize, "fingerprint"))
	h.Meta.SchemaVersion = r.text(0, maxSchemaLen, "schema version")
	return h, finishHeader(h, r, spki, n)
}

// finishHeader applies the checks that span fields.
func finishHeader(h *Header, r *fieldReader, spki []byte, n int) error {
	switch {
	case r.bad != "":
		return errHeader("字段 "+r.bad+" 无法解析", "field "+r.bad+" cannot be read")
	case len(r.b) != 0:
		return errHeader("头部长度与字段不符", "header length does not match its fields")
	case h.ChunkSize < MinChunkSize || h.ChunkSize > MaxChunkSize:
		return errHeader("分块大小超出范围", "chunk size out of range")
	case n < 1 || n > MaxRecipients:
		return errHeader("收件人数量超出范围", "recipient count out of range")
	}
	k, ok := publicKeyFromSPKI(spki)
	if !ok {
		return errHeader("签名人公钥不是有效的 SM2 公钥", "the signer key is not a valid SM2 public key")
	}
	h.Signer = k
	return nil
}
