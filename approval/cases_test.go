package approval

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// TestCaseLifecycle runs a case from the draft to 办结 with a request for
// missing materials and two suspensions, checking the due date the clock
// moves to and that every step is one event.
func TestCaseLifecycle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		it := e.saveItem(t, e.permitItem())
		c := e.apply(t, applicant, it.Code)
		if c.State != CaseDraft || !strings.HasPrefix(c.CaseNo, "SP20260922") || c.PromisedDays != 10 || c.FastLane {
			t.Fatalf("draft: %+v", c)
		}
		if strings.Contains(c.ApplicantIDMasked, orgUSCC[4:16]) || !strings.HasPrefix(c.ApplicantIDMasked, orgUSCC[:4]) {
			t.Fatalf("applicant id not masked: %q", c.ApplicantIDMasked)
		}
		_, err := e.svc.Submit(ctx, applicant, c.ID)
		wantErr(t, err, apperr.Invalid, "missing_materials")
		e.put(t, applicant, c.ID, "application", []byte("申请表"))
		if _, err := e.svc.Submit(ctx, applicant, c.ID); err == nil || !strings.Contains(err.Error(), "planning") {
			t.Fatalf("submitted without the planning licence: %v", err)
		}
		e.put(t, applicant, c.ID, "planning", []byte("规划许可证"))
		if c, err = e.svc.Submit(ctx, applicant, c.ID); err != nil || c.State != CaseSubmitted {
			t.Fatalf("submit: %v %+v", err, c)
		}
		// The window asks once for the optional funds proof, then never again.
		if c, err = e.svc.RequestMaterials(ctx, e.officer(), c.ID, []string{"funds"}, "请补充资金证明"); err != nil || c.State != CaseSupplementing {
			t.Fatalf("request: %v %+v", err, c)
		}
		e.put(t, applicant, c.ID, "funds", []byte("资金证明"))
		if _, err = e.svc.Submit(ctx, applicant, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.RequestMaterials(ctx, e.officer(), c.ID, []string{"funds"}, "again")
		wantErr(t, err, apperr.Conflict, "already_requested")

		e.clock.Set(beijing("2026-09-23 10:00"))
		if c, err = e.svc.Accept(ctx, e.officer(), c.ID); err != nil || c.State != CaseAccepted {
			t.Fatalf("accept: %v %+v", err, c)
		}
		wantDue(t, c, "2026-10-14")
		e.clock.Set(beijing("2026-09-24 15:00"))
		if c, err = e.svc.Suspend(ctx, e.officer(), c.ID, SuspendInspection, "现场勘查"); err != nil || c.State != CaseSuspended {
			t.Fatalf("suspend: %v %+v", err, c)
		}
		_, err = e.svc.Decide(ctx, e.officer(), c.ID, DecisionApprove, "")
		wantErr(t, err, apperr.Conflict, "wrong_state")
		e.clock.Set(beijing("2026-09-29 09:00"))
		if c, err = e.svc.Resume(ctx, e.officer(), c.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Resume(ctx, e.officer(), c.ID)
		wantErr(t, err, apperr.Conflict, "wrong_state")
		wantDue(t, c, "2026-10-16")
		e.clock.Set(beijing("2026-10-09 11:00"))
		if _, err = e.svc.Suspend(ctx, e.officer(), c.ID, SuspendExperts, "专家评审"); err != nil {
			t.Fatal(err)
		}
		e.clock.Set(beijing("2026-10-12 16:00"))
		if c, err = e.svc.Resume(ctx, e.officer(), c.ID); err != nil {
			t.Fatal(err)
		}
		wantDue(t, c, "2026-10-20") // the package doc's worked example
		if c.SuspendedWorkdays != 4 || c.RemainingWorkdays == nil || *c.RemainingWorkdays != 6 {
			t.Fatalf("after the suspensions: %+v (remaining %v)", c, c.RemainingWorkdays)
		}
		if c, err = e.svc.Decide(ctx, e.officer(), c.ID, DecisionApprove, ""); err != nil || c.State != CaseDecided {
			t.Fatalf("decide: %v %+v", err, c)
		}
		if c, err = e.svc.Finish(ctx, e.officer(), c.ID); err != nil || c.State != CaseFinished || c.RemainingWorkdays != nil {
			t.Fatalf("finish: %v %+v", err, c)
		}
		want := []string{EventCaseApplied, EventMaterialAdded, EventMaterialAdded, EventCaseSubmitted, EventMaterialsRequired,
			EventMaterialAdded, EventCaseSubmitted, EventCaseAccepted, EventLibraryKept, EventCaseSuspended, EventCaseResumed,
			EventCaseSuspended, EventCaseResumed, EventCaseDecided, EventCaseFinished}
		if got := e.eventTypes(t, caseSubject(c.ID)); !reflect.DeepEqual(got, want) {
			t.Fatalf("events\n got %v\nwant %v", got, want)
		}
		sps, err := e.svc.Suspensions(ctx, applicant, c.ID)
		if err != nil || len(sps) != 2 || sps[0].Workdays != 2 || sps[1].Workdays != 2 || sps[1].ResumedAt == nil {
			t.Fatalf("suspensions: %v %+v", err, sps)
		}
	})
}

