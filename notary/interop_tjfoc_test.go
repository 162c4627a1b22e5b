package notary

import (
	"bytes"
	"crypto/rand"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/emmansun/gmsm/sm2"
	tjsm2 "github.com/tjfoc/gmsm/sm2"
	tjx509 "github.com/tjfoc/gmsm/x509"
)

// Interoperability with github.com/tjfoc/gmsm v1.4.1, a test-only peer
// widely used in Chinese Go projects. Things to mind with it:
//
//   - Its EncryptAsn1/DecryptAsn1 use the same GM/T 0009 ASN.1 ciphertext
//     as ours (SEQUENCE{x, y, C3, C2}), so wrapped DEKs pass as they are.
//   - Its raw Encrypt/Decrypt take a mode: C1C3C2 (0, the current
//     standard's order, 0x04-prefixed) or C1C2C3 (1, the 2010 draft's).
//     A raw C1C3C2 ciphertext opens with our Decrypt; a C1C2C3 one must be
//     reordered first (gmsm's AdjustCiphertextSplicingOrder). Decrypting
//     with the wrong mode fails on the C3 check.
//   - Sign/Verify on its keys use the standard user ID 1234567812345678,
//     as ours do, with ASN.1 DER signatures.
//   - It reads our public key PEM and unencrypted PKCS#8 private key; its
//     encrypted PKCS#8 knows only AES-CBC, not our SM4 PBES.

// tjfocKeys converts k to tjfoc's types through the PEM files we write.
func tjfocKeys(t *testing.T, k *PrivateKey) (*tjsm2.PrivateKey, *tjsm2.PublicKey) {
	t.Helper()
	plain, err := k.MarshalPEM(nil)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := tjx509.ReadPrivateKeyFromPem(plain, nil)
	if err != nil {
		t.Fatalf("tjfoc cannot read our PKCS#8 private key: %v", err)
	}
	pub, err := tjx509.ReadPublicKeyFromPem([]byte(k.Public().PEM))
	if err != nil {
		t.Fatalf("tjfoc cannot read our public key: %v", err)
	}
	if priv.X.Cmp(pub.X) != 0 || priv.Y.Cmp(pub.Y) != 0 || pub.X.Cmp(k.Public().key.X) != 0 {
		t.Fatal("tjfoc's keys do not match ours")
	}
	return priv, pub
}

func TestTjfocUnwrapsOurDEK(t *testing.T) {
	k := receiptTestKey(t)
	tpriv, _ := tjfocKeys(t, k)
	dek := interopDEK(t)
	ct, err := k.Public().Encrypt(dek)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tjsm2.DecryptAsn1(tpriv, ct); err != nil || !bytes.Equal(got, dek) {
		t.Fatalf("tjfoc DecryptAsn1 = %x, %v; want %x", got, err, dek)
	}
	c1c3c2, err := sm2.ASN1Ciphertext2Plain(ct, sm2.NewPlainEncrypterOpts(sm2.MarshalUncompressed, sm2.C1C3C2))
	if err != nil {
		t.Fatal(err)
	}
	c1c2c3, err := sm2.ASN1Ciphertext2Plain(ct, sm2.NewPlainEncrypterOpts(sm2.MarshalUncompressed, sm2.C1C2C3))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		ct   []byte
		mode int
		ok   bool
	}{
		{"raw C1C3C2", c1c3c2, tjsm2.C1C3C2, true},
		{"raw C1C2C3", c1c2c3, tjsm2.C1C2C3, true},
		{"C1C3C2 read as C1C2C3", c1c3c2, tjsm2.C1C2C3, false},
		{"C1C2C3 read as C1C3C2", c1c2c3, tjsm2.C1C3C2, false},
	}
	for _, c := range cases {
		got, err := tjsm2.Decrypt(tpriv, c.ct, c.mode)
		if ok := err == nil && bytes.Equal(got, dek); ok != c.ok {
			t.Errorf("%s: tjfoc Decrypt = %x, %v; want success %v", c.name, got, err, c.ok)
		}
	}
}

func TestWeUnwrapTjfocDEK(t *testing.T) {
	k := receiptTestKey(t)
	_, tpub := tjfocKeys(t, k)
	dek := interopDEK(t)
	asn1CT, err := tjsm2.EncryptAsn1(tpub, dek, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rawC1C3C2, err := tjsm2.Encrypt(tpub, dek, rand.Reader, tjsm2.C1C3C2)
	if err != nil {
		t.Fatal(err)
	}
	rawC1C2C3, err := tjsm2.Encrypt(tpub, dek, rand.Reader, tjsm2.C1C2C3)
	if err != nil {
		t.Fatal(err)
	}
	reordered, err := sm2.AdjustCiphertextSplicingOrder(rawC1C2C3, sm2.C1C2C3, sm2.C1C3C2)
	if err != nil {
		t.Fatal(err)
	}
	for name, ct := range map[string][]byte{"ASN.1": asn1CT, "raw C1C3C2": rawC1C3C2, "C1C2C3 reordered": reordered} {
		if got, err := k.Decrypt(ct); err != nil || !bytes.Equal(got, dek) {
			t.Errorf("%s: Decrypt = %x, %v; want %x", name, got, err, dek)
		}
	}
	if _, err := k.Decrypt(rawC1C2C3); err == nil {
		t.Error("a C1C2C3 ciphertext opened without reordering")
	}
}

func TestTjfocVerifiesOurSignatures(t *testing.T) {
	k := receiptTestKey(t)
	_, tpub := tjfocKeys(t, k)
	msg := []byte("投标文件 header ‖ ciphertext digest")
	sig, err := k.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	if !tpub.Verify(msg, sig) {
		t.Fatal("tjfoc does not verify our signature")
	}
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) != 0 {
		t.Fatalf("our signature is not one DER SEQUENCE{r, s}: %v", err)
	}
	if !tjsm2.Sm2Verify(tpub, msg, []byte("1234567812345678"), rs.R, rs.S) {
		t.Fatal("tjfoc does not verify our signature with the explicit standard user ID")
	}
	if tpub.Verify([]byte("another bid"), sig) {
		t.Fatal("tjfoc verified our signature for another message")
	}
	s, err := SignReceipt(k, sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	canonical, _ := s.Receipt.Canonical()
	if !tpub.Verify(canonical, s.Signature) {
		t.Fatal("tjfoc does not verify a receipt signature over the canonical form")
	}
}

func TestWeVerifyTjfocSignatures(t *testing.T) {
	k := receiptTestKey(t)
	tpriv, _ := tjfocKeys(t, k)
	msg := []byte("signed tree head 42")
	sig, err := tpriv.Sign(rand.Reader, msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, s, err := tjsm2.Sm2Sign(tpriv, msg, []byte("1234567812345678"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	explicit, _ := asn1.Marshal(struct{ R, S *big.Int }{r, s})
	for name, sig := range map[string][]byte{"Sign": sig, "Sm2Sign with the standard ID": explicit} {
		if !k.Public().Verify(msg, sig) {
			t.Errorf("%s: tjfoc's signature does not verify", name)
		}
		if k.Public().Verify([]byte("signed tree head 43"), sig) {
			t.Errorf("%s: tjfoc's signature verified for another message", name)
		}
	}
}
