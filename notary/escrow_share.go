package notary

import (
	"bytes"
	"encoding/hex"
)

// shareMagic opens a marshalled escrow share, so that a holder who pastes
// the wrong thing gets a precise error rather than a failed check.
const shareMagic = "TenderHall escrow share v1"

// shareSize is the marshalled size: magic ‖ key id (32) ‖ index (1) ‖ value (32).
const shareSize = len(shareMagic) + 32 + 1 + 32

// Marshal encodes the share: the 26-byte magic, the escrow key id (32
// bytes), the index (1 byte) and the value (32 bytes).
func (s EscrowShare) Marshal() []byte {
	out := make([]byte, 0, shareSize)
	out = append(out, shareMagic...)
	out = append(out, keyIDBytes(s.KeyID)...)
	out = append(out, byte(s.Index))
	return append(out, s.Value...)
}

// ParseEscrowShare decodes what Marshal wrote. It checks the framing and
// the value's range, not the commitments (VerifyShare does). Errors:
// apperr.Invalid (bad_share).
func ParseEscrowShare(b []byte) (EscrowShare, error) {
	if len(b) != shareSize || !bytes.HasPrefix(b, []byte(shareMagic)) {
		return EscrowShare{}, badShare("it is not a TenderHall escrow share")
	}
	rest := b[len(shareMagic):]
	s := EscrowShare{KeyID: hex.EncodeToString(rest[:32]), Index: int(rest[32]), Value: append([]byte(nil), rest[33:]...)}
	if _, err := shareScalar(s); err != nil {
		return EscrowShare{}, err
	}
	return s, nil
}

// WrapShare encrypts the share to its holder's SM2 public key. Errors:
// those of PublicKey.Encrypt.
func WrapShare(s EscrowShare, holder *PublicKey) ([]byte, error) {
	return holder.Encrypt(s.Marshal())
}

// UnwrapShare decrypts a share wrapped to priv. Errors: apperr.Invalid —
// wrong_key (another holder's share, or damaged), bad_share.
func UnwrapShare(wrapped []byte, priv *PrivateKey) (EscrowShare, error) {
	b, err := priv.Decrypt(wrapped)
	if err != nil {
		return EscrowShare{}, err
	}
	return ParseEscrowShare(b)
}
