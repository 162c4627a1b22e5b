package notary

import (
	"bytes"
	"encoding/hex"
	"encoding/pem"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The envelope format, version 1. FORMAT.md specifies it byte by byte.
const (
	Magic   = "THSEAL" // the first six bytes of every envelope
	Version = 1        // the format version this package writes and reads

	algSM4GCMStream = 1 // body cipher: SM4-GCM in the STREAM construction
	algSM2Wrap      = 1 // key wrap: SM2 public-key encryption, GM/T 0009 ASN.1
	algSM3          = 1 // hash: SM3
	algSM2Sign      = 1 // signature: SM2 with SM3, user id 1234567812345678

	DEKSize          = 16       // SM4 data-encryption key, bytes
	NoncePrefixSize  = 7        // random per envelope
	TagSize          = 16       // GCM tag per chunk
	DefaultChunkSize = 1 << 20  // plaintext bytes per chunk
	MinChunkSize     = 256      // smallest chunk size a header may declare
	MaxChunkSize     = 4 << 20  // bounds a verifier's memory: the uploader picks the size
	MaxHeaderSize    = 64 << 10 // largest header, bytes
	MaxRecipients    = 16       // most wrapped copies of the DEK
	MaxChunks        = 1 << 32  // the nonce's 4-byte counter
	maxIDLen         = 256      // project, section, bidder ids (UTF-8 bytes)
	maxSchemaLen     = 64
	maxWrappedLen    = 255
	maxSPKILen       = 256
	minSigLen        = 8
	maxSigLen        = 128

	prefixSize  = 15 // magic, version, four algorithm ids, header length
	recordSize  = 5  // chunk flag and ciphertext length
	trailerHead = DigestSize + 1

	commitmentLabel = "TenderHall key commitment v1"
	signatureLabel  = "TenderHall envelope signature v1"
)

// Metadata is the bid's description bound into the signed header.
type Metadata struct {
	Project       string    // project id (1–256 bytes)
	Section       string    // section (标段) id (1–256 bytes)
	Bidder        string    // bidder organisation id (0–256 bytes)
	SealedAt      time.Time // stored in milliseconds since the Unix epoch
	Fingerprint   Digest    // MachineFingerprint of the sealing machine
	SchemaVersion string    // version of the bid form's schema (0–64 bytes)
}

// Recipient is one wrapped copy of the data key.
type Recipient struct {
	KeyID   string // hex SM3 of the recipient's SubjectPublicKeyInfo (PublicKey.ID)
	Wrapped []byte // SM2 ciphertext of the DEK, GM/T 0009 ASN.1
}

// Header is a parsed envelope header. Nothing in it is secret.
type Header struct {
	Version       int
	ChunkSize     int
	NoncePrefix   [NoncePrefixSize]byte
	KeyCommitment Digest
	Signer        *PublicKey // the bidder's key, embedded so that any verifier can check the signature
	Recipients    []Recipient
	Meta          Metadata
	Raw           []byte // the header's exact bytes: the chunks' associated data
}

// Hash returns SM3 of the header's bytes, the value the signature covers.
func (h *Header) Hash() Digest { return sm3Sum(h.Raw) }

// Size returns the header's length in bytes.
func (h *Header) Size() int { return len(h.Raw) }

// Expect lists what a caller requires of an envelope besides integrity. Zero
// fields are not checked. A mismatch is apperr.Invalid with code
// wrong_signer, wrong_project, wrong_section, wrong_bidder or
// missing_recipient.
type Expect struct {
	Signer  *PublicKey // the bidder's registered key; nil trusts the embedded key
	Project string
	Section string
	Bidder  string
	// Recipients are key ids that must each have a slot: a section's
	// escrow key, when it has one (missing_recipient otherwise).
	Recipients []string
}

// check compares the parsed header with the expectations.
func (e Expect) check(h *Header) error {
	switch {
	case e.Project != "" && h.Meta.Project != e.Project:
		return errExpect(CodeWrongProject, "project", h.Meta.Project, e.Project)
	case e.Section != "" && h.Meta.Section != e.Section:
		return errExpect(CodeWrongSection, "section", h.Meta.Section, e.Section)
	case e.Bidder != "" && h.Meta.Bidder != e.Bidder:
		return errExpect(CodeWrongBidder, "bidder", h.Meta.Bidder, e.Bidder)
	case e.Signer != nil && h.Signer.ID != e.Signer.ID:
		return apperr.Newf(apperr.Invalid, "信封由另一把密钥签名（%s），不是预期的 %s",
			"the envelope was signed by another key (%s), not the expected %s", h.Signer.ID, e.Signer.ID).WithCode(CodeWrongSigner)
	}
	return e.checkRecipients(h)
}

// checkRecipients requires a slot for every expected recipient key id.
func (e Expect) checkRecipients(h *Header) error {
	for _, want := range e.Recipients {
		found := false
		for _, r := range h.Recipients {
			found = found || r.KeyID == want
		}
		if !found {
			return apperr.Newf(apperr.Invalid, "信封未向所需的接收方密钥 %s（本标段的托管密钥）封装数据密钥",
				"the envelope does not wrap its data key to the required recipient key %s (the section's escrow key)", want).WithCode(CodeMissingRecipient)
		}
	}
	return nil
}

// keyCommitment binds the DEK to the header: SM3(label ‖ DEK). Without it a
// bidder could wrap two different DEKs for two recipients and have one
// ciphertext open to two different plaintexts.
func keyCommitment(dek []byte) Digest {
	return sm3Sum([]byte(commitmentLabel), dek)
}

// signedMessage is what the bidder signs. The label keeps an envelope
// signature from ever being a valid signature of a login challenge or any
// other message the same key signs.
func signedMessage(headerHash, digest Digest) []byte {
	msg := make([]byte, 0, len(signatureLabel)+2*DigestSize)
	msg = append(msg, signatureLabel...)
	msg = append(msg, headerHash[:]...)
	return append(msg, digest[:]...)
}

// spki returns the DER SubjectPublicKeyInfo of k (the bytes its ID hashes).
func (k *PublicKey) spki() []byte {
	block, _ := pem.Decode([]byte(k.PEM))
	return block.Bytes
}

// publicKeyFromSPKI parses an embedded signer key. Only the canonical
// encoding is accepted, so that one key has one header form.
func publicKeyFromSPKI(der []byte) (*PublicKey, bool) {
	p := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	k, err := ParsePublicKeyPEM(string(p))
	if err != nil || !bytes.Equal(k.spki(), der) {
		return nil, false
	}
	return k, true
}

// keyIDBytes decodes a PublicKey.ID to its 32 raw bytes.
func keyIDBytes(id string) []byte {
	b, _ := hex.DecodeString(id)
	return b
}
