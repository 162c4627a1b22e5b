package bidding

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// BidStatus is where a stored bid is.
type BidStatus string

// The bid statuses. Exactly one bid per bidder per section is current
// until the bidder replaces (superseded) or withdraws it.
const (
	BidCurrent    BidStatus = "current"
	BidSuperseded BidStatus = "superseded"
	BidWithdrawn  BidStatus = "withdrawn"
)

// Bid is a sealed bid the platform received: ciphertext in the blob store
// under BlobKey, with the signed receipt (JSON, notary.SignedReceipt).
type Bid struct {
	ID          int64           `json:"id" gorm:"column:id;primaryKey"`
	SectionID   int64           `json:"sectionId" gorm:"column:section_id"`
	BidderOrgID int64           `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	UserID      int64           `json:"-" gorm:"column:user_id"`
	UploadID    string          `json:"uploadId" gorm:"column:upload_id"`
	BlobKey     string          `json:"-" gorm:"column:blob_key"`
	Digest      string          `json:"digest" gorm:"column:digest"`
	Size        int64           `json:"size" gorm:"column:size"`
	Status      BidStatus       `json:"status" gorm:"column:status"`
	ReceivedAt  time.Time       `json:"receivedAt" gorm:"column:received_at"`
	LogIndex    int64           `json:"logIndex" gorm:"column:log_index"`
	Receipt     json.RawMessage `json:"receipt" gorm:"column:receipt;serializer:json"`
	WithdrawnAt *time.Time      `json:"withdrawnAt,omitempty" gorm:"column:withdrawn_at"`
}

// TableName maps Bid to its table.
func (Bid) TableName() string { return "bids" }

func bidRef(id int64) string { return "bid:" + strconv.FormatInt(id, 10) }

func bidNotFound() error {
	return apperr.New(apperr.NotFound, "投标文件不存在", "bid not found").WithCode("bid_not_found")
}

// MyBids lists the actor organisation's bids on a section, newest first,
// superseded and withdrawn ones included. Errors: apperr.Forbidden (not a bidder).
func (s *Service) MyBids(ctx context.Context, actor accounts.Principal, sectionID int64) ([]Bid, error) {
	if err := requireBidder(actor); err != nil {
		return nil, err
	}
	out := []Bid{}
	err := s.db.Conn(ctx).Where("section_id = ? AND bidder_org_id = ?", sectionID, actor.OrgID).Order("id DESC").Find(&out).Error
	return out, storage.Translate(err)
}

// GetBid returns one of the actor organisation's bids; anyone else's is
// apperr.NotFound.
func (s *Service) GetBid(ctx context.Context, actor accounts.Principal, id int64) (Bid, error) {
	var bs []Bid
	if err := s.db.Conn(ctx).Where("id = ?", id).Limit(1).Find(&bs).Error; err != nil {
		return Bid{}, storage.Translate(err)
	}
	if len(bs) == 0 || actor.OrgID == 0 || bs[0].BidderOrgID != actor.OrgID {
		return Bid{}, bidNotFound()
	}
	return bs[0], nil
}

// WithdrawBid withdraws the actor organisation's current bid before the
// deadline (event "bid.withdrawn"); the ciphertext stays stored for the
// record. Errors: apperr.NotFound (not the actor's bid), apperr.Conflict
// (code bid_not_current: already superseded or withdrawn), apperr.TooLate
// (code deadline_passed).
func (s *Service) WithdrawBid(ctx context.Context, actor accounts.Principal, id int64) (Bid, error) {
	var b Bid
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if b, err = s.GetBid(ctx, actor, id); err != nil {
			return err
		}
		sec, err := s.st.section(ctx, b.SectionID, true)
		if err != nil {
			return err
		}
		if now := s.now(); !sec.AcceptsBidsAt(now) {
			return deadlinePassed(sec, now)
		}
		if b, err = s.GetBid(ctx, actor, id); err != nil { // re-read under the section lock
			return err
		}
		if b.Status != BidCurrent {
			return apperr.Newf(apperr.Conflict, "该投标文件状态为 %s，不能撤回", "the bid is %s and cannot be withdrawn", b.Status).WithCode("bid_not_current")
		}
		now := s.now()
		b.Status, b.WithdrawnAt = BidWithdrawn, &now
		if err := s.db.Conn(ctx).Model(&Bid{}).Where("id = ?", b.ID).
			Updates(map[string]any{"status": BidWithdrawn, "withdrawn_at": now}).Error; err != nil {
			return storage.Translate(err)
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "bid.withdrawn", Subject: sectionRef(b.SectionID),
			Actor: "user:" + strconv.FormatInt(actor.UserID, 10), Payload: map[string]any{"bidId": b.ID}})
		return err
	})
	return b, err
}

// BidCount is the number of current bids on a section, for its agent once
// bidding has closed; before that the number is secret. Errors:
// apperr.Forbidden (code not_project_agent; code bids_sealed while the
// section is in draft or announced), apperr.NotFound.
func (s *Service) BidCount(ctx context.Context, actor accounts.Principal, sectionID int64) (int64, error) {
	sec, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return 0, err
	}
	if err := requireAgent(actor, p); err != nil {
		return 0, err
	}
	if !s.downloadersRevealed(sec) {
		return 0, apperr.New(apperr.Forbidden, "投标截止前不公开投标数量", "the number of bids is secret until the deadline").WithCode("bids_sealed")
	}
	return s.currentBids(ctx, sectionID)
}

// currentBids counts a section's current bids.
func (s *Service) currentBids(ctx context.Context, sectionID int64) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&Bid{}).Where("section_id = ? AND status = ?", sectionID, BidCurrent).Count(&n).Error
	return n, storage.Translate(err)
}
