package notary

import (
	"encoding/hex"
	"strings"
)

// vectorFile is the JSON of testdata/envelope-v1-vectors.json, written for
// other implementations: every input (keys by file), every intermediate
// value FORMAT.md defines, and the expected envelope (hex, in its own file).
type vectorFile struct {
	Format  string            `json:"format"`
	Notes   []string          `json:"notes"`
	Keys    map[string]string `json:"keys"`
	Vectors []vectorJSON      `json:"vectors"`
}

type vectorJSON struct {
	Name          string            `json:"name"`
	ChunkSize     int               `json:"chunk_size"`
	DEK           string            `json:"dek"`
	NoncePrefix   string            `json:"nonce_prefix"`
	Project       string            `json:"project"`
	Section       string            `json:"section"`
	Bidder        string            `json:"bidder"`
	SealedAtMs    int64             `json:"sealed_at_ms"`
	Fingerprint   string            `json:"fingerprint_sm3"`
	SchemaVersion string            `json:"schema_version"`
	Plaintext     string            `json:"plaintext_hex"`
	Signer        string            `json:"signer"`
	Recipients    []vectorRecipient `json:"recipients"`
	Signature     string            `json:"signature_der"`

	KeyCommitment string   `json:"expect_key_commitment"`
	HeaderLength  int      `json:"expect_header_length"`
	HeaderSM3     string   `json:"expect_header_sm3"`
	Nonces        []string `json:"expect_chunk_nonces"`
	Leaves        []string `json:"expect_chunk_leaf_hashes"`
	Digest        string   `json:"expect_digest"`
	SignedMessage string   `json:"expect_signed_message"`
	EnvelopeSize  int      `json:"expect_envelope_size"`
	EnvelopeSM3   string   `json:"expect_envelope_sm3"`
	EnvelopeFile  string   `json:"expect_envelope_file"`
}

type vectorRecipient struct {
	Key     string `json:"key"`
	KeyID   string `json:"key_id"`
	Wrapped string `json:"wrapped_dek_der"`
}

func newVectorFile() vectorFile {
	return vectorFile{
		Format: "TenderHall sealed-bid envelope, version 1 (notary/FORMAT.md)",
		Notes: []string{
			"All binary values are lower-case hex. Keys are PKCS#8 PEM files (unencrypted: test keys only) beside this file.",
			"SM2 encryption and signatures are randomised: wrapped_dek_der and signature_der are inputs, not outputs. Check that each wrapped DEK decrypts to dek with its key and that the signature verifies (user id 1234567812345678) over expect_signed_message with the signer's public key.",
			"Everything else is deterministic from the inputs: an implementation sealing with the same dek, nonce_prefix, metadata, wrapped keys and signature must produce expect_envelope_file byte for byte.",
		},
		Keys: map[string]string{"bidder": "envelope-v1-bidder.key", "escrow": "envelope-v1-escrow.key"},
	}
}

// describeVector records a sealed vector's inputs and derived values.
func describeVector(spec vectorSpec, res *SealResult, env []byte) vectorJSON {
	h := res.Header
	v := vectorJSON{Name: spec.name, ChunkSize: h.ChunkSize, DEK: hex.EncodeToString(vectorDEK),
		NoncePrefix: hex.EncodeToString(h.NoncePrefix[:]), Project: h.Meta.Project, Section: h.Meta.Section,
		Bidder: h.Meta.Bidder, SealedAtMs: h.Meta.SealedAt.UnixMilli(), Fingerprint: h.Meta.Fingerprint.String(),
		SchemaVersion: h.Meta.SchemaVersion, Plaintext: hex.EncodeToString(spec.plaintext), Signer: "bidder",
		KeyCommitment: h.KeyCommitment.String(), HeaderLength: h.Size(), HeaderSM3: h.Hash().String(),
		Digest: res.Digest.String(), SignedMessage: hex.EncodeToString(signedMessage(h.Hash(), res.Digest)),
		EnvelopeSize: len(env), EnvelopeSM3: sm3Sum(env).String(), EnvelopeFile: "envelope-v1-" + spec.name + ".hex"}
	for i, r := range h.Recipients {
		v.Recipients = append(v.Recipients, vectorRecipient{Key: []string{"bidder", "escrow"}[i], KeyID: r.KeyID, Wrapped: hex.EncodeToString(r.Wrapped)})
	}
	off := h.Size()
	for i := uint64(0); i < res.Chunks; i++ {
		n := int(env[off+1])<<24 | int(env[off+2])<<16 | int(env[off+3])<<8 | int(env[off+4])
		nonce := chunkNonce(h.NoncePrefix, i, i == res.Chunks-1)
		v.Nonces = append(v.Nonces, hex.EncodeToString(nonce[:]))
		v.Leaves = append(v.Leaves, leafHash(env[off+recordSize:off+recordSize+n]).String())
		off += recordSize + n
	}
	sigLen := int(env[off+DigestSize])
	v.Signature = hex.EncodeToString(env[off+trailerHead : off+trailerHead+sigLen])
	return v
}

// wrapHex formats bytes as hex, 32 bytes a line.
func wrapHex(b []byte) string {
	var s strings.Builder
	for i := 0; i < len(b); i += 32 {
		s.WriteString(hex.EncodeToString(b[i:min(i+32, len(b))]))
		s.WriteByte('\n')
	}
	return s.String()
}
