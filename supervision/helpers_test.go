package supervision

import (
	"context"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/calendar"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

type env struct {
	db     *storage.DB
	events *eventlog.Service
	clock  *clock.Fake
	cal    *clock.Calendar
	svc    *Service
	dept   int64 // the approval department
	other  int64 // another department
}

func newEnv(t testing.TB, b dbtest.Backend, start time.Time) *env {
	t.Helper()
	db := storagetest.Open(t, b)
	clk := clock.NewFake(start)
	cal, err := clock.NewCalendar(calendar.Builtin2026())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, events: eventlog.New(db, clk), clock: clk, cal: cal, dept: 501, other: 502}
	e.svc = e.service()
	return e
}

// service is a fresh Service over the same database, as a restarted
// process would build it.
func (e *env) service() *Service {
	return New(e.db, e.events, e.clock, func(context.Context) (*clock.Calendar, error) { return e.cal, nil }, DefaultRules())
}

func forEachBackend(t *testing.T, start time.Time, fn func(t *testing.T, e *env)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newEnv(t, b, start)) })
	}
}

func beijing(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// appendEvent appends an event the way its domain does, at the clock's time.
func (e *env) appendEvent(t testing.TB, typ, subject string, payload map[string]any) eventlog.Event {
	t.Helper()
	ev, err := e.events.Append(context.Background(), eventlog.Entry{Type: typ, Subject: subject, Actor: "user:10", Payload: payload})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// acceptCase files, submits and accepts case id of e.dept now, promised
// in n working days, with the due date approval computes.
func (e *env) acceptCase(t testing.TB, id int64, n int) time.Time {
	t.Helper()
	subj := "case:" + itoa(id)
	e.appendEvent(t, approval.EventCaseApplied, subj, map[string]any{"caseNo": "SP" + itoa(id), "item": "350100-ZJ-001",
		"departmentOrgId": e.dept, "promisedDays": n})
	e.appendEvent(t, approval.EventCaseSubmitted, subj, map[string]any{"from": "draft"})
	due := approval.DueAt(e.cal, e.clock.Now(), n, 0)
	e.appendEvent(t, approval.EventCaseAccepted, subj, map[string]any{"promisedDays": n, "dueAt": due})
	return due
}

func (e *env) consume(t testing.TB) {
	t.Helper()
	if _, err := e.svc.Consume(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (e *env) sweepAt(t testing.TB, at time.Time) {
	t.Helper()
	e.clock.Set(at)
	if err := e.svc.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (e *env) subject(t testing.TB, subj string) Subject {
	t.Helper()
	s, err := e.svc.st.subject(context.Background(), subj)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) countEvents(t testing.TB, typ string) int {
	t.Helper()
	evs, err := e.events.ByType(context.Background(), typ, eventlog.MaxPage)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

var platformSupervisor = accounts.Principal{UserID: 30, OrgID: 1, OrgKind: accounts.OrgPlatform, Roles: []accounts.Role{accounts.RoleSupervisor}}

func (e *env) officer() accounts.Principal {
	return accounts.Principal{UserID: 10, OrgID: e.dept, OrgKind: accounts.OrgDepartment, Roles: []accounts.Role{accounts.RoleOfficer}}
}

func (e *env) outsider() accounts.Principal {
	return accounts.Principal{UserID: 11, OrgID: e.other, OrgKind: accounts.OrgDepartment, Roles: []accounts.Role{accounts.RoleOfficer}}
}

func (e *env) otherSupervisor() accounts.Principal {
	return accounts.Principal{UserID: 31, OrgID: e.other, OrgKind: accounts.OrgDepartment, Roles: []accounts.Role{accounts.RoleSupervisor}}
}

func dueAfter(cal *clock.Calendar, start time.Time, n int) time.Time {
	return approval.DueAt(cal, start, n, 0)
}
