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
	return cal.WorkdaysAfter(from, to)
}

// RemainingWorkdays is the working days from now until due: those after
// now's date up to and including due's; 0 on the due day itself and
// negative (the working days overdue) after it.
func RemainingWorkdays(cal *clock.Calendar, now, due time.Time) int {
	if cal.DaysBetween(now, due) < 0 {
		return -cal.WorkdaysAfter(due, now)
	}
	return cal.WorkdaysAfter(now, due)
}
