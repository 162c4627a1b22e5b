package calendar

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

type env struct {
	db     *storage.DB
	events *eventlog.Service
	clock  *clock.Fake
	svc    *Service
}

func newEnv(t *testing.T, b dbtest.Backend) *env {
	db := storagetest.Open(t, b)
	clk := clock.NewFake(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
	events := eventlog.New(db, clk)
	return &env{db: db, events: events, clock: clk, svc: New(db, events, clk)}
}

func forEachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newEnv(t, b)) })
	}
}

var (
	admin  = accounts.Principal{UserID: 7, Roles: []accounts.Role{accounts.RoleAdmin}}
	bidder = accounts.Principal{UserID: 8, Roles: []accounts.Role{accounts.RoleBidder}}
)

func day(s string) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return d.Add(10 * time.Hour)
}

func yearSets(t *testing.T, e *env) []yearSet {
	t.Helper()
	evs, err := e.events.ByType(context.Background(), EventYearSet, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]yearSet, len(evs))
	for i, ev := range evs {
		if ev.Actor != admin.Actor() || !strings.HasPrefix(ev.Subject, "calendar:") {
			t.Errorf("event %d: actor %q subject %q", ev.Seq, ev.Actor, ev.Subject)
		}
		if err := json.Unmarshal([]byte(ev.Payload), &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestSetYearThenRead(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if err := e.svc.SetYear(ctx, admin, 2026, Builtin2026()); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Year(ctx, 2026)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, Builtin2026()) {
			t.Fatalf("Year(2026) = %v\nwant %v", got, Builtin2026())
		}
		if other, err := e.svc.Year(ctx, 2027); err != nil || len(other) != 0 {
			t.Fatalf("Year(2027) = %v, %v; want nothing", other, err)
		}

		// Replacing keeps only the new list, in date order, names trimmed.
		next := []clock.DayEntry{
			{Date: "2026-10-10", Kind: clock.Workday, Name: "国庆节调休上班"},
			{Date: "2026-10-01", Kind: clock.Holiday, Name: "  国庆节 "},
		}
		if err := e.svc.SetYear(ctx, admin, 2026, next); err != nil {
			t.Fatal(err)
		}
		got, _ = e.svc.Year(ctx, 2026)
		want := []clock.DayEntry{next[1], next[0]}
		want[0].Name = "国庆节"
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after replace: %v, want %v", got, want)
		}

		// An empty list clears the year.
		if err := e.svc.SetYear(ctx, admin, 2026, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Year(ctx, 2026); len(got) != 0 {
			t.Fatalf("after clear: %v", got)
		}

		wantEvents := []yearSet{
			{Year: 2026, Holidays: 33, Workdays: 6, Replaced: 0},
			{Year: 2026, Holidays: 1, Workdays: 1, Replaced: 39},
			{Year: 2026, Holidays: 0, Workdays: 0, Replaced: 2},
		}
		if got := yearSets(t, e); !reflect.DeepEqual(got, wantEvents) {
			t.Fatalf("events %+v, want %+v", got, wantEvents)
		}
	})
}

func TestSetYearOnlyTouchesItsYear(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		y2025 := []clock.DayEntry{{Date: "2025-12-31", Kind: clock.Holiday, Name: "test"}}
		y2027 := []clock.DayEntry{{Date: "2027-01-01", Kind: clock.Holiday, Name: "元旦"}}
		for year, days := range map[int][]clock.DayEntry{2025: y2025, 2027: y2027} {
			if err := e.svc.SetYear(ctx, admin, year, days); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.svc.SetYear(ctx, admin, 2026, nil); err != nil {
			t.Fatal(err)
		}
		for year, want := range map[int][]clock.DayEntry{2025: y2025, 2027: y2027} {
			if got, err := e.svc.Year(ctx, year); err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("Year(%d) = %v, %v; want %v", year, got, err, want)
			}
		}
	})
}

