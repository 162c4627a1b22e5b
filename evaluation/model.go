package evaluation

import (
	"time"

	"github.com/tenderhall/tenderhall/bidding"
)

// Phase is where an evaluation session is.
type Phase string

// The session phases, in order.
const (
	PhaseSignIn  Phase = "signin"  // experts sign in, declare avoidance, elect the chair
	PhaseReview  Phase = "review"  // qualification review (资格/符合性审查)
	PhaseScoring Phase = "scoring" // independent scoring, reconciliation, deviation flags
	PhaseReport  Phase = "report"  // the report is drafted and signed
	PhaseSigned  Phase = "signed"  // every member signed: the report is final
	PhaseFailed  Phase = "failed"  // every bid rejected, or competition not effective: the section failed
)

// Session is one section's evaluation.
type Session struct {
	ID                int64                  `json:"id" gorm:"column:id;primaryKey"`
	SectionID         int64                  `json:"sectionId" gorm:"column:section_id"`
	DrawID            int64                  `json:"drawId" gorm:"column:draw_id"`
	RoomID            int64                  `json:"roomId" gorm:"column:room_id"`
	Phase             Phase                  `json:"phase" gorm:"column:phase"`
	Scheme            Scheme                 `json:"scheme" gorm:"column:scheme;serializer:json"`
	Bids              []bidding.DecryptedBid `json:"bids" gorm:"column:bids;serializer:json"`
	Seats             []int                  `json:"seats" gorm:"column:seats;serializer:json"` // members each draw group sends
	EvaluationAt      time.Time              `json:"evaluationAt" gorm:"column:evaluation_at"`
	Place             string                 `json:"place" gorm:"column:place"`
	ChairSeat         *int                   `json:"chairSeat,omitempty" gorm:"column:chair_seat"`
	Competitive       *bool                  `json:"competitive,omitempty" gorm:"column:competitive"`
	CompetitionReason *string                `json:"competitionReason,omitempty" gorm:"column:competition_reason"`
	StartedBy         int64                  `json:"-" gorm:"column:started_by"`
	StartedAt         time.Time              `json:"startedAt" gorm:"column:started_at"`
	UpdatedAt         time.Time              `json:"updatedAt" gorm:"column:updated_at"`
	PublicityWarned   bool                   `json:"-" gorm:"column:publicity_warned"`
}

// TableName maps Session to its table.
func (Session) TableName() string { return "eval_sessions" }

// bid returns the session's decrypted bid bidID.
func (s Session) bid(bidID int64) (bidding.DecryptedBid, bool) {
	for _, b := range s.Bids {
		if b.BidID == bidID {
			return b, true
		}
	}
	return bidding.DecryptedBid{}, false
}

// Role is a committee member's standing.
type Role string

// The roles.
const (
	RoleMember    Role = "member"    // on the committee
	RoleReserve   Role = "reserve"   // confirmed, waits to replace a member
	RoleWithdrawn Role = "withdrawn" // declared a relationship (回避) and left
)

// member is one expert's seat.
type member struct {
	ID                int64      `gorm:"column:id;primaryKey"`
	SessionID         int64      `gorm:"column:session_id"`
	Seat              int        `gorm:"column:seat"`
	ExpertID          int64      `gorm:"column:expert_id"`
	UserID            *int64     `gorm:"column:user_id"`
	DrawID            int64      `gorm:"column:draw_id"`
	GroupIdx          int        `gorm:"column:group_idx"`
	Position          int        `gorm:"column:position"`
	Category          string     `gorm:"column:category"`
	Role              Role       `gorm:"column:role"`
	SignedInAt        *time.Time `gorm:"column:signed_in_at"`
	SigninIP          *string    `gorm:"column:signin_ip"`
	DeclaredAt        *time.Time `gorm:"column:declared_at"`
	Declaration       *string    `gorm:"column:declaration"`
	VoteSeat          *int       `gorm:"column:vote_seat"`
	ReviewSubmittedAt *time.Time `gorm:"column:review_submitted_at"`
	ScoresSubmittedAt *time.Time `gorm:"column:scores_submitted_at"`
	Returned          *string    `gorm:"column:returned"`
}

func (member) TableName() string { return "eval_members" }

// ready reports whether a member may work: signed in and declared.
func (m member) ready() bool { return m.SignedInAt != nil && m.DeclaredAt != nil }

