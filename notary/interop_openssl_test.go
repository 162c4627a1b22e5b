package notary

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Interoperability with the OpenSSL command line (checked with OpenSSL
// 3.0.19, the machine's /usr/bin/openssl). What we found on that version:
//
//   - SM2 keys: OpenSSL reads our public key PEM and our unencrypted PKCS#8
//     private key, and we read its `genpkey -algorithm SM2` keys.
//   - Wrapping: `pkeyutl -encrypt/-decrypt` speaks exactly our GM/T 0009
//     ASN.1 ciphertext (SEQUENCE{x, y, C3, C2}), both ways, no options.
//   - Signatures: OpenSSL's SM2 distinguishing ID does NOT default to the
//     standard "1234567812345678" on 3.0 (without it, it uses an empty ID
//     and neither side's signatures verify on the other). It must be given:
//     pkeyutl: -rawin -digest sm3 -pkeyopt distid:1234567812345678
//     dgst:    -sm3 -sigopt distid:1234567812345678
//     (-rawin is needed because SM2 hashes ZA ‖ message itself).
//   - Encrypted private keys: OpenSSL 3.0 cannot read the PEM MarshalPEM
//     writes with a password, which uses the GM/T 0091 OIDs of gmsm's SM
//     PBES (1.2.156.10197.6.4.1.5.2, PBKDF 1.2.156.10197.6.4.1.5.1, PRF
//     hmacWithSM3 1.2.156.10197.1.401.2): "unknown pbe algorithm". Nor the
//     standard PBES2 OID with the hmacWithSM3 PRF ("unsupported prf").
//     What does interoperate, both ways, is standard PBES2 (PKCS#5 v2.1)
//     with PBKDF2-HMAC-SHA256 and SM4-CBC: `openssl pkcs8 -topk8 -v2
//     sm4-cbc -v2prf hmacWithSHA256` writes it, ParsePrivateKeyPEM reads
//     it, and gmsm can write it for OpenSSL to read.
//
// Passwords go to OpenSSL through -passin/-passout file: so that they never
// appear in a process list, as a bidder's should not.

// opensslBin returns the openssl binary. Without one the test is skipped,
// except under CI=true, where OpenSSL is part of the machine and its absence
// is a failure.
func opensslBin(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl not found on PATH, and CI=true: the interop tests must run in CI")
		}
		t.Skip("openssl not found on PATH")
	}
	return p
}

