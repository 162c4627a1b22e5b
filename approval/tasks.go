package approval

import (
	"context"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// Task is a follow-up a bad rating opened: a call-back (回访) or a
// rectification (整改), due on a working-day date, open until its
// department closes it with what was done.
type Task struct {
	ID              int64      `json:"id"`
	CaseID          int64      `json:"caseId"`
	Kind            string     `json:"kind"`
	DepartmentOrgID int64      `json:"departmentOrgId"`
	DueAt           time.Time  `json:"dueAt"`
	State           string     `json:"state"` // open or closed
	Note            string     `json:"note"`
	ClosedAt        *time.Time `json:"closedAt,omitempty"`
	OnTime          *bool      `json:"onTime,omitempty"` // once closed
	CreatedAt       time.Time  `json:"createdAt"`
}

type taskRow struct {
	ID              int64      `gorm:"column:id;primaryKey"`
	CaseID          int64      `gorm:"column:case_id"`
	Kind            string     `gorm:"column:kind"`
	DepartmentOrgID int64      `gorm:"column:department_org_id"`
	DueAt           time.Time  `gorm:"column:due_at"`
	State           string     `gorm:"column:state"`
	Note            string     `gorm:"column:note"`
	ClosedBy        *int64     `gorm:"column:closed_by"`
	ClosedAt        *time.Time `gorm:"column:closed_at"`
	CreatedAt       time.Time  `gorm:"column:created_at"`
}

// TableName maps taskRow to approval_tasks.
func (taskRow) TableName() string { return "approval_tasks" }

func (t taskRow) view() Task {
	v := Task{ID: t.ID, CaseID: t.CaseID, Kind: t.Kind, DepartmentOrgID: t.DepartmentOrgID, DueAt: t.DueAt.UTC(), State: t.State,
		Note: t.Note, ClosedAt: utcPtr(t.ClosedAt), CreatedAt: t.CreatedAt.UTC()}
	if t.ClosedAt != nil {
		on := !t.ClosedAt.After(t.DueAt)
		v.OnTime = &on
	}
	return v
}

// openFollowUps opens the call-back and the rectification of a badly rated
// case r, in the rating's transaction.
func (s *Service) openFollowUps(ctx context.Context, actor accounts.Principal, r caseRow, now time.Time) ([]Task, error) {
	cal, err := s.cal(ctx)
	if err != nil {
		return nil, err
	}
	out := []Task{}
	for _, k := range []struct {
		kind string
		days int
	}{{TaskCallback, CallbackWorkdays}, {TaskRectification, RectifyWorkdays}} {
		t := taskRow{CaseID: r.ID, Kind: k.kind, DepartmentOrgID: r.DepartmentOrgID, DueAt: DueAt(cal, now, k.days, 0),
			State: "open", CreatedAt: now}
		if err := storage.Translate(s.st.conn(ctx).Create(&t).Error); err != nil {
			return nil, err
		}
		if err := s.append(ctx, EventTaskOpened, caseSubject(r.ID), actor, map[string]any{"task": t.ID, "kind": k.kind,
			"dueAt": t.DueAt, "departmentOrgId": r.DepartmentOrgID}); err != nil {
			return nil, err
		}
		out = append(out, t.view())
	}
	return out, nil
}

// Tasks lists follow-up tasks, soonest due first: an officer's
// department's, or every department's for supervisors and administrators.
// state filters (open, closed) when not empty. Errors: Forbidden for other
// roles.
func (s *Service) Tasks(ctx context.Context, actor accounts.Principal, state string) ([]Task, error) {
	where, args := "", []any{}
	switch {
	case actor.Has(accounts.RoleAdmin), actor.Has(accounts.RoleSupervisor):
		where = "1 = 1"
	case actor.Has(accounts.RoleOfficer):
		where, args = "department_org_id = ?", append(args, actor.OrgID)
	default:
		return nil, apperr.New(apperr.Forbidden, "无权查看回访整改任务", "not allowed to list follow-up tasks").WithCode("forbidden")
	}
	if state != "" {
		where, args = where+" AND state = ?", append(args, state)
	}
	rows, err := s.st.tasks(ctx, where, args...)
	out := make([]Task, len(rows))
	for i, t := range rows {
		out[i] = t.view()
	}
	return out, err
}

// CloseTask closes an open task of the officer's department with what
// was done (the call-back's result, the rectification's measures), with an
// approval.task_closed event saying whether it was on time. Errors:
// NotFound (also another department's task); Forbidden officer_required;
// Invalid note_required; Conflict task_closed.
func (s *Service) CloseTask(ctx context.Context, actor accounts.Principal, id int64, note string) (Task, error) {
	note = strings.TrimSpace(note)
	if note == "" || len(note) > 4000 {
		return Task{}, apperr.New(apperr.Invalid, "请写明回访结果或整改措施（不超过4000字节）", "say what was done (at most 4000 bytes)").
			WithField("note", "required").WithCode("note_required")
	}
	if !actor.Has(accounts.RoleOfficer) {
		return Task{}, apperr.New(apperr.Forbidden, "只有本部门工作人员可以办结任务", "only an officer of the department may close a task").WithCode("officer_required")
	}
	var out taskRow
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var t taskRow
		if err := s.st.locked(s.st.conn(ctx)).First(&t, id).Error; err != nil {
			return notFound(err, "任务不存在", "task not found")
		}
		if t.DepartmentOrgID != actor.OrgID {
			return apperr.New(apperr.NotFound, "任务不存在", "task not found").WithCode("not_found")
		}
		if t.State != "open" {
			return apperr.New(apperr.Conflict, "任务已经办结", "the task is closed already").WithCode("task_closed")
		}
		now, by := s.now(), actor.UserID
		t.State, t.Note, t.ClosedAt, t.ClosedBy = "closed", note, &now, &by
		res := s.st.conn(ctx).Model(&taskRow{}).Where("id = ? AND state = ?", id, "open").
			Updates(map[string]any{"state": t.State, "note": note, "closed_at": now, "closed_by": by})
		if res.Error != nil {
			return storage.Translate(res.Error)
		}
		out = t
		return s.append(ctx, EventTaskClosed, caseSubject(t.CaseID), actor, map[string]any{"task": t.ID, "kind": t.Kind,
			"onTime": !now.After(t.DueAt)})
	})
	return out.view(), err
}

func (st store) tasks(ctx context.Context, where string, args ...any) ([]taskRow, error) {
	var rows []taskRow
	err := st.conn(ctx).Where(where, args...).Order("due_at, id").Limit(500).Find(&rows).Error
	return rows, storage.Translate(err)
}
