package supervision

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

func bidderOf(org int64) accounts.Principal {
	return accounts.Principal{UserID: 100 + org, OrgID: org, OrgKind: accounts.OrgBidder, Roles: []accounts.Role{accounts.RoleBidder}}
}

func (e *env) deptSupervisor() accounts.Principal {
	return accounts.Principal{UserID: 32, OrgID: e.dept, OrgKind: accounts.OrgDepartment, Roles: []accounts.Role{accounts.RoleSupervisor}}
}

// procedureLog stands in for bidding's Suspend and Resume (bidding tests
// its own): it records what supervision asked of the procedure.
type procedureLog struct{ calls []string }

func (p *procedureLog) procedure() Procedure {
	rec := func(what string) func(context.Context, int64, string, string) error {
		return func(_ context.Context, section int64, ref, _ string) error {
			p.calls = append(p.calls, what+" "+itoa(section)+" "+ref)
			return nil
		}
	}
	return Procedure{Suspend: rec("suspend"), Resume: rec("resume")}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if e, ok := apperr.As(err); !ok || e.Code != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

// Each window at its edge: a complaint after an answered objection until
// the end of the 10th day after the answer; after an unanswered one only
// once its answer time has passed; an opening objection at once.
func TestComplaintWindows(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		ctx := context.Background()
		e.appendEvent(t, "project.created", "project:1", map[string]any{"name": "实训楼", "agencyOrgId": 700, "supervisingOrgId": e.dept})
		e.appendEvent(t, "section.created", "section:1", map[string]any{"projectId": 1, "code": "A01"})
		answerDue := beijing("2026-11-05 09:00")
		e.appendEvent(t, "objection.raised", "section:1", map[string]any{"objectionId": 1, "bidderOrgId": 9, "answerDue": answerDue})
		e.appendEvent(t, "objection.raised", "section:1", map[string]any{"objectionId": 2, "bidderOrgId": 10, "answerDue": answerDue})
		e.appendEvent(t, "award.objection_raised", "section:1", map[string]any{"objectionId": 5, "bidderOrgId": 9, "dueAt": answerDue})
		e.appendEvent(t, "opening.objection", "section:1", map[string]any{"objectionId": 7, "bidderOrgId": 11, "body": "唱标有误"})
		e.clock.Set(beijing("2026-11-03 09:00"))
		e.appendEvent(t, "objection.answered", "section:1", map[string]any{"objectionId": 1})
		e.appendEvent(t, "objection.answered", "section:1", map[string]any{"objectionId": 2})
		e.consume(t)
		file := func(org int64, stage string, id int64) (Complaint, error) {
			return e.svc.FileComplaint(ctx, bidderOf(org), 1, ComplaintRequest{Stage: stage, ObjectionID: id, Body: "我方对答复不服"})
		}
		if _, err := file(11, StageOpening, 7); err != nil { // answered on the spot, or not: complainable at once
			t.Fatalf("a complaint after an opening objection: %v", err)
		}
		// The award objection is unanswered: until its answer time, no complaint.
		e.clock.Set(answerDue)
		_, err := file(9, StageAward, 5)
		wantCode(t, "a complaint while the objection may still be answered", err, "objection_pending")
		if !strings.Contains(err.Error(), "2026-11-05 09:00") {
			t.Fatalf("the refusal names the answer time: %v", err)
		}
		e.clock.Set(answerDue.Add(time.Millisecond))
		if _, err := file(9, StageAward, 5); err != nil {
			t.Fatalf("a complaint once the answer time passed: %v", err)
		}
		// Answered 11-03 09:00: the window ends 11-13 23:59:59.999 (Beijing).
		last := beijing("2026-11-13 00:00").Add(24*time.Hour - time.Millisecond)
		e.clock.Set(last.Add(time.Millisecond))
		_, err = file(9, StageDocuments, 1)
		wantCode(t, "a complaint a millisecond after the window", err, "complaint_late")
		if !apperr.Is(err, apperr.TooLate) || !strings.Contains(err.Error(), "2026-11-13 23:59") {
			t.Fatalf("the late refusal names the window's end: %v", err)
		}
		e.clock.Set(last)
		c, err := file(10, StageDocuments, 2)
		if err != nil || !c.WindowEndsAt.Equal(last) {
			t.Fatalf("a complaint at the window's last millisecond: %+v, %v", c, err)
		}
		_, err = file(10, StageDocuments, 2)
		wantCode(t, "a second complaint about one objection", err, "already_complained")
		_, err = file(10, StageDocuments, 1)
		wantCode(t, "a complaint about another bidder's objection", err, "not_your_objection")
		if _, err := e.svc.FileComplaint(ctx, e.officer(), 1, ComplaintRequest{Stage: StageDocuments, ObjectionID: 1, Body: "x"}); err == nil {
			t.Fatal("an officer filed a complaint")
		}
		if _, err := file(9, StageDocuments, 99); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("an unknown objection: %v", err)
		}
		opts, err := e.svc.ComplaintOptions(ctx, bidderOf(9), 1)
		if err != nil || len(opts) != 2 || opts[0].Stage != StageAward || opts[0].Open || !opts[0].Complained ||
			!opts[1].Open || !opts[1].WindowEndsAt.Equal(last) {
			t.Fatalf("bidder 9's options: %+v, %v", opts, err)
		}
	})
}

