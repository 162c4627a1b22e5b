package approval

import (
	"context"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// canRead reports whether actor may read case r: its applicant, an officer
// of its department, a supervisor or an administrator.
func canRead(actor accounts.Principal, r caseRow) bool {
	switch {
	case actor.UserID == 0:
		return false
	case actor.UserID == r.ApplicantUserID, actor.Has(accounts.RoleAdmin), actor.Has(accounts.RoleSupervisor):
		return true
	}
	return actor.Has(accounts.RoleOfficer) && actor.OrgID == r.DepartmentOrgID
}

// readable loads case id for actor. Errors: NotFound, also for a case
// actor may not read, so that case numbers reveal nothing.
func (s *Service) readable(ctx context.Context, actor accounts.Principal, id int64, lock bool) (caseRow, error) {
	r, err := s.st.caseByID(ctx, id, lock)
	if err != nil {
		return caseRow{}, err
	}
	if !canRead(actor, r) {
		return caseRow{}, apperr.New(apperr.NotFound, "办件不存在", "case not found").WithCode("not_found")
	}
	return r, nil
}

// forOfficer loads and locks case id for a window action by actor.
// Errors: NotFound; Forbidden (officer_required, other_department).
func (s *Service) forOfficer(ctx context.Context, actor accounts.Principal, id int64) (caseRow, error) {
	r, err := s.readable(ctx, actor, id, true)
	if err != nil {
		return caseRow{}, err
	}
	if !actor.Has(accounts.RoleOfficer) {
		return caseRow{}, apperr.New(apperr.Forbidden, "只有审批窗口工作人员可以办理", "only a window officer may act on a case").WithCode("officer_required")
	}
	if actor.OrgID != r.DepartmentOrgID {
		return caseRow{}, apperr.New(apperr.Forbidden, "该办件属于其他部门，不能办理", "the case belongs to another department").WithCode("other_department")
	}
	if r.Joint {
		return caseRow{}, apperr.New(apperr.Conflict, "联办件由各部门在各自的子件上办理", "a joint file is worked on its sub-cases, one per department").WithCode("joint_file")
	}
	return r, nil
}

// forApplicant loads and locks case id for an action of its applicant.
// Errors: NotFound; Forbidden (not_your_case).
func (s *Service) forApplicant(ctx context.Context, actor accounts.Principal, id int64) (caseRow, error) {
	r, err := s.readable(ctx, actor, id, true)
	if err != nil {
		return caseRow{}, err
	}
	if actor.UserID != r.ApplicantUserID {
		return caseRow{}, apperr.New(apperr.Forbidden, "只有申请人本人可以这样做", "only the case's applicant may do this").WithCode("not_your_case")
	}
	return r, nil
}

// stateError says that case r cannot do what was asked in its state.
func stateError(r caseRow, zh, en string) error {
	return apperr.New(apperr.Conflict, zh+"（办件当前状态："+stateNames[CaseState(r.State)]+"）", en+" (the case is "+r.State+")").
		WithCode("wrong_state")
}

var stateNames = map[CaseState]string{CaseDraft: "草稿", CaseSubmitted: "已提交待预审", CaseSupplementing: "待补正材料",
	CaseAccepted: "已受理", CaseSuspended: "已中止", CaseDecided: "已决定", CaseFinished: "已办结", CaseRefused: "不予受理",
	CaseWithdrawn: "已撤回"}

// Case returns case id with its working days left. Errors: NotFound
// (also for a case actor may not read).
func (s *Service) Case(ctx context.Context, actor accounts.Principal, id int64) (Case, error) {
	r, err := s.readable(ctx, actor, id, false)
	if err != nil {
		return Case{}, err
	}
	return s.view(ctx, r)
}

// Cases lists what actor may see, soonest due first: an applicant their
// own cases, an officer their department's, supervisors and
// administrators every case (at most 500). state filters when not empty.
// Errors: Forbidden for other roles.
func (s *Service) Cases(ctx context.Context, actor accounts.Principal, state CaseState) ([]Case, error) {
	where, args := "", []any{}
	switch {
	case actor.UserID == 0:
		return nil, apperr.New(apperr.Forbidden, "无权查看办件", "not allowed to list cases")
	case actor.Has(accounts.RoleAdmin), actor.Has(accounts.RoleSupervisor):
		where = "1 = 1"
	case actor.Has(accounts.RoleOfficer):
		where, args = "department_org_id = ?", append(args, actor.OrgID)
	case actor.Has(accounts.RoleApplicant):
		where, args = "applicant_user_id = ?", append(args, actor.UserID)
	default:
		return nil, apperr.New(apperr.Forbidden, "无权查看办件", "not allowed to list cases").WithCode("forbidden")
	}
	if state != "" {
		where, args = where+" AND state = ?", append(args, string(state))
	}
	rows, err := s.st.cases(ctx, where, args...)
	if err != nil {
		return nil, err
	}
	out := make([]Case, 0, len(rows))
	for _, r := range rows {
		c, err := s.view(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