func wantDue(t *testing.T, c Case, day string) {
	t.Helper()
	if c.DueAt == nil || c.DueAt.In(clock.Shanghai).Format(time.DateOnly) != day {
		t.Fatalf("due %v, want the end of %s", c.DueAt, day)
	}
	if h := c.DueAt.In(clock.Shanghai).Hour(); h != 23 {
		t.Fatalf("due at %v, not the end of the day", c.DueAt.In(clock.Shanghai))
	}
}

func TestMaterialsAreStreamedWithTheirDigest(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		it := e.saveItem(t, e.permitItem())
		c := e.apply(t, applicant, it.Code)
		body := bytes.Repeat([]byte("规划"), 100_000)
		m := e.put(t, applicant, c.ID, "planning", body)
		if m.Size != int64(len(body)) || len(m.SM3) != 64 {
			t.Fatalf("material: %+v", m)
		}
		list, err := e.svc.Materials(ctx, e.officer(), c.ID)
		if err != nil || len(list) != 1 || list[0].SM3 != m.SM3 {
			t.Fatalf("materials: %v %+v", err, list)
		}
		// A body shorter than announced leaves nothing behind.
		_, err = e.svc.PutMaterial(ctx, applicant, c.ID, MaterialUpload{Material: "application", FileName: "a.pdf",
			Size: 100, Body: bytes.NewReader([]byte("short"))})
		wantErr(t, err, apperr.Invalid, "")
		if list, _ = e.svc.Materials(ctx, applicant, c.ID); len(list) != 1 {
			t.Fatalf("a truncated upload was recorded: %+v", list)
		}
		objs, err := e.blobs.List(ctx, "approval/")
		if err != nil || len(objs) != 1 {
			t.Fatalf("blob store holds %d objects (%v), want the one complete file", len(objs), err)
		}
		_, err = e.svc.PutMaterial(ctx, applicant, c.ID, MaterialUpload{Material: "nonesuch", FileName: "x.pdf", Size: 1, Body: bytes.NewReader([]byte("x"))})
		wantErr(t, err, apperr.Invalid, "unknown_material")
		_, err = e.svc.PutMaterial(ctx, applicant, c.ID, MaterialUpload{Material: "planning", FileName: "big.pdf", Size: MaxMaterialBytes + 1, Body: bytes.NewReader(nil)})
		wantErr(t, err, apperr.TooLarge, "too_large")
	})
}

func TestBadInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		it := e.saveItem(t, e.permitItem())
		app := func(a Application) error { _, err := e.svc.Apply(ctx, applicant, a); return err }
		good := Application{ItemCode: it.Code, ApplicantKind: ApplicantPerson, ApplicantName: "吴刚", ApplicantID: personID}
		bad := good
		bad.ApplicantID = personID[:17] + "1"
		wantErr(t, app(bad), apperr.Invalid, "invalid_applicant")
		bad = good
		bad.ApplicantKind, bad.ApplicantID = ApplicantOrg, orgUSCC[:17]+"0"
		if orgUSCC[17] == '0' {
			bad.ApplicantID = orgUSCC[:17] + "1"
		}
		wantErr(t, app(bad), apperr.Invalid, "invalid_applicant")
		bad = good
		bad.ItemCode = "NO-SUCH"
		wantErr(t, app(bad), apperr.NotFound, "")
		_, err := e.svc.Apply(ctx, e.officer(), good)
		wantErr(t, err, apperr.Forbidden, "applicant_required")

		c := e.apply(t, applicant, it.Code)
		_, err = e.svc.Accept(ctx, e.officer(), c.ID)
		wantErr(t, err, apperr.Conflict, "wrong_state") // a draft is not at the window yet
		_, err = e.svc.Finish(ctx, e.officer(), c.ID)
		wantErr(t, err, apperr.Conflict, "wrong_state")

		if err := e.svc.RetireItem(ctx, admin, it.Code); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.svc.RetireItem(ctx, admin, it.Code), apperr.Conflict, "item_retired")
		wantErr(t, app(good), apperr.Conflict, "item_retired")
		_, err = e.svc.SaveItem(ctx, e.officer(), e.permitItem())
		wantErr(t, err, apperr.Forbidden, "admin_required")
		broken := e.permitItem()
		broken.PromisedDays, broken.Steps = 20, nil
		_, err = e.svc.SaveItem(ctx, admin, broken)
		if ae, _ := apperr.As(err); ae == nil || ae.Fields["promisedDays"] == "" || ae.Fields["steps"] == "" {
			t.Fatalf("want field errors for promisedDays and steps, got %v", err)
		}
		notDept := e.permitItem()
		notDept.DepartmentOrgID = e.org(t, "bidder", "某公司")
		_, err = e.svc.SaveItem(ctx, admin, notDept)
		wantErr(t, err, apperr.Invalid, "not_a_department")
	})
}

