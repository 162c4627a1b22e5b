package notary

// Receipts (回执): what the platform answers when it has stored a sealed bid.
//
// A receipt is the platform's signed statement "at this time, as event
// number L of the transparency log, I received from this bidder, for this
// section, a ciphertext of this size with this digest". A bidder keeps it as
// proof of timely submission; anyone holding the platform's public key can
// check it offline (`tenderhall verify receipt`, or OpenSSL alone, see
// below), so it must be reproducible byte for byte by other implementations.
//
// # Canonical form (the signed bytes)
//
// The signed message is the receipt object serialised exactly like this,
// UTF-8, no whitespace anywhere, members in this order and no others:
//
//	{"type":"tenderhall.receipt.v1","bidId":B,"projectId":P,"sectionId":S,
//	 "bidderId":O,"ciphertextDigest":D,"ciphertextSize":N,
//	 "receivedAtMs":T,"logIndex":L}
//
// (shown on two lines here; it is one line). B, P, S and O are JSON strings
// of 1 to 128 characters from [A-Za-z0-9._:-], so no escaping ever arises
// and every implementation writes the same bytes. D is the envelope's
// ciphertext digest (chunk-tree SM3, 32 bytes) as 64 lowercase hex digits
// in a JSON string. N (bytes), T (milliseconds since the Unix epoch, UTC)
// and L (the event's sequence number in the log) are non-negative decimal
// integers without sign, leading zeros, fraction or exponent; T is at most
// 253402300799999 (9999-12-31T23:59:59.999Z). The "type" member comes first
// so that these bytes can never be mistaken for another message the
// platform key signs (a signed tree head, for instance).
//
// # Signature
//
// SM2 (GB/T 32918.2) with SM3 and the standard user ID "1234567812345678":
// e = SM3(ZA ‖ canonical bytes), where ZA binds the user ID and the platform
// public key; the signature is the DER SEQUENCE { r INTEGER, s INTEGER },
// carried base64-encoded (standard alphabet, with padding). How to check it
// with OpenSSL alone, canonical-JSON step included, is in FORMAT.md §9
// (tested as written by cmd/tenderhall TestReceiptOpenSSLRecipe).
//
// # The receipt document
//
// A receipt file is the JSON object {"receipt":R,"keyId":K,"signature":G}
// where R is the canonical object above, K is the platform key id (64
// lowercase hex digits: SM3 of the DER SubjectPublicKeyInfo, as
// PublicKey.ID) and G the base64 signature. Marshal writes exactly that,
// with no whitespace. ParseReceipt accepts the members in any order and
// with insignificant whitespace (a reformatted file still verifies, since
// the signature is over the canonical form, not the file), but nothing
// else: no unknown, missing or duplicate member, no other type.

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// ReceiptType is the "type" member of every receipt of this version.
const ReceiptType = "tenderhall.receipt.v1"

// MaxReceiptSize bounds a receipt document in bytes; a real one is under
// 1 KiB even pretty-printed, so anything larger is refused unread.
const MaxReceiptSize = 8 << 10

const (
	maxReceiptIDLen   = 128
	maxReceivedAtMs   = 253402300799999 // 9999-12-31T23:59:59.999Z
	maxReceiptSigSize = 128             // a DER SM2 signature is at most 72 bytes
)

// Receipt is the content the platform signs when it stores a sealed bid.
// Its canonical form, the signature over it and the document carrying both
// are specified in the comment at the top of receipt.go.
type Receipt struct {
	BidID            string // the stored bid
	ProjectID        string
	SectionID        string
	BidderID         string // the bidder organisation
	CiphertextDigest string // chunk-tree SM3 of the ciphertext, 64 lowercase hex digits
	CiphertextSize   int64  // ciphertext size in bytes
	ReceivedAtMs     int64  // the moment of receipt: when the finalize request reached the server (its clock, before any work), milliseconds since the Unix epoch (UTC)
	LogIndex         int64  // sequence number of the "bid received" event in the log
}

// SignedReceipt is a Receipt with the platform's signature over its
// canonical form and the id of the key that made it.
type SignedReceipt struct {
	Receipt   Receipt
	KeyID     string // platform key id: hex SM3 of its DER SubjectPublicKeyInfo
	Signature []byte // DER SM2 signature (standard user ID) of Receipt.Canonical()
}

// ReceivedAt returns the reception time in UTC.
func (r Receipt) ReceivedAt() time.Time { return time.UnixMilli(r.ReceivedAtMs).UTC() }

// Validate checks every field against the canonical form's rules. It
// returns apperr.Invalid (code "receipt_field_invalid", naming the field).
func (r Receipt) Validate() error {
	for _, f := range []struct{ name, value string }{
		{"bidId", r.BidID}, {"projectId", r.ProjectID}, {"sectionId", r.SectionID}, {"bidderId", r.BidderID},
	} {
		if !validReceiptID(f.value) {
			return receiptFieldInvalid(f.name, "应为 1–128 个字符，仅限字母、数字和 . _ : -",
				"must be 1 to 128 characters from letters, digits and . _ : -")
		}
	}
	if !isReceiptHex(r.CiphertextDigest, 64) {
		return receiptFieldInvalid("ciphertextDigest", "应为 64 位小写十六进制（SM3 摘要）", "must be 64 lowercase hex digits (an SM3 digest)")
	}
	if r.CiphertextSize < 0 {
		return receiptFieldInvalid("ciphertextSize", "不能为负数", "must not be negative")
	}
	if r.ReceivedAtMs < 0 || r.ReceivedAtMs > maxReceivedAtMs {
		return receiptFieldInvalid("receivedAtMs", "应为 1970 年至 9999 年之间的毫秒时间戳", "must be a millisecond timestamp between 1970 and 9999")
	}
	if r.LogIndex < 0 {
		return receiptFieldInvalid("logIndex", "不能为负数", "must not be negative")
	}
	return nil
}

