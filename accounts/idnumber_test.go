package accounts

import "testing"

func TestValidIDNumber(t *testing.T) {
	for id, want := range map[string]bool{
		"11010519491231002X": true,  // the standard's sample
		"110105194912310021": false, // wrong check character
		"11010519491231002":  false, // 17 characters
		"1101051949123100AX": false, // a letter among the digits
	} {
		if got := ValidIDNumber(id); got != want {
			t.Errorf("ValidIDNumber(%q) = %v, want %v", id, got, want)
		}
	}
}
