package storage_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// blobSecret is a fixed 32-byte signing key for the presign tests.
var blobSecret = []byte("0123456789abcdef0123456789abcdef")

// blobPresigned saves key in s and returns the parsed URL PresignGet makes
// for it, with its expires and sig parameters.
func blobPresigned(t *testing.T, s *storage.FS, key string, ttl time.Duration) (*url.URL, int64, string) {
	t.Helper()
	if _, err := s.Save(t.Context(), key, bytes.NewReader([]byte("bid")), 3); err != nil {
		t.Fatal(err)
	}
	raw, err := s.PresignGet(t.Context(), key, ttl)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("PresignGet gave a bad URL %q: %v", raw, err)
	}
	expires, err := strconv.ParseInt(u.Query().Get("expires"), 10, 64)
	if err != nil {
		t.Fatalf("PresignGet URL %q has no expires: %v", raw, err)
	}
	return u, expires, u.Query().Get("sig")
}

func TestBlobFSPresignFormat(t *testing.T) {
	s, err := storage.NewFS(t.TempDir(), storage.PresignConfig{BaseURL: "https://bid.example.gov.cn/", Secret: blobSecret})
	if err != nil {
		t.Fatal(err)
	}
	const key = "bids/s 1/b.the"
	before := time.Now()
	u, expires, sig := blobPresigned(t, s, key, 10*time.Minute)
	if want := "https://bid.example.gov.cn/api/v1/blobs/bids/s%201/b.the"; !strings.HasPrefix(u.String(), want+"?") {
		t.Errorf("URL = %s, want it to start with %s?", u, want)
	}
	if lo, hi := before.Add(10*time.Minute).Unix()-1, time.Now().Add(10*time.Minute).Unix(); expires < lo || expires > hi {
		t.Errorf("expires = %d, want within [%d, %d]", expires, lo, hi)
	}
	mac := hmac.New(sha256.New, blobSecret)
	mac.Write([]byte(key + "\n" + strconv.FormatInt(expires, 10)))
	if want := hex.EncodeToString(mac.Sum(nil)); sig != want {
		t.Errorf("sig = %s, want hex HMAC-SHA256(secret, key+\"\\n\"+expires) = %s", sig, want)
	}
}

func TestBlobFSVerifyPresigned(t *testing.T) {
	s, err := storage.NewFS(t.TempDir(), storage.PresignConfig{Secret: blobSecret})
	if err != nil {
		t.Fatal(err)
	}
	const key = "docs/p/tender.pdf"
	_, expires, sig := blobPresigned(t, s, key, time.Minute)
	now := time.Now()
	flipped := []byte(sig)
	if flipped[0] = '0'; sig[0] == '0' { // still hex, now wrong
		flipped[0] = '1'
	}
	for _, tc := range []struct {
		name    string
		key     string
		expires int64
		sig     string
		now     time.Time
		want    apperr.Kind // Internal: no error
	}{
		{"valid", key, expires, sig, now, apperr.Internal},
		{"valid at the last second", key, expires, sig, time.Unix(expires, 999e6), apperr.Internal},
		{"expired", key, expires, sig, time.Unix(expires+1, 0), apperr.TooLate},
		{"tampered sig", key, expires, string(flipped), now, apperr.Forbidden},
		{"tampered and expired", key, expires, string(flipped), time.Unix(expires+1, 0), apperr.Forbidden},
		{"not hex", key, expires, "zz" + sig[2:], now, apperr.Forbidden},
		{"empty sig", key, expires, "", now, apperr.Forbidden},
		{"extended expiry", key, expires + 3600, sig, now, apperr.Forbidden},
		{"other key", "docs/p/other.pdf", expires, sig, now, apperr.Forbidden},
		{"invalid key", "../etc/passwd", expires, sig, now, apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.VerifyPresigned(tc.key, tc.expires, tc.sig, tc.now)
			switch {
			case tc.want == apperr.Internal && err != nil:
				t.Fatalf("VerifyPresigned: %v, want nil", err)
			case tc.want != apperr.Internal && !apperr.Is(err, tc.want):
				t.Fatalf("VerifyPresigned: %v, want kind %v", err, tc.want)
			}
		})
	}
}

// Replicas sharing a configured secret accept each other's URLs; a
// generated secret is private to its store.
func TestBlobFSPresignSecrets(t *testing.T) {
	root := t.TempDir()
	open := func(secret []byte) *storage.FS {
		s, err := storage.NewFS(root, storage.PresignConfig{Secret: secret})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := open(blobSecret), open(blobSecret)
	_, expires, sig := blobPresigned(t, a, "k", time.Minute)
	if err := b.VerifyPresigned("k", expires, sig, time.Now()); err != nil {
		t.Errorf("replica with the same secret rejects the URL: %v", err)
	}
	g1, g2 := open(nil), open(nil)
	_, expires, sig = blobPresigned(t, g1, "k", time.Minute)
	if err := g1.VerifyPresigned("k", expires, sig, time.Now()); err != nil {
		t.Errorf("generated secret: own URL rejected: %v", err)
	}
	if err := g2.VerifyPresigned("k", expires, sig, time.Now()); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("another generated secret accepts the URL: %v, want Forbidden", err)
	}
}
