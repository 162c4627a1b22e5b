package clock

import (
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// nationalDay2026 is the 2026 National Day break: 10-01..10-07 off, with
// the adjusted working days Sunday 09-20 and Saturday 10-10.
func nationalDay2026(t *testing.T) *Calendar {
	t.Helper()
	var e []DayEntry
	for d := 1; d <= 7; d++ {
		e = append(e, DayEntry{Date: time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), Kind: Holiday, Name: "国庆节"})
	}
	e = append(e, DayEntry{Date: "2026-09-20", Kind: Workday, Name: "国庆调休"}, DayEntry{Date: "2026-10-10", Kind: Workday, Name: "国庆调休"})
	c, err := NewCalendar(e)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sh(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNewCalendarRejects(t *testing.T) {
	for name, entries := range map[string][]DayEntry{
		"bad date":  {{Date: "2026-13-01", Kind: Holiday}},
		"bad kind":  {{Date: "2026-10-01", Kind: "rest"}},
		"duplicate": {{Date: "2026-10-01", Kind: Holiday}, {Date: "2026-10-01", Kind: Workday}},
	} {
		if _, err := NewCalendar(entries); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: err %v, want Invalid", name, err)
		}
	}
}

func TestIsWorkday(t *testing.T) {
	c := nationalDay2026(t)
	for _, tc := range []struct {
		cal  *Calendar
		day  string
		want bool
	}{
		{nil, "2026-10-01 10:00", true}, // weekends only: a Thursday
		{nil, "2026-10-03 10:00", false},
		{c, "2026-10-01 10:00", false},
		{c, "2026-10-07 23:59", false},
		{c, "2026-10-08 00:00", true},
		{c, "2026-10-10 10:00", true},  // adjusted Saturday
		{c, "2026-09-20 10:00", true},  // adjusted Sunday
		{c, "2026-10-11 10:00", false}, // ordinary Sunday
	} {
		if got := tc.cal.IsWorkday(sh(tc.day)); got != tc.want {
			t.Errorf("IsWorkday(%s, nil=%v) = %v, want %v", tc.day, tc.cal == nil, got, tc.want)
		}
	}
	// 2026-10-01 00:30 Shanghai is still 09-30 in UTC: the Shanghai date decides.
	if c.IsWorkday(sh("2026-10-01 00:30").UTC()) {
		t.Error("Shanghai date not used")
	}
}

func TestAddDays(t *testing.T) {
	c := nationalDay2026(t)
	empty, _ := NewCalendar(nil)
	for _, tc := range []struct {
		cal   *Calendar
		start string
		n     int
		want  string
	}{
		{c, "2026-09-11 09:30", 20, "2026-10-08 09:30"}, // last day 10-01 is a holiday: next working day
		{c, "2026-09-26 09:30", 5, "2026-10-08 09:30"},
		{c, "2026-09-15 09:30", 5, "2026-09-20 09:30"},   // a Sunday, but an adjusted workday
		{c, "2026-09-05 14:00", 15, "2026-09-20 14:00"},  // ends on the adjusted Sunday: a working day
		{nil, "2026-11-02 09:30", 5, "2026-11-09 09:30"}, // 11-07 is a Saturday → Monday
		{empty, "2026-11-02 09:30", 3, "2026-11-05 09:30"},
		{c, "2026-11-02 09:30", 0, "2026-11-02 09:30"},
	} {
		got := tc.cal.AddDays(sh(tc.start), tc.n)
		if !got.Equal(sh(tc.want)) || got.Location() != time.UTC {
			t.Errorf("AddDays(%s, %d) = %s, want %s", tc.start, tc.n, got.In(Shanghai), tc.want)
		}
	}
}

func TestAddWorkdays(t *testing.T) {
	c := nationalDay2026(t)
	for _, tc := range []struct {
		cal   *Calendar
		start string
		n     int
		want  string
	}{
		{c, "2026-09-30 10:00", 1, "2026-10-08 10:00"},
		{c, "2026-09-30 10:00", 3, "2026-10-10 10:00"}, // 10-08, 10-09, adjusted 10-10
		{c, "2026-09-18 10:00", 1, "2026-09-20 10:00"},
		{nil, "2026-09-18 10:00", 1, "2026-09-21 10:00"},
		{nil, "2026-11-20 10:00", 5, "2026-11-27 10:00"},
		{c, "2026-11-20 10:00", 0, "2026-11-20 10:00"},
	} {
		if got := tc.cal.AddWorkdays(sh(tc.start), tc.n); !got.Equal(sh(tc.want)) {
			t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tc.start, tc.n, got.In(Shanghai), tc.want)
		}
	}
}

func TestWorkdaysAfter(t *testing.T) {
	c := nationalDay2026(t)
	for _, tc := range []struct {
		cal      *Calendar
		from, to string
		want     int
	}{
		{c, "2026-09-30 23:00", "2026-10-12 08:00", 4}, // 10-08, 10-09, adjusted 10-10, 10-12
		{nil, "2026-09-30 23:00", "2026-10-12 08:00", 8},
		{c, "2026-10-12 09:00", "2026-10-12 23:00", 0}, // the same date
		{c, "2026-10-12 09:00", "2026-10-09 09:00", 0}, // backwards
		{c, "2026-10-01 00:00", "2026-10-07 23:59", 0}, // all holiday
	} {
		if got := tc.cal.WorkdaysAfter(sh(tc.from), sh(tc.to)); got != tc.want {
			t.Errorf("WorkdaysAfter(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestDaysBetweenAndEndOfDay(t *testing.T) {
	var c *Calendar
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2026-11-01 23:59", "2026-11-02 00:01", 1},
		{"2026-11-02 00:01", "2026-11-01 23:59", -1},
		{"2026-11-01 08:00", "2026-11-01 20:00", 0},
		{"2026-02-20 10:00", "2026-03-02 10:00", 10},
	} {
		if got := c.DaysBetween(sh(tc.a), sh(tc.b)); got != tc.want {
			t.Errorf("DaysBetween(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	// 07:00 Shanghai on 11-02 is 23:00 UTC on 11-01; the Shanghai date counts.
	if got := c.DaysBetween(sh("2026-11-01 12:00").UTC(), sh("2026-11-02 07:00").UTC()); got != 1 {
		t.Errorf("DaysBetween across UTC midnight = %d, want 1", got)
	}
	if got, want := EndOfDay(sh("2026-11-02 07:00")), sh("2026-11-02 23:59").Add(59*time.Second+999*time.Millisecond); !got.Equal(want) {
		t.Errorf("EndOfDay = %s, want %s", got, want)
	}
}