// Canonical returns the exact bytes that are signed (see the file comment),
// or the apperr.Invalid of Validate.
func (r Receipt) Canonical() ([]byte, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 320)
	b = append(b, `{"type":"`+ReceiptType+`","bidId":"`...)
	b = append(b, r.BidID...)
	b = append(b, `","projectId":"`...)
	b = append(b, r.ProjectID...)
	b = append(b, `","sectionId":"`...)
	b = append(b, r.SectionID...)
	b = append(b, `","bidderId":"`...)
	b = append(b, r.BidderID...)
	b = append(b, `","ciphertextDigest":"`...)
	b = append(b, r.CiphertextDigest...)
	b = append(b, `","ciphertextSize":`...)
	b = strconv.AppendInt(b, r.CiphertextSize, 10)
	b = append(b, `,"receivedAtMs":`...)
	b = strconv.AppendInt(b, r.ReceivedAtMs, 10)
	b = append(b, `,"logIndex":`...)
	b = strconv.AppendInt(b, r.LogIndex, 10)
	return append(b, '}'), nil
}

// SignReceipt signs r's canonical form with the platform key. It returns
// apperr.Invalid when a field breaks the canonical form's rules and
// apperr.Internal when signing fails.
func SignReceipt(priv *PrivateKey, r Receipt) (SignedReceipt, error) {
	msg, err := r.Canonical()
	if err != nil {
		return SignedReceipt{}, err
	}
	sig, err := priv.Sign(msg)
	if err != nil {
		return SignedReceipt{}, err
	}
	return SignedReceipt{Receipt: r, KeyID: priv.Public().ID, Signature: sig}, nil
}

// Verify checks that s was signed by pub. It returns apperr.Invalid with
// code "wrong_key" when the receipt names another platform key,
// "signature_invalid" when the signature does not match the content (the
// receipt was altered, or the signature is damaged), and the
// "receipt_field_invalid" error of Validate for a malformed receipt.
func (s SignedReceipt) Verify(pub *PublicKey) error {
	msg, err := s.Receipt.Canonical()
	if err != nil {
		return err
	}
	if s.KeyID != pub.ID {
		return apperr.Newf(apperr.Invalid, "回执由另一把平台密钥签署（回执中的密钥 %s，给定公钥 %s）",
			"the receipt was signed by another platform key (receipt names key %s, the given public key is %s)",
			s.KeyID, pub.ID).WithCode("wrong_key")
	}
	if !pub.Verify(msg, s.Signature) {
		return apperr.New(apperr.Invalid, "回执签名无效：回执内容已被改动或签名已损坏",
			"the receipt signature is invalid: the receipt was altered or the signature is damaged").WithCode("signature_invalid")
	}
	return nil
}

// Marshal returns the receipt document in its canonical form (see the file
// comment), or apperr.Invalid when a field is malformed.
func (s SignedReceipt) Marshal() ([]byte, error) {
	inner, err := s.Receipt.Canonical()
	if err != nil {
		return nil, err
	}
	if !isReceiptHex(s.KeyID, 64) {
		return nil, receiptFieldInvalid("keyId", "应为 64 位小写十六进制", "must be 64 lowercase hex digits")
	}
	if len(s.Signature) == 0 || len(s.Signature) > maxReceiptSigSize {
		return nil, receiptFieldInvalid("signature", "签名为空或过长", "the signature is empty or too long")
	}
	b := make([]byte, 0, len(inner)+256)
	b = append(b, `{"receipt":`...)
	b = append(b, inner...)
	b = append(b, `,"keyId":"`...)
	b = append(b, s.KeyID...)
	b = append(b, `","signature":"`...)
	b = append(b, base64.StdEncoding.EncodeToString(s.Signature)...)
	return append(b, `"}`...), nil
}

// MarshalJSON makes a SignedReceipt embed in API responses as its canonical
// document. It fails like Marshal.
func (s SignedReceipt) MarshalJSON() ([]byte, error) { return s.Marshal() }

// UnmarshalJSON parses a receipt document like ParseReceipt; JSON null
// leaves s unchanged, as encoding/json expects.
func (s *SignedReceipt) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	r, err := ParseReceipt(data)
	if err != nil {
		return err
	}
	*s = r
	return nil
}

// validReceiptID reports whether id may appear unescaped in the canonical form.
func validReceiptID(id string) bool {
	if len(id) == 0 || len(id) > maxReceiptIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// isReceiptHex reports whether s is exactly n lowercase hex digits; uppercase
// is refused because the canonical form must have one spelling.
func isReceiptHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// receiptFieldInvalid is the error for one malformed receipt member; zh and en
// say what the member must be.
func receiptFieldInvalid(field, zh, en string) *apperr.Error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("回执字段 %q %s", field, zh), fmt.Sprintf("receipt field %q %s", field, en)).
		WithCode("receipt_field_invalid").WithField(field, en)
}
