package notary

import (
	"strings"
	"testing"
)

func TestFingerprintHash(t *testing.T) {
	a := []FingerprintPart{{"hostname", "bid-pc"}, {"mac", "02:00:00:00:00:01"}, {"mac", "02:00:00:00:00:02"}}
	b := []FingerprintPart{a[2], a[0], a[1]}
	if FingerprintHash(a) != FingerprintHash(b) {
		t.Fatal("the hash depends on the order the parts were found in")
	}
	// Length prefixes keep "ab"+"c" apart from "a"+"bc".
	if FingerprintHash([]FingerprintPart{{"ab", "c"}}) == FingerprintHash([]FingerprintPart{{"a", "bc"}}) {
		t.Fatal("ambiguous encoding")
	}
	if FingerprintHash(a) == FingerprintHash(a[:2]) {
		t.Fatal("a missing part does not change the hash")
	}
}

func TestMachineFingerprintIsStableAndHidesTheIdentifiers(t *testing.T) {
	d := MachineFingerprint()
	if d.IsZero() || d != MachineFingerprint() {
		t.Fatal("machine fingerprint is zero or unstable")
	}
	parts := MachineFingerprintParts()
	if len(parts) == 0 {
		t.Fatal("no identifiers found on this machine")
	}
	for _, p := range parts {
		if p.Value != "" && strings.Contains(d.String(), p.Value) {
			t.Fatalf("identifier %s appears in the hash", p.Name)
		}
	}
}
