package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

func code(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.MachineCode()
	}
	return ""
}

// TestKeyFilesInterchange: a key made here is the CLI's format (PKCS#8
// encrypted PEM that notary reads with the password), and a key made the
// CLI's way opens here; a wrong password is wrong_password.
func TestKeyFilesInterchange(t *testing.T) {
	b := newBridge()
	if _, err := b.generateKey("short"); code(err) != "weak_password" {
		t.Fatalf("short password: %v", err)
	}
	made, err := b.generateKey("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	cli, err := notary.ParsePrivateKeyPEM([]byte(made.PrivatePEM), []byte("correct horse"))
	if err != nil || cli.Public().ID != made.KeyID {
		t.Fatalf("the CLI's parser on the browser's key: %v", err)
	}
	if _, err := b.openKey([]byte(made.PrivatePEM), "wrong horse"); code(err) != "wrong_password" {
		t.Fatalf("wrong password: %v", err)
	}
	other, _ := notary.GenerateKey()
	pem, _ := other.MarshalPEM([]byte("cli password"))
	opened, err := b.openKey(pem, "cli password")
	if err != nil || opened.KeyID != other.Public().ID {
		t.Fatalf("CLI key in the browser: %v", err)
	}
	pub, err := b.publicKey(other.Public().PEM)
	if err != nil || pub.KeyID != other.Public().ID {
		t.Fatalf("public key: %v", err)
	}
	sig, err := b.sign(opened.Handle, []byte("challenge"))
	if err != nil || !other.Public().Verify([]byte("challenge"), sig) {
		t.Fatalf("signature: %v", err)
	}
	b.closeKey(opened.Handle)
	if _, err := b.sign(opened.Handle, []byte("x")); code(err) != "key_not_open" {
		t.Fatalf("closed key: %v", err)
	}
}

// TestSealAndUnwrap: the bridge's stream seals an envelope that verifies
// against the bidder's key and metadata; its header's DEK unwraps with the
// bidder's key (and opens the envelope), not with another organisation's.
func TestSealAndUnwrap(t *testing.T) {
	b := newBridge()
	me, _ := b.generateKey("bidder password")
	stranger, _ := b.generateKey("other password")
	h, header, err := b.sealStart(me.Handle, sealRequest{Recipients: []string{me.PublicPEM}, Project: "7", Section: "12",
		Bidder: "3", ChunkSize: 4096, SealedAtMs: time.Now().UnixMilli(),
		Fingerprint: []notary.FingerprintPart{{Name: "userAgent", Value: "test"}}})
	if err != nil {
		t.Fatal(err)
	}
	plaintext := bytes.Repeat([]byte("技术标 commercial bid "), 3000)
	env := append([]byte(nil), header...)
	for off := 0; off < len(plaintext); off += 1000 {
		out, err := b.sealWrite(h, plaintext[off:min(off+1000, len(plaintext))])
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, out...)
	}
	tail, res, err := b.sealClose(h)
	if err != nil {
		t.Fatal(err)
	}
	env = append(env, tail...)
	if res.Size != int64(len(env)) || res.Plaintext != int64(len(plaintext)) {
		t.Fatalf("result %+v for %d bytes", res, len(env))
	}
	if bytes.Contains(env, []byte("commercial bid")) {
		t.Fatal("plaintext in the envelope")
	}
	signer, _ := notary.ParsePublicKeyPEM(me.PublicPEM)
	_, digest, err := notary.VerifyEnvelope(context.Background(), bytes.NewReader(env), notary.Expect{Signer: signer, Section: "12", Bidder: "3"})
	if err != nil || digest.String() != res.Digest {
		t.Fatalf("verify: %v", err)
	}
	dek, err := b.unwrapDEK(me.Handle, header)
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if _, _, err := notary.UnsealWithDEK(context.Background(), &plain, bytes.NewReader(env), dek, notary.Expect{}); err != nil || !bytes.Equal(plain.Bytes(), plaintext) {
		t.Fatalf("unseal with the unwrapped DEK: %v", err)
	}
	if _, err := b.unwrapDEK(stranger.Handle, header); err == nil {
		t.Fatal("another organisation's key unwrapped the DEK")
	}
	if _, err := b.sealWrite(h, []byte("more")); code(err) != "seal_not_open" {
		t.Fatalf("write after close: %v", err)
	}
}
