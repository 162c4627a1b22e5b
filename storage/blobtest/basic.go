package blobtest

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// basicCases covers the plain life of an object.
func basicCases() []blobCase {
	return []blobCase{
		{"RoundTrip", testRoundTrip},
		{"Sizes", testSizes},
		{"Overwrite", testOverwrite},
		{"Missing", testMissing},
		{"DeleteIsIdempotent", testDelete},
		{"ListByPrefix", testList},
		{"KeyRules", testKeyRules},
		{"Ping", func(t *testing.T, s storage.Blobs) {
			if err := s.Ping(t.Context()); err != nil {
				t.Fatalf("Ping: %v", err)
			}
		}},
	}
}

func testRoundTrip(t *testing.T, s storage.Blobs) {
	data := pattern(1, 100_000)
	const key = "bids/s-1/b-1.the"
	saved := save(t, s, key, data)
	wantContent(t, s, key, data)
	info, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	for _, m := range []time.Time{saved.ModTime, info.ModTime} {
		if m.Location() != time.UTC || time.Since(m).Abs() > time.Minute {
			t.Errorf("ModTime %v: want UTC and close to now", m)
		}
	}
}

// testSizes saves objects of known and unknown length, empty to several
// MinIO parts, and reads each back whole.
func testSizes(t *testing.T, s storage.Blobs) {
	for _, tc := range []struct {
		name  string
		n     int64
		known bool
	}{
		{"empty known", 0, true},
		{"empty unknown", 0, false},
		{"small unknown", 1000, false},
		{"20MiB exact", 20 * MiB, true},
		{"20MiB streamed through a pipe", 20 * MiB, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "sizes/" + strings.ReplaceAll(tc.name, " ", "-")
			size := int64(-1)
			if tc.known {
				size = tc.n
			}
			pr, pw := io.Pipe()
			defer pr.Close() // unblocks the writer if Save gives up
			go func() { _, err := io.Copy(pw, stream(2, tc.n)); pw.CloseWithError(err) }()
			info, err := s.Save(t.Context(), key, pr, size)
			if err != nil {
				t.Fatalf("Save: %v", err)
			}
			if info.Size != tc.n {
				t.Fatalf("Save size = %d, want %d", info.Size, tc.n)
			}
			rc, err := s.Open(t.Context(), key, 0, -1)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer rc.Close()
			if digest(t, rc) != digest(t, stream(2, tc.n)) {
				t.Fatal("the bytes read back differ from those saved")
			}
		})
	}
}

func testOverwrite(t *testing.T, s storage.Blobs) {
	const key = "docs/p/tender.pdf"
	save(t, s, key, pattern(3, 5000))
	second := []byte("short replacement")
	save(t, s, key, second)
	wantContent(t, s, key, second)
	if list, err := s.List(t.Context(), "docs/"); err != nil || len(list) != 1 {
		t.Fatalf("List after overwrite = %v, %v; want the one object", list, err)
	}
}

func testMissing(t *testing.T, s storage.Blobs) {
	ctx := t.Context()
	save(t, s, "dir/obj", []byte("x"))
	for _, key := range []string{"nope", "dir/nope", "dir", "dir/obj/deeper"} {
		_, err := s.Stat(ctx, key)
		wantKind(t, "Stat("+key+")", err, apperr.NotFound)
		_, err = s.Open(ctx, key, 0, -1)
		wantKind(t, "Open("+key+")", err, apperr.NotFound)
		_, err = s.Open(ctx, key, 5, 10)
		wantKind(t, "Open("+key+", range)", err, apperr.NotFound)
		_, err = s.PresignGet(ctx, key, time.Minute)
		wantKind(t, "PresignGet("+key+")", err, apperr.NotFound)
	}
}

