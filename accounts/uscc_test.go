package accounts

import (
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestValidUSCC(t *testing.T) {
	tests := []struct {
		code    string
		problem string // "" when valid
	}{
		{"91350100M000100Y43", ""},
		{"91350102MA31B4C717", ""},
		{"913501001581429716", ""},
		{"91350104MA2Y8K3N07", ""},
		{"91350105MA33D6E825", ""},
		{"91350111MA32F7GH5W", ""},
		{"12350100003690826G", ""},
		{"91110000100000000R", ""},
		{"91350100M000100Y44", "check"},
		{"91350102MA31B4C718", "check"},
		{"913501001581429710", "check"},
		{"91350100M000100Y4", "length"},
		{"91350100M000100Y430", "length"},
		{"", "length"},
		{"91350100M000100I43", "charset"},
		{"91350100M000100O43", "charset"},
		{"91350100M000100S43", "charset"},
		{"91350100M000100V43", "charset"},
		{"91350100M000100Z43", "charset"},
		{"91350100m000100y43", "charset"},
		{"9135010０M000100Y4", "length"}, // a full-width digit is 3 bytes
		{"913501A0M000100Y43", "division"},
	}
	for _, tt := range tests {
		err := ValidUSCC(tt.code)
		if tt.problem == "" {
			if err != nil {
				t.Errorf("ValidUSCC(%q) = %v, want valid", tt.code, err)
			}
			continue
		}
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.Invalid || ae.Fields["uscc"] != tt.problem {
			t.Errorf("ValidUSCC(%q) = %v, want Invalid with uscc=%s", tt.code, err, tt.problem)
		}
	}
	if got := usccWithCheck("91350100M000100Y4"); got != "91350100M000100Y43" {
		t.Errorf("usccWithCheck = %s", got)
	}
	if NormalizeUSCC(" 91350100m000100y43 ") != "91350100M000100Y43" {
		t.Error("NormalizeUSCC does not upper-case and trim")
	}
}