// Acceptance within 3 working days (red after, with a warning to the
// department), then the decision; a suspension stops the section's
// contract clock and moves its due by the time held.
func TestComplaintAcceptanceAndSuspension(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		ctx := context.Background()
		proc := &procedureLog{}
		e.svc.SetProcedure(proc.procedure())
		e.appendEvent(t, "project.created", "project:1", map[string]any{"name": "实训楼", "agencyOrgId": 700, "supervisingOrgId": e.dept})
		e.appendEvent(t, "section.created", "section:1", map[string]any{"projectId": 1, "code": "A01"})
		e.appendEvent(t, "award.issued", "section:1", map[string]any{"winnerBidId": 3})
		e.appendEvent(t, "award.objection_raised", "section:1", map[string]any{"objectionId": 5, "bidderOrgId": 9, "dueAt": beijing("2026-11-04 09:00")})
		e.clock.Set(beijing("2026-11-03 10:00"))
		e.appendEvent(t, "award.objection_answered", "section:1", map[string]any{"objectionId": 5})
		e.consume(t)
		contract, _ := e.svc.st.timer(ctx, "section:1", RuleContractLate)
		e.clock.Set(beijing("2026-11-06 16:00")) // Friday
		c, err := e.svc.FileComplaint(ctx, bidderOf(9), 1, ComplaintRequest{Stage: StageAward, ObjectionID: 5, Body: "中标候选人业绩造假"})
		if err != nil {
			t.Fatal(err)
		}
		if want := beijing("2026-11-12 00:00").Add(-time.Millisecond); !c.AcceptDue.Equal(want) { // Mon, Tue, Wed
			t.Fatalf("accept due %s, want %s", c.AcceptDue, want)
		}
		e.consume(t)
		e.sweepAt(t, c.AcceptDue)
		if l := e.light(t, complaintRef(c.ID)); l != Yellow {
			t.Fatalf("on its last day the acceptance is %s", l)
		}
		e.sweepAt(t, c.AcceptDue.Add(time.Millisecond))
		if l := e.light(t, complaintRef(c.ID)); l != Red {
			t.Fatalf("past its due the acceptance is %s", l)
		}
		ws, _ := e.svc.st.warnings(ctx, WarningFilter{Subject: complaintRef(c.ID), Limit: 10})
		if len(ws) != 2 || ws[1].OfficeOrgID != e.dept {
			t.Fatalf("warnings to the department: %+v", ws)
		}
		_, err = e.svc.AcceptComplaint(ctx, e.otherSupervisor(), c.ID, AcceptRequest{Reply: "受理", Suspend: true})
		wantCode(t, "another department accepting", err, "not_supervising")
		acceptedAt := e.clock.Now()
		c, err = e.svc.AcceptComplaint(ctx, e.deptSupervisor(), c.ID, AcceptRequest{Reply: "受理，暂停定标程序", Suspend: true})
		if err != nil || c.State != ComplaintAccepted || c.DecideDue == nil {
			t.Fatalf("accept: %+v, %v", c, err)
		}
		// Accepted Thursday 11-12: 30 working days end on Thursday 12-24.
		if want := beijing("2026-12-25 00:00").Add(-time.Millisecond); !c.DecideDue.Equal(want) {
			t.Fatalf("decide due %s, want %s", c.DecideDue.In(beijing("2026-01-01 00:00").Location()), want)
		}
		_, err = e.svc.RefuseComplaint(ctx, e.deptSupervisor(), c.ID, "不予受理")
		wantCode(t, "refusing an accepted complaint", err, "not_filed")
		e.consume(t)
		if paused, _ := e.svc.st.timer(ctx, "section:1", RuleContractLate); !paused.Paused {
			t.Fatal("the suspension left the contract clock running")
		}
		e.clock.Set(acceptedAt.Add(10 * 24 * time.Hour))
		c, err = e.svc.DecideComplaint(ctx, e.deptSupervisor(), c.ID, DecideRequest{Decision: "经调查，投诉事项不成立，驳回投诉", Upheld: false})
		if err != nil || c.State != ComplaintDecided {
			t.Fatalf("decide: %+v, %v", c, err)
		}
		e.consume(t)
		shifted, _ := e.svc.st.timer(ctx, "section:1", RuleContractLate)
		if shifted.Paused || !shifted.DueAt.Equal(contract.DueAt.Add(10*24*time.Hour)) {
			t.Fatalf("after the decision the contract clock %+v, was due %s", shifted, contract.DueAt)
		}
		if strings.Join(proc.calls, "; ") != "suspend 1 complaint:1; resume 1 complaint:1" {
			t.Fatalf("procedure calls %v", proc.calls)
		}
		pub, err := e.svc.PublicDecisions(ctx)
		if err != nil || len(pub) != 1 || pub[0].Decision != "经调查，投诉事项不成立，驳回投诉" {
			t.Fatalf("published decisions %+v, %v", pub, err)
		}
		if l := e.light(t, complaintRef(c.ID)); l != Red {
			t.Fatalf("a late acceptance stays on the record: %s", l)
		}
	})
}

// light is a subject's light now.
func (e *env) light(t *testing.T, subject string) Light {
	t.Helper()
	s, err := e.svc.st.subject(context.Background(), subject)
	if err != nil {
		t.Fatal(err)
	}
	return s.Light
}
