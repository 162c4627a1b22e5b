package storage

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// FSBlobPath is the URL path under which the HTTP layer serves FS presigned
// downloads: PresignGet returns BaseURL + FSBlobPath + <escaped key>.
const FSBlobPath = "/api/v1/blobs/"

// minPresignSecret is the shortest HMAC key accepted: 256 bits, the size of
// the SHA-256 output, below which the key is the weak point.
const minPresignSecret = 32

// PresignConfig tells FS how to build presigned download URLs.
type PresignConfig struct {
	// BaseURL is the public origin of the service, e.g.
	// "https://bid.example.gov.cn"; empty gives a site-relative URL.
	BaseURL string
	// Secret is the HMAC-SHA256 key, at least 32 random bytes. Empty: NewFS
	// generates one, so URLs stop working at a restart and differ between
	// replicas — configure it whenever more than one process serves URLs.
	Secret []byte
}

// normalize checks the secret (generating one when empty) and trims the
// base URL, returning a copy that shares nothing with the caller's slice.
func (c PresignConfig) normalize() (PresignConfig, error) {
	out := PresignConfig{BaseURL: strings.TrimRight(c.BaseURL, "/")}
	switch {
	case len(c.Secret) == 0:
		out.Secret = make([]byte, minPresignSecret)
		_, _ = rand.Read(out.Secret) // crypto/rand.Read never fails (Go ≥ 1.24)
	case len(c.Secret) < minPresignSecret:
		return PresignConfig{}, apperr.New(apperr.Invalid,
			"下载链接签名密钥至少需要 32 字节", "the download-link signing secret must be at least 32 bytes")
	default:
		out.Secret = append([]byte(nil), c.Secret...)
	}
	return out, nil
}

// PresignGet implements Blobs.PresignGet. The URL is BaseURL + FSBlobPath +
// the key (each segment path-escaped) + "?expires=<unix seconds>&sig=<hex
// HMAC-SHA256(secret, key + "\n" + expires)>"; the HTTP layer checks it
// with VerifyPresigned before serving the object.
func (s *FS) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := ValidateBlobKey(key); err != nil {
		return "", err
	}
	if err := checkBlobTTL(ttl); err != nil {
		return "", err
	}
	// A link to nothing would only fail later, in someone's browser.
	if _, err := s.Stat(ctx, key); err != nil {
		return "", err
	}
	expires := time.Now().Add(ttl).Unix()
	q := url.Values{}
	q.Set("expires", strconv.FormatInt(expires, 10))
	q.Set("sig", hex.EncodeToString(s.sign(key, expires)))
	return s.presign.BaseURL + FSBlobPath + escapeBlobKey(key) + "?" + q.Encode(), nil
}

// VerifyPresigned checks the expires and sig query parameters of a URL made
// by PresignGet for key, at time now. The signature is checked first, so a
// forged URL is Forbidden whatever its expiry. Errors: Invalid (bad key),
// Forbidden (the signature does not match), TooLate (now is after expires).
func (s *FS) VerifyPresigned(key string, expires int64, sig string, now time.Time) error {
	if err := ValidateBlobKey(key); err != nil {
		return err
	}
	got, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.sign(key, expires)) {
		return apperr.New(apperr.Forbidden,
			"下载链接签名无效", "the download link's signature is not valid").WithCode("bad_blob_signature")
	}
	if now.Unix() > expires {
		return apperr.New(apperr.TooLate,
			"下载链接已过期，请重新获取", "the download link has expired; request a new one").WithCode("blob_link_expired")
	}
	return nil
}

// sign computes the URL signature of key until expires. The newline cannot
// occur in a key, so no two (key, expires) pairs share a message.
func (s *FS) sign(key string, expires int64) []byte {
	m := hmac.New(sha256.New, s.presign.Secret)
	m.Write([]byte(key + "\n" + strconv.FormatInt(expires, 10)))
	return m.Sum(nil)
}

// escapeBlobKey path-escapes each segment of key, keeping the slashes.
func escapeBlobKey(key string) string {
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
