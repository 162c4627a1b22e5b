package blobtest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// rangeCases covers partial reads.
func rangeCases() []blobCase {
	return []blobCase{
		{"Ranges", testRanges},
		{"RangesOfEmptyObject", testEmptyRanges},
	}
}

func testRanges(t *testing.T, s storage.Blobs) {
	const key = "ranges/obj"
	data := pattern(4, 1000)
	save(t, s, key, data)
	for _, tc := range []struct {
		offset, length int64
		valid          bool
	}{
		{0, 10, true},     // start
		{500, 100, true},  // middle
		{990, 10, true},   // end, exact
		{990, -1, true},   // to the end
		{0, -1, true},     // everything
		{0, 1000, true},   // everything, explicit
		{0, 0, true},      // nothing at the start
		{1000, 0, true},   // nothing at the end
		{1000, -1, true},  // to the end from the end: nothing
		{999, 1, true},    // the last byte
		{-1, 5, false},    // before the start
		{1001, -1, false}, // past the end
		{1001, 0, false},  // past the end, even for nothing
		{995, 10, false},  // runs past the end
		{0, 1001, false},  // one byte too long
	} {
		t.Run(fmt.Sprintf("%d+%d", tc.offset, tc.length), func(t *testing.T) {
			if !tc.valid {
				_, err := s.Open(t.Context(), key, tc.offset, tc.length)
				wantKind(t, "Open", err, apperr.Invalid)
				return
			}
			end := int64(len(data))
			if tc.length >= 0 {
				end = tc.offset + tc.length
			}
			if got := read(t, s, key, tc.offset, tc.length); !bytes.Equal(got, data[tc.offset:end]) {
				t.Fatalf("got %d bytes, want data[%d:%d]", len(got), tc.offset, end)
			}
		})
	}
}

func testEmptyRanges(t *testing.T, s storage.Blobs) {
	const key = "ranges/empty"
	save(t, s, key, nil)
	for _, r := range [][2]int64{{0, -1}, {0, 0}} {
		if got := read(t, s, key, r[0], r[1]); len(got) != 0 {
			t.Fatalf("Open(%d, %d) of an empty object gave %d bytes", r[0], r[1], len(got))
		}
	}
	_, err := s.Open(t.Context(), key, 0, 1)
	wantKind(t, "Open(0, 1) of an empty object", err, apperr.Invalid)
	_, err = s.Open(t.Context(), key, 1, -1)
	wantKind(t, "Open(1, -1) of an empty object", err, apperr.Invalid)
}
