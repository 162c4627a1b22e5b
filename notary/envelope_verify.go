package notary

import (
	"context"
	"io"
)

// VerifyEnvelope checks an envelope without any private key: structure,
// the expectations, the chunk-tree digest against the trailer and the
// bidder's signature over the header and the digest. This is the check the
// platform runs on upload. With expect.Signer nil, the signature is checked
// against the key embedded in the header, which proves integrity but not
// who the bidder is; pass the bidder's registered key to prove that too.
//
// Errors are apperr.Invalid with code not_an_envelope, unsupported_version,
// unsupported_algorithm, header_tampered, chunk_tampered, digest_mismatch,
// signature_invalid, truncated, trailing_data, wrong_signer, wrong_project,
// wrong_section or wrong_bidder; apperr.Unavailable (cancelled) when ctx
// ends; apperr.Internal (io_failed) when r fails. The header is returned
// whenever it could be parsed.
func VerifyEnvelope(ctx context.Context, r io.Reader, expect Expect) (*Header, Digest, error) {
	o := newOpener(expect, nil, nil, 0)
	d, err := o.run(ctx, r)
	return o.dec.hdr, d, err
}

// Verifier is VerifyEnvelope for bytes that are pushed rather than pulled,
// such as an upload being stored while it arrives: write every byte of the
// envelope to it, then call Finish once. Write fails as soon as the
// structure is wrong (a bad magic, a header from another section, a chunk
// with impossible framing, data after the trailer), so an upload can be cut
// short. Memory is bounded by about 2 × GOMAXPROCS × chunk size. A Verifier
// is not safe for concurrent Writes.
type Verifier struct {
	o        *opener
	finished bool
	digest   Digest
	err      error
}

// NewVerifier returns a verifier that applies expect (see VerifyEnvelope).
func NewVerifier(expect Expect) *Verifier {
	return &Verifier{o: newOpener(expect, nil, nil, 0)}
}

// Write consumes the next bytes of the envelope. Its errors are those of
// VerifyEnvelope that can be known before the end.
func (v *Verifier) Write(p []byte) (int, error) {
	if v.finished {
		return 0, errTrailingData()
	}
	return v.o.dec.Write(p)
}

// Header returns the parsed header, or nil while it has not fully arrived.
func (v *Verifier) Header() *Header { return v.o.dec.hdr }

// Done reports whether the bytes written so far are a whole envelope, up
// to its signature: one more byte would be trailing data. It says nothing
// of the verdict, which Finish gives.
func (v *Verifier) Done() bool { return v.o.dec.st == stDone && v.o.dec.err == nil }

// Size returns the number of bytes written so far.
func (v *Verifier) Size() int64 { return v.o.dec.size }

// Finish declares the end of the input and returns the verdict of
// VerifyEnvelope: the header, the ciphertext digest and the error, if any.
// It must be called exactly once, also to abandon a verification (it stops
// the verifier's goroutines); later calls return the same result.
func (v *Verifier) Finish() (*Header, Digest, error) {
	if !v.finished {
		v.finished = true
		v.digest, v.err = v.o.result()
	}
	return v.o.dec.hdr, v.digest, v.err
}

// ParseHeader reads exactly one envelope header from r and parses it; it
// needs no key and reads nothing past the header. Errors (apperr.Invalid):
// not_an_envelope, unsupported_version, unsupported_algorithm,
// header_tampered, truncated; apperr.Internal (io_failed) when r fails.
// A parsed header is not yet authenticated: only the trailer's signature,
// checked by VerifyEnvelope or Unseal, proves it.
func ParseHeader(r io.Reader) (*Header, error) {
	prefix := make([]byte, prefixSize)
	if n, err := io.ReadFull(r, prefix); err != nil {
		return nil, headerReadErr(err, prefix[:n])
	}
	n, err := checkPrefix(prefix)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, n)
	copy(raw, prefix)
	if n, err := io.ReadFull(r, raw[prefixSize:]); err != nil {
		return nil, headerReadErr(err, raw[:prefixSize+n])
	}
	return parseHeader(raw)
}

// headerReadErr tells a short read (truncated, or not an envelope at all)
// from an I/O failure.
func headerReadErr(err error, got []byte) error {
	if err != io.EOF && err != io.ErrUnexpectedEOF {
		return errIO(err, "读取信封失败", "cannot read the envelope")
	}
	d := newDecoder()
	d.onHeader = func(*Header) error { return nil } // unreachable: got is short
	d.Write(got)
	return d.finish()
}
