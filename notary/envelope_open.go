package notary

import (
	"context"
	"crypto/subtle"
	"io"
)

// Unseal reads an envelope from r, unwraps its data key with priv (a
// recipient's key: the bidder's, or the escrow key), and writes the
// plaintext to w. It checks everything VerifyEnvelope checks, plus every
// chunk's tag, and returns the header and the ciphertext digest (the
// header also on error, once it was parsed).
//
// Plaintext reaches w chunk by chunk, as soon as each chunk's tag has
// verified, and before the trailer's signature is checked: on any error the
// caller must discard what w received (the CLI writes to a temporary file
// and renames it only on success).
//
// Errors are apperr.Invalid with the codes of envelope_errors.go —
// wrong_key when priv is not a recipient, header_tampered, chunk_tampered,
// digest_mismatch, signature_invalid, truncated, trailing_data, and the
// wrong_* codes of expect; apperr.Unavailable (cancelled) when ctx ends;
// apperr.Internal (io_failed) when r or w fails.
func Unseal(ctx context.Context, w io.Writer, r io.Reader, priv *PrivateKey, expect Expect) (*Header, Digest, error) {
	return open(ctx, w, r, expect, func(h *Header) ([]byte, error) { return UnwrapDEK(h, priv) })
}

// UnsealWithDEK is Unseal for the platform at the opening, when the bidder
// has handed over the data key: the key is first checked against the
// header's key commitment (wrong_key if it does not match), so a wrong or
// forged key is refused before any chunk is decrypted. Errors as Unseal.
func UnsealWithDEK(ctx context.Context, w io.Writer, r io.Reader, dek []byte, expect Expect) (*Header, Digest, error) {
	return open(ctx, w, r, expect, func(h *Header) ([]byte, error) {
		if err := CheckDEK(h, dek); err != nil {
			return nil, err
		}
		return dek, nil
	})
}

func open(ctx context.Context, w io.Writer, r io.Reader, expect Expect, keyFor func(*Header) ([]byte, error)) (*Header, Digest, error) {
	o := newOpener(expect, keyFor, w, 0)
	d, err := o.run(ctx, r)
	return o.dec.hdr, d, err
}

// CheckDEK reports whether dek is the data key h commits to. A key of the
// wrong size or that does not match is apperr.Invalid with code wrong_key.
func CheckDEK(h *Header, dek []byte) error {
	want := h.KeyCommitment
	got := keyCommitment(dek)
	if len(dek) != DEKSize || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return errWrongKey("the data key does not match the envelope's key commitment")
	}
	return nil
}

// UnwrapDEK returns the envelope's data key, decrypted with priv and checked
// against the key commitment. It tries the recipient slot with priv's key
// id first and then every other slot, so that a damaged key id cannot hide
// a slot that is ours. Errors (apperr.Invalid): wrong_key when no slot opens
// with priv; header_tampered when priv's own slot does not decrypt, or
// decrypts to a key that does not match the commitment.
func UnwrapDEK(h *Header, priv *PrivateKey) ([]byte, error) {
	if priv == nil {
		return nil, errWrongKey("no private key was given")
	}
	var mine, others []Recipient
	for _, r := range h.Recipients {
		if r.KeyID == priv.Public().ID {
			mine = append(mine, r)
		} else {
			others = append(others, r)
		}
	}
	tampered := len(mine) > 0
	for _, r := range append(mine, others...) {
		dek, err := priv.Decrypt(r.Wrapped)
		if err != nil {
			continue
		}
		if CheckDEK(h, dek) == nil {
			return dek, nil
		}
		tampered = true
	}
	if tampered {
		return nil, errHeader("本密钥的数据密钥封装无法解开或与密钥承诺不符",
			"this key's wrapped data key does not decrypt, or does not match the key commitment")
	}
	return nil, errWrongKey("it is not one of the envelope's recipients")
}
