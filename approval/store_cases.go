package approval

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

type caseRow struct {
	ID                int64      `gorm:"column:id;primaryKey"`
	CaseNo            *string    `gorm:"column:case_no"`
	ItemID            int64      `gorm:"column:item_id"`
	ItemCode          string     `gorm:"column:item_code"`
	ItemVersion       int        `gorm:"column:item_version"`
	DepartmentOrgID   int64      `gorm:"column:department_org_id"`
	ApplicantUserID   int64      `gorm:"column:applicant_user_id"`
	ApplicantKind     string     `gorm:"column:applicant_kind"`
	ApplicantName     string     `gorm:"column:applicant_name"`
	ApplicantID       string     `gorm:"column:applicant_id"` // sealed
	InvestmentFen     int64      `gorm:"column:investment_fen"`
	FastLane          bool       `gorm:"column:fast_lane"`
	PromisedDays      int        `gorm:"column:promised_days"`
	State             string     `gorm:"column:state"`
	SubmittedAt       *time.Time `gorm:"column:submitted_at"`
	AcceptedAt        *time.Time `gorm:"column:accepted_at"`
	DueAt             *time.Time `gorm:"column:due_at"`
	SuspendedWorkdays int        `gorm:"column:suspended_workdays"`
	MissingRequested  bool       `gorm:"column:missing_requested"`
	Missing           string     `gorm:"column:missing"`
	Decision          string     `gorm:"column:decision"`
	Reason            string     `gorm:"column:reason"`
	OfficerUserID     int64      `gorm:"column:officer_user_id"`
	DecidedAt         *time.Time `gorm:"column:decided_at"`
	FinishedAt        *time.Time `gorm:"column:finished_at"`
	CreatedAt         time.Time  `gorm:"column:created_at"`
	UpdatedAt         time.Time  `gorm:"column:updated_at"`
	Joint             bool       `gorm:"column:joint"`
	ParentCaseID      *int64     `gorm:"column:parent_case_id"`
}

// TableName maps caseRow to approval_cases.
func (caseRow) TableName() string { return "approval_cases" }

type materialRow struct {
	CaseID     int64     `gorm:"column:case_id;primaryKey"`
	Material   string    `gorm:"column:material;primaryKey"`
	FileName   string    `gorm:"column:file_name"`
	BlobKey    string    `gorm:"column:blob_key"`
	SM3        string    `gorm:"column:sm3"`
	Size       int64     `gorm:"column:size"`
	UploadedAt time.Time `gorm:"column:uploaded_at"`
	ReusedFrom *int64    `gorm:"column:reused_from"`
}

// TableName maps materialRow to approval_materials.
func (materialRow) TableName() string { return "approval_materials" }

type suspensionRow struct {
	ID          int64      `gorm:"column:id;primaryKey"`
	CaseID      int64      `gorm:"column:case_id"`
	Kind        string     `gorm:"column:kind"`
	Reason      string     `gorm:"column:reason"`
	SuspendedAt time.Time  `gorm:"column:suspended_at"`
	ResumedAt   *time.Time `gorm:"column:resumed_at"`
	Workdays    int        `gorm:"column:workdays"`
	SuspendedBy int64      `gorm:"column:suspended_by"`
	ResumedBy   *int64     `gorm:"column:resumed_by"`
}

