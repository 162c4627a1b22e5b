package accounts

import "testing"

// FuzzValidUSCC feeds arbitrary strings to the USCC validator: it must never
// panic, and whatever it accepts is 18 characters whose check character
// changes make it invalid.
func FuzzValidUSCC(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "", "9135010", "91350100M000100Y4", "ＩＯＳＶＺ", "91350100m000100y43"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidUSCC(s) != nil {
			return
		}
		n := NormalizeUSCC(s)
		if len(n) != 18 {
			t.Fatalf("accepted %q of length %d", s, len(n))
		}
		flipped := n[:17] + string(rune('0'+(int(n[17])+1)%10))
		if flipped != n && ValidUSCC(flipped) == nil {
			t.Fatalf("both %q and %q accepted", n, flipped)
		}
	})
}
