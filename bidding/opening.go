package bidding

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// Phase is where an opening room is (DESIGN.md §5, 不见面开标).
type Phase string

// The room phases, in order. Waiting and sign-in come before the deadline
// and are derived from the section; the others are stored in the room.
const (
	PhaseWaiting    Phase = "waiting"    // the room exists; sign-in not yet open
	PhaseSignIn     Phase = "signin"     // SignInBefore the deadline: bidders check in
	PhaseClosing    Phase = "closing"    // the deadline passed: bids that arrived in time are being completed
	PhaseDecrypting Phase = "decrypting" // from the deadline, for the rulebook's window
	PhaseResults    Phase = "results"    // names and figures published
	PhaseObjections Phase = "objections" // bidders may object; the host answers
	PhaseClosed     Phase = "closed"     // the record is signed and public
)

// SignInBefore is how long before the deadline check-in opens.
const SignInBefore = 30 * time.Minute

// MinBids is the fewest bids (at the deadline, and decrypted) that keep a
// section open; fewer and it fails (流标).
const MinBids = 3

// Room is a section's opening room once the deadline opened it.
type Room struct {
	SectionID    int64      `json:"sectionId" gorm:"column:section_id;primaryKey"`
	Phase        Phase      `json:"phase" gorm:"column:phase"`
	BidCount     int        `json:"bidCount" gorm:"column:bid_count"`
	OpenedAt     time.Time  `json:"openedAt" gorm:"column:opened_at"`
	WindowEndsAt time.Time  `json:"windowEndsAt" gorm:"column:window_ends_at"`
	ResultsAt    *time.Time `json:"resultsAt,omitempty" gorm:"column:results_at"`
	ClosedAt     *time.Time `json:"closedAt,omitempty" gorm:"column:closed_at"`
	RecordKey    string     `json:"-" gorm:"column:record_key"`
	RecordPDFKey string     `json:"-" gorm:"column:record_pdf_key"`
	RecordDigest string     `json:"recordDigest,omitempty" gorm:"column:record_digest"`
}

// TableName maps Room to its table.
func (Room) TableName() string { return "opening_rooms" }

// OpeningStatus is what became of a bid at the opening.
type OpeningStatus string

// The opening statuses of a bid (电子招标投标办法 第31条).
const (
	OpeningPending   OpeningStatus = "pending"   // waiting for its bidder's key
	OpeningDecrypted OpeningStatus = "decrypted" // opened and its form read
	OpeningRevoked   OpeningStatus = "revoked"   // the bidder's fault: not decrypted in time, or an unusable form
	OpeningWithdrawn OpeningStatus = "withdrawn" // the platform's fault: a server error while decrypting it
)

// OpenedBid is the opening's record of one bid.
type OpenedBid struct {
	BidID         int64         `json:"bidId" gorm:"column:bid_id;primaryKey"`
	SectionID     int64         `json:"sectionId" gorm:"column:section_id"`
	BidderOrgID   int64         `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	Status        OpeningStatus `json:"status" gorm:"column:status"`
	Digest        string        `json:"digest" gorm:"column:digest"`
	DecryptedAt   *time.Time    `json:"decryptedAt,omitempty" gorm:"column:decrypted_at"`
	SealedDEK     *string       `json:"-" gorm:"column:dek"` // the data key, sealed with the field key
	PlainSize     int64         `json:"plainSize,omitempty" gorm:"column:plain_size"`
	Form          []byte        `json:"-" gorm:"column:form"` // field-encrypted BidForm JSON
	PriceFen      *int64        `json:"priceFen,omitempty" gorm:"column:price_fen"`
	DurationDays  *int          `json:"durationDays,omitempty" gorm:"column:duration_days"`
	Quality       *string       `json:"quality,omitempty" gorm:"column:quality"`
	Failure       *string       `json:"failure,omitempty" gorm:"column:failure"`
	PlatformError bool          `json:"-" gorm:"column:platform_error"`
	Remedy        bool          `json:"remedy,omitempty" gorm:"column:remedy"` // decrypted with the escrow key after the window (补救)
}

// TableName maps OpenedBid to its table.
func (OpenedBid) TableName() string { return "opening_bids" }

// Checkin is one participant's arrival in the room.
type Checkin struct {
	SectionID   int64     `json:"sectionId" gorm:"column:section_id;primaryKey"`
	UserID      int64     `json:"userId" gorm:"column:user_id;primaryKey"`
	OrgID       int64     `json:"orgId" gorm:"column:org_id"`
	Role        string    `json:"role" gorm:"column:role"`
	CheckedInAt time.Time `json:"checkedInAt" gorm:"column:checked_in_at"`
}

// TableName maps Checkin to its table.
func (Checkin) TableName() string { return "opening_checkins" }

// openingConfig holds what the opening needs beyond New's arguments.
type openingConfig struct {
	fields *notary.FieldCipher
}

// SetFieldCipher sets the cipher that keeps decrypted bid forms encrypted
// at rest until the window closes. Decryption fails with
// apperr.Unavailable until it is set.
func (s *Service) SetFieldCipher(f *notary.FieldCipher) { s.opening.fields = f }

// room reads a section's room. Errors: apperr.NotFound (code
// room_not_open) before the deadline opened it.
func (s *Service) room(ctx context.Context, sectionID int64) (Room, error) {
	var rs []Room
	if err := s.db.Conn(ctx).Where("section_id = ?", sectionID).Limit(1).Find(&rs).Error; err != nil {
		return Room{}, storage.Translate(err)
	}
	if len(rs) == 0 {
		return Room{}, apperr.New(apperr.NotFound, "开标室尚未开启", "the opening room is not open yet").WithCode("room_not_open")
	}
	return rs[0], nil
}

// phaseOf is the phase a section's room is in at now. A section that
// ended without a room (failed at the deadline, cancelled) is closed.
func phaseOf(sec Section, r *Room, now time.Time) Phase {
	if r != nil {
		return r.Phase
	}
	switch {
	case sec.State == StateDraft:
		return PhaseWaiting
	case sec.State != StateAnnounced:
		return PhaseClosed
	case sec.Deadline != nil && !sec.Paused() && !now.Before(*sec.Deadline):
		return PhaseClosing
	case sec.Deadline != nil && !now.Before(sec.Deadline.Add(-SignInBefore)):
		return PhaseSignIn
	}
	return PhaseWaiting
}

func wrongPhase(p Phase, want ...Phase) error {
	return apperr.Newf(apperr.Conflict, "开标室当前阶段为 %s，不能进行此操作（需要 %v）",
		"the opening room is in phase %s; this needs %v", p, want).WithCode("wrong_phase")
}

// decryptWindow is the section's decryption window.
func decryptWindow(sec Section) time.Duration {
	m := sec.Rulebook.DecryptWindowMinutes
	if m <= 0 {
		m = 30
	}
	return time.Duration(m) * time.Minute
}
