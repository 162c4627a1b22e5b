package bidding

import "time"

// Project (项目) belongs to a tenderer organisation and is run by an agency.
type Project struct {
	ID            int64  `json:"id" gorm:"column:id;primaryKey"`
	Name          string `json:"name" gorm:"column:name"`
	TendererOrgID int64  `json:"tendererOrgId" gorm:"column:tenderer_org_id"`
	AgencyOrgID   int64  `json:"agencyOrgId" gorm:"column:agency_org_id"`
	Region        string `json:"region" gorm:"column:region"`
	// SupervisingOrgID is the supervising department (行政监督部门, an
	// organisation of kind department) whose supervisors watch the project.
	SupervisingOrgID *int64    `json:"supervisingOrgId,omitempty" gorm:"column:supervising_org_id"`
	CreatedBy        int64     `json:"createdBy" gorm:"column:created_by"`
	CreatedAt        time.Time `json:"createdAt" gorm:"column:created_at"`
	UpdatedAt        time.Time `json:"updatedAt" gorm:"column:updated_at"`
}

// TableName maps Project to its table.
func (Project) TableName() string { return "bid_projects" }

// Section (标段) is the unit that is announced, bid on, opened and awarded.
// Deadline is the effective bid deadline: moved by clarifications and
// objection pauses, it is the one every part of the system reads. A later
// bid finalize locks this row (store.sectionForUpdate) and compares the
// server time with Deadline and PausedSince in the same transaction as the
// deadline job's close.
type Section struct {
	ID               int64        `json:"id" gorm:"column:id;primaryKey"`
	ProjectID        int64        `json:"projectId" gorm:"column:project_id"`
	Code             string       `json:"code" gorm:"column:code"`
	Name             string       `json:"name" gorm:"column:name"`
	Kind             Kind         `json:"kind" gorm:"column:kind"`
	BudgetFen        int64        `json:"budgetFen" gorm:"column:budget_fen"`
	RulebookName     RulebookName `json:"rulebookName" gorm:"column:rulebook_name"`
	Rulebook         Rulebook     `json:"rulebook" gorm:"column:rulebook;serializer:json"`
	Prequalification bool         `json:"prequalification" gorm:"column:prequalification"`
	State            State        `json:"state" gorm:"column:state"`
	CancelReason     string       `json:"cancelReason,omitempty" gorm:"column:cancel_reason"`
	DocsFrom         *time.Time   `json:"docsFrom,omitempty" gorm:"column:docs_from"`
	Deadline         *time.Time   `json:"deadline,omitempty" gorm:"column:deadline"`
	PausedSince      *time.Time   `json:"pausedSince,omitempty" gorm:"column:paused_since"`
	SuspendedBy      string       `json:"suspendedBy,omitempty" gorm:"column:suspended_by"` // the complaint that suspended it, "" if none
	RulebookFrozenAt *time.Time   `json:"rulebookFrozenAt,omitempty" gorm:"column:rulebook_frozen_at"`
	FailReason       *string      `json:"failReason,omitempty" gorm:"column:fail_reason"`
	PreviousID       *int64       `json:"previousSectionId,omitempty" gorm:"column:previous_section_id"`
	CreatedAt        time.Time    `json:"createdAt" gorm:"column:created_at"`
	UpdatedAt        time.Time    `json:"updatedAt" gorm:"column:updated_at"`
}

// TableName maps Section to its table.
func (Section) TableName() string { return "bid_sections" }

// Suspended reports whether the supervising department suspended the
// procedure (暂停) while it handles a complaint.
func (s Section) Suspended() bool { return s.SuspendedBy != "" }

// Paused reports whether an unanswered objection or a suspension holds
// the section before its deadline.
func (s Section) Paused() bool { return s.PausedSince != nil }

// AcceptsBidsAt reports whether a bid finalized at now is in time: the
// section is announced and either paused (no deadline passes during a
// pause) or now is before the effective deadline. A finalize reads the
// section with the row lock (store.section forUpdate) in its transaction
// and decides with this, so it serialises with the deadline job's close.
func (s Section) AcceptsBidsAt(now time.Time) bool {
	return s.State == StateAnnounced && s.Deadline != nil && (s.Paused() || now.Before(*s.Deadline))
}

// DeadlineChange is one entry of a section's deadline history.
type DeadlineChange struct {
	ID          int64      `json:"id" gorm:"column:id;primaryKey"`
	SectionID   int64      `json:"sectionId" gorm:"column:section_id"`
	OldDeadline *time.Time `json:"oldDeadline,omitempty" gorm:"column:old_deadline"`
	NewDeadline time.Time  `json:"newDeadline" gorm:"column:new_deadline"`
	Reason      string     `json:"reason" gorm:"column:reason"` // "announcement", "clarification", "objection"
	RefID       int64      `json:"refId" gorm:"column:ref_id"`
	ChangedAt   time.Time  `json:"changedAt" gorm:"column:changed_at"`
}

