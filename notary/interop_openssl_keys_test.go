package notary

import (
	"encoding/pem"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/pkcs"
	"github.com/emmansun/gmsm/pkcs8"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Key files between OpenSSL 3.0 and us; the findings are summarised at the
// top of interop_openssl_test.go.

// opensslPublicID asks OpenSSL for the public key of the PEM file name
// (private key, or public with pubin) and returns its key id by our rules.
func opensslPublicID(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out := mustOpenSSL(t, dir, append([]string{"pkey", "-pubout"}, args...)...)
	pub, err := ParsePublicKeyPEM(out)
	if err != nil {
		t.Fatalf("OpenSSL's public key output does not parse: %v\n%s", err, out)
	}
	return pub.ID
}

func TestOpenSSLReadsOurKeys(t *testing.T) {
	dir, k := t.TempDir(), receiptTestKey(t)
	opensslKeyFiles(t, dir, k)
	for name, args := range map[string][]string{
		"public key PEM":         {"-pubin", "-in", "pub.pem"},
		"unencrypted PKCS#8 PEM": {"-in", "key.pem"},
	} {
		if id := opensslPublicID(t, dir, args...); id != k.Public().ID {
			t.Errorf("%s: OpenSSL sees key %s, want %s", name, id, k.Public().ID)
		}
	}
}

// MarshalPEM with a password uses gmsm's SM PBES (GM/T 0091 OIDs). If this
// OpenSSL reads it, it must find our key; if not (3.0 does not), the
// refusal is logged: the interoperable alternative is tested below.
func TestOpenSSLAndOurEncryptedPrivateKey(t *testing.T) {
	dir, k := t.TempDir(), receiptTestKey(t)
	enc, err := k.MarshalPEM([]byte("投标口令 pw-1"))
	if err != nil {
		t.Fatal(err)
	}
	interopWrite(t, dir, "enc.pem", enc)
	interopWrite(t, dir, "pw", []byte("投标口令 pw-1"))
	out, ok := openssl(t, dir, "pkey", "-pubout", "-in", "enc.pem", "-passin", "file:pw")
	if !ok {
		t.Logf("this OpenSSL cannot read MarshalPEM's SM PBES private key (expected on 3.0):\n%s", firstLines(out, 3))
		return
	}
	if pub, err := ParsePublicKeyPEM(out); err != nil || pub.ID != k.Public().ID {
		t.Fatalf("OpenSSL read our encrypted key as another key: %v\n%s", err, out)
	}
	t.Log("this OpenSSL reads MarshalPEM's SM PBES private key")
}

// Standard PBES2 with PBKDF2-HMAC-SHA256 and SM4-CBC is what interoperates.
func TestPBES2WithSM4CBCInteroperates(t *testing.T) {
	dir := t.TempDir()
	pw := []byte("投标口令 pw-2")
	interopWrite(t, dir, "pw", pw)

	t.Run("we read OpenSSL's", func(t *testing.T) {
		mustOpenSSL(t, dir, "genpkey", "-algorithm", "SM2", "-out", "theirs.pem")
		mustOpenSSL(t, dir, "pkcs8", "-topk8", "-in", "theirs.pem", "-v2", "sm4-cbc", "-v2prf", "hmacWithSHA256",
			"-passout", "file:pw", "-out", "theirs-enc.pem")
		want := opensslPublicID(t, dir, "-in", "theirs.pem")
		plain, err := ParsePrivateKeyPEM(interopRead(t, filepath.Join(dir, "theirs.pem")), nil)
		if err != nil || plain.Public().ID != want {
			t.Fatalf("OpenSSL's unencrypted SM2 key: %v", err)
		}
		enc := interopRead(t, filepath.Join(dir, "theirs-enc.pem"))
		got, err := ParsePrivateKeyPEM(enc, pw)
		if err != nil || got.Public().ID != want {
			t.Fatalf("OpenSSL's PBES2/SM4-CBC key: %v", err)
		}
		if _, err := ParsePrivateKeyPEM(enc, []byte("wrong")); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("wrong password: err = %v", err)
		}
		// The round trip a bidder would make: sign with OpenSSL's key, verify here.
		mustOpenSSL(t, dir, "pkey", "-in", "theirs-enc.pem", "-passin", "file:pw", "-out", "key.pem")
		interopWrite(t, dir, "msg", []byte("bid"))
		mustOpenSSL(t, dir, opensslSign["pkeyutl"]...)
		if !got.Public().Verify([]byte("bid"), interopRead(t, filepath.Join(dir, "sig"))) {
			t.Fatal("signature by OpenSSL with the decrypted key does not verify")
		}
	})
	t.Run("OpenSSL reads gmsm's", func(t *testing.T) {
		k := receiptTestKey(t)
		enc := pkcs.NewPBESEncrypter(pkcs.SM4CBC, pkcs.NewPBKDF2Opts(pkcs.SHA256, 16, 10000))
		der, err := pkcs8.MarshalPrivateKey(k.key, pw, enc)
		if err != nil {
			t.Fatal(err)
		}
		interopWrite(t, dir, "ours-enc.pem", pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}))
		if id := opensslPublicID(t, dir, "-in", "ours-enc.pem", "-passin", "file:pw"); id != k.Public().ID {
			t.Fatalf("OpenSSL sees key %s, want %s", id, k.Public().ID)
		}
		back, err := ParsePrivateKeyPEM(interopRead(t, filepath.Join(dir, "ours-enc.pem")), pw)
		if err != nil || back.Public().ID != k.Public().ID {
			t.Fatalf("we do not read it back: %v", err)
		}
	})
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
