package approval

import (
	"context"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// finished runs a new case of the permit item for who to 办结 and returns it.
func (e *env) finished(t *testing.T, who accounts.Principal, code string) Case {
	t.Helper()
	ctx := context.Background()
	c := e.apply(t, who, code)
	for _, m := range []string{"application", "planning"} {
		if len(e.materialsOf(t, who, c.ID)) < 2 {
			e.put(t, who, c.ID, m, []byte(m+" of "+c.CaseNo))
		}
	}
	steps := []func() (Case, error){
		func() (Case, error) { return e.svc.Submit(ctx, who, c.ID) },
		func() (Case, error) { return e.svc.Accept(ctx, e.officer(), c.ID) },
		func() (Case, error) { return e.svc.Decide(ctx, e.officer(), c.ID, DecisionApprove, "") },
		func() (Case, error) { return e.svc.Finish(ctx, e.officer(), c.ID) },
	}
	for _, step := range steps {
		var err error
		if c, err = step(); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func (e *env) materialsOf(t *testing.T, who accounts.Principal, id int64) []CaseMaterial {
	t.Helper()
	ms, err := e.svc.Materials(context.Background(), who, id)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func dayOfT(t time.Time) string { return t.In(clock.Shanghai).Format(time.DateOnly) }

// TestBadRatingOpensCallbackAndRectification: rated 不满意 on the eve of
// the National Day holiday (1–7 October 2026, Saturday 10 October a
// working day), the call-back is due at the end of Thursday 8 October, the
// first working day after, and the rectification 15 working days on:
// 8, 9, 10, 12–16, 19–23, 26, 27 October, so Tuesday 27 October.
func TestBadRatingOpensCallbackAndRectification(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		it := e.saveItem(t, e.permitItem())
		open := e.apply(t, applicant, it.Code)
		_, err := e.svc.Rate(ctx, applicant, open.ID, RatingInput{Level: 5})
		wantErr(t, err, apperr.Conflict, "wrong_state")
		c := e.finished(t, applicant, it.Code)
		_, err = e.svc.Rate(ctx, applicant2, c.ID, RatingInput{Level: 1})
		wantErr(t, err, apperr.NotFound, "not_found")
		_, err = e.svc.Rate(ctx, applicant, c.ID, RatingInput{Level: 6})
		wantErr(t, err, apperr.Invalid, "bad_level")
		_, err = e.svc.Rate(ctx, e.otherOfficer(), c.ID, RatingInput{Level: 2, Channel: ChannelPad})
		wantErr(t, err, apperr.NotFound, "not_found")

		e.clock.Set(beijing("2026-09-30 10:00"))
		r, err := e.svc.Rate(ctx, applicant, c.ID, RatingInput{Level: 2, Comment: "等候时间太长"})
		if err != nil {
			t.Fatal(err)
		}
		if r.LevelName != "不满意" || len(r.Tasks) != 2 {
			t.Fatalf("rating: %+v", r)
		}
		due := map[string]string{}
		for _, task := range r.Tasks {
			due[task.Kind] = dayOfT(task.DueAt)
			if task.State != "open" || task.DepartmentOrgID != e.dept {
				t.Fatalf("task: %+v", task)
			}
		}
		if due[TaskCallback] != "2026-10-08" || due[TaskRectification] != "2026-10-27" {
			t.Fatalf("due dates %v, want call-back 2026-10-08 and rectification 2026-10-27", due)
		}
		_, err = e.svc.Rate(ctx, applicant, c.ID, RatingInput{Level: 5})
		wantErr(t, err, apperr.Conflict, "already_rated")

		// The department sees its tasks, the other department none; closing
		// records whether it was on time.
		if ts, err := e.svc.Tasks(ctx, e.otherOfficer(), ""); err != nil || len(ts) != 0 {
			t.Fatalf("other department's tasks: %v %+v", err, ts)
		}
		ts, err := e.svc.Tasks(ctx, e.officer(), "open")
		if err != nil || len(ts) != 2 || ts[0].Kind != TaskCallback {
			t.Fatalf("tasks: %v %+v", err, ts)
		}
		_, err = e.svc.CloseTask(ctx, e.otherOfficer(), ts[0].ID, "已回访")
		wantErr(t, err, apperr.NotFound, "not_found")
		e.clock.Set(beijing("2026-10-09 09:00"))
		closed, err := e.svc.CloseTask(ctx, e.officer(), ts[0].ID, "已电话回访，申请人接受解释")
		if err != nil || closed.State != "closed" || closed.OnTime == nil || *closed.OnTime {
			t.Fatalf("late call-back: %v %+v", err, closed)
		}
		_, err = e.svc.CloseTask(ctx, e.officer(), ts[0].ID, "again")
		wantErr(t, err, apperr.Conflict, "task_closed")
		got, err := e.svc.RatingOf(ctx, applicant, c.ID)
		if err != nil || got.Level != 2 || len(got.Tasks) != 2 {
			t.Fatalf("rating read back: %v %+v", err, got)
		}
		types := e.eventTypes(t, caseSubject(c.ID))
		for _, want := range []string{EventCaseRated, EventTaskOpened, EventTaskClosed} {
			if !slices.Contains(types, want) {
				t.Fatalf("events %v lack %s", types, want)
			}
		}

		// A good rating on the pad opens nothing.
		c2 := e.finished(t, applicant, it.Code)
		if r, err := e.svc.Rate(ctx, e.officer(), c2.ID, RatingInput{Level: 4, Channel: ChannelPad}); err != nil || len(r.Tasks) != 0 || r.Channel != ChannelPad {
			t.Fatalf("pad rating: %v %+v", err, r)
		}
	})
}

// TestSecondApplicationReusesTheLibrary: the materials of an accepted case
// enter the applicant's library; the next application of the same
// applicant is pre-filled from it (no upload), each reuse recorded with
// its entry and digest; another applicant gets nothing, and an expired
// entry is not reused.
func TestSecondApplicationReusesTheLibrary(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		it := e.saveItem(t, e.permitItem())
		first := e.finished(t, applicant, it.Code)
		lib, err := e.svc.Library(ctx, applicant)
		if err != nil || len(lib) != 2 {
			t.Fatalf("library: %v %+v", err, lib)
		}
		given := map[string]string{}
		for _, m := range e.materialsOf(t, applicant, first.ID) {
			given[m.Material] = m.SM3
		}
		second := e.apply(t, applicant, it.Code)
		ms := e.materialsOf(t, applicant, second.ID)
		if len(ms) != 2 {
			t.Fatalf("second application pre-filled with %+v", ms)
		}
		for _, m := range ms {
			if m.ReusedFrom == nil || given[m.Material] != m.SM3 {
				t.Fatalf("material %+v not reused from the library (given %v)", m, given)
			}
			_, body, err := e.svc.OpenMaterial(ctx, e.officer(), second.ID, m.Material)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(body)
			body.Close()
			if string(b) != m.Material+" of "+first.CaseNo {
				t.Fatalf("reused file reads %q", b)
			}
		}
		if _, err := e.svc.Submit(ctx, applicant, second.ID); err != nil {
			t.Fatalf("submit without uploading: %v", err)
		}
		if n := countOf(e.eventTypes(t, caseSubject(second.ID)), EventMaterialReused); n != 2 {
			t.Fatalf("%d reuse events, want 2", n)
		}
		if n := countOf(e.eventTypes(t, caseSubject(second.ID)), EventMaterialAdded); n != 0 {
			t.Fatalf("%d uploads on the reusing case", n)
		}
		if ms := e.materialsOf(t, applicant2, e.apply(t, applicant2, it.Code).ID); len(ms) != 0 {
			t.Fatalf("another applicant got %+v", ms)
		}
		e.clock.Set(beijing("2027-10-01 09:00"))
		if ms := e.materialsOf(t, applicant, e.apply(t, applicant, it.Code).ID); len(ms) != 0 {
			t.Fatalf("expired entries reused: %+v", ms)
		}
	})
}

func countOf(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}
