package approval

import (
	"context"
	"fmt"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// Joint approval (并联审批, 三证联办): a composite item's case is a joint
// file. The applicant gives one set of materials on it; every part item
// gets a sub-case in its own department, worked there as any case. The
// joint file takes no window action itself and finishes when every
// sub-case is closed.

// The joint events.
const (
	EventJointFinished = "approval.joint_finished"
	EventJointComment  = "approval.joint_comment"
)

// JointView is a joint file with its sub-cases. Slowest is the open
// sub-case with the fewest working days left (the department holding the
// file up), 0 when none is running.
type JointView struct {
	File    Case      `json:"file"`
	Parts   []Case    `json:"parts"`
	Slowest int64     `json:"slowest,omitempty"`
	Notes   []Comment `json:"comments"`
}

// Comment is one department's remark on a joint file (网上会商).
type Comment struct {
	ID          int64     `json:"id"`
	AuthorOrgID int64     `json:"authorOrgId"`
	AuthorID    int64     `json:"authorUserId"`
	Body        string    `json:"body"`
	CreatedAt   time.Time `json:"createdAt"`
}

type commentRow struct {
	ID           int64     `gorm:"column:id;primaryKey"`
	CaseID       int64     `gorm:"column:case_id"`
	AuthorUserID int64     `gorm:"column:author_user_id"`
	AuthorOrgID  int64     `gorm:"column:author_org_id"`
	Body         string    `gorm:"column:body"`
	CreatedAt    time.Time `gorm:"column:created_at"`
}

// TableName maps commentRow to approval_comments.
func (commentRow) TableName() string { return "approval_comments" }

// applyParts opens a draft sub-case of every part of composite item it
// under joint file parent, in the application's transaction.
func (s *Service) applyParts(ctx context.Context, actor accounts.Principal, parent caseRow, it Item) error {
	for i, code := range it.Parts {
		part, err := s.st.latestItem(ctx, code, false)
		if err != nil {
			return err
		}
		if part.State != ItemActive {
			return retiredError(part.Code)
		}
		promised := part.PromisedDays
		if parent.FastLane && part.FastLane {
			promised = max(1, promised/2)
		}
		pid := parent.ID
		child := parent
		child.ID, child.Joint, child.ParentCaseID = 0, false, &pid
		child.ItemID, child.ItemCode, child.ItemVersion, child.DepartmentOrgID = part.ID, part.Code, part.Version, part.DepartmentOrgID
		child.PromisedDays, child.FastLane = promised, parent.FastLane && part.FastLane
		no := fmt.Sprintf("%s-%d", *parent.CaseNo, i+1)
		child.CaseNo = &no
		if err := s.st.insertCase(ctx, &child); err != nil {
			return err
		}
		if err := s.append(ctx, EventCaseApplied, caseSubject(child.ID), actor, map[string]any{"caseNo": no, "item": part.Code,
			"itemVersion": part.Version, "departmentOrgId": part.DepartmentOrgID, "jointFile": parent.ID, "promisedDays": promised}); err != nil {
			return err
		}
	}
	return nil
}

// submitParts hands every draft sub-case of joint file parent to its
// department's window, in the submission's transaction.
func (s *Service) submitParts(ctx context.Context, actor accounts.Principal, parent caseRow, now time.Time) error {
	kids, err := s.st.children(ctx, parent.ID)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if CaseState(k.State) != CaseDraft {
			continue
		}
		if err := s.st.moveCase(ctx, k.ID, CaseDraft, map[string]any{"state": string(CaseSubmitted), "submitted_at": now, "updated_at": now}); err != nil {
			return err
		}
		if err := s.append(ctx, EventCaseSubmitted, caseSubject(k.ID), actor, map[string]any{"from": CaseDraft, "jointFile": parent.ID}); err != nil {
			return err
		}
	}
	return nil
}

// settleJoint finishes joint file id once every sub-case is closed, with
// an approval.joint_finished event listing each sub-case's outcome. It
// runs in the transaction that closed a sub-case; the joint file's lock
// orders two departments finishing at once.
func (s *Service) settleJoint(ctx context.Context, actor accounts.Principal, id int64, now time.Time) error {
	parent, err := s.st.caseByID(ctx, id, true)
	if err != nil {
		return err
	}
	if CaseState(parent.State).Closed() {
		return nil
	}
	kids, err := s.st.children(ctx, id)
	if err != nil {
		return err
	}
	decision, parts := DecisionApprove, []map[string]any{}
	for _, k := range kids {
		if !CaseState(k.State).Closed() {
			return nil
		}
		if k.State != string(CaseFinished) || k.Decision != DecisionApprove {
			decision = DecisionDeny
		}
		parts = append(parts, map[string]any{"case": k.ID, "item": k.ItemCode, "state": k.State, "decision": k.Decision})
	}
	if err := s.st.moveCase(ctx, id, CaseState(parent.State), map[string]any{"state": string(CaseFinished),
		"decision": decision, "finished_at": now, "decided_at": now, "updated_at": now}); err != nil {
		return err
	}
	return s.append(ctx, EventJointFinished, caseSubject(id), actor, map[string]any{"decision": decision, "parts": parts})
}

