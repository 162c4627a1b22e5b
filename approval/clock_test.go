package approval

import (
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/calendar"
	"github.com/tenderhall/tenderhall/internal/clock"
)

func beijing(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func builtin(t *testing.T) *clock.Calendar {
	t.Helper()
	cal, err := clock.NewCalendar(calendar.Builtin2026())
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

// TestPromisedDateByHand is the worked example of the package doc: the
// date below was counted by hand on the 2026 calendar, and the code must
// agree with it.
func TestPromisedDateByHand(t *testing.T) {
	cal := builtin(t)
	accepted := beijing("2026-09-23 10:00")
	s1 := SuspendedWorkdays(cal, beijing("2026-09-24 15:00"), beijing("2026-09-29 09:00"))
	s2 := SuspendedWorkdays(cal, beijing("2026-10-09 11:00"), beijing("2026-10-12 16:00"))
	if s1 != 2 || s2 != 2 {
		t.Fatalf("suspensions add %d and %d working days, by hand 2 and 2", s1, s2)
	}
	due := DueAt(cal, accepted, 10, s1+s2)
	want := time.Date(2026, 10, 20, 23, 59, 59, int(999*time.Millisecond), clock.Shanghai)
	if !due.Equal(want) {
		t.Fatalf("due %s, by hand %s", due.In(clock.Shanghai), want)
	}
	if d := DueAt(cal, accepted, 10, 0); !d.Equal(time.Date(2026, 10, 14, 23, 59, 59, int(999*time.Millisecond), clock.Shanghai)) {
		t.Fatalf("without suspensions due %s, by hand 2026-10-14", d.In(clock.Shanghai))
	}
}

func TestWorkdayCounts(t *testing.T) {
	cal := builtin(t)
	cases := []struct {
		name     string
		from, to string
		want     int
	}{
		{"same day adds nothing", "2026-09-24 09:00", "2026-09-24 17:00", 0},
		{"over a weekend", "2026-11-06 10:00", "2026-11-09 10:00", 1},
		{"over the National Day holiday", "2026-09-30 10:00", "2026-10-08 10:00", 1},
		{"an adjusted Saturday counts", "2026-10-09 10:00", "2026-10-10 10:00", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := SuspendedWorkdays(cal, beijing(c.from), beijing(c.to)); got != c.want {
				t.Fatalf("got %d, want %d", got, c.want)
			}
		})
	}
	due := DueAt(cal, beijing("2026-11-02 10:00"), 3, 0) // Mon + 3 = Thu
	for _, c := range []struct {
		now  string
		want int
	}{{"2026-11-02 12:00", 3}, {"2026-11-05 08:00", 0}, {"2026-11-06 08:00", -1}, {"2026-11-09 08:00", -2}} {
		if got := RemainingWorkdays(cal, beijing(c.now), due); got != c.want {
			t.Errorf("at %s remaining %d, want %d", c.now, got, c.want)
		}
	}
}
