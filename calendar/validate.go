package calendar

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// MaxNameLength is the longest day name accepted, in characters.
const MaxNameLength = 100

const dateLayout = "2006-01-02"

// checkYear returns apperr.Invalid for a year outside [MinYear, MaxYear].
func checkYear(year int) error {
	if year < MinYear || year > MaxYear {
		return apperr.Newf(apperr.Invalid, "年份应在 %d 至 %d 之间", "the year must be between %d and %d", MinYear, MaxYear).
			WithField("year", "out of range")
	}
	return nil
}

// validateYear checks entries for year and returns them with trimmed names,
// in date order. Every problem is reported, each under its entry's field
// ("days[i].date", "days[i].kind", "days[i].name"), in one apperr.Invalid.
func validateYear(year int, entries []clock.DayEntry) ([]clock.DayEntry, error) {
	bad := apperr.New(apperr.Invalid, "节假日安排有误", "the calendar has invalid days").WithCode("invalid_calendar")
	if len(entries) > 366 {
		return nil, bad.WithField("days", "more than 366 days")
	}
	seen := map[string]int{}
	out := make([]clock.DayEntry, 0, len(entries))
	for i, e := range entries {
		field := func(name string) string { return fmt.Sprintf("days[%d].%s", i, name) }
		e.Name = strings.TrimSpace(e.Name)
		if utf8.RuneCountInString(e.Name) > MaxNameLength {
			bad.WithField(field("name"), fmt.Sprintf("longer than %d characters", MaxNameLength))
		}
		if e.Kind != clock.Holiday && e.Kind != clock.Workday {
			bad.WithField(field("kind"), `must be "holiday" or "workday"`)
		}
		d, err := time.Parse(dateLayout, e.Date)
		switch {
		case err != nil:
			bad.WithField(field("date"), "not a date in the form YYYY-MM-DD")
			continue
		case d.Year() != year:
			bad.WithField(field("date"), fmt.Sprintf("not in %d", year))
		case e.Kind == clock.Workday && !weekend(d):
			bad.WithField(field("date"), "an adjusted workday must be a Saturday or Sunday; weekdays are workdays already")
		}
		if j, dup := seen[e.Date]; dup {
			bad.WithField(field("date"), fmt.Sprintf("listed twice (also days[%d])", j))
		}
		seen[e.Date] = i
		out = append(out, e)
	}
	if len(bad.Fields) > 0 {
		return nil, bad
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	if _, err := clock.NewCalendar(out); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "节假日安排有误", "the calendar has invalid days").WithCode("invalid_calendar")
	}
	return out, nil
}

func weekend(d time.Time) bool {
	return d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
}
