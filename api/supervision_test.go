package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/supervision"
)

// TestSupervisionOverHTTP takes an accepted case past its promised date
// and follows its warning through the routes: who sees the board, the
// trajectory and the warnings, who may answer and who may review.
func TestSupervisionOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		ctx := context.Background()
		a := newApprovalEnv(t, e)
		officer, supervisor := e.tokens[accounts.RoleOfficer], e.tokens[accounts.RoleSupervisor]
		other := a.otherSupervisor(t)
		c := a.apply(t, e.tokens[accounts.RoleApplicant])
		wantStatus(t, e.do("PUT", fmt.Sprintf("/api/v1/approval/cases/%d/materials/application?name=a.pdf", c.ID),
			e.tokens[accounts.RoleApplicant], "申请书"), http.StatusCreated)
		a.act(t, e.tokens[accounts.RoleApplicant], fmt.Sprintf("/api/v1/approval/cases/%d/submit", c.ID), nil, http.StatusOK)
		a.act(t, officer, fmt.Sprintf("/api/v1/approval/cases/%d/accept", c.ID), nil, http.StatusOK)
		e.clock.Advance(6 * 24 * time.Hour) // Saturday 28 November: the promised 5 working days ended on Friday
		if _, err := e.super.Consume(ctx); err != nil {
			t.Fatal(err)
		}
		// Six days on, every session has ended: sign in again.
		officer, supervisor = e.login("user-officer"), e.login("user-supervisor")
		other, a.officer2 = a.login("supervisor-2"), a.login("officer-2")
		applicant := e.login("user-applicant")
		var board []supervision.Subject
		decode(t, e.must(t, e.do("GET", "/api/v1/supervision/board?kind=case&light=red", supervisor, nil)), &board)
		if len(board) != 1 || board[0].Subject != fmt.Sprintf("case:%d", c.ID) {
			t.Fatalf("board %+v", board)
		}
		wantStatus(t, e.do("GET", "/api/v1/supervision/board", officer, nil), http.StatusForbidden)
		wantStatus(t, e.do("GET", "/api/v1/supervision/board/stream", officer, nil), http.StatusForbidden)
		before := boardVersion(t, e, supervisor)
		wantStatus(t, e.do("GET", "/api/v1/supervision/board?light=purple", supervisor, nil), http.StatusBadRequest)
		var others []supervision.Subject
		decode(t, e.must(t, e.do("GET", "/api/v1/supervision/board", other, nil)), &others)
		if len(others) != 0 {
			t.Fatalf("another department's supervisor sees %+v", others)
		}
		path := fmt.Sprintf("/api/v1/supervision/trajectories/case/%d", c.ID)
		var tr supervision.Trajectory
		decode(t, e.must(t, e.do("GET", path, supervisor, nil)), &tr)
		if len(tr.Steps) < 4 || tr.Steps[0].Type != approval.EventCaseApplied || len(tr.Limits) != 2 {
			t.Fatalf("trajectory %+v", tr)
		}
		wantStatus(t, e.do("GET", path, other, nil), http.StatusForbidden)

		var ws []supervision.Warning
		decode(t, e.must(t, e.do("GET", "/api/v1/supervision/warnings?state=open", officer, nil)), &ws)
		if len(ws) != 1 || ws[0].Light != supervision.Red {
			t.Fatalf("the office's warnings %+v", ws)
		}
		var none []supervision.Warning
		decode(t, e.must(t, e.do("GET", "/api/v1/supervision/warnings", a.officer2, nil)), &none)
		if len(none) != 0 {
			t.Fatalf("another office sees %+v", none)
		}
		wantStatus(t, e.do("GET", "/api/v1/supervision/warnings", applicant, nil), http.StatusForbidden)
		answer := fmt.Sprintf("/api/v1/supervision/warnings/%d/answer", ws[0].ID)
		wantStatus(t, e.do("POST", answer, a.officer2, WarningAnswer{Answer: "代答"}), http.StatusForbidden)
		wantStatus(t, e.do("POST", answer, officer, map[string]any{"answer": 5}), http.StatusBadRequest)
		wantStatus(t, e.do("POST", answer, officer, WarningAnswer{Answer: "现场勘查延误，已加派人员"}), http.StatusOK)
		review := fmt.Sprintf("/api/v1/supervision/warnings/%d/review", ws[0].ID)
		wantStatus(t, e.do("POST", review, other, WarningReview{Accept: true}), http.StatusForbidden)
		wantStatus(t, e.do("POST", review, officer, WarningReview{Accept: true}), http.StatusForbidden)
		var done supervision.Warning
		decode(t, e.must(t, e.do("POST", review, supervisor, WarningReview{Accept: true, Note: "同意"})), &done)
		if done.State != supervision.WarningAccepted {
			t.Fatalf("reviewed %+v", done)
		}
		wantStatus(t, e.do("POST", review, supervisor, WarningReview{Accept: true}), http.StatusConflict)

		// The efficiency index: supervisors read the running month, the portal only ended ones.
		e.clock.Advance(time.Minute)
		a.act(t, officer, fmt.Sprintf("/api/v1/approval/cases/%d/decision", c.ID), CaseDecisionRequest{Decision: "approve"}, http.StatusOK)
		if _, err := e.super.Consume(ctx); err != nil {
			t.Fatal(err)
		}
		if after := boardVersion(t, e, supervisor); after == before || after == "" {
			t.Fatalf("the case closed and the board's version stayed %q", after)
		}
		var idx EfficiencyView
		decode(t, e.must(t, e.do("GET", "/api/v1/supervision/efficiency?period=2026-11", supervisor, nil)), &idx)
		if len(idx.Rows) != 1 || idx.Rows[0].DepartmentOrgID != a.dept || idx.Rows[0].DepartmentName == "" || idx.Rows[0].Finished != 1 || idx.Rows[0].OnTime != 0 {
			t.Fatalf("efficiency %+v", idx)
		}
		wantStatus(t, e.do("GET", "/api/v1/supervision/efficiency?period=2026-11", officer, nil), http.StatusForbidden)
		wantStatus(t, e.do("GET", "/api/v1/supervision/efficiency?period=November", supervisor, nil), http.StatusBadRequest)
		wantStatus(t, e.do("GET", "/api/v1/public/efficiency?period=2026-11", "", nil), http.StatusConflict)
		var oct EfficiencyView
		decode(t, e.must(t, e.do("GET", "/api/v1/public/efficiency?period=2026-10", "", nil)), &oct)
		if len(oct.Rows) != 0 {
			t.Fatalf("October: %+v", oct)
		}
	})
}