// openssl runs the openssl command in dir and returns its combined output
// and whether it exited 0.
func openssl(t *testing.T, dir string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(opensslBin(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Fatalf("openssl %v: %v", args, err)
	}
	return string(out), err == nil
}

// mustOpenSSL is openssl that fails the test on a non-zero exit.
func mustOpenSSL(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, ok := openssl(t, dir, args...)
	if !ok {
		t.Fatalf("openssl %s failed:\n%s", strings.Join(args, " "), out)
	}
	return out
}

func interopWrite(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func interopRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// opensslKeyFiles writes k as key.pem (unencrypted PKCS#8) and pub.pem.
func opensslKeyFiles(t *testing.T, dir string, k *PrivateKey) {
	t.Helper()
	plain, err := k.MarshalPEM(nil)
	if err != nil {
		t.Fatal(err)
	}
	interopWrite(t, dir, "key.pem", plain)
	interopWrite(t, dir, "pub.pem", []byte(k.Public().PEM))
}

func interopDEK(t *testing.T) []byte {
	t.Helper()
	dek := make([]byte, 16)
	if _, err := rand.Read(dek); err != nil {
		t.Fatal(err)
	}
	return dek
}

func TestOpenSSLWrapsAndUnwrapsDEKs(t *testing.T) {
	dir, k := t.TempDir(), receiptTestKey(t)
	opensslKeyFiles(t, dir, k)
	dek := interopDEK(t)

	t.Run("OpenSSL unwraps ours", func(t *testing.T) {
		ct, err := k.Public().Encrypt(dek)
		if err != nil {
			t.Fatal(err)
		}
		interopWrite(t, dir, "ours.der", ct)
		mustOpenSSL(t, dir, "pkeyutl", "-decrypt", "-inkey", "key.pem", "-in", "ours.der", "-out", "ours.dek")
		if got := interopRead(t, filepath.Join(dir, "ours.dek")); !bytes.Equal(got, dek) {
			t.Fatalf("OpenSSL unwrapped %x, want %x", got, dek)
		}
	})
	t.Run("we unwrap OpenSSL's", func(t *testing.T) {
		interopWrite(t, dir, "dek.bin", dek)
		mustOpenSSL(t, dir, "pkeyutl", "-encrypt", "-pubin", "-inkey", "pub.pem", "-in", "dek.bin", "-out", "theirs.der")
		ct := interopRead(t, filepath.Join(dir, "theirs.der"))
		if len(ct) == 0 || ct[0] != 0x30 {
			t.Fatalf("OpenSSL's ciphertext is not an ASN.1 SEQUENCE: %x", ct)
		}
		got, err := k.Decrypt(ct)
		if err != nil || !bytes.Equal(got, dek) {
			t.Fatalf("Decrypt = %x, %v; want %x", got, err, dek)
		}
	})
}

// The two OpenSSL command forms that sign and verify SM2 with the standard ID.
var (
	opensslSign = map[string][]string{
		"pkeyutl": {"pkeyutl", "-sign", "-inkey", "key.pem", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in", "msg", "-out", "sig"},
		"dgst":    {"dgst", "-sm3", "-sign", "key.pem", "-sigopt", "distid:1234567812345678", "-out", "sig", "msg"},
	}
	opensslVerify = map[string][]string{
		"pkeyutl": {"pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-in", "msg", "-sigfile", "sig"},
		"dgst":    {"dgst", "-sm3", "-verify", "pub.pem", "-sigopt", "distid:1234567812345678", "-signature", "sig", "msg"},
	}
)

func TestOpenSSLVerifiesOurSignatures(t *testing.T) {
	dir, k := t.TempDir(), receiptTestKey(t)
	opensslKeyFiles(t, dir, k)
	msg := []byte("投标文件 header ‖ ciphertext digest")
	sig, err := k.Sign(msg)
	if err != nil {
		t.Fatal(err)
	}
	interopWrite(t, dir, "sig", sig)
	for name, args := range opensslVerify {
		t.Run(name, func(t *testing.T) {
			interopWrite(t, dir, "msg", msg)
			mustOpenSSL(t, dir, args...)
			interopWrite(t, dir, "msg", append(bytes.Clone(msg), '!'))
			if out, ok := openssl(t, dir, args...); ok {
				t.Fatalf("OpenSSL verified our signature of another message:\n%s", out)
			}
		})
	}
	// Without distid OpenSSL 3.0 hashes an empty ID; logged, not asserted,
	// since another OpenSSL may default to the standard ID.
	interopWrite(t, dir, "msg", msg)
	_, ok := openssl(t, dir, "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-digest", "sm3", "-in", "msg", "-sigfile", "sig")
	t.Logf("OpenSSL without -pkeyopt distid verifies a standard-ID signature: %v", ok)
}

func TestWeVerifyOpenSSLSignatures(t *testing.T) {
	dir, k := t.TempDir(), receiptTestKey(t)
	opensslKeyFiles(t, dir, k)
	msg := []byte("signed tree head 42")
	interopWrite(t, dir, "msg", msg)
	for name, args := range opensslSign {
		t.Run(name, func(t *testing.T) {
			mustOpenSSL(t, dir, args...)
			sig := interopRead(t, filepath.Join(dir, "sig"))
			if !k.Public().Verify(msg, sig) {
				t.Fatalf("OpenSSL's signature %x does not verify", sig)
			}
			if k.Public().Verify([]byte("signed tree head 43"), sig) {
				t.Fatal("OpenSSL's signature verified for another message")
			}
		})
	}
}

// The receipt vector checks with OpenSSL alone, as the receipt format's
// documentation promises an auditor: canonical bytes, DER signature, the
// platform's public key and the standard ID.
func TestOpenSSLVerifiesTheReceiptVector(t *testing.T) {
	s, err := ParseReceipt(interopRead(t, "testdata/receipt_v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	canonical, _ := s.Receipt.Canonical()
	interopWrite(t, dir, "msg", canonical)
	interopWrite(t, dir, "sig", s.Signature)
	interopWrite(t, dir, "pub.pem", interopRead(t, "testdata/receipt_v1.pub"))
	mustOpenSSL(t, dir, opensslVerify["pkeyutl"]...)
	interopWrite(t, dir, "msg", bytes.Replace(canonical, []byte(`"logIndex":4711`), []byte(`"logIndex":4712`), 1))
	if out, ok := openssl(t, dir, opensslVerify["pkeyutl"]...); ok {
		t.Fatalf("OpenSSL verified a tampered receipt:\n%s", out)
	}
}
