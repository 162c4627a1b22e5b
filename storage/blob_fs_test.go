package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/blobtest"
)

func TestBlobFSConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) storage.Blobs { return blobFSStore(t) })
}

// blobFSStore returns an FS in a fresh directory whose presigned URLs are
// served by a test server, the way the HTTP layer serves them. After the
// test it checks that no temporary file was left behind.
func blobFSStore(t *testing.T) *storage.FS {
	t.Helper()
	root := t.TempDir()
	var cur atomic.Pointer[storage.FS] // the server starts before the store exists
	srv := httptest.NewServer(blobPresignHandler(&cur))
	t.Cleanup(srv.Close)
	s, err := storage.NewFS(root, storage.PresignConfig{BaseURL: srv.URL})
	if err != nil {
		t.Fatalf("NewFS: %v", err)
	}
	cur.Store(s)
	t.Cleanup(func() { blobWantNoTemp(t, root) })
	return s
}

// blobWantNoTemp fails if root/tmp holds anything.
func blobWantNoTemp(t *testing.T, root string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, "tmp"))
	if err != nil {
		t.Fatalf("reading the temporary directory: %v", err)
	}
	for _, e := range entries {
		t.Errorf("temporary file left behind: %s", e.Name())
	}
}

// blobPresignHandler serves FS presigned URLs: verify, then stream.
func blobPresignHandler(cur *atomic.Pointer[storage.FS]) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+storage.FSBlobPath+"{key...}", func(w http.ResponseWriter, r *http.Request) {
		s, key, q := cur.Load(), r.PathValue("key"), r.URL.Query()
		expires, err := strconv.ParseInt(q.Get("expires"), 10, 64)
		if err != nil {
			err = apperr.New(apperr.Forbidden, "无效", "bad expires")
		} else {
			err = s.VerifyPresigned(key, expires, q.Get("sig"), time.Now())
		}
		var rc io.ReadCloser
		if err == nil {
			rc, err = s.Open(r.Context(), key, 0, -1)
		}
		if err != nil {
			http.Error(w, err.Error(), blobStatus(err))
			return
		}
		defer rc.Close()
		_, _ = io.Copy(w, rc)
	})
	return mux
}

// blobStatus maps the kinds a presigned download can fail with.
func blobStatus(err error) int {
	switch apperr.KindOf(err) {
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.TooLate:
		return http.StatusGone
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

func TestBlobFSLayoutAndPruning(t *testing.T) {
	root := t.TempDir()
	s, err := storage.NewFS(root, storage.PresignConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := s.Save(ctx, "a/b/c", bytes.NewReader([]byte("abc")), 3); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(root, "objects", "a", "b", "c")); err != nil || string(got) != "abc" {
		t.Fatalf("object file = %q, %v; want root/objects/a/b/c holding abc", got, err)
	}
	if err := s.Delete(ctx, "a/b/c"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "objects", "a")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Delete left the empty folders behind: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "objects")); err != nil {
		t.Fatalf("Delete pruned the objects root itself: %v", err)
	}
}

func TestBlobFSKeyFolderConflict(t *testing.T) {
	s := blobFSStore(t)
	ctx := t.Context()
	for _, k := range []string{"a/b", "x"} {
		if _, err := s.Save(ctx, k, bytes.NewReader([]byte(k)), -1); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"a", "x/y"} {
		_, err := s.Save(ctx, k, bytes.NewReader([]byte(k)), -1)
		if !apperr.Is(err, apperr.Conflict) {
			t.Errorf("Save(%q) over a folder/object clash: %v, want Conflict", k, err)
		}
	}
}

// An open reader keeps the bytes it had: the HTTP layer can stream a
// document while a new version replaces it.
func TestBlobFSOpenSeesSnapshot(t *testing.T) {
	s := blobFSStore(t)
	ctx := t.Context()
	old := bytes.Repeat([]byte("old "), 1000)
	if _, err := s.Save(ctx, "doc", bytes.NewReader(old), -1); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(ctx, "doc", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := s.Save(ctx, "doc", bytes.NewReader([]byte("new")), -1); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "doc"); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(rc); err != nil || !bytes.Equal(got, old) {
		t.Fatalf("reader opened before the overwrite gave %d bytes, %v; want the old %d", len(got), err, len(old))
	}
}

// TestBlobFSSweepsAbandonedTemp: a temporary file whose writer died (no
// lock held), however young, is removed at start-up; one a live writer
// holds locked survives.
func TestBlobFSSweepsAbandonedTemp(t *testing.T) {
	root := t.TempDir()
	tmp := filepath.Join(root, "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"save-old", "save-crashed", "save-live"} {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte("part"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stale := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(filepath.Join(tmp, "save-old"), stale, stale); err != nil {
		t.Fatal(err)
	}
	live, err := os.Open(filepath.Join(tmp, "save-live"))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if err := syscall.Flock(int(live.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.NewFS(root, storage.PresignConfig{}); err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"save-old", "save-crashed"} {
		if _, err := os.Stat(filepath.Join(tmp, gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("abandoned temporary file %s survived NewFS: %v", gone, err)
		}
	}
	if _, err := os.Stat(filepath.Join(tmp, "save-live")); err != nil {
		t.Errorf("NewFS removed a temporary file a live upload holds: %v", err)
	}
}

func TestBlobFSConstructionAndPing(t *testing.T) {
	if _, err := storage.NewFS("", storage.PresignConfig{}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("NewFS with no root: %v, want Invalid", err)
	}
	short := storage.PresignConfig{Secret: []byte("too short")}
	if _, err := storage.NewFS(t.TempDir(), short); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("NewFS with a short secret: %v, want Invalid", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.NewFS(file, storage.PresignConfig{}); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("NewFS over a file: %v, want Unavailable", err)
	}
	root := t.TempDir()
	s, err := storage.NewFS(root, storage.PresignConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("Ping with the directory gone: %v, want Unavailable", err)
	}
}

// TestBlobFSMultipartCompletesWithoutCopying: parts appended in order become
// the object by a rename of the upload's data file, not by a copy.
func TestBlobFSMultipartCompletesWithoutCopying(t *testing.T) {
	root := t.TempDir()
	s, err := storage.NewFS(root, storage.PresignConfig{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id, err := s.CreateMultipart(ctx, "bids/1/x.the")
	if err != nil {
		t.Fatal(err)
	}
	a := bytes.Repeat([]byte{1}, storage.MinPartSize)
	p1, err := s.PutPart(ctx, "bids/1/x.the", id, 7, bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := s.PutPart(ctx, "bids/1/x.the", id, 9, strings.NewReader("end"), 3)
	if err != nil {
		t.Fatal(err)
	}
	staged, err := os.Stat(filepath.Join(root, "multipart", id, "data"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompleteMultipart(ctx, "bids/1/x.the", id, []storage.Part{p1, p2}); err != nil {
		t.Fatal(err)
	}
	final, err := os.Stat(filepath.Join(root, "objects", "bids", "1", "x.the"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(staged, final) || final.Size() != int64(len(a)+3) {
		t.Fatalf("the object is not the staged data file (size %d)", final.Size())
	}
	if entries, _ := os.ReadDir(filepath.Join(root, "multipart")); len(entries) != 0 {
		t.Fatalf("multipart folders left: %v", entries)
	}
}
