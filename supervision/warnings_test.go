package supervision

import (
	"context"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// An overdue case's warning: only its office answers, only a supervisor
// of its department reviews; a rejection sends it back, an acceptance
// turns the light green, and the red→green change stays in the log.
func TestWarningAnswerAndReview(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		ctx := context.Background()
		e.acceptCase(t, 1, 1) // due end of Tuesday
		e.consume(t)
		e.sweepAt(t, beijing("2026-11-03 20:00")) // past 80 % of the limit
		e.sweepAt(t, beijing("2026-11-04 09:00"))
		if l := e.subject(t, "case:1").Light; l != Red {
			t.Fatalf("light %s, want red", l)
		}
		ws := e.warnings(t)
		if len(ws) != 2 { // yellow, then red
			t.Fatalf("%d warnings, want 2", len(ws))
		}
		red := ws[0]
		if red.Light != Red || red.OfficeOrgID != e.dept {
			t.Fatalf("newest warning %+v", red)
		}
		if _, err := e.svc.Answer(ctx, e.outsider(), red.ID, "不是我们的"); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("outsider answered: %v", err)
		}
		if _, err := e.svc.Answer(ctx, e.officer(), red.ID, "  "); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("empty answer: %v", err)
		}
		if _, err := e.svc.Review(ctx, platformSupervisor, red.ID, true, ""); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("review before answer: %v", err)
		}
		if _, err := e.svc.Answer(ctx, e.officer(), red.ID, "申请人补充材料延误，已于今日办结"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Review(ctx, e.otherSupervisor(), red.ID, true, ""); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("another department's supervisor reviewed: %v", err)
		}
		if _, err := e.svc.Review(ctx, platformSupervisor, red.ID, false, ""); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("rejection without a note: %v", err)
		}
		w, err := e.svc.Review(ctx, platformSupervisor, red.ID, false, "请附办结材料")
		if err != nil || w.State != WarningOpen {
			t.Fatalf("rejected: %+v, %v", w, err)
		}
		e.appendEvent(t, "approval.case_finished", "case:1", map[string]any{})
		e.consume(t)
		for _, x := range ws {
			if _, err := e.svc.Answer(ctx, e.officer(), x.ID, "已办结，附办结通知书"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Review(ctx, platformSupervisor, x.ID, true, "同意"); err != nil {
				t.Fatal(err)
			}
		}
		if l := e.subject(t, "case:1").Light; l != Green {
			t.Fatalf("after acceptance: %s, want green", l)
		}
		tr, err := e.svc.Trajectory(ctx, platformSupervisor, "case:1")
		if err != nil {
			t.Fatal(err)
		}
		var changes []string
		for _, s := range tr.Steps {
			if s.Type == EventLightChanged {
				var p struct{ To string }
				ev, _ := e.events.BySubject(ctx, "case:1", 0)
				for _, x := range ev {
					if x.Seq == s.Seq && jsonInto(x.Payload, &p) {
						changes = append(changes, p.To)
					}
				}
			}
		}
		// The red warning accepted first leaves the yellow one open.
		if want := "yellow red yellow green"; strings.Join(changes, " ") != want {
			t.Fatalf("trajectory light changes %v, want %s", changes, want)
		}
		if len(tr.Limits) != 2 || tr.Limits[1].RuleID != RuleCasePromised || tr.Limits[1].StoppedAt == nil {
			t.Fatalf("limits %+v", tr.Limits)
		}
		if _, err := e.svc.Trajectory(ctx, e.otherSupervisor(), "case:1"); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("another department's supervisor read the trajectory: %v", err)
		}
	})
}

// An unanswered warning escalates once when its answer deadline passes.
func TestUnansweredWarningEscalates(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		e.acceptCase(t, 1, 0)
		e.clock.Set(beijing("2026-11-03 09:00"))
		e.consume(t) // red: answer due end of Friday 6 November (3 working days)
		e.sweepAt(t, beijing("2026-11-06 23:00"))
		if n := e.countEvents(t, EventWarningEscalated); n != 0 {
			t.Fatalf("escalated before the deadline: %d", n)
		}
		e.sweepAt(t, beijing("2026-11-09 08:00"))
		e.sweepAt(t, beijing("2026-11-09 09:00"))
		if n := e.countEvents(t, EventWarningEscalated); n != 1 {
			t.Fatalf("%d escalations, want 1", n)
		}
		if ws := e.warnings(t); ws[0].State != WarningEscalated {
			t.Fatalf("state %s", ws[0].State)
		}
	})
}