func TestSetYearRefusesNonAdmins(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for name, p := range map[string]accounts.Principal{
			"bidder":     bidder,
			"supervisor": {UserID: 9, Roles: []accounts.Role{accounts.RoleSupervisor}},
			"anonymous":  {Roles: []accounts.Role{accounts.RoleAdmin}},
		} {
			err := e.svc.SetYear(ctx, p, 2026, Builtin2026())
			if !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s: %v, want Forbidden", name, err)
			}
		}
		if got, _ := e.svc.Year(ctx, 2026); len(got) != 0 {
			t.Fatalf("refused writes stored %v", got)
		}
		if got := yearSets(t, e); len(got) != 0 {
			t.Fatalf("refused writes logged %v", got)
		}
	})
}

func TestSetYearRejectsBadDays(t *testing.T) {
	long := strings.Repeat("节", MaxNameLength+1)
	cases := []struct {
		name  string
		year  int
		days  []clock.DayEntry
		field string
	}{
		{"year too early", 1999, nil, "year"},
		{"year too late", 2100, nil, "year"},
		{"not a date", 2026, []clock.DayEntry{{Date: "2026-1-5", Kind: clock.Holiday}}, "days[0].date"},
		{"no such day", 2026, []clock.DayEntry{{Date: "2026-02-30", Kind: clock.Holiday}}, "days[0].date"},
		{"other year", 2026, []clock.DayEntry{{Date: "2025-12-31", Kind: clock.Holiday}}, "days[0].date"},
		{"unknown kind", 2026, []clock.DayEntry{{Date: "2026-01-01", Kind: "festival"}}, "days[0].kind"},
		{"workday on a weekday", 2026, []clock.DayEntry{{Date: "2026-01-05", Kind: clock.Workday}}, "days[0].date"},
		{"duplicate", 2026, []clock.DayEntry{{Date: "2026-01-01", Kind: clock.Holiday}, {Date: "2026-01-01", Kind: clock.Holiday}}, "days[1].date"},
		{"name too long", 2026, []clock.DayEntry{{Date: "2026-01-01", Kind: clock.Holiday, Name: long}}, "days[0].name"},
	}
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				// A good day next to the bad one must not be stored either.
				days := append(append([]clock.DayEntry{}, c.days...), clock.DayEntry{Date: "2026-12-31", Kind: clock.Holiday})
				err := e.svc.SetYear(ctx, admin, c.year, days)
				ae, ok := apperr.As(err)
				if !ok || ae.Kind != apperr.Invalid {
					t.Fatalf("err %v, want Invalid", err)
				}
				if _, ok := ae.Fields[c.field]; !ok {
					t.Fatalf("fields %v, want %s", ae.Fields, c.field)
				}
			})
		}
		if got, _ := e.svc.Year(ctx, 2026); len(got) != 0 {
			t.Fatalf("rejected writes stored %v", got)
		}
		if got := yearSets(t, e); len(got) != 0 {
			t.Fatalf("rejected writes logged %v", got)
		}
		if _, err := e.svc.Year(ctx, 1999); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("Year(1999): %v, want Invalid", err)
		}
	})
}

func TestCalendarReflectsWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// A second replica over the same database, caching its own copy.
		replica := New(e.db, e.events, e.clock)
		for _, s := range []*Service{e.svc, replica} {
			cal, err := s.Calendar(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !cal.IsWorkday(day("2026-10-01")) || cal.IsWorkday(day("2026-10-10")) {
				t.Fatal("with nothing loaded the calendar should be weekends only")
			}
			again, _ := s.Calendar(ctx)
			if again != cal {
				t.Fatal("an unchanged calendar should come from the cache")
			}
		}
		if err := e.svc.SetYear(ctx, admin, 2026, Builtin2026()); err != nil {
			t.Fatal(err)
		}
		for name, s := range map[string]*Service{"writer": e.svc, "replica": replica} {
			cal, err := s.Calendar(ctx)
			if err != nil {
				t.Fatal(err)
			}
			checks := map[string]bool{"2026-10-01": false, "2026-10-10": true, "2026-10-09": true, "2026-10-11": false, "2026-02-14": true}
			for d, want := range checks {
				if got := cal.IsWorkday(day(d)); got != want {
					t.Errorf("%s: IsWorkday(%s) = %v, want %v", name, d, got, want)
				}
			}
		}
	})
}
