package storage

import (
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestValidateBlobKey(t *testing.T) {
	seg := strings.Repeat("s", MaxBlobSegmentLen)
	max := seg + "/" + seg[:254] + "/z" // exactly MaxBlobKeyLen bytes
	for _, tc := range []struct {
		key string
		ok  bool
	}{
		{"bids/s-1/b-1.the", true},
		{"a", true},
		{"中文/文件.pdf", true},
		{"a..b", true},
		{".hidden/x", true},
		{"sp ace", true},
		{seg, true},
		{max, true},
		{"", false},
		{"/a", false},
		{"a/", false},
		{"a//b", false},
		{".", false},
		{"..", false},
		{"a/../b", false},
		{"a/./b", false},
		{"../a", false},
		{"a\\b", false},
		{"a\tb", false},
		{"a\u200bb", false}, // zero-width space: not printable
		{"\xff", false},
		{seg + "s", false},
		{max + "z", false},
	} {
		err := ValidateBlobKey(tc.key)
		if tc.ok != (err == nil) {
			t.Errorf("ValidateBlobKey(%q) = %v, want ok=%v", tc.key, err, tc.ok)
		}
		if err != nil {
			e, _ := apperr.As(err)
			if e == nil || e.Kind != apperr.Invalid || e.Zh == "" || e.En == "" {
				t.Errorf("ValidateBlobKey(%q) = %#v, want Invalid with both messages", tc.key, err)
			}
		}
	}
}

func TestValidateBlobPrefix(t *testing.T) {
	for _, p := range []string{"", "docs/", "docs/a", "docs/.", "docs/..", "a"} {
		if err := validateBlobPrefix(p); err != nil {
			t.Errorf("validateBlobPrefix(%q) = %v, want nil", p, err)
		}
	}
	for _, p := range []string{"/", "/docs", "../", "a//", "a/./", "a\\", "\x00"} {
		if err := validateBlobPrefix(p); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("validateBlobPrefix(%q) = %v, want Invalid", p, err)
		}
	}
}

func TestBlobRange(t *testing.T) {
	for _, tc := range []struct {
		size, off, length, want int64
		ok                      bool
	}{
		{10, 0, -1, 10, true},
		{10, 3, -1, 7, true},
		{10, 10, -1, 0, true},
		{10, 2, 8, 8, true},
		{0, 0, 0, 0, true},
		{10, 11, -1, 0, false},
		{10, -1, 1, 0, false},
		{10, 2, 9, 0, false},
		{10, 0, 1 << 62, 0, false},
	} {
		n, err := blobRange("k", tc.size, tc.off, tc.length)
		if tc.ok != (err == nil) || (tc.ok && n != tc.want) {
			t.Errorf("blobRange(size %d, %d, %d) = %d, %v; want %d ok=%v", tc.size, tc.off, tc.length, n, err, tc.want, tc.ok)
		}
	}
}
