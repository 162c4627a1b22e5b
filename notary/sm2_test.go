package notary

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestSM2SignWrapAndPEM(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("投标文件摘要")
	sig, err := k.Sign(msg)
	if err != nil || !k.Public().Verify(msg, sig) {
		t.Fatalf("sign/verify: %v", err)
	}
	if k.Public().Verify([]byte("other"), sig) {
		t.Fatal("signature verified for another message")
	}
	dek := bytes.Repeat([]byte{0x42}, 16)
	ct, err := k.Public().Encrypt(dek)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Decrypt(ct); err != nil || !bytes.Equal(got, dek) {
		t.Fatalf("unwrap: %x %v", got, err)
	}
	other, _ := GenerateKey()
	if _, err := other.Decrypt(ct); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("wrong key unwrap err = %v", err)
	}

	pemBytes, err := k.MarshalPEM([]byte("口令-password-1"))
	if err != nil || !bytes.Contains(pemBytes, []byte("ENCRYPTED PRIVATE KEY")) {
		t.Fatalf("marshal: %v\n%s", err, pemBytes)
	}
	back, err := ParsePrivateKeyPEM(pemBytes, []byte("口令-password-1"))
	if err != nil || back.Public().ID != k.Public().ID {
		t.Fatalf("parse: %v", err)
	}
	for name, pw := range map[string][]byte{"wrong": []byte("nope"), "missing": nil} {
		_, err := ParsePrivateKeyPEM(pemBytes, pw)
		if !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s password: err = %v", name, err)
		}
	}
}

func TestPlatformKeyIsCreatedOnceWithTightMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "platform.key")
	a, err := LoadOrCreatePlatformKey(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreatePlatformKey(path, nil)
	if err != nil || a.Public().ID != b.Public().ID {
		t.Fatalf("second load gave another key: %v", err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
}
