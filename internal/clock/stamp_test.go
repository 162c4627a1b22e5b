package clock

import (
	"testing"
	"time"
)

func TestStampRoundTripsForPeople(t *testing.T) {
	at := time.Date(2026, 3, 1, 23, 30, 15, 123456789, time.FixedZone("X", -5*3600))
	if got := Stamp(at); got != "2026-03-02T04:30:15.123Z" {
		t.Fatalf("Stamp = %q", got)
	}
	for in, want := range map[string]string{
		"2026-03-02T04:30:15.123Z": "2026-03-02 12:30:15",
		"2026-12-31T16:00:00.000Z": "2027-01-01 00:00:00",
		"not a time":               "not a time",
		"":                         "",
	} {
		if got := ShowStamp(in); got != want {
			t.Errorf("ShowStamp(%q) = %q, want %q", in, got, want)
		}
	}
}