// TableName maps suspensionRow to approval_suspensions.
func (suspensionRow) TableName() string { return "approval_suspensions" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (r caseRow) view(maskedID string) Case {
	c := Case{ID: r.ID, ItemID: r.ItemID, ItemCode: r.ItemCode, ItemVersion: r.ItemVersion,
		DepartmentOrgID: r.DepartmentOrgID, ApplicantUserID: r.ApplicantUserID, ApplicantKind: ApplicantKind(r.ApplicantKind),
		ApplicantName: r.ApplicantName, ApplicantIDMasked: maskedID, InvestmentFen: r.InvestmentFen, FastLane: r.FastLane,
		PromisedDays: r.PromisedDays, State: CaseState(r.State), SubmittedAt: utcPtr(r.SubmittedAt),
		AcceptedAt: utcPtr(r.AcceptedAt), DueAt: utcPtr(r.DueAt), SuspendedWorkdays: r.SuspendedWorkdays,
		MissingRequested: r.MissingRequested, Missing: []string{}, Decision: r.Decision, Reason: r.Reason,
		DecidedAt: utcPtr(r.DecidedAt), FinishedAt: utcPtr(r.FinishedAt), CreatedAt: r.CreatedAt.UTC(),
		Joint: r.Joint, ParentCaseID: r.ParentCaseID}
	if r.CaseNo != nil {
		c.CaseNo = *r.CaseNo
	}
	_ = json.Unmarshal([]byte(r.Missing), &c.Missing)
	return c
}

func (st store) insertCase(ctx context.Context, r *caseRow) error {
	return storage.Translate(st.conn(ctx).Create(r).Error)
}

// caseByID reads a case; lock holds its row until the transaction ends.
func (st store) caseByID(ctx context.Context, id int64, lock bool) (caseRow, error) {
	var r caseRow
	q := st.conn(ctx)
	if lock {
		q = st.locked(q)
	}
	if err := q.First(&r, id).Error; err != nil {
		return caseRow{}, notFound(err, "办件不存在", "case not found")
	}
	return r, nil
}

// moveCase writes changes to case id if it is still in state from, and
// reports a Conflict naming the state otherwise: the compare-and-set that
// makes every transition happen once.
func (st store) moveCase(ctx context.Context, id int64, from CaseState, changes map[string]any) error {
	res := st.conn(ctx).Model(&caseRow{}).Where("id = ? AND state = ?", id, string(from)).Updates(changes)
	if res.Error != nil {
		return storage.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return apperr.New(apperr.Conflict, "办件状态已变化，请刷新后重试", "the case changed meanwhile; reload and retry").WithCode("case_changed")
	}
	return nil
}

// cases lists cases matching where, soonest due first, then newest.
func (st store) cases(ctx context.Context, where string, args ...any) ([]caseRow, error) {
	var rows []caseRow
	err := st.conn(ctx).Where(where, args...).
		Order("CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, id DESC").Limit(500).Find(&rows).Error
	return rows, storage.Translate(err)
}

func (st store) materials(ctx context.Context, caseID int64) ([]materialRow, error) {
	var rows []materialRow
	err := st.conn(ctx).Where("case_id = ?", caseID).Order("material").Find(&rows).Error
	return rows, storage.Translate(err)
}

// putMaterial inserts or replaces the case's file for one material.
func (st store) putMaterial(ctx context.Context, r materialRow) error {
	db := st.conn(ctx)
	if err := db.Where("case_id = ? AND material = ?", r.CaseID, r.Material).Delete(&materialRow{}).Error; err != nil {
		return storage.Translate(err)
	}
	return storage.Translate(db.Create(&r).Error)
}

func (st store) openSuspension(ctx context.Context, caseID int64) (suspensionRow, error) {
	var r suspensionRow
	err := st.conn(ctx).Where("case_id = ? AND resumed_at IS NULL", caseID).First(&r).Error
	return r, notFound(err, "办件没有未结束的中止", "the case has no open suspension")
}

func (st store) suspensions(ctx context.Context, caseID int64) ([]suspensionRow, error) {
	var rows []suspensionRow
	err := st.conn(ctx).Where("case_id = ?", caseID).Order("id").Find(&rows).Error
	return rows, storage.Translate(err)
}

func (st store) insertSuspension(ctx context.Context, r *suspensionRow) error {
	return storage.Translate(st.conn(ctx).Create(r).Error)
}

func (st store) closeSuspension(ctx context.Context, id int64, at time.Time, by int64, workdays int) error {
	return storage.Translate(st.conn(ctx).Model(&suspensionRow{}).Where("id = ? AND resumed_at IS NULL", id).
		Updates(map[string]any{"resumed_at": at, "resumed_by": by, "workdays": workdays}).Error)
}
