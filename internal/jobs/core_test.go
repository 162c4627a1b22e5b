package jobs

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStorableError(t *testing.T) {
	long := errors.New(strings.Repeat("开标", 100) + "\xff")
	for _, n := range []int{1, 2, 3, 4, 5, 100, 1000} {
		s := storableError(long, n)
		if len(s) > n || !utf8.ValidString(s) {
			t.Errorf("storableError(n=%d) = %q: len %d, valid %v", n, s, len(s), utf8.ValidString(s))
		}
	}
}
