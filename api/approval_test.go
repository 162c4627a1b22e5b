package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/approval"
)

// approvalEnv adds to testEnv a second applicant and an officer of a
// second department, and an item of the first department.
type approvalEnv struct {
	*testEnv
	applicant2, officer2 string // tokens
	dept                 int64
}

func newApprovalEnv(t *testing.T, e *testEnv) *approvalEnv {
	ctx := context.Background()
	admin := e.principal(accounts.RoleAdmin)
	other, err := e.accounts.CreateOrg(ctx, admin, accounts.NewOrg{Kind: accounts.OrgDepartment, Name: "市场监督管理局", Region: "350100"})
	if err != nil {
		t.Fatal(err)
	}
	a := &approvalEnv{testEnv: e, dept: e.principal(accounts.RoleOfficer).OrgID}
	for _, u := range []struct {
		name string
		org  int64
		role accounts.Role
		tok  *string
	}{{"applicant-2", 0, accounts.RoleApplicant, &a.applicant2}, {"officer-2", other.ID, accounts.RoleOfficer, &a.officer2}} {
		if _, err := e.accounts.CreateUser(ctx, admin, accounts.NewUser{Username: u.name, DisplayName: u.name, Password: testPassword,
			OrgID: u.org, Roles: []accounts.Role{u.role}}); err != nil {
			t.Fatal(err)
		}
		*u.tok = e.login(u.name)
	}
	item := approval.Item{Code: "350100-WS-001", Name: "公共场所卫生许可", DepartmentOrgID: a.dept, LegalBasis: "《公共场所卫生管理条例》第八条",
		Conditions: "场所符合卫生标准", LegalDays: 20, PromisedDays: 5, Online: true, Steps: []approval.Step{{Name: "受理", Days: 1}, {Name: "审查", Days: 3}, {Name: "决定", Days: 1}},
		Materials:  []approval.Material{{Key: "application", Name: "申请书", Form: "electronic", Required: true}},
		WindowName: "卫健窗口", WindowLocation: "二楼 C03", ComplaintPhone: "12345"}
	wantStatus(t, e.do("POST", "/api/v1/approval/items", e.tokens[accounts.RoleAdmin], item), http.StatusCreated)
	return a
}

func (a *approvalEnv) apply(t *testing.T, token string) approval.Case {
	t.Helper()
	resp := a.do("POST", "/api/v1/approval/cases", token, approval.Application{ItemCode: "350100-WS-001",
		ApplicantKind: approval.ApplicantPerson, ApplicantName: "张三", ApplicantID: "11010519491231002X"})
	wantStatus(t, resp, http.StatusCreated)
	var c approval.Case
	decode(t, resp, &c)
	return c
}

func (a *approvalEnv) act(t *testing.T, token, path string, body any, want int) approval.Case {
	t.Helper()
	resp := a.do("POST", path, token, body)
	wantStatus(t, resp, want)
	var c approval.Case
	if want < 300 {
		decode(t, resp, &c)
	}
	return c
}