func testDelete(t *testing.T, s storage.Blobs) {
	ctx := t.Context()
	if err := s.Delete(ctx, "never/existed"); err != nil {
		t.Fatalf("Delete of a missing key: %v", err)
	}
	save(t, s, "a/b/c", []byte("c"))
	save(t, s, "a/keep", []byte("keep"))
	for i := range 2 {
		if err := s.Delete(ctx, "a/b/c"); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
		wantAbsent(t, s, "a/b/c")
	}
	// A folder of other keys is not an object: deleting it removes nothing.
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatalf("Delete of a folder name: %v", err)
	}
	wantContent(t, s, "a/keep", []byte("keep"))
	// The key that held a folder can now name an object.
	save(t, s, "a/b", []byte("now an object"))
	wantContent(t, s, "a/b", []byte("now an object"))
}

func testList(t *testing.T, s storage.Blobs) {
	keys := []string{"docs/a/1", "docs/a/2", "docs/ab", "docs/b/1", "bids/x", "docs/a.txt"}
	for _, k := range keys {
		save(t, s, k, []byte(k)) // each object's size is its key's length
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"docs/a/", []string{"docs/a/1", "docs/a/2"}},
		{"docs/a", []string{"docs/a.txt", "docs/a/1", "docs/a/2", "docs/ab"}},
		{"docs/", []string{"docs/a.txt", "docs/a/1", "docs/a/2", "docs/ab", "docs/b/1"}},
		{"", []string{"bids/x", "docs/a.txt", "docs/a/1", "docs/a/2", "docs/ab", "docs/b/1"}},
		{"docs/a/1", []string{"docs/a/1"}},
		{"docs/c", []string{}},
		{"nothing/", []string{}},
		{"docs/a/1/", []string{}},
	} {
		list, err := s.List(t.Context(), tc.prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", tc.prefix, err)
		}
		if list == nil {
			t.Errorf("List(%q) = nil, want a non-nil slice", tc.prefix)
		}
		got := make([]string, 0, len(list))
		for _, b := range list {
			got = append(got, b.Key)
			if b.Size != int64(len(b.Key)) || b.ModTime.IsZero() {
				t.Errorf("List(%q): %+v has a wrong size or no time", tc.prefix, b)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("List(%q) = %q, want %q", tc.prefix, got, tc.want)
		}
	}
}

// testKeyRules checks that every operation applies the same key rules.
func testKeyRules(t *testing.T, s storage.Blobs) {
	ctx := t.Context()
	seg255, seg254 := strings.Repeat("k", 255), strings.Repeat("v", 254)
	bad := []string{
		"", "/abs", "a/../b", "..", ".", "a/./b", "a\\b", "a//b", "a/",
		"nul\x00", "line\nfeed", "del\x7f", "bad\xffutf8",
		strings.Repeat("k", 256),           // a segment over 255 bytes
		seg255 + "/" + seg254 + "/" + "zz", // 513 bytes
	}
	for _, key := range bad {
		_, err := s.Save(ctx, key, bytes.NewReader([]byte("x")), 1)
		wantKind(t, "Save("+key+")", err, apperr.Invalid)
		_, err = s.Open(ctx, key, 0, -1)
		wantKind(t, "Open("+key+")", err, apperr.Invalid)
		_, err = s.Stat(ctx, key)
		wantKind(t, "Stat("+key+")", err, apperr.Invalid)
		wantKind(t, "Delete("+key+")", s.Delete(ctx, key), apperr.Invalid)
		_, err = s.PresignGet(ctx, key, time.Minute)
		wantKind(t, "PresignGet("+key+")", err, apperr.Invalid)
	}
	for _, prefix := range []string{"/x", "../", "a//", "a\\", "nul\x00"} {
		_, err := s.List(ctx, prefix)
		wantKind(t, "List("+prefix+")", err, apperr.Invalid)
	}
	good := []string{
		"中文/招标文件.pdf", "a..b/c", "dots/.hidden", "sp ace/x y",
		"sym/a+b=c&d?e#f%g:h;i@j", seg255 + "/" + seg254 + "/" + "z", // exactly 512 bytes
	}
	for _, key := range good {
		save(t, s, key, []byte(key))
		wantContent(t, s, key, []byte(key))
	}
	list, err := s.List(ctx, "")
	if err != nil || len(list) != len(good) {
		t.Fatalf("List = %d objects, %v; want %d", len(list), err, len(good))
	}
}
