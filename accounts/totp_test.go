package accounts

import "testing"

// RFC 6238 appendix B, SHA-1, truncated to the 6 digits used here.
func TestTOTPCodeRFC6238(t *testing.T) {
	secret := []byte("12345678901234567890")
	tests := []struct {
		unix int64
		code string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, tt := range tests {
		if got := totpCode(secret, tt.unix/30); got != tt.code {
			t.Errorf("T=%d: code %s, want %s", tt.unix, got, tt.code)
		}
	}
}
