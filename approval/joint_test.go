package approval

import (
	"context"
	"slices"
	"testing"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// jointItems saves 企业设立登记 as a joint item of three departments'
// items (三证联办) and returns its code and the officers of the parts.
func (e *env) jointItems(t *testing.T) (string, []accounts.Principal) {
	t.Helper()
	third := e.org(t, "department", "福州市税务局")
	depts := []int64{e.other, e.dept, third}
	codes := []string{"SC-YYZZ", "SC-GZ", "SC-SW"}
	names := []string{"营业执照核发", "公章刻制备案", "税务登记"}
	officers := []accounts.Principal{}
	for i, code := range codes {
		e.saveItem(t, Item{Code: code, Name: names[i], DepartmentOrgID: depts[i], LegalBasis: "《市场主体登记管理条例》",
			Conditions: "—", LegalDays: 5, PromisedDays: 3, Online: true, Steps: []Step{{"受理", 1}, {"决定", 2}},
			Materials: []Material{
				{Key: "articles", Name: "公司章程", Form: "electronic", Required: true},
				{Key: "id_card", Name: "法定代表人身份证明", Form: "electronic", Required: i != 1},
			}, WindowName: "综合窗口", WindowLocation: "一楼", ComplaintPhone: "12345"})
		officers = append(officers, accounts.Principal{UserID: int64(100 + i), OrgID: depts[i], Roles: []accounts.Role{accounts.RoleOfficer}})
	}
	e.saveItem(t, Item{Code: "SC-LB", Name: "企业设立登记（三证联办）", DepartmentOrgID: e.other, LegalBasis: "《优化营商环境条例》",
		Conditions: "—", LegalDays: 5, PromisedDays: 3, Online: true, Steps: []Step{{"并联审批", 3}}, Parts: codes,
		Materials: []Material{
			{Key: "articles", Name: "公司章程", Form: "electronic", Required: true},
			{Key: "id_card", Name: "法定代表人身份证明", Form: "electronic", Required: true},
		}, WindowName: "企业开办专区", WindowLocation: "一楼 A01", ComplaintPhone: "12345"})
	return "SC-LB", officers
}

// TestJointCaseFinishesWhenAllThreeDepartmentsHave: one application and
// one set of materials fan out to three departments; every sub-case shows
// the same files; the joint file takes no window action itself and
// finishes only when the third department has finished.
func TestJointCaseFinishesWhenAllThreeDepartmentsHave(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		code, officers := e.jointItems(t)
		file := e.apply(t, applicant, code)
		if !file.Joint {
			t.Fatalf("not a joint file: %+v", file)
		}
		a := e.put(t, applicant, file.ID, "articles", []byte("章程"))
		b := e.put(t, applicant, file.ID, "id_card", []byte("身份证"))
		if _, err := e.svc.Submit(ctx, applicant, file.ID); err != nil {
			t.Fatal(err)
		}
		jv, err := e.svc.Joint(ctx, applicant, file.ID)
		if err != nil || len(jv.Parts) != 3 {
			t.Fatalf("joint view: %v %+v", err, jv)
		}
		_, err = e.svc.Accept(ctx, officers[0], file.ID)
		wantErr(t, err, apperr.Conflict, "joint_file")
		for i, part := range jv.Parts {
			if part.State != CaseSubmitted || part.ParentCaseID == nil || *part.ParentCaseID != file.ID {
				t.Fatalf("part %d: %+v", i, part)
			}
			ms := e.materialsOf(t, officers[i], part.ID)
			if len(ms) != 2 || ms[0].SM3 != a.SM3 || ms[1].SM3 != b.SM3 {
				t.Fatalf("part %d materials %+v, want the joint file's", i, ms)
			}
			// Each department acts on its own sub-case only.
			_, err := e.svc.Accept(ctx, officers[(i+1)%3], part.ID)
			wantErr(t, err, apperr.NotFound, "not_found")
		}
		if _, err := e.svc.Comment(ctx, officers[2], file.ID, "税务登记需补充财务负责人信息，已电话告知"); err != nil {
			t.Fatal(err)
		}
		for i, part := range jv.Parts {
			for _, step := range []func() (Case, error){
				func() (Case, error) { return e.svc.Accept(ctx, officers[i], part.ID) },
				func() (Case, error) { return e.svc.Decide(ctx, officers[i], part.ID, DecisionApprove, "") },
				func() (Case, error) { return e.svc.Finish(ctx, officers[i], part.ID) },
			} {
				if _, err := step(); err != nil {
					t.Fatalf("part %d: %v", i, err)
				}
			}
			got, err := e.svc.Case(ctx, applicant, file.ID)
			if err != nil {
				t.Fatal(err)
			}
			if done := got.State == CaseFinished; done != (i == 2) {
				t.Fatalf("after %d of 3 departments the joint file is %s", i+1, got.State)
			}
		}
		jv, err = e.svc.Joint(ctx, officers[1], file.ID)
		if err != nil || jv.File.Decision != DecisionApprove || len(jv.Notes) != 1 || jv.Slowest != 0 {
			t.Fatalf("finished joint view: %v %+v", err, jv)
		}
		if !slices.Contains(e.eventTypes(t, caseSubject(file.ID)), EventJointFinished) {
			t.Fatal("no joint_finished event")
		}
		// A sub-case cannot be withdrawn alone.
		f2 := e.apply(t, applicant, code)
		jv2, _ := e.svc.Joint(ctx, applicant, f2.ID)
		_, err = e.svc.Withdraw(ctx, applicant, jv2.Parts[0].ID)
		wantErr(t, err, apperr.Conflict, "joint_part")
		if w, err := e.svc.Withdraw(ctx, applicant, f2.ID); err != nil || w.State != CaseWithdrawn {
			t.Fatalf("withdraw joint file: %v %+v", err, w)
		}
		if jv2, _ = e.svc.Joint(ctx, applicant, f2.ID); jv2.Parts[2].State != CaseWithdrawn {
			t.Fatalf("parts after withdrawal: %+v", jv2.Parts)
		}
	})
}

func TestCompositeItemMustCoverItsParts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		e.jointItems(t)
		bad := Item{Code: "SC-BAD", Name: "缺材料的联办", DepartmentOrgID: e.other, LegalBasis: "—", Conditions: "—",
			LegalDays: 5, PromisedDays: 3, Online: true, Steps: []Step{{"并联审批", 3}}, Parts: []string{"SC-YYZZ", "SC-SW"},
			Materials: []Material{{Key: "articles", Name: "公司章程", Form: "electronic", Required: true}}}
		_, err := e.svc.SaveItem(context.Background(), admin, bad)
		wantErr(t, err, apperr.Invalid, "invalid_parts")
		bad.Parts = []string{"SC-YYZZ", "SC-LB"}
		_, err = e.svc.SaveItem(context.Background(), admin, bad)
		wantErr(t, err, apperr.Invalid, "invalid_parts")
	})
}