type reviewRow struct {
	SessionID int64     `gorm:"column:session_id;primaryKey"`
	Seat      int       `gorm:"column:seat;primaryKey"`
	BidID     int64     `gorm:"column:bid_id;primaryKey"`
	Criterion string    `gorm:"column:criterion;primaryKey"`
	Pass      bool      `gorm:"column:pass"`
	Reason    *string   `gorm:"column:reason"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
}

func (reviewRow) TableName() string { return "eval_reviews" }

// Conclusion is the committee's finding on one bid's qualification.
type Conclusion struct {
	SessionID int64     `json:"-" gorm:"column:session_id;primaryKey"`
	BidID     int64     `json:"bidId" gorm:"column:bid_id;primaryKey"`
	Valid     bool      `json:"valid" gorm:"column:valid"`
	Statute   *string   `json:"statute,omitempty" gorm:"column:statute"` // a rejection's statutory ground (Statutes)
	Reason    *string   `json:"reason,omitempty" gorm:"column:reason"`
	DecidedAt time.Time `json:"decidedAt" gorm:"column:decided_at"`
}

// TableName maps Conclusion to its table.
func (Conclusion) TableName() string { return "eval_conclusions" }

type scoreRow struct {
	SessionID int64     `gorm:"column:session_id;primaryKey"`
	Seat      int       `gorm:"column:seat;primaryKey"`
	BidID     int64     `gorm:"column:bid_id;primaryKey"`
	Criterion string    `gorm:"column:criterion;primaryKey"`
	Points    Points    `gorm:"column:points"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
}

func (scoreRow) TableName() string { return "eval_scores" }

// Flag is a subjective score further from the committee's mean than the
// scheme allows (畸高畸低), until its expert confirms or changes it.
type Flag struct {
	ID         int64      `json:"id" gorm:"column:id;primaryKey"`
	SessionID  int64      `json:"-" gorm:"column:session_id"`
	Seat       int        `json:"seat" gorm:"column:seat"`
	BidID      int64      `json:"bidId" gorm:"column:bid_id"`
	Criterion  string     `json:"criterion" gorm:"column:criterion"`
	Points     Points     `json:"points" gorm:"column:points"`
	Mean       string     `json:"mean" gorm:"column:mean"`
	Status     string     `json:"status" gorm:"column:status"` // open, confirmed, changed
	NewPoints  *Points    `json:"newPoints,omitempty" gorm:"column:new_points"`
	Reason     *string    `json:"reason,omitempty" gorm:"column:reason"`
	RaisedAt   time.Time  `json:"raisedAt" gorm:"column:raised_at"`
	ResolvedAt *time.Time `json:"resolvedAt,omitempty" gorm:"column:resolved_at"`
}

// TableName maps Flag to its table.
func (Flag) TableName() string { return "eval_flags" }

// The flag statuses.
const (
	FlagOpen      = "open"
	FlagConfirmed = "confirmed"
	FlagChanged   = "changed"
)

// Clarification is a question the committee puts to a bidder through the
// platform (澄清), and its answer. The bidder never learns who asked.
type Clarification struct {
	ID          int64      `json:"id" gorm:"column:id;primaryKey"`
	SessionID   int64      `json:"sessionId" gorm:"column:session_id"`
	BidID       int64      `json:"bidId" gorm:"column:bid_id"`
	BidderOrgID int64      `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	Question    string     `json:"question" gorm:"column:question"`
	AboutPrice  bool       `json:"aboutPrice" gorm:"column:about_price"` // asks whether the price is below cost
	DueAt       time.Time  `json:"dueAt" gorm:"column:due_at"`
	AskedAt     time.Time  `json:"askedAt" gorm:"column:asked_at"`
	Answer      *string    `json:"answer,omitempty" gorm:"column:answer"`
	AnsweredAt  *time.Time `json:"answeredAt,omitempty" gorm:"column:answered_at"`
	AnsweredBy  *int64     `json:"-" gorm:"column:answered_by"`
}

// TableName maps Clarification to its table.
func (Clarification) TableName() string { return "eval_clarifications" }

// settled reports whether the question was answered or its time ran out.
func (c Clarification) settled(now time.Time) bool { return c.Answer != nil || !now.Before(c.DueAt) }

type reportRow struct {
	SessionID int64      `gorm:"column:session_id;primaryKey"`
	Body      []byte     `gorm:"column:body"`
	Digest    string     `gorm:"column:digest"`
	CreatedAt time.Time  `gorm:"column:created_at"`
	FinalAt   *time.Time `gorm:"column:final_at"`
	JSONKey   string     `gorm:"column:json_key"`
	PDFKey    string     `gorm:"column:pdf_key"`
}

func (reportRow) TableName() string { return "eval_reports" }

// Signature is a member's answer to the report.
type Signature struct {
	SessionID int64     `json:"-" gorm:"column:session_id;primaryKey"`
	Seat      int       `json:"seat" gorm:"column:seat;primaryKey"`
	Kind      string    `json:"kind" gorm:"column:kind"` // signed, dissent, deemed
	KeyID     *string   `json:"keyId,omitempty" gorm:"column:key_id"`
	Signature *string   `json:"signature,omitempty" gorm:"column:signature"`
	Reason    *string   `json:"reason,omitempty" gorm:"column:reason"`
	SignedAt  time.Time `json:"signedAt" gorm:"column:signed_at"`
}

// TableName maps Signature to its table.
func (Signature) TableName() string { return "eval_signatures" }

// The signature kinds.
const (
	SignSigned  = "signed"  // signed with the member's SM2 key
	SignDissent = "dissent" // refused, with a written reason (recorded as disagreement)
	SignDeemed  = "deemed"  // refused without a reason: taken to agree (recorded)
)
