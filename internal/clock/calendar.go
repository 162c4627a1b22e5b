package clock

import (
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// DayKind says what a calendar entry makes of its day.
type DayKind string

// The kinds of calendar entry.
const (
	Holiday DayKind = "holiday" // a public holiday: no work, even on a weekday
	Workday DayKind = "workday" // an adjusted working day (调休): work, even on a weekend
)

// DayEntry is one day of the working-day calendar an administrator maintains.
type DayEntry struct {
	Date string  // "2006-01-02", a date in Asia/Shanghai
	Kind DayKind // Holiday or Workday
	Name string  // e.g. "国庆节"
}

// Calendar tells working days from days off in Asia/Shanghai. Weekends are
// off unless marked Workday; days marked Holiday are off. A nil or empty
// Calendar knows weekends only. It is immutable and safe for concurrent use.
//
// Periods follow DESIGN.md §5: the start day does not count, and a period
// whose last day is not a working day ends on the next working day. Every
// result keeps the Shanghai wall-clock time of the start (so a deadline at
// 09:30 moved by a period is still at 09:30 on its new day); callers that
// want the end of the day take it from the result's date.
type Calendar struct {
	days map[string]DayKind
}

// NewCalendar builds a calendar from entries. It returns apperr.Invalid for
// a date that is not YYYY-MM-DD, an unknown kind or a date given twice.
func NewCalendar(entries []DayEntry) (*Calendar, error) {
	c := &Calendar{days: make(map[string]DayKind, len(entries))}
	for _, e := range entries {
		if _, err := time.ParseInLocation(time.DateOnly, e.Date, Shanghai); err != nil {
			return nil, apperr.Newf(apperr.Invalid, "日期 %q 格式错误，应为 YYYY-MM-DD", "date %q is not YYYY-MM-DD", e.Date).WithField("date", "format")
		}
		if e.Kind != Holiday && e.Kind != Workday {
			return nil, apperr.Newf(apperr.Invalid, "日期 %s 的类型 %q 未知", "day %s has unknown kind %q", e.Date, e.Kind).WithField("kind", "unknown")
		}
		if _, dup := c.days[e.Date]; dup {
			return nil, apperr.Newf(apperr.Invalid, "日期 %s 重复", "day %s is given twice", e.Date).WithField("date", "duplicate")
		}
		c.days[e.Date] = e.Kind
	}
	return c, nil
}

// IsWorkday reports whether d's date in Asia/Shanghai is a working day.
func (c *Calendar) IsWorkday(d time.Time) bool {
	d = d.In(Shanghai)
	if c != nil {
		switch c.days[d.Format(time.DateOnly)] {
		case Holiday:
			return false
		case Workday:
			return true
		}
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddDays returns the moment n calendar days after start (start day not
// counted), at start's Shanghai wall-clock time; when that day is not a
// working day, the next working day at the same time. The result is in UTC.
func (c *Calendar) AddDays(start time.Time, n int) time.Time {
	d := start.In(Shanghai).AddDate(0, 0, n)
	for !c.IsWorkday(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d.UTC()
}

// AddWorkdays returns the moment n working days after start (start day not
// counted), at start's Shanghai wall-clock time, in UTC. n ≤ 0 returns start.
func (c *Calendar) AddWorkdays(start time.Time, n int) time.Time {
	d := start.In(Shanghai)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d.UTC()
}

// DaysBetween returns the number of calendar days from a's Shanghai date to
// b's (negative when b's date is earlier); times of day do not matter.
func (c *Calendar) DaysBetween(a, b time.Time) int {
	da := dateOf(a)
	db := dateOf(b)
	return int(db.Sub(da) / (24 * time.Hour)) // both midnight UTC: an exact multiple of 24h
}

// WorkdaysAfter counts the working days d with from's Shanghai date < d ≤
// to's date: 0 when to's date is not after from's.
func (c *Calendar) WorkdaysAfter(from, to time.Time) int {
	n := 0
	end := noonOf(to)
	for d := noonOf(from).AddDate(0, 0, 1); !d.After(end); d = d.AddDate(0, 0, 1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

// noonOf is noon of t's Shanghai date: stepping it by AddDate never
// crosses a date boundary.
func noonOf(t time.Time) time.Time {
	y, m, d := t.In(Shanghai).Date()
	return time.Date(y, m, d, 12, 0, 0, 0, Shanghai)
}

// EndOfDay returns the last millisecond (23:59:59.999) of t's Shanghai date, in UTC.
func EndOfDay(t time.Time) time.Time {
	y, m, d := t.In(Shanghai).Date()
	return time.Date(y, m, d, 23, 59, 59, int(999*time.Millisecond), Shanghai).UTC()
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.In(Shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