// otherSupervisor is a supervisor of a department that supervises
// nothing here.
func (a *approvalEnv) otherSupervisor(t *testing.T) string {
	ctx := context.Background()
	admin := a.principal(accounts.RoleAdmin)
	o, err := a.accounts.CreateOrg(ctx, admin, accounts.NewOrg{Kind: accounts.OrgDepartment, Name: "市交通运输局", Region: "350100"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.accounts.CreateUser(ctx, admin, accounts.NewUser{Username: "supervisor-2", DisplayName: "supervisor-2",
		Password: testPassword, OrgID: o.ID, Roles: []accounts.Role{accounts.RoleSupervisor}}); err != nil {
		t.Fatal(err)
	}
	return a.login("supervisor-2")
}

// must checks the response is 200 OK and returns it.
func (e *testEnv) must(t *testing.T, resp *http.Response) *http.Response {
	t.Helper()
	wantStatus(t, resp, http.StatusOK)
	return resp
}

// TestSectionTrajectoryKeepsTheSecrets: a section's trajectory on the API
// passes through the same screen as the event routes, so who bid and who
// downloaded stay hidden from the supervisor until their release, while
// the public steps show.
func TestSectionTrajectoryKeepsTheSecrets(t *testing.T) {
	e := newSecrecyEnv(t, dbtest.SQLite)
	e.super = supervision.New(e.db, e.events, e.clock, e.srv.deps.Calendar.Calendar, supervision.DefaultRules())
	e.rebuild(t, func(d *Deps) { d.Supervision = e.super })
	e.appendAll(t)
	if _, err := e.super.Consume(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw, err := e.super.Trajectory(context.Background(), e.principal(accounts.RoleSupervisor), fmt.Sprintf("section:%d", e.section))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range raw.Steps {
		seen[s.Type] = true
	}
	if !seen["bid.received"] || !seen["document.downloaded"] {
		t.Fatalf("the unscreened trajectory lacks the secret steps the test needs: %v", seen)
	}
	var tr supervision.Trajectory
	decode(t, e.must(t, e.do("GET", fmt.Sprintf("/api/v1/supervision/trajectories/section/%d", e.section), e.readers[readerRecord], nil)), &tr)
	withheld, public := 0, 0
	for _, s := range tr.Steps {
		if secretEvents[s.Type].Type != "" {
			t.Fatalf("secret step shown before its release: %+v", s)
		}
		if s.Withheld {
			withheld++
		} else if s.Type == "section.note" || s.Type == "section.created" {
			public++
		}
	}
	if withheld == 0 || public != 2 {
		t.Fatalf("%d withheld, %d public steps: %+v", withheld, public, tr.Steps)
	}
}

// boardVersion reads the first frame of the live board's stream (a client
// that does not ask for text/event-stream gets it and the response ends).
func boardVersion(t *testing.T, e *testEnv, token string) string {
	t.Helper()
	resp := e.must(t, e.do("GET", "/api/v1/supervision/board/stream", token, nil))
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	i := strings.Index(string(raw), "event: changed\ndata: ")
	if i < 0 {
		t.Fatalf("no changed frame in %q", raw)
	}
	var v struct{ Version string }
	line := strings.SplitN(string(raw[i+len("event: changed\ndata: "):]), "\n", 2)[0]
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatal(err)
	}
	return v.Version
}