// TestApprovalCasesOverHTTP runs a case through the routes and checks who
// sees what: applicants only their own cases, officers only their
// department's; a bad rating's tasks reach the department.
func TestApprovalCasesOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		a := newApprovalEnv(t, e)
		applicant, officer := e.tokens[accounts.RoleApplicant], e.tokens[accounts.RoleOfficer]
		mine, theirs := a.apply(t, applicant), a.apply(t, a.applicant2)

		// The guide is public, with its star level.
		resp := e.do("GET", "/api/v1/public/approval/items?q=卫生", "", nil)
		var guides []ItemGuide
		decode(t, resp, &guides)
		if len(guides) != 1 || guides[0].Stars != 5 || guides[0].WindowLocation != "二楼 C03" || guides[0].DepartmentName == "" {
			t.Fatalf("guides: %+v", guides)
		}

		// Streamed upload with its digest, read back by the officer.
		url := fmt.Sprintf("/api/v1/approval/cases/%d/materials/application?name=%s", mine.ID, "申请书.pdf")
		resp = e.do("PUT", url, applicant, "申请书内容")
		wantStatus(t, resp, http.StatusCreated)
		var m approval.CaseMaterial
		decode(t, resp, &m)
		wantStatus(t, e.do("PUT", fmt.Sprintf("/api/v1/approval/cases/%d/materials/application?name=x.pdf", mine.ID), a.applicant2, "x"), http.StatusNotFound)
		base := fmt.Sprintf("/api/v1/approval/cases/%d", mine.ID)
		a.act(t, applicant, base+"/submit", nil, http.StatusOK)
		resp = e.do("GET", base+"/materials/application", officer, nil)
		wantStatus(t, resp, http.StatusOK)
		if body, _ := io.ReadAll(resp.Body); string(body) != "申请书内容" || resp.Header.Get(SM3Header) != m.SM3 {
			t.Fatalf("download: %q sm3 %s want %s", body, resp.Header.Get(SM3Header), m.SM3)
		}

		// Applicants see their own; officers their department's.
		for _, v := range []struct {
			token string
			id    int64
			want  int
		}{{applicant, mine.ID, 200}, {applicant, theirs.ID, 404}, {a.applicant2, mine.ID, 404}, {a.applicant2, theirs.ID, 200},
			{officer, mine.ID, 200}, {officer, theirs.ID, 200}, {a.officer2, mine.ID, 404}, {e.tokens[accounts.RoleSupervisor], mine.ID, 200},
			{e.tokens[accounts.RoleBidder], mine.ID, 403}} {
			if resp := e.do("GET", fmt.Sprintf("/api/v1/approval/cases/%d", v.id), v.token, nil); resp.StatusCode != v.want {
				t.Errorf("case %d: status %d, want %d", v.id, resp.StatusCode, v.want)
			}
		}
		for token, want := range map[string]int{applicant: 1, a.applicant2: 1, officer: 2, a.officer2: 0} {
			var list []approval.Case
			decode(t, e.do("GET", "/api/v1/approval/cases", token, nil), &list)
			if len(list) != want {
				t.Errorf("list: %d cases, want %d", len(list), want)
			}
		}
		a.act(t, a.officer2, base+"/accept", nil, http.StatusNotFound)

		c := a.act(t, officer, base+"/accept", nil, http.StatusOK)
		if c.State != approval.CaseAccepted || c.DueAt == nil {
			t.Fatalf("accepted: %+v", c)
		}
		a.act(t, officer, base+"/suspensions", SuspendRequest{Kind: "inspection", Reason: "现场勘查"}, http.StatusOK)
		a.act(t, officer, base+"/decision", CaseDecisionRequest{Decision: "approve"}, http.StatusConflict)
		a.act(t, officer, base+"/resume", nil, http.StatusOK)
		a.act(t, officer, base+"/resume", nil, http.StatusConflict)
		a.act(t, officer, base+"/decision", CaseDecisionRequest{Decision: "approve"}, http.StatusOK)
		a.act(t, officer, base+"/finish", nil, http.StatusOK)

		resp = e.do("POST", base+"/rating", applicant, approval.RatingInput{Level: 1, Comment: "态度差"})
		wantStatus(t, resp, http.StatusCreated)
		wantStatus(t, e.do("POST", base+"/rating", applicant, approval.RatingInput{Level: 1}), http.StatusConflict)
		var tasks []approval.Task
		decode(t, e.do("GET", "/api/v1/approval/tasks?state=open", officer, nil), &tasks)
		if len(tasks) != 2 {
			t.Fatalf("tasks: %+v", tasks)
		}
		decode(t, e.do("GET", "/api/v1/approval/tasks", a.officer2, nil), &tasks)
		if len(tasks) != 0 {
			t.Fatalf("other department sees tasks: %+v", tasks)
		}
		resp = e.do("POST", "/api/v1/approval/cases", applicant, `{"itemCode": "350100-WS-001", "applicantKind": "person", "applicantName": "张三", "applicantId": "110105194912310021"}`)
		wantStatus(t, resp, http.StatusBadRequest)
		if d := errorOf(t, resp); !strings.Contains(d.Message, "身份证") || !strings.Contains(d.Fields["applicantId"], "ID number") {
			t.Fatalf("bad ID number error: %+v", d)
		}
	})
}