// TableName maps DeadlineChange to its table.
func (DeadlineChange) TableName() string { return "bid_deadline_changes" }

// AnnouncementStatus is where an announcement is in draft → approved → published.
type AnnouncementStatus string

// The announcement statuses.
const (
	AnnouncementDraft     AnnouncementStatus = "draft"
	AnnouncementApproved  AnnouncementStatus = "approved"
	AnnouncementPublished AnnouncementStatus = "published"
)

// Announcement (招标公告) of one section. Its Deadline is the one first
// published; the section carries the effective one.
type Announcement struct {
	ID            int64              `json:"id" gorm:"column:id;primaryKey"`
	SectionID     int64              `json:"sectionId" gorm:"column:section_id"`
	Title         string             `json:"title" gorm:"column:title"`
	Body          string             `json:"body" gorm:"column:body"`
	Region        string             `json:"region" gorm:"column:region"`
	Kind          Kind               `json:"kind" gorm:"column:kind"`
	Status        AnnouncementStatus `json:"status" gorm:"column:status"`
	DocsFrom      time.Time          `json:"docsFrom" gorm:"column:docs_from"`
	DocsUntil     time.Time          `json:"docsUntil" gorm:"column:docs_until"`
	Deadline      time.Time          `json:"deadline" gorm:"column:deadline"`
	ApprovedBy    *int64             `json:"approvedBy,omitempty" gorm:"column:approved_by"`
	ApprovedAt    *time.Time         `json:"approvedAt,omitempty" gorm:"column:approved_at"`
	PublishedAt   *time.Time         `json:"publishedAt,omitempty" gorm:"column:published_at"`
	PublishedDate string             `json:"publishedDate,omitempty" gorm:"column:published_date"` // Shanghai date, for search
	CreatedAt     time.Time          `json:"createdAt" gorm:"column:created_at"`
	UpdatedAt     time.Time          `json:"updatedAt" gorm:"column:updated_at"`
}

// TableName maps Announcement to its table.
func (Announcement) TableName() string { return "bid_announcements" }

// Clarification (澄清/修改) published on a project; it applies to every
// announced section of the project.
type Clarification struct {
	ID                 int64     `json:"id" gorm:"column:id;primaryKey"`
	ProjectID          int64     `json:"projectId" gorm:"column:project_id"`
	Title              string    `json:"title" gorm:"column:title"`
	Body               string    `json:"body" gorm:"column:body"`
	AffectsPreparation bool      `json:"affectsPreparation" gorm:"column:affects_preparation"`
	IssuedBy           int64     `json:"issuedBy" gorm:"column:issued_by"`
	IssuedAt           time.Time `json:"issuedAt" gorm:"column:issued_at"`
}

// TableName maps Clarification to its table.
func (Clarification) TableName() string { return "bid_clarifications" }

// Question from a bidder about a section; the asker is never shown to
// other bidders.
type Question struct {
	ID          int64      `json:"id" gorm:"column:id;primaryKey"`
	SectionID   int64      `json:"sectionId" gorm:"column:section_id"`
	AskerUserID int64      `json:"-" gorm:"column:asker_user_id"`
	AskerOrgID  int64      `json:"-" gorm:"column:asker_org_id"`
	Question    string     `json:"question" gorm:"column:question"`
	Answer      *string    `json:"answer,omitempty" gorm:"column:answer"`
	AnsweredBy  *int64     `json:"-" gorm:"column:answered_by"`
	AskedAt     time.Time  `json:"askedAt" gorm:"column:asked_at"`
	AnsweredAt  *time.Time `json:"answeredAt,omitempty" gorm:"column:answered_at"`
}

// TableName maps Question to its table.
func (Question) TableName() string { return "bid_questions" }

// Objection (异议) to a section's tender documents. While one is unanswered
// the section is paused.
type Objection struct {
	ID           int64      `json:"id" gorm:"column:id;primaryKey"`
	SectionID    int64      `json:"sectionId" gorm:"column:section_id"`
	RaiserUserID int64      `json:"raiserUserId" gorm:"column:raiser_user_id"`
	RaiserOrgID  int64      `json:"raiserOrgId" gorm:"column:raiser_org_id"`
	Body         string     `json:"body" gorm:"column:body"`
	Answer       *string    `json:"answer,omitempty" gorm:"column:answer"`
	AnsweredBy   *int64     `json:"answeredBy,omitempty" gorm:"column:answered_by"`
	RaisedAt     time.Time  `json:"raisedAt" gorm:"column:raised_at"`
	AnswerDue    time.Time  `json:"answerDue" gorm:"column:answer_due"`
	AnsweredAt   *time.Time `json:"answeredAt,omitempty" gorm:"column:answered_at"`
}

// TableName maps Objection to its table.
func (Objection) TableName() string { return "bid_objections" }