// TestDepartmentsAndApplicantsSeeOnlyTheirOwn: an applicant reads only
// their cases, an officer acts only on their department's.
func TestDepartmentsAndApplicantsSeeOnlyTheirOwn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		it := e.saveItem(t, e.permitItem())
		mine := e.apply(t, applicant, it.Code)
		theirs := e.apply(t, applicant2, it.Code)
		_, err := e.svc.Case(ctx, applicant, theirs.ID)
		wantErr(t, err, apperr.NotFound, "")
		_, err = e.svc.PutMaterial(ctx, applicant, theirs.ID, MaterialUpload{Material: "planning", FileName: "p.pdf", Size: 1, Body: bytes.NewReader([]byte("x"))})
		wantErr(t, err, apperr.NotFound, "")
		list, err := e.svc.Cases(ctx, applicant, "")
		if err != nil || len(list) != 1 || list[0].ID != mine.ID {
			t.Fatalf("applicant lists %v %+v", err, list)
		}
		e.put(t, applicant, mine.ID, "application", []byte("a"))
		e.put(t, applicant, mine.ID, "planning", []byte("p"))
		if _, err := e.svc.Submit(ctx, applicant, mine.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Accept(ctx, e.otherOfficer(), mine.ID)
		wantErr(t, err, apperr.NotFound, "") // another department cannot even see it
		if list, err = e.svc.Cases(ctx, e.otherOfficer(), ""); err != nil || len(list) != 0 {
			t.Fatalf("the other department lists %v %+v", err, list)
		}
		if list, err = e.svc.Cases(ctx, e.officer(), ""); err != nil || len(list) != 2 {
			t.Fatalf("the department lists %v %+v", err, list)
		}
		if _, err := e.svc.Case(ctx, supervisor, mine.ID); err != nil {
			t.Fatalf("a supervisor reads every case: %v", err)
		}
		_, err = e.svc.Accept(ctx, supervisor, mine.ID)
		wantErr(t, err, apperr.Forbidden, "officer_required")
		_, err = e.svc.Withdraw(ctx, applicant2, mine.ID)
		wantErr(t, err, apperr.NotFound, "")
	})
}

func TestFastLaneHalvesThePromisedLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		it := e.saveItem(t, e.permitItem())
		c, err := e.svc.Apply(context.Background(), applicant, Application{ItemCode: it.Code, ApplicantKind: ApplicantOrg,
			ApplicantName: "福州城投", ApplicantID: orgUSCC, InvestmentFen: FastLaneFen})
		if err != nil || !c.FastLane || c.PromisedDays != 5 {
			t.Fatalf("fast lane: %v %+v", err, c)
		}
		below := e.apply(t, applicant, it.Code) // 12 million yuan
		if below.FastLane || below.PromisedDays != 10 {
			t.Fatalf("below the threshold: %+v", below)
		}
	})
}

// TestACaseKeepsItsItemVersion: editing an item makes a new version; a case
// filed before keeps the one it applied under.
func TestACaseKeepsItsItemVersion(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		v1 := e.saveItem(t, e.permitItem())
		c := e.apply(t, applicant, v1.Code)
		edit := e.permitItem()
		edit.Materials = append(edit.Materials, Material{Key: "safety", Name: "安全生产措施", Form: "electronic", Required: true})
		v2 := e.saveItem(t, edit)
		if v1.Version != 1 || v2.Version != 2 {
			t.Fatalf("versions %d, %d", v1.Version, v2.Version)
		}
		e.put(t, applicant, c.ID, "application", []byte("a"))
		e.put(t, applicant, c.ID, "planning", []byte("p"))
		if _, err := e.svc.Submit(ctx, applicant, c.ID); err != nil {
			t.Fatalf("the case applied under v1 needs no v2 material: %v", err)
		}
		c2 := e.apply(t, applicant, v1.Code)
		e.put(t, applicant, c2.ID, "application", []byte("a"))
		e.put(t, applicant, c2.ID, "planning", []byte("p"))
		_, err := e.svc.Submit(ctx, applicant, c2.ID)
		wantErr(t, err, apperr.Invalid, "missing_materials")
		items, err := e.svc.Items(ctx, "施工许可", false)
		if err != nil || len(items) != 1 || items[0].Version != 2 || items[0].Stars() != 5 {
			t.Fatalf("guide search: %v %+v", err, items)
		}
	})
}
