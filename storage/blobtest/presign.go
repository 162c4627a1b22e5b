package blobtest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// presignCases covers presigned download URLs.
func presignCases() []blobCase {
	return []blobCase{
		{"PresignedURLDownloads", testPresignDownload},
		{"PresignedURLTampered", testPresignTampered},
		{"PresignTTLLimits", testPresignTTL},
	}
}

// presignKey has characters that need escaping in a URL path.
const presignKey = "docs/p 1/招标 文件+v2#a?b%c.pdf"

func testPresignDownload(t *testing.T, s storage.Blobs) {
	data := pattern(12, 100_000)
	save(t, s, presignKey, data)
	u, err := s.PresignGet(t.Context(), presignKey, time.Minute)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	status, body := get(t, u)
	if status != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("GET presigned URL: status %d, %d bytes; want 200 and the %d saved", status, len(body), len(data))
	}
}

func testPresignTampered(t *testing.T, s storage.Blobs) {
	save(t, s, presignKey, []byte("secret bid"))
	save(t, s, "docs/other", []byte("another"))
	u, err := s.PresignGet(t.Context(), presignKey, time.Minute)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	if status, _ := get(t, tamperSignature(t, u)); status != http.StatusForbidden {
		t.Errorf("GET with a tampered signature: status %d, want 403", status)
	}
	// The signature of one key must not open another.
	other, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	other.Path = strings.Replace(other.Path, "p 1/招标 文件+v2#a?b%c.pdf", "other", 1)
	other.RawPath = ""
	if status, body := get(t, other.String()); status != http.StatusForbidden {
		t.Errorf("GET of another key with this signature: status %d (%q), want 403", status, body)
	}
}

func testPresignTTL(t *testing.T, s storage.Blobs) {
	save(t, s, "ttl/obj", []byte("x"))
	for _, ttl := range []time.Duration{0, -time.Minute, time.Millisecond, storage.MaxPresignTTL + time.Second} {
		_, err := s.PresignGet(t.Context(), "ttl/obj", ttl)
		wantKind(t, "PresignGet with ttl "+ttl.String(), err, apperr.Invalid)
	}
	for _, ttl := range []time.Duration{time.Second, storage.MaxPresignTTL} {
		if _, err := s.PresignGet(t.Context(), "ttl/obj", ttl); err != nil {
			t.Errorf("PresignGet with ttl %s: %v", ttl, err)
		}
	}
}

// get fetches u and returns the status and body.
func get(t *testing.T, u string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatalf("bad URL %q: %v", u, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading the body: %v", u, err)
	}
	return resp.StatusCode, body
}

// tamperSignature flips the last hex digit of the URL's signature
// parameter: "sig" (FS) or "X-Amz-Signature" (S3).
func tamperSignature(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for name, vals := range q {
		lower := strings.ToLower(name)
		if (lower == "sig" || strings.HasSuffix(lower, "signature")) && len(vals) == 1 && vals[0] != "" {
			v := []byte(vals[0])
			if v[len(v)-1] == '0' {
				v[len(v)-1] = '1'
			} else {
				v[len(v)-1] = '0'
			}
			q.Set(name, string(v))
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	t.Fatalf("no signature parameter in %s", raw)
	return ""
}
