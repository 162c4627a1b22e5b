package supervision

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/storage"
)

// Objection is a bidder's objection (异议) as supervision learned it from
// the log: the stage it belongs to, when it was raised, by when it had to
// be answered and when it was.
type Objection struct {
	Stage       string     `json:"stage" gorm:"column:stage;primaryKey"` // documents, opening, award
	ObjectionID int64      `json:"objectionId" gorm:"column:objection_id;primaryKey"`
	Subject     string     `json:"subject" gorm:"column:subject"`
	BidderOrgID int64      `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	RaisedAt    time.Time  `json:"raisedAt" gorm:"column:raised_at"`
	DueAt       time.Time  `json:"dueAt" gorm:"column:due_at"`
	AnsweredAt  *time.Time `json:"answeredAt,omitempty" gorm:"column:answered_at"`
}

// TableName maps Objection to supervision_objections.
func (Objection) TableName() string { return "supervision_objections" }

// Complaint is a bidder's complaint (投诉) to the supervising department,
// after an objection at the same stage.
type Complaint struct {
	ID              int64      `json:"id" gorm:"column:id;primaryKey"`
	SectionID       int64      `json:"sectionId" gorm:"column:section_id"`
	DepartmentOrgID int64      `json:"departmentOrgId" gorm:"column:department_org_id"`
	BidderOrgID     int64      `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	UserID          int64      `json:"-" gorm:"column:user_id"`
	Stage           string     `json:"stage" gorm:"column:stage"`
	ObjectionID     int64      `json:"objectionId" gorm:"column:objection_id"`
	Body            string     `json:"body" gorm:"column:body"`
	FiledAt         time.Time  `json:"filedAt" gorm:"column:filed_at"`
	WindowEndsAt    time.Time  `json:"windowEndsAt" gorm:"column:window_ends_at"`
	State           string     `json:"state" gorm:"column:state"` // filed, accepted, refused, decided
	AcceptDue       time.Time  `json:"acceptDue" gorm:"column:accept_due"`
	DecideDue       *time.Time `json:"decideDue,omitempty" gorm:"column:decide_due"`
	Suspended       bool       `json:"suspended" gorm:"column:suspended"`
	Reply           string     `json:"reply,omitempty" gorm:"column:reply"`
	Decision        string     `json:"decision,omitempty" gorm:"column:decision"`
	Upheld          bool       `json:"upheld" gorm:"column:upheld"`
	HandledBy       int64      `json:"-" gorm:"column:handled_by"`
	AcceptedAt      *time.Time `json:"acceptedAt,omitempty" gorm:"column:accepted_at"`
	DecidedAt       *time.Time `json:"decidedAt,omitempty" gorm:"column:decided_at"`
}

// TableName maps Complaint to supervision_complaints.
func (Complaint) TableName() string { return "supervision_complaints" }

func (st store) putObjection(ctx context.Context, o *Objection) error {
	return storage.Translate(st.conn(ctx).Clauses(onConflictNothing("stage", "objection_id")).Create(o).Error)
}

func (st store) answerObjection(ctx context.Context, stage string, id int64, at time.Time) error {
	return storage.Translate(st.conn(ctx).Model(&Objection{}).Where("stage = ? AND objection_id = ? AND answered_at IS NULL", stage, id).
		Update("answered_at", at).Error)
}

func (st store) objection(ctx context.Context, stage string, id int64) (Objection, error) {
	var o Objection
	err := st.conn(ctx).Where("stage = ? AND objection_id = ?", stage, id).First(&o).Error
	if err != nil {
		return o, notFound(storage.Translate(err), "没有该异议", "no such objection")
	}
	return o, nil
}

func (st store) objectionsOf(ctx context.Context, subject string, org int64) ([]Objection, error) {
	out := []Objection{}
	err := st.conn(ctx).Where("subject = ? AND bidder_org_id = ?", subject, org).Order("raised_at, stage, objection_id").Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) insertComplaint(ctx context.Context, c *Complaint) error {
	return storage.Translate(st.conn(ctx).Create(c).Error)
}

func (st store) saveComplaint(ctx context.Context, c *Complaint) error {
	return storage.Translate(st.conn(ctx).Save(c).Error)
}

// complaint reads a complaint, locked for the rest of the transaction.
func (st store) complaint(ctx context.Context, id int64) (Complaint, error) {
	var c Complaint
	err := st.locked(ctx).Where("id = ?", id).First(&c).Error
	if err != nil {
		return c, notFound(storage.Translate(err), "投诉不存在", "no such complaint")
	}
	return c, nil
}

// ComplaintFilter selects complaints: zero fields match all.
type ComplaintFilter struct {
	Dept, Bidder, Section int64
	State                 string
	Limit                 int
}

func (st store) complaints(ctx context.Context, f ComplaintFilter) ([]Complaint, error) {
	q := st.conn(ctx).Model(&Complaint{})
	for col, v := range map[string]int64{"department_org_id": f.Dept, "bidder_org_id": f.Bidder, "section_id": f.Section} {
		if v != 0 {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.State != "" {
		q = q.Where("state = ?", f.State)
	}
	out := []Complaint{}
	err := q.Order("id DESC").Limit(max(1, min(f.Limit, MaxList))).Find(&out).Error
	return out, storage.Translate(err)
}

func (st store) complained(ctx context.Context, org int64, stage string, objection int64) (bool, error) {
	var n int64
	err := st.conn(ctx).Model(&Complaint{}).Where("bidder_org_id = ? AND stage = ? AND objection_id = ?", org, stage, objection).Count(&n).Error
	return n > 0, storage.Translate(err)
}
