package approval

import "time"

// FastLaneFen is the investment from which a fast-lane item (直通车) halves
// the promised limit: 30 million yuan, in fen.
const FastLaneFen int64 = 30_000_000 * 100

// The working-day limits of the window (DESIGN.md §5, Approval).
const (
	PreReviewWorkdays     = 1 // pre-review (预审) of a submitted case
	MissingNoticeWorkdays = 5 // the one notice of missing materials (一次性告知)
)

// MaxMaterialBytes bounds one material file.
const MaxMaterialBytes int64 = 64 << 20

// ItemState says whether an item takes applications.
type ItemState string

// The item states.
const (
	ItemActive  ItemState = "active"
	ItemRetired ItemState = "retired"
)

// Item is one version of an approval item (事项) and its guide (办事指南).
type Item struct {
	ID              int64      `json:"id"`
	Code            string     `json:"code"`
	Version         int        `json:"version"`
	Name            string     `json:"name"`
	DepartmentOrgID int64      `json:"departmentOrgId"`
	LegalBasis      string     `json:"legalBasis"`
	Conditions      string     `json:"conditions"`
	LegalDays       int        `json:"legalDays"`    // legal time limit, working days
	PromisedDays    int        `json:"promisedDays"` // promised limit, working days, ≤ LegalDays
	FeeFen          int64      `json:"feeFen"`
	Visits          int        `json:"visits"` // visits an applicant makes (0 = 最多跑零次)
	Online          bool       `json:"online"` // can be applied for online
	FastLane        bool       `json:"fastLane"`
	Steps           []Step     `json:"steps"`
	Materials       []Material `json:"materials"`
	FAQs            []FAQ      `json:"faqs"`
	WindowName      string     `json:"windowName"`
	WindowLocation  string     `json:"windowLocation"`
	ComplaintPhone  string     `json:"complaintPhone"`
	// Parts makes the item composite (并联审批, 三证联办): one application
	// and one set of materials fan out to a sub-case per part item code.
	Parts     []string  `json:"parts,omitempty"`
	State     ItemState `json:"state"`
	CreatedAt time.Time `json:"createdAt"`
}

// Stars is the item's star level by visits: 5 for none, 4 for one, 3 for
// two or more.
func (i Item) Stars() int {
	switch {
	case i.Visits <= 0:
		return 5
	case i.Visits == 1:
		return 4
	}
	return 3
}

// Step is one step of an item's flow (权力运行流程), with its own limit.
type Step struct {
	Name string `json:"name"`
	Days int    `json:"days"` // working days
}

// Material is one required material (要件).
type Material struct {
	Key         string `json:"key"`  // stable id within the item, e.g. "licence"
	Name        string `json:"name"` // e.g. 建设工程规划许可证
	Form        string `json:"form"` // "electronic" or "paper"
	Original    bool   `json:"original"`
	Required    bool   `json:"required"`
	FromLibrary bool   `json:"fromLibrary"` // the licence library can satisfy it
	// ValidMonths is how long an accepted file of this material stays in
	// the applicant's library for reuse; 0 means DefaultValidMonths.
	ValidMonths int `json:"validMonths,omitempty"`
}

// DefaultValidMonths is how long an accepted material stays reusable when
// its item says nothing.
const DefaultValidMonths = 12

// FAQ is one question of an item's guide.
type FAQ struct {
	Q string `json:"q"`
	A string `json:"a"`
}

// CaseState is where a case stands.
type CaseState string

// The case states.
const (
	CaseDraft         CaseState = "draft"
	CaseSubmitted     CaseState = "submitted"
	CaseSupplementing CaseState = "supplementing"
	CaseAccepted      CaseState = "accepted"
	CaseSuspended     CaseState = "suspended"
	CaseDecided       CaseState = "decided"
	CaseFinished      CaseState = "finished"
	CaseRefused       CaseState = "refused"
	CaseWithdrawn     CaseState = "withdrawn"
)

// Closed reports whether no further step can happen on the case.
func (s CaseState) Closed() bool {
	return s == CaseFinished || s == CaseRefused || s == CaseWithdrawn
}

// ApplicantKind says whether the applicant is a person or an organisation.
type ApplicantKind string

// The applicant kinds.
const (
	ApplicantPerson ApplicantKind = "person"
	ApplicantOrg    ApplicantKind = "org"
)

// Case is an application (办件) and where it stands. The applicant's ID
// number or USCC is never part of it: it stays sealed at rest and shown
// masked (ApplicantIDMasked).
type Case struct {
	ID                int64         `json:"id"`
	CaseNo            string        `json:"caseNo"`
	ItemID            int64         `json:"itemId"`
	ItemCode          string        `json:"itemCode"`
	ItemVersion       int           `json:"itemVersion"`
	DepartmentOrgID   int64         `json:"departmentOrgId"`
	ApplicantUserID   int64         `json:"applicantUserId"`
	ApplicantKind     ApplicantKind `json:"applicantKind"`
	ApplicantName     string        `json:"applicantName"`
	ApplicantIDMasked string        `json:"applicantIdMasked"`
	InvestmentFen     int64         `json:"investmentFen"`
	FastLane          bool          `json:"fastLane"`
	PromisedDays      int           `json:"promisedDays"`
	State             CaseState     `json:"state"`
	SubmittedAt       *time.Time    `json:"submittedAt,omitempty"`
	AcceptedAt        *time.Time    `json:"acceptedAt,omitempty"`
	DueAt             *time.Time    `json:"dueAt,omitempty"`
	SuspendedWorkdays int           `json:"suspendedWorkdays"`
	MissingRequested  bool          `json:"missingRequested"`
	Missing           []string      `json:"missing"` // material keys asked for by the one notice
	Decision          string        `json:"decision,omitempty"`
	Reason            string        `json:"reason,omitempty"`
	DecidedAt         *time.Time    `json:"decidedAt,omitempty"`
	FinishedAt        *time.Time    `json:"finishedAt,omitempty"`
	CreatedAt         time.Time     `json:"createdAt"`
	// Joint marks the joint file of a composite item; its sub-cases name
	// it in ParentCaseID.
	Joint        bool   `json:"joint,omitempty"`
	ParentCaseID *int64 `json:"parentCaseId,omitempty"`
	// RemainingWorkdays is computed when read: working days left until the
	// due date (negative when overdue), nil before acceptance or once closed.
	RemainingWorkdays *int `json:"remainingWorkdays,omitempty"`
}

// CaseMaterial is one material given on a case.
type CaseMaterial struct {
	Material   string    `json:"material"`
	FileName   string    `json:"fileName"`
	SM3        string    `json:"sm3"`
	Size       int64     `json:"size"`
	UploadedAt time.Time `json:"uploadedAt"`
	ReusedFrom *int64    `json:"reusedFrom,omitempty"` // the library entry reused instead of an upload
}

// SuspensionKind is why a case's clock stops.
type SuspensionKind string

// The suspension kinds.
const (
	SuspendHearing    SuspensionKind = "hearing"    // 听证
	SuspendInspection SuspensionKind = "inspection" // 现场勘查
	SuspendExperts    SuspensionKind = "experts"    // 专家评审
	SuspendCorrection SuspensionKind = "correction" // 补正
)

// Suspension is one stop of a case's clock.
type Suspension struct {
	ID          int64          `json:"id"`
	Kind        SuspensionKind `json:"kind"`
	Reason      string         `json:"reason"`
	SuspendedAt time.Time      `json:"suspendedAt"`
	ResumedAt   *time.Time     `json:"resumedAt,omitempty"`
	Workdays    int            `json:"workdays"`
}
