package blobtest

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// MiB is a mebibyte, for readable sizes.
const MiB = 1 << 20

// errInjected is the failure the test readers inject.
var errInjected = errors.New("blobtest: injected reader failure")

// save stores data under key with its exact size and checks the answer.
func save(t *testing.T, s storage.Blobs, key string, data []byte) storage.BlobInfo {
	t.Helper()
	info, err := s.Save(t.Context(), key, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("Save(%q, %d bytes): %v", key, len(data), err)
	}
	if info.Key != key || info.Size != int64(len(data)) {
		t.Fatalf("Save(%q) = %+v, want key %q size %d", key, info, key, len(data))
	}
	return info
}

// read returns length bytes of key from offset (length < 0: to the end).
func read(t *testing.T, s storage.Blobs, key string, offset, length int64) []byte {
	t.Helper()
	rc, err := s.Open(t.Context(), key, offset, length)
	if err != nil {
		t.Fatalf("Open(%q, %d, %d): %v", key, offset, length, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	return got
}

// wantKind fails unless err carries kind k.
func wantKind(t *testing.T, what string, err error, k apperr.Kind) {
	t.Helper()
	if !apperr.Is(err, k) {
		t.Fatalf("%s: got error %v (kind %v), want kind %v", what, err, apperr.KindOf(err), k)
	}
}

// wantAbsent fails unless key is missing: Stat says NotFound.
func wantAbsent(t *testing.T, s storage.Blobs, key string) {
	t.Helper()
	_, err := s.Stat(t.Context(), key)
	wantKind(t, "Stat("+key+")", err, apperr.NotFound)
}

// wantContent fails unless key holds exactly data.
func wantContent(t *testing.T, s storage.Blobs, key string, data []byte) {
	t.Helper()
	info, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
	if info.Size != int64(len(data)) {
		t.Fatalf("Stat(%q).Size = %d, want %d", key, info.Size, len(data))
	}
	if got := read(t, s, key, 0, -1); !bytes.Equal(got, data) {
		t.Fatalf("%q holds %d bytes that differ from the %d saved", key, len(got), len(data))
	}
}

// stream returns n pseudo-random bytes determined by seed, generated as
// read, so that large objects cost no memory.
func stream(seed uint64, n int64) io.Reader {
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	return io.LimitReader(rand.NewChaCha8(key), n)
}

// pattern returns the bytes stream(seed, n) yields.
func pattern(seed uint64, n int) []byte {
	b, _ := io.ReadAll(stream(seed, int64(n)))
	return b
}

// digest returns the SHA-256 of everything r yields.
func digest(t *testing.T, r io.Reader) [32]byte {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatalf("hashing: %v", err)
	}
	return [32]byte(h.Sum(nil))
}

// failingReader yields the first n bytes of r, then fails with err.
type failingReader struct {
	r   io.Reader
	n   int64
	err error
}

// Read implements io.Reader.
func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= int64(n)
	return n, err
}

// cancelingReader yields data without end and calls cancel once n bytes
// have been read: the context ends deterministically in mid-upload.
type cancelingReader struct {
	r      io.Reader
	n      int64
	cancel func()
}

// Read implements io.Reader.
func (c *cancelingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n -= int64(n)
	if c.n <= 0 && c.cancel != nil {
		c.cancel()
		c.cancel = nil
	}
	return n, err
}
