package accounts

import (
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		user, pw, problem string
	}{
		{"alice", "correct-horse-42", ""},
		{"alice", "密码很长很长的密码12345", ""},
		{"alice", "Short1abc", "too_short"},
		{"alice", "abcdefghijkl", "letters_and_digits"},
		{"alice", "123456789012", "letters_and_digits"},
		{"alice", "!!!!!!!!!!1!", "letters_and_digits"},
		{"alice2026x", "alice2026x", "equals_username"},
		{"alice2026x", "ALICE2026X", "equals_username"},
		{"alice", strings.Repeat("a1", 65), "too_long"},
	}
	for _, tt := range tests {
		err := CheckPassword(tt.user, tt.pw)
		if tt.problem == "" {
			if err != nil {
				t.Errorf("CheckPassword(%q) = %v", tt.pw, err)
			}
			continue
		}
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.Invalid || ae.Fields["password"] != tt.problem {
			t.Errorf("CheckPassword(%q) = %v, want password=%s", tt.pw, err, tt.problem)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	p := testOptions.Argon2
	h1, h2 := hashPassword("correct-horse-42", p), hashPassword("correct-horse-42", p)
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=1024,t=1,p=1$") || h1 == h2 {
		t.Fatalf("hashes %s / %s: want PHC argon2id with distinct salts", h1, h2)
	}
	if ok, stale := verifyPassword("correct-horse-42", h1, p); !ok || stale {
		t.Errorf("verify right password: ok=%v stale=%v", ok, stale)
	}
	if ok, _ := verifyPassword("correct-horse-43", h1, p); ok {
		t.Error("wrong password verified")
	}
	if ok, stale := verifyPassword("correct-horse-42", h1, DefaultOptions().Argon2); !ok || !stale {
		t.Error("hash with old parameters not reported stale")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"} {
		if ok, _ := verifyPassword("x", bad, p); ok {
			t.Errorf("malformed hash %q verified", bad)
		}
	}
	d := DefaultOptions().Argon2
	if d.Memory != 64*1024 || d.Iterations != 1 || d.Parallelism != 2 {
		t.Errorf("production argon2 defaults = %+v", d)
	}
}

// TestDummyHash checks that logins for unknown users verify against a hash
// made with the service's own parameters, so they cost the same.
func TestDummyHash(t *testing.T) {
	s := New(nil, nil, nil, nil, testOptions)
	p, _, _, err := parsePHC(s.dummyHash())
	if err != nil || p != testOptions.Argon2 || s.dummyHash() != s.dummyHash() {
		t.Fatalf("dummy hash %q: params %+v err %v", s.dummyHash(), p, err)
	}
}
