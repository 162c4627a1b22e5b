package supervision

import (
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
)

// Light is a time-limit light (红黄绿灯).
type Light string

// The lights, in order of severity.
const (
	Green  Light = "green"
	Yellow Light = "yellow"
	Red    Light = "red"
)

func (l Light) rank() int {
	switch l {
	case Yellow:
		return 1
	case Red:
		return 2
	}
	return 0
}

// worse returns the more severe of a and b.
func worse(a, b Light) Light {
	if b.rank() > a.rank() {
		return b
	}
	return a
}

// Window is one time limit: from Start, yellow from YellowAt, red after Due.
type Window struct {
	Start, YellowAt, Due time.Time
}

// LightAt is the window's light at now.
func (w Window) LightAt(now time.Time) Light {
	switch {
	case now.After(w.Due):
		return Red
	case !now.Before(w.YellowAt):
		return Yellow
	}
	return Green
}

// WorkdayWindow is the window of a limit of n working days starting at
// start and ending at due (the end of the last working day, moved by any
// suspensions): yellow from the start of the first day on which at most
// max(daysLeft, n×(100−usedPct)/100) working days remain, that is when
// usedPct of the limit is used or daysLeft working days are left. A day's
// remaining working days are those after it up to and including due's day,
// so holidays and weekends never count.
func (r Rules) WorkdayWindow(cal *clock.Calendar, start, due time.Time, n int) Window {
	k := max(r.YellowDaysLeft, n*(100-r.YellowUsedPercent)/100)
	if k >= n {
		// A limit of k days or less would be yellow from its start: such
		// short limits go yellow when usedPct of their time has passed.
		return r.DurationWindow(start, due, false)
	}
	end, first := dayOf(due), dayOf(start)
	day := end
	for d := end.AddDate(0, 0, -1); !d.Before(first); d = d.AddDate(0, 0, -1) {
		if cal.WorkdaysAfter(d, end) > k {
			break
		}
		day = d
	}
	y, m, dd := day.Date()
	yellow := time.Date(y, m, dd, 0, 0, 0, 0, clock.Shanghai)
	if yellow.Before(start) {
		yellow = start
	}
	return Window{Start: start, YellowAt: yellow, Due: due}
}

// DurationWindow is the window of a limit measured in calendar time (the
// opening's minutes, the publicity's and the contract's days): yellow when
// usedPct of it has passed, or, for a limit in days, daysLeft days before
// due, whichever comes first.
func (r Rules) DurationWindow(start, due time.Time, days bool) Window {
	yellow := start.Add(due.Sub(start) * time.Duration(r.YellowUsedPercent) / 100)
	if left := due.AddDate(0, 0, -r.YellowDaysLeft); days && left.Before(yellow) {
		yellow = left
	}
	if yellow.Before(start) {
		yellow = start
	}
	return Window{Start: start, YellowAt: yellow, Due: due}
}

// dayOf is noon of t's Beijing date, safe to step by AddDate.
func dayOf(t time.Time) time.Time {
	y, m, d := t.In(clock.Shanghai).Date()
	return time.Date(y, m, d, 12, 0, 0, 0, clock.Shanghai)
}
