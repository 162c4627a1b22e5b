package bidding

import (
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
)

// TestResumedDeadline: the deadline after an objection's pause lands on a
// whole minute and a working day. The first case is the one found in
// review: an objection open from Tue 2026-12-08 10:00 to Thu 12-10 10:00
// (and 9 ms) moved a Friday 09:30 deadline to Sunday 09:30:00.009.
func TestResumedDeadline(t *testing.T) {
	cal, err := clock.NewCalendar([]clock.DayEntry{{Date: "2027-02-01", Kind: clock.Holiday, Name: "假日"}})
	if err != nil {
		t.Fatal(err)
	}
	sh := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05.000", s, clock.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	cases := []struct {
		name, old string
		pause     time.Duration
		want      string
	}{
		{"over a weekend, 9 ms over two days", "2027-01-15 09:30:00.000", 48*time.Hour + 9*time.Millisecond, "2027-01-18 09:31:00.000"},
		{"a whole number of minutes stays exact", "2027-01-12 09:30:00.000", 2 * time.Hour, "2027-01-12 11:30:00.000"},
		{"a second rounds up to the next minute", "2027-01-12 09:30:00.000", time.Second, "2027-01-12 09:31:00.000"},
		{"onto a holiday: the next working day", "2027-01-29 09:30:00.000", 72 * time.Hour, "2027-02-02 09:30:00.000"},
	}
	for _, c := range cases {
		if got := resumedDeadline(cal, sh(c.old), c.pause); !got.Equal(sh(c.want)) {
			t.Errorf("%s: %s + %s = %s, want %s", c.name, c.old, c.pause, got.In(clock.Shanghai), c.want)
		}
	}
}
