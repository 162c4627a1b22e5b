package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/approval"
)

// demoPersonID is the national standard's sample resident ID number
// (GB 11643), so that no real person's number is in the demo.
const demoPersonID = "11010519491231002X"

// seedDemoApproval fills the approval catalogue (the demo department and
// five more, each with its window) and gives demo-applicant cases in every
// state at demo-officer's department, all through approval.Service so that
// every step is in the event log.
func (e *env) seedDemoApproval(ctx context.Context, a *app, logins []accounts.DemoLogin) error {
	admin, done, err := demoPrincipal(ctx, a, logins, "demo-admin")
	if err != nil {
		return err
	}
	defer done()
	depts, err := demoApprovalDepts(ctx, a, admin)
	if err != nil {
		return err
	}
	for _, d := range demoItems {
		if _, err := a.approval.SaveItem(ctx, admin, d.catalogueItem(depts)); err != nil {
			return fmt.Errorf("demo item %s: %w", d.code, err)
		}
	}
	joint := demoJoint.catalogueItem(depts)
	joint.Parts = demoJointParts
	if _, err := a.approval.SaveItem(ctx, admin, joint); err != nil {
		return fmt.Errorf("demo item %s: %w", joint.Code, err)
	}
	n, err := e.seedDemoCases(ctx, a, logins)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "demo approval: %d items in %d departments, %d cases for demo-applicant\n", len(demoItems)+1, len(depts), n)
	return nil
}

// demoApprovalDepts returns the departments' ids, creating all but the
// first (the existing demo department).
func demoApprovalDepts(ctx context.Context, a *app, admin accounts.Principal) ([]int64, error) {
	first, err := a.accounts.DemoOrgID(ctx, accounts.DemoDepartmentName)
	if err != nil {
		return nil, err
	}
	ids := []int64{first}
	for _, d := range demoDepts[1:] {
		org, err := a.accounts.CreateOrg(ctx, admin, accounts.NewOrg{Kind: accounts.OrgDepartment, Name: d.name, Region: "350100"})
		if err != nil {
			return nil, fmt.Errorf("demo department %s: %w", d.name, err)
		}
		ids = append(ids, org.ID)
	}
	return ids, nil
}

// demoCase is one case to seed: the item and the officer's steps after
// submission, each a word understood by demoStep.
type demoCase struct {
	item  string
	steps []string
}

// Each state a case can be in, at demo-officer's department.
var demoCases = []demoCase{
	{"350100-JS-001", []string{"submit", "accept", "approve", "finish", "certificate"}},
	{"350100-JS-003", nil}, // a draft
	{"350100-JS-003", []string{"submit"}},
	{"350100-JS-004", []string{"submit", "missing"}},
	{"350100-JS-005", []string{"submit", "accept"}},
	{"350100-JS-006", []string{"submit", "accept", "suspend"}},
	{"350100-JS-003", []string{"submit", "accept", "approve"}},
	{"350100-JS-004", []string{"submit", "refuse"}},
	{"350100-JS-005", []string{"submit", "withdraw"}},
}

func (e *env) seedDemoCases(ctx context.Context, a *app, logins []accounts.DemoLogin) (int, error) {
	applicant, done1, err := demoPrincipal(ctx, a, logins, "demo-applicant")
	if err != nil {
		return 0, err
	}
	defer done1()
	officer, done2, err := demoPrincipal(ctx, a, logins, "demo-officer")
	if err != nil {
		return 0, err
	}
	defer done2()
	for i, dc := range demoCases {
		c, err := a.approval.Apply(ctx, applicant, approval.Application{ItemCode: dc.item, ApplicantKind: approval.ApplicantPerson,
			ApplicantName: "吴刚", ApplicantID: demoPersonID, InvestmentFen: int64(5_000_000+i*1_000_000) * 100})
		if err != nil {
			return 0, fmt.Errorf("demo case %d: %w", i, err)
		}
		if err := demoUploads(ctx, a, applicant, c); err != nil {
			return 0, fmt.Errorf("demo case %d: %w", i, err)
		}
		for _, st := range dc.steps {
			if err := demoStep(ctx, a.approval, applicant, officer, c.ID, st); err != nil {
				return 0, fmt.Errorf("demo case %d, %s: %w", i, st, err)
			}
		}
	}
	return len(demoCases), nil
}

// demoUploads gives every required material not pre-filled from the
// library a small text file.
func demoUploads(ctx context.Context, a *app, applicant accounts.Principal, c approval.Case) error {
	it, err := a.approval.ItemVersion(ctx, c.ItemID)
	if err != nil {
		return err
	}
	have, err := a.approval.Materials(ctx, applicant, c.ID)
	if err != nil {
		return err
	}
	given := map[string]bool{}
	for _, m := range have {
		given[m.Material] = true
	}
	for _, m := range it.Materials {
		if !m.Required || given[m.Key] {
			continue
		}
		body := fmt.Sprintf("%s（演示材料）\n申请人：吴刚\n事项：%s\n", m.Name, it.Name)
		if _, err := a.approval.PutMaterial(ctx, applicant, c.ID, approval.MaterialUpload{Material: m.Key,
			FileName: m.Name + ".txt", Size: int64(len(body)), Body: strings.NewReader(body)}); err != nil {
			return err
		}
	}
	return nil
}

func demoStep(ctx context.Context, svc *approval.Service, applicant, officer accounts.Principal, id int64, step string) error {
	var err error
	switch step {
	case "submit":
		_, err = svc.Submit(ctx, applicant, id)
	case "withdraw":
		_, err = svc.Withdraw(ctx, applicant, id)
	case "accept":
		_, err = svc.Accept(ctx, officer, id)
	case "missing":
		_, err = svc.RequestMaterials(ctx, officer, id, []string{"report"}, "竣工验收报告缺少监理单位签章页，请补正后重新提交。")
	case "refuse":
		_, err = svc.Refuse(ctx, officer, id, "该工程尚未完成竣工验收，不属于备案受理范围。")
	case "suspend":
		_, err = svc.Suspend(ctx, officer, id, approval.SuspendInspection, "需对建筑垃圾消纳场进行现场勘查。")
	case "approve":
		_, err = svc.Decide(ctx, officer, id, "approve", "")
	case "finish":
		_, err = svc.Finish(ctx, officer, id)
	case "certificate":
		_, err = svc.IssueCertificate(ctx, officer, id, approval.IssueInput{Scope: "福州市鼓楼区某住宅项目 1#–3# 楼土建及安装工程", ValidMonths: 36})
	default:
		err = fmt.Errorf("unknown demo step %q", step)
	}
	return err
}
