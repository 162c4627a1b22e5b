package blobtest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

func multipartCases() []blobCase {
	return []blobCase{
		{"multipart/assembles the listed parts", testMultipartAssembles},
		{"multipart/a replaced part and skipped numbers", testMultipartReplace},
		{"multipart/a failed part stores nothing", testMultipartFailedPart},
		{"multipart/refuses bad lists", testMultipartBadLists},
		{"multipart/abort", testMultipartAbort},
	}
}

// putPart stores data as part n and returns its description.
func putPart(t *testing.T, s storage.Blobs, key, id string, n int, data []byte) storage.Part {
	t.Helper()
	p, err := s.PutPart(context.Background(), key, id, n, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("put part %d: %v", n, err)
	}
	if p.Number != n || p.Size != int64(len(data)) || p.ETag == "" {
		t.Fatalf("part %d described as %+v", n, p)
	}
	return p
}

func create(t *testing.T, s storage.Blobs, key string) string {
	t.Helper()
	id, err := s.CreateMultipart(context.Background(), key)
	if err != nil || id == "" {
		t.Fatalf("create multipart: %q, %v", id, err)
	}
	return id
}

func testMultipartAssembles(t *testing.T, s storage.Blobs) {
	ctx := context.Background()
	a, b := pattern(1, storage.MinPartSize), pattern(2, 1000)
	id := create(t, s, "bids/1/a.the")
	wantAbsent(t, s, "bids/1/a.the") // nothing is visible before completion
	parts := []storage.Part{putPart(t, s, "bids/1/a.the", id, 1, a), putPart(t, s, "bids/1/a.the", id, 2, b)}
	info, err := s.CompleteMultipart(ctx, "bids/1/a.the", id, parts)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(a)+len(b)) {
		t.Fatalf("size %d", info.Size)
	}
	wantContent(t, s, "bids/1/a.the", append(bytes.Clone(a), b...))
	// The upload is over: a second completion finds nothing.
	_, err = s.CompleteMultipart(ctx, "bids/1/a.the", id, parts)
	wantKind(t, "completing twice", err, apperr.NotFound)
	if _, err := s.PutPart(ctx, "bids/1/a.the", id, 3, bytes.NewReader(b), int64(len(b))); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("part after completion: %v", err)
	}
	list, err := s.List(ctx, "")
	if err != nil || len(list) != 1 {
		t.Fatalf("list after completion: %v, %v", list, err)
	}
}

func testMultipartReplace(t *testing.T, s storage.Blobs) {
	ctx := context.Background()
	key := "bids/1/b.the"
	id := create(t, s, key)
	putPart(t, s, key, id, 1, pattern(3, storage.MinPartSize))
	p1 := putPart(t, s, key, id, 1, pattern(4, storage.MinPartSize)) // replaces
	p7 := putPart(t, s, key, id, 7, []byte("tail"))
	putPart(t, s, key, id, 9, []byte("not listed"))
	if _, err := s.CompleteMultipart(ctx, key, id, []storage.Part{p1, p7}); err != nil {
		t.Fatal(err)
	}
	wantContent(t, s, key, append(pattern(4, storage.MinPartSize), "tail"...))
}

func testMultipartFailedPart(t *testing.T, s storage.Blobs) {
	ctx := context.Background()
	key := "bids/1/c.the"
	id := create(t, s, key)
	good := putPart(t, s, key, id, 1, pattern(5, 3000))
	boom := errors.New("connection dropped")
	_, err := s.PutPart(ctx, key, id, 1, &failingReader{r: bytes.NewReader(pattern(6, 3000)), n: 1000, err: boom}, 3000)
	if !errors.Is(err, boom) || !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("failing reader: %v", err)
	}
	_, err = s.PutPart(ctx, key, id, 1, bytes.NewReader(pattern(6, 10)), 3000)
	wantKind(t, "short part", err, apperr.Invalid)
	if _, err := s.CompleteMultipart(ctx, key, id, []storage.Part{good}); err != nil {
		t.Fatalf("the good part was damaged by failed replacements: %v", err)
	}
	wantContent(t, s, key, pattern(5, 3000))
}

func testMultipartBadLists(t *testing.T, s storage.Blobs) {
	ctx := context.Background()
	key := "bids/1/d.the"
	id := create(t, s, key)
	p1 := putPart(t, s, key, id, 1, pattern(7, 1000))
	p2 := putPart(t, s, key, id, 2, pattern(8, 1000))
	for name, list := range map[string][]storage.Part{
		"empty":              nil,
		"unordered":          {p2, p1},
		"a small first part": {p1, p2},
		"an unknown etag":    {{Number: 1, ETag: "0123456789abcdef0123456789abcdef", Size: 1000}},
	} {
		_, err := s.CompleteMultipart(ctx, key, id, list)
		wantKind(t, name, err, apperr.Invalid)
	}
	_, err := s.PutPart(ctx, key, id, storage.MaxParts+1, bytes.NewReader(nil), 0)
	wantKind(t, "part number too high", err, apperr.Invalid)
	_, err = s.PutPart(ctx, "bids/1/other.the", id, 1, bytes.NewReader([]byte("x")), 1)
	wantKind(t, "another key's upload", err, apperr.NotFound)
	_, err = s.CompleteMultipart(ctx, key, "nonexistent", []storage.Part{p1})
	wantKind(t, "unknown upload", err, apperr.NotFound)
	// After every refusal the upload still completes.
	if _, err := s.CompleteMultipart(ctx, key, id, []storage.Part{p1}); err != nil {
		t.Fatal(err)
	}
	wantContent(t, s, key, pattern(7, 1000))
}

func testMultipartAbort(t *testing.T, s storage.Blobs) {
	ctx := context.Background()
	key := "bids/1/e.the"
	one, two := create(t, s, key), create(t, s, key)
	p := putPart(t, s, key, one, 1, []byte("one"))
	putPart(t, s, key, two, 1, []byte("two"))
	if err := s.AbortMultipart(ctx, key, one); err != nil {
		t.Fatal(err)
	}
	if err := s.AbortMultipart(ctx, key, one); err != nil {
		t.Fatalf("aborting twice: %v", err)
	}
	_, err := s.CompleteMultipart(ctx, key, one, []storage.Part{p})
	wantKind(t, "completing an aborted upload", err, apperr.NotFound)
	if err := s.AbortMultipart(ctx, key, ""); err != nil {
		t.Fatal(err)
	}
	_, err = s.PutPart(ctx, key, two, 2, bytes.NewReader([]byte("x")), 1)
	wantKind(t, "a part of an upload aborted by key", err, apperr.NotFound)
	wantAbsent(t, s, key)
}
