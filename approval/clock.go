package approval

import (
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
)

// DueAt is the promised completion of a case accepted at acceptedAt: the
// end (23:59:59.999, Beijing time) of the working day promised+suspended
// working days after the acceptance day, which does not count.
func DueAt(cal *clock.Calendar, acceptedAt time.Time, promised, suspended int) time.Time {
	return clock.EndOfDay(cal.AddWorkdays(acceptedAt, promised+suspended))
}

// SuspendedWorkdays is what a suspension from from to to adds to the due
// date: the working days after from's date, up to and including to's.
// Suspending and resuming on one day adds nothing.
func SuspendedWorkdays(cal *clock.Calendar, from, to time.Time) int {
	return workdaysAfter(cal, from, to)
}

// RemainingWorkdays is the working days from now until due: those after
// now's date up to and including due's; 0 on the due day itself and
// negative (the working days overdue) after it.
func RemainingWorkdays(cal *clock.Calendar, now, due time.Time) int {
	if dayOf(due).Before(dayOf(now)) {
		return -workdaysAfter(cal, due, now)
	}
	return workdaysAfter(cal, now, due)
}

// workdaysAfter counts the working days d with from's date < d ≤ to's date.
func workdaysAfter(cal *clock.Calendar, from, to time.Time) int {
	n := 0
	end := dayOf(to)
	for d := dayOf(from).AddDate(0, 0, 1); !d.After(end); d = d.AddDate(0, 0, 1) {
		if cal.IsWorkday(d) {
			n++
		}
	}
	return n
}

// dayOf is noon of t's Beijing date: stepping it by AddDate never crosses
// a date boundary.
func dayOf(t time.Time) time.Time {
	y, m, d := t.In(clock.Shanghai).Date()
	return time.Date(y, m, d, 12, 0, 0, 0, clock.Shanghai)
}