// withdrawParts withdraws every open sub-case of joint file parent with
// it. Errors: Conflict part_decided when a department has decided already.
func (s *Service) withdrawParts(ctx context.Context, actor accounts.Principal, parent caseRow, now time.Time) error {
	kids, err := s.st.children(ctx, parent.ID)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if st := CaseState(k.State); st == CaseDecided || st == CaseFinished {
			return apperr.New(apperr.Conflict, "已有部门作出决定，联办件不能整体撤回", "a department has decided already; the joint file cannot be withdrawn").
				WithCode("part_decided")
		}
	}
	for _, k := range kids {
		if CaseState(k.State).Closed() {
			continue
		}
		if err := s.withdrawOne(ctx, actor, k, now); err != nil {
			return err
		}
	}
	return nil
}

// Joint returns joint file id with its sub-cases and the departments'
// comments. Readers: those of the file, and the officers of every
// department with a sub-case. Errors: NotFound (also for a case that is no
// joint file, or one actor may not read).
func (s *Service) Joint(ctx context.Context, actor accounts.Principal, id int64) (JointView, error) {
	parent, kids, err := s.jointFor(ctx, actor, id)
	if err != nil {
		return JointView{}, err
	}
	v := JointView{Parts: []Case{}}
	if v.File, err = s.view(ctx, parent); err != nil {
		return JointView{}, err
	}
	least := 0
	for _, k := range kids {
		c, err := s.view(ctx, k)
		if err != nil {
			return JointView{}, err
		}
		if c.RemainingWorkdays != nil && (v.Slowest == 0 || *c.RemainingWorkdays < least) {
			v.Slowest, least = c.ID, *c.RemainingWorkdays
		}
		v.Parts = append(v.Parts, c)
	}
	v.Notes, err = s.comments(ctx, id)
	return v, err
}

// Comment adds an officer's remark to joint file id (网上会商), with an
// approval.joint_comment event. Errors: NotFound as Joint; Forbidden
// officer_required; Invalid body_required.
func (s *Service) Comment(ctx context.Context, actor accounts.Principal, id int64, body string) (Comment, error) {
	if n := len(body); n == 0 || n > 4000 {
		return Comment{}, apperr.New(apperr.Invalid, "请填写会商意见（不超过4000字节）", "write the comment (at most 4000 bytes)").
			WithField("body", "required").WithCode("body_required")
	}
	var out commentRow
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if _, _, err := s.jointFor(ctx, actor, id); err != nil {
			return err
		}
		if !actor.Has(accounts.RoleOfficer) {
			return apperr.New(apperr.Forbidden, "只有参与部门的工作人员可以会商", "only officers of the departments involved may comment").WithCode("officer_required")
		}
		out = commentRow{CaseID: id, AuthorUserID: actor.UserID, AuthorOrgID: actor.OrgID, Body: body, CreatedAt: s.now()}
		if err := storage.Translate(s.st.conn(ctx).Create(&out).Error); err != nil {
			return err
		}
		return s.append(ctx, EventJointComment, caseSubject(id), actor, map[string]any{"comment": out.ID, "orgId": actor.OrgID})
	})
	return Comment{ID: out.ID, AuthorOrgID: out.AuthorOrgID, AuthorID: out.AuthorUserID, Body: out.Body, CreatedAt: out.CreatedAt.UTC()}, err
}

// jointFor loads joint file id and its sub-cases for a reader.
func (s *Service) jointFor(ctx context.Context, actor accounts.Principal, id int64) (caseRow, []caseRow, error) {
	nf := apperr.New(apperr.NotFound, "联办件不存在", "joint file not found").WithCode("not_found")
	parent, err := s.st.caseByID(ctx, id, false)
	if err != nil {
		return caseRow{}, nil, err
	}
	if !parent.Joint {
		return caseRow{}, nil, nf
	}
	kids, err := s.st.children(ctx, id)
	if err != nil {
		return caseRow{}, nil, err
	}
	allowed := canRead(actor, parent)
	for _, k := range kids {
		allowed = allowed || (actor.Has(accounts.RoleOfficer) && actor.OrgID == k.DepartmentOrgID)
	}
	if !allowed {
		return caseRow{}, nil, nf
	}
	return parent, kids, nil
}

func (s *Service) comments(ctx context.Context, id int64) ([]Comment, error) {
	var rows []commentRow
	if err := s.st.conn(ctx).Where("case_id = ?", id).Order("id").Find(&rows).Error; err != nil {
		return nil, storage.Translate(err)
	}
	out := make([]Comment, len(rows))
	for i, r := range rows {
		out[i] = Comment{ID: r.ID, AuthorOrgID: r.AuthorOrgID, AuthorID: r.AuthorUserID, Body: r.Body, CreatedAt: r.CreatedAt.UTC()}
	}
	return out, nil
}

func (st store) children(ctx context.Context, parent int64) ([]caseRow, error) {
	var rows []caseRow
	err := st.conn(ctx).Where("parent_case_id = ?", parent).Order("id").Find(&rows).Error
	return rows, storage.Translate(err)
}
