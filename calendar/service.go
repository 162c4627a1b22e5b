// Package calendar holds the working-day calendar an administrator
// maintains (DESIGN.md §5): the public holidays and the adjusted working
// weekend days (调休) of each year. Days it does not list follow the weekend
// rule, so with nothing loaded every Saturday and Sunday is off and every
// other day is a working day. Rules read it as a *clock.Calendar.
//
// Besides the kinds each method documents, any method may return
// apperr.Unavailable (database down or busy, safe to retry) or
// apperr.Internal (a fault on the server's side).
package calendar

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/storage"
)

// The years a calendar may be kept for.
const (
	MinYear = 2000
	MaxYear = 2099
)

// EventYearSet is the event type SetYear appends.
const EventYearSet = "calendar.year_set"

// Service reads and replaces the calendar. It is safe for concurrent use.
type Service struct {
	db     *storage.DB
	st     store
	events *eventlog.Service
	clock  clock.Clock

	mu      sync.Mutex
	cached  *clock.Calendar
	version int64 // calendar_version.version the cached calendar was read at
}

// New returns the calendar service over db, logging changes to events.
func New(db *storage.DB, events *eventlog.Service, c clock.Clock) *Service {
	return &Service{db: db, st: store{db}, events: events, clock: c}
}

// Calendar returns the whole calendar, every year loaded, for working-day
// arithmetic. It is cached in memory and re-read only when the calendar's
// version row has moved, so a change made through any replica is seen by
// the next call on every replica. The result is shared: do not modify it.
func (s *Service) Calendar(ctx context.Context) (*clock.Calendar, error) {
	// The version is read before the days: days newer than the version only
	// cause one more reload, never a stale calendar under a new version.
	v, err := s.st.version(ctx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cached != nil && s.version == v {
		c := s.cached
		s.mu.Unlock()
		return c, nil
	}
	s.mu.Unlock()
	rows, err := s.st.between(ctx, "", "9999-12-31")
	if err != nil {
		return nil, err
	}
	cal, err := clock.NewCalendar(entriesOf(rows))
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Internal, "节假日数据有误", "the stored calendar is inconsistent")
	}
	s.mu.Lock()
	if s.cached == nil || v >= s.version {
		s.cached, s.version = cal, v
	}
	s.mu.Unlock()
	return cal, nil
}

// Year returns the days listed for year, in date order; an empty list means
// the year follows the weekend rule. A year outside [MinYear, MaxYear] is
// apperr.Invalid.
func (s *Service) Year(ctx context.Context, year int) ([]clock.DayEntry, error) {
	if err := checkYear(year); err != nil {
		return nil, err
	}
	from, to := yearBounds(year)
	rows, err := s.st.between(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return entriesOf(rows), nil
}

// SetYear replaces the days listed for year with entries, in one
// transaction with a "calendar.year_set" event that records the counts and
// the actor. An empty list clears the year back to the weekend rule.
// Errors: apperr.Forbidden unless actor is an administrator; apperr.Invalid,
// with one field error per bad entry ("days[i].date", "days[i].kind",
// "days[i].name"), when the year is out of range, a date is malformed or in
// another year, a kind is unknown, a "workday" falls on a weekday, or a date
// is listed twice.
func (s *Service) SetYear(ctx context.Context, actor accounts.Principal, year int, entries []clock.DayEntry) error {
	if actor.UserID == 0 || !actor.Has(accounts.RoleAdmin) {
		return apperr.New(apperr.Forbidden, "只有平台管理员可以维护节假日", "only a platform administrator may maintain the calendar").
			WithCode("admin_required")
	}
	if err := checkYear(year); err != nil {
		return err
	}
	days, err := validateYear(year, entries)
	if err != nil {
		return err
	}
	now := s.clock.Now().UTC().Truncate(time.Millisecond)
	rows := make([]dayRow, len(days))
	for i, d := range days {
		rows[i] = dayRow{Day: d.Date, Kind: string(d.Kind), Name: d.Name, UpdatedAt: now, UpdatedBy: actor.Actor()}
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		// Taking the version row first serialises concurrent changes.
		if err := s.st.bumpVersion(ctx); err != nil {
			return err
		}
		from, to := yearBounds(year)
		removed, err := s.st.deleteBetween(ctx, from, to)
		if err != nil {
			return err
		}
		if err := s.st.insert(ctx, rows); err != nil {
			return err
		}
		holidays, workdays := count(days)
		_, err = s.events.Append(ctx, eventlog.Entry{Type: EventYearSet, Subject: fmt.Sprintf("calendar:%d", year),
			Actor: actor.Actor(), Payload: yearSet{Year: year, Holidays: holidays, Workdays: workdays, Replaced: removed}})
		return err
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
	return nil
}

// yearSet is the payload of a calendar.year_set event.
type yearSet struct {
	Year     int   `json:"year"`
	Holidays int   `json:"holidays"`
	Workdays int   `json:"workdays"`
	Replaced int64 `json:"replaced"` // rows the year held before
}

func count(days []clock.DayEntry) (holidays, workdays int) {
	for _, d := range days {
		if d.Kind == clock.Holiday {
			holidays++
		} else {
			workdays++
		}
	}
	return holidays, workdays
}

func entriesOf(rows []dayRow) []clock.DayEntry {
	out := make([]clock.DayEntry, len(rows))
	for i, r := range rows {
		out[i] = clock.DayEntry{Date: r.Day, Kind: clock.DayKind(r.Kind), Name: r.Name}
	}
	return out
}

func yearBounds(year int) (from, to string) {
	return fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
}
