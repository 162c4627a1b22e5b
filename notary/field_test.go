package notary

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestFieldCipherRoundTripAndBinding(t *testing.T) {
	key := bytes.Repeat([]byte{7}, FieldKeySize)
	f, err := NewFieldCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := f.Seal([]byte("13800138000"), "experts.phone:1")
	if strings.Contains(sealed, "13800138000") {
		t.Fatal("plaintext visible in sealed value")
	}
	got, err := f.Open(sealed, "experts.phone:1")
	if err != nil || string(got) != "13800138000" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if again := f.Seal([]byte("13800138000"), "experts.phone:1"); again == sealed {
		t.Fatal("two seals of one value are equal: nonce reused")
	}
	cases := map[string]string{
		"other label": sealed,
		"tampered":    sealed[:len(sealed)-2] + flip(sealed[len(sealed)-2:]),
		"no prefix":   strings.TrimPrefix(sealed, fieldPrefix),
		"short":       fieldPrefix + "AAAA",
	}
	for name, v := range cases {
		label := "experts.phone:1"
		if name == "other label" {
			label = "experts.phone:2"
		}
		if _, err := f.Open(v, label); !apperr.Is(err, apperr.Internal) {
			t.Errorf("%s: Open err = %v, want Internal", name, err)
		}
	}
	other, _ := NewFieldCipher(bytes.Repeat([]byte{8}, FieldKeySize))
	if _, err := other.Open(sealed, "experts.phone:1"); err == nil {
		t.Error("a value opened under another key")
	}
}

func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestFieldCipherKeySize(t *testing.T) {
	if _, err := NewFieldCipher(make([]byte, 15)); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("err = %v, want Invalid", err)
	}
}
