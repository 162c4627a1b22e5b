package accounts

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Argon2Params is the cost of an argon2id password hash.
type Argon2Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
}

const (
	saltLen       = 16
	hashLen       = 32
	minPassword   = 10
	maxPassword   = 128
	maxHashMemory = 1 << 22 // 4 GiB in KiB: a stored hash asking for more is corrupt
)

// hashPassword returns the argon2id hash of password in PHC string form,
// $argon2id$v=19$m=...,t=...,p=...$salt$hash, with a fresh random salt.
func hashPassword(password string, p Argon2Params) string {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		panic("accounts: no randomness: " + err.Error())
	}
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, hashLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.Memory, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// verifyPassword reports whether password matches the PHC hash, comparing
// in constant time, and whether the hash was made with parameters other than
// want (so the caller can re-hash it). A malformed hash never matches.
func verifyPassword(password, phc string, want Argon2Params) (ok, stale bool) {
	p, salt, key, err := parsePHC(phc)
	if err != nil {
		return false, false
	}
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, p != want
}

func parsePHC(phc string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, fmt.Errorf("not an argon2id v19 hash")
	}
	if _, err = fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Iterations, &p.Parallelism); err != nil {
		return p, nil, nil, err
	}
	if p.Memory == 0 || p.Memory > maxHashMemory || p.Iterations == 0 || p.Iterations > 64 || p.Parallelism == 0 {
		return p, nil, nil, fmt.Errorf("argon2id parameters out of range")
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, fmt.Errorf("bad salt")
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, fmt.Errorf("bad hash")
	}
	return p, salt, key, nil
}

// CheckPassword applies the password policy: at least 10 characters (at
// most 128), at least one letter and one digit, and not the username. It
// returns apperr.Invalid with a "password" field error, or nil.
func CheckPassword(username, password string) error {
	n := utf8.RuneCountInString(password)
	if n < minPassword {
		return passwordError("至少 10 个字符", "must be at least 10 characters", "too_short")
	}
	if n > maxPassword {
		return passwordError("不能超过 128 个字符", "must be at most 128 characters", "too_long")
	}
	var letter, digit bool
	for _, r := range password {
		letter = letter || unicode.IsLetter(r)
		digit = digit || unicode.IsDigit(r)
	}
	if !letter || !digit {
		return passwordError("必须同时包含字母和数字", "must contain both letters and digits", "letters_and_digits")
	}
	if strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(username)) {
		return passwordError("不能与用户名相同", "must not be the username", "equals_username")
	}
	return nil
}

func passwordError(zh, en, problem string) error {
	return apperr.New(apperr.Invalid, "密码"+zh, "the password "+en).WithField("password", problem).WithCode("weak_password")
}

// dummyHash returns a hash of a random password with the service's
// parameters, made once. Logins for unknown users verify against it so that
// they take as long as logins for real ones.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		tok, _ := newToken()
		s.dummy = hashPassword(tok, s.opts.Argon2)
	})
	return s.dummy
}
