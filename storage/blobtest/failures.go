package blobtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// failureCases covers uploads that go wrong and ended contexts: none may
// leave an object behind or damage the one already there.
func failureCases() []blobCase {
	return []blobCase{
		{"ReaderFailsMidway", testReaderFails},
		{"FailedSaveKeepsOldObject", testFailedOverwrite},
		{"ReaderErrorKinds", testReaderErrorKinds},
		{"SizeMismatch", testSizeMismatch},
		{"ContextCancelledBefore", testCancelledBefore},
		{"ContextCancelledMidway", testCancelledMidway},
	}
}

func testReaderFails(t *testing.T, s storage.Blobs) {
	for _, tc := range []struct {
		name       string
		size, fail int64 // declared size (-1: unknown), bytes before the failure
	}{
		{"unknown size, first part", -1, 1 * MiB},
		{"known size, single put", 4 * MiB, 1 * MiB},
		{"unknown size, second part", -1, 17 * MiB},
		{"known size, multipart", 40 * MiB, 20 * MiB},
		{"known size, at once", 1000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const key = "fail/obj"
			r := &failingReader{r: stream(5, math.MaxInt64), n: tc.fail, err: errInjected}
			_, err := s.Save(t.Context(), key, r, tc.size)
			wantKind(t, "Save", err, apperr.Invalid)
			if !errors.Is(err, errInjected) {
				t.Errorf("Save error %v does not wrap the reader's error", err)
			}
			wantAbsent(t, s, key)
			if list, err := s.List(t.Context(), ""); err != nil || len(list) != 0 {
				t.Fatalf("List after a failed save = %v, %v; want nothing", list, err)
			}
		})
	}
}

func testFailedOverwrite(t *testing.T, s storage.Blobs) {
	const key = "fail/keep"
	old := pattern(6, 3000)
	save(t, s, key, old)
	r := &failingReader{r: stream(7, math.MaxInt64), n: 2 * MiB, err: errInjected}
	if _, err := s.Save(t.Context(), key, r, -1); err == nil {
		t.Fatal("Save with a failing reader succeeded")
	}
	_, err := s.Save(t.Context(), key, bytes.NewReader(make([]byte, 10)), 20)
	wantKind(t, "short Save", err, apperr.Invalid)
	wantContent(t, s, key, old)
}

// testReaderErrorKinds checks that a reader's own classification survives:
// an apperr passes through and an over-limit request body is TooLarge.
func testReaderErrorKinds(t *testing.T, s storage.Blobs) {
	locked := apperr.New(apperr.Locked, "锁定", "locked")
	r := &failingReader{r: stream(8, math.MaxInt64), n: 100, err: locked}
	_, err := s.Save(t.Context(), "kinds/a", r, -1)
	wantKind(t, "Save with an apperr from the reader", err, apperr.Locked)

	body := http.MaxBytesReader(nil, io.NopCloser(stream(9, 5000)), 1000)
	_, err = s.Save(t.Context(), "kinds/b", body, -1)
	wantKind(t, "Save through MaxBytesReader", err, apperr.TooLarge)
	wantAbsent(t, s, "kinds/a")
	wantAbsent(t, s, "kinds/b")
}

func testSizeMismatch(t *testing.T, s storage.Blobs) {
	for _, tc := range []struct {
		name     string
		declared int64
		actual   int64
	}{
		{"short", 2000, 1000},
		{"long", 1000, 2000},
		{"one byte for none", 0, 1},
		{"none for one byte", 1, 0},
		{"long multipart", 20 * MiB, 20*MiB + 1},
		{"short multipart", 20 * MiB, 20*MiB - 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := "size/" + strings.ReplaceAll(tc.name, " ", "-")
			_, err := s.Save(t.Context(), key, stream(10, tc.actual), tc.declared)
			wantKind(t, "Save", err, apperr.Invalid)
			wantAbsent(t, s, key)
		})
	}
}

func testCancelledBefore(t *testing.T, s storage.Blobs) {
	save(t, s, "ctx/there", []byte("there"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	wantCanceled := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v, want context.Canceled", what, err)
		}
	}
	_, err := s.Save(ctx, "ctx/new", bytes.NewReader([]byte("x")), 1)
	wantCanceled("Save", err)
	_, err = s.Open(ctx, "ctx/there", 0, -1)
	wantCanceled("Open", err)
	_, err = s.Stat(ctx, "ctx/there")
	wantCanceled("Stat", err)
	_, err = s.List(ctx, "")
	wantCanceled("List", err)
	wantCanceled("Delete", s.Delete(ctx, "ctx/there"))
	_, err = s.PresignGet(ctx, "ctx/there", time.Minute)
	wantCanceled("PresignGet", err)
	wantCanceled("Ping", s.Ping(ctx))
	wantAbsent(t, s, "ctx/new")
	wantContent(t, s, "ctx/there", []byte("there"))
}

func testCancelledMidway(t *testing.T, s storage.Blobs) {
	for _, tc := range []struct {
		name string
		size int64
	}{
		{"unknown size", -1},
		{"known size", 8 * MiB},
		{"known size, multipart", 40 * MiB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const key = "ctx/mid"
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			r := &cancelingReader{r: stream(11, math.MaxInt64), n: 1 * MiB, cancel: cancel}
			_, err := s.Save(ctx, key, r, tc.size)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Save cancelled midway: %v, want context.Canceled", err)
			}
			wantKind(t, "Save cancelled midway", err, apperr.Unavailable)
			wantAbsent(t, s, key)
		})
	}
}
