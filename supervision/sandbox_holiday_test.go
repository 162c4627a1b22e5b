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
	"github.com/tenderhall/tenderhall/sandbox"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// A case promised in 3 working days, accepted on Monday 2026-09-28, is due
// at the end of Thursday 10-08: the National Day holiday (10-01 to 10-07)
// does not count. Moved by the sandbox clock itself (sandbox.Service.
// Advance and its sweeps, as `serve --sandbox` wires them), the light is
// green until the day with one working day left (9-30), yellow through
// the whole holiday — a count of calendar days would have it red from
// 10-01 — and red only from 10-09.
func TestLightsAcrossAHolidayOnTheSandboxClock(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			ctx := context.Background()
			db := storagetest.Open(t, b)
			base := clock.NewFake(beijing("2026-09-28 10:00")) // the sandbox clock runs on a fixed base here
			sbClock := clock.NewShifted(base, 0)
			events := eventlog.New(db, sbClock)
			cal, err := clock.NewCalendar(calendar.Builtin2026())
			if err != nil {
				t.Fatal(err)
			}
			svc := New(db, events, sbClock, func(context.Context) (*clock.Calendar, error) { return cal, nil }, DefaultRules())
			sb := sandbox.New(db, events, sbClock, nil)
			if err := sb.Claim(ctx); err != nil {
				t.Fatal(err)
			}
			sb.OnAdvance(nil, sandbox.Sweep{Name: "supervision", Run: func(ctx context.Context) error {
				if _, err := svc.Consume(ctx); err != nil {
					return err
				}
				return svc.Sweep(ctx)
			}})
			admin := accounts.Principal{UserID: 1, OrgID: 1, OrgKind: accounts.OrgPlatform, Roles: []accounts.Role{accounts.RoleAdmin}}

			due := approval.DueAt(cal, sbClock.Now(), 3, 0)
			if want := beijing("2026-10-09 00:00").Add(-time.Millisecond); !due.Equal(want) {
				t.Fatalf("due %s, want %s", due.In(clock.Shanghai), want.In(clock.Shanghai))
			}
			for _, ev := range []eventlog.Entry{
				{Type: approval.EventCaseApplied, Payload: map[string]any{"caseNo": "SP1", "item": "350100-ZJ-001", "departmentOrgId": 501, "promisedDays": 3}},
				{Type: approval.EventCaseSubmitted, Payload: map[string]any{"from": "draft"}},
				{Type: approval.EventCaseAccepted, Payload: map[string]any{"promisedDays": 3, "dueAt": due}},
			} {
				ev.Subject, ev.Actor = "case:1", "user:10"
				if _, err := events.Append(ctx, ev); err != nil {
					t.Fatal(err)
				}
			}
			steps := []struct {
				at   string
				want Light
			}{
				{"2026-09-29 23:59:59.999", Green},
				{"2026-09-30 00:00:00.000", Yellow},
				{"2026-10-01 00:00:00.000", Yellow}, // three calendar days after acceptance
				{"2026-10-07 23:59:59.999", Yellow},
				{"2026-10-08 23:59:59.999", Yellow},
				{"2026-10-09 00:00:00.000", Red},
			}
			for _, s := range steps {
				to, err := time.ParseInLocation("2006-01-02 15:04:05.000", s.at, clock.Shanghai)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := sb.Advance(ctx, admin, to, 0); err != nil {
					t.Fatal(err)
				}
				subj, err := svc.st.subject(ctx, "case:1")
				if err != nil || subj.Light != s.want {
					t.Fatalf("at %s the case is %s (%v), want %s", s.at, subj.Light, err, s.want)
				}
			}
			ws, err := svc.st.warnings(ctx, WarningFilter{Subject: "case:1", Limit: 10})
			if err != nil || len(ws) != 2 {
				t.Fatalf("one warning at yellow and one at red: %+v, %v", ws, err)
			}
		})
	}
}
