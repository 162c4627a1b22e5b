package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/calendar"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// calendarEnv is a test server whose Deps carry a calendar service. The
// calendar and its events live in a database of their own, since newEnv
// does not hand out its own; cal and events read it directly.
type calendarEnv struct {
	*testEnv
	cal    *calendar.Service
	events *eventlog.Service
}

func newCalendarEnv(t *testing.T, b dbtest.Backend) *calendarEnv {
	e := newEnv(t, b)
	db := storagetest.Open(t, b)
	events := eventlog.New(db, e.clock)
	cal := calendar.New(db, events, e.clock)
	d := e.srv.deps
	d.Calendar = cal
	e.srv = New(d)
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	return &calendarEnv{testEnv: e, cal: cal, events: events}
}

func forEachCalendarBackend(t *testing.T, fn func(t *testing.T, e *calendarEnv)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newCalendarEnv(t, b)) })
	}
}

func builtinRequest() CalendarRequest {
	var req CalendarRequest
	for _, d := range calendar.Builtin2026() {
		req.Days = append(req.Days, CalendarDay{Date: d.Date, Kind: string(d.Kind), Name: d.Name})
	}
	return req
}

func TestCalendarYearRoundTrip(t *testing.T) {
	forEachCalendarBackend(t, func(t *testing.T, e *calendarEnv) {
		resp := e.do("GET", "/api/v1/calendar/2026", "", nil)
		wantStatus(t, resp, http.StatusOK)
		var empty CalendarYear
		decode(t, resp, &empty)
		if empty.Year != 2026 || empty.Days == nil || len(empty.Days) != 0 {
			t.Fatalf("empty year: %+v", empty)
		}

		req := builtinRequest()
		resp = e.do("PUT", "/api/v1/calendar/2026", e.tokens[accounts.RoleAdmin], req)
		wantStatus(t, resp, http.StatusOK)
		var put CalendarYear
		decode(t, resp, &put)
		if len(put.Days) != 39 || put.Days[0] != req.Days[0] {
			t.Fatalf("PUT answered %d days, first %+v", len(put.Days), put.Days[0])
		}

		resp = e.do("GET", "/api/v1/calendar/2026", "", nil)
		wantStatus(t, resp, http.StatusOK)
		var got CalendarYear
		decode(t, resp, &got)
		a, _ := json.Marshal(got.Days)
		b, _ := json.Marshal(req.Days)
		if string(a) != string(b) {
			t.Fatalf("GET after PUT:\n%s\nwant\n%s", a, b)
		}

		evs, err := e.events.ByType(context.Background(), calendar.EventYearSet, 10)
		if err != nil {
			t.Fatal(err)
		}
		adminActor := "user:" + strconv.FormatInt(e.principal(accounts.RoleAdmin).UserID, 10)
		if len(evs) != 1 || evs[0].Actor != adminActor || evs[0].Subject != "calendar:2026" {
			t.Fatalf("events %+v, want one year_set by %s", evs, adminActor)
		}

		cal, err := e.cal.Calendar(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cal.IsWorkday(time.Date(2026, 10, 1, 2, 0, 0, 0, time.UTC)) { // 国庆节
			t.Fatal("the calendar does not show the holiday just stored")
		}
	})
}

func TestCalendarPutRefusesNonAdmins(t *testing.T) {
	e := newCalendarEnv(t, dbtest.SQLite)
	resp := e.do("PUT", "/api/v1/calendar/2026", "", builtinRequest())
	wantStatus(t, resp, http.StatusUnauthorized)
	for _, r := range accounts.Roles() {
		if r == accounts.RoleAdmin {
			continue
		}
		resp := e.do("PUT", "/api/v1/calendar/2026", e.tokens[r], builtinRequest())
		wantStatus(t, resp, http.StatusForbidden)
	}
	if days, _ := e.cal.Year(context.Background(), 2026); len(days) != 0 {
		t.Fatalf("refused PUTs stored %v", days)
	}
}

func TestCalendarRejectsBadInput(t *testing.T) {
	cases := []struct {
		name   string
		method string
		year   string
		body   any
		field  string // expected in the error's fields; "" for none checked
	}{
		{"year not a number", "GET", "twenty", nil, "year"},
		{"year out of range", "GET", "1999", nil, "year"},
		{"put year out of range", "PUT", "2100", CalendarRequest{Days: []CalendarDay{}}, "year"},
		{"days missing", "PUT", "2026", `{}`, "days"},
		{"unknown field", "PUT", "2026", `{"days":[],"extra":1}`, "extra"},
		{"bad date", "PUT", "2026", CalendarRequest{Days: []CalendarDay{{Date: "2026/10/01", Kind: "holiday"}}}, "days[0].date"},
		{"other year", "PUT", "2026", CalendarRequest{Days: []CalendarDay{{Date: "2027-01-01", Kind: "holiday"}}}, "days[0].date"},
		{"unknown kind", "PUT", "2026", CalendarRequest{Days: []CalendarDay{{Date: "2026-10-01", Kind: "vacation"}}}, "days[0].kind"},
		{"workday on a weekday", "PUT", "2026", CalendarRequest{Days: []CalendarDay{{Date: "2026-10-09", Kind: "workday"}}}, "days[0].date"},
		{"duplicate", "PUT", "2026", CalendarRequest{Days: []CalendarDay{{Date: "2026-10-01", Kind: "holiday"}, {Date: "2026-10-01", Kind: "holiday"}}}, "days[1].date"},
	}
	forEachCalendarBackend(t, func(t *testing.T, e *calendarEnv) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp := e.do(c.method, "/api/v1/calendar/"+c.year, e.tokens[accounts.RoleAdmin], c.body)
				wantStatus(t, resp, http.StatusBadRequest)
				if d := errorOf(t, resp); c.field != "" && d.Fields[c.field] == "" {
					t.Fatalf("fields %v, want %s", d.Fields, c.field)
				}
			})
		}
		if days, _ := e.cal.Year(context.Background(), 2026); len(days) != 0 {
			t.Fatalf("rejected PUTs stored %v", days)
		}
	})
}

func TestCalendarUnavailableWithoutService(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	e.rebuild(t, func(d *Deps) { d.Calendar = nil })
	resp := e.do("GET", "/api/v1/calendar/2026", "", nil)
	wantStatus(t, resp, http.StatusServiceUnavailable)
}
