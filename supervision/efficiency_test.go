package supervision

import (
	"context"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The efficiency index of November 2026, worked by hand with the default
// weights (on time 40, time used 15, warnings 10, red 15, satisfaction
// 15, complaints 5). Every case is accepted on Monday 2 November at 09:00,
// promised in 5 working days: due at the end of Monday 9 November, a
// limit D of 182.99999972 hours.
//
// Department A: case 1 decided at a quarter of D (used 0.25, on time),
// rated 5; case 2 decided on Tuesday 10 November at 09:00 (192 h: used
// 1.0491803, late) after a yellow and a red warning, rated 3.
// On time 1/2 → 50; time used 100 × (1 − 0.6495902) = 35.04098;
// warnings 2 per 2 cases → 0; red 1 per 2 → 50; satisfaction (4 − 1)/4 →
// 75; complaints 100. Score (2000 + 525.6148 + 0 + 750 + 1125 + 500)/100
// = 49.01, 不合格, rank 2.
//
// Department B: one case decided on Wednesday 4 November at 09:00 (48 h:
// used 0.2622951), rated 5. Parts 100, 73.77049, 100, 100, 100, 100.
// Score (4000 + 1106.5574 + 1000 + 1500 + 1500 + 500)/100 = 96.07, 优秀,
// rank 1.
func TestEfficiencyWorkedExample(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		start := e.clock.Now()
		accept := func(id, dept int64) {
			subj := "case:" + itoa(id)
			e.appendEvent(t, approval.EventCaseApplied, subj, map[string]any{"caseNo": "SP" + itoa(id), "item": "X", "departmentOrgId": dept, "promisedDays": 5})
			e.appendEvent(t, approval.EventCaseSubmitted, subj, map[string]any{})
			e.appendEvent(t, approval.EventCaseAccepted, subj, map[string]any{"promisedDays": 5, "dueAt": approval.DueAt(e.cal, start, 5, 0)})
		}
		decideAt := func(id int64, at time.Time, level int) {
			e.clock.Set(at)
			e.appendEvent(t, approval.EventCaseDecided, "case:"+itoa(id), map[string]any{"decision": "approve"})
			e.appendEvent(t, approval.EventCaseFinished, "case:"+itoa(id), map[string]any{})
			e.appendEvent(t, approval.EventCaseRated, "case:"+itoa(id), map[string]any{"level": level})
			e.consume(t)
		}
		accept(1, e.dept)
		accept(2, e.dept)
		accept(3, e.other)
		e.consume(t)
		due := approval.DueAt(e.cal, start, 5, 0)
		decideAt(1, start.Add(due.Sub(start)/4), 5)
		decideAt(3, beijing("2026-11-04 09:00"), 5)
		e.sweepAt(t, beijing("2026-11-06 00:00")) // case 2 yellow
		e.sweepAt(t, beijing("2026-11-10 00:00")) // case 2 red
		decideAt(2, beijing("2026-11-10 09:00"), 3)

		rep, err := e.svc.Efficiency(context.Background(), platformSupervisor, "2026-11")
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Rows) != 2 {
			t.Fatalf("rows %+v", rep.Rows)
		}
		b, a := rep.Rows[0], rep.Rows[1]
		if b.DepartmentOrgID != e.other || b.Score != 96.07 || b.Grade != "优秀" || b.Rank != 1 {
			t.Fatalf("department B: %+v", b)
		}
		if a.DepartmentOrgID != e.dept || a.Score != 49.01 || a.Grade != "不合格" || a.Rank != 2 ||
			a.Finished != 2 || a.OnTime != 1 || a.Warnings != 2 || a.Red != 1 || a.Satisfaction != 4 {
			t.Fatalf("department A: %+v", a)
		}
		q, err := e.svc.Efficiency(context.Background(), platformSupervisor, "2026-Q4")
		if err != nil || len(q.Rows) != 2 || q.Rows[1].Score != 49.01 {
			t.Fatalf("the quarter holds the same cases: %+v, %v", q.Rows, err)
		}
		if oct, _ := e.svc.Efficiency(context.Background(), platformSupervisor, "2026-10"); len(oct.Rows) != 0 {
			t.Fatalf("October: %+v", oct.Rows)
		}
		for _, bad := range []string{"2026-13", "2026-Q5", "26-11", "2026/11", ""} {
			if _, err := e.svc.Efficiency(context.Background(), platformSupervisor, bad); apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("period %q: %v", bad, err)
			}
		}
		if _, err := e.svc.PublicEfficiency(context.Background(), "2026-11"); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("a running month was published: %v", err)
		}
		e.clock.Set(beijing("2026-12-01 00:00"))
		if pub, err := e.svc.PublicEfficiency(context.Background(), "2026-11"); err != nil || pub.Rows[0].Score != 96.07 {
			t.Fatalf("the ended month: %+v, %v", pub.Rows, err)
		}
		if _, err := e.svc.Efficiency(context.Background(), e.officer(), "2026-11"); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("an officer read the index: %v", err)
		}
	})
}
