package bidding

import (
	"context"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// RemedyStatus is where an escrow remedy stands.
type RemedyStatus string

// The remedy statuses.
const (
	RemedyCollecting RemedyStatus = "collecting" // waiting for k holders' shares
	RemedyDone       RemedyStatus = "done"       // the bid was decrypted with the escrow key
	RemedyFailed     RemedyStatus = "failed"     // the escrow slot or the bid form was unusable (the bidder's fault)
)

// Remedy is an escrow remedy (补救) for one bid whose bidder lost its key.
type Remedy struct {
	BidID       int64        `json:"bidId" gorm:"column:bid_id;primaryKey"`
	SectionID   int64        `json:"sectionId" gorm:"column:section_id"`
	RequestedBy int64        `json:"requestedBy" gorm:"column:requested_by"`
	Reason      string       `json:"reason" gorm:"column:reason"`
	Status      RemedyStatus `json:"status" gorm:"column:status"`
	CreatedAt   time.Time    `json:"createdAt" gorm:"column:created_at"`
	CompletedAt *time.Time   `json:"completedAt,omitempty" gorm:"column:completed_at"`
	Shares      int          `json:"shares" gorm:"-"`    // handed in so far
	Threshold   int          `json:"threshold" gorm:"-"` // needed
}

// TableName maps Remedy to its table.
func (Remedy) TableName() string { return "escrow_remedies" }

type escrowSubmission struct {
	BidID        int64     `gorm:"column:bid_id;primaryKey"`
	HolderUserID int64     `gorm:"column:holder_user_id;primaryKey"`
	Share        *string   `gorm:"column:share"`
	SubmittedAt  time.Time `gorm:"column:submitted_at"`
}

func (escrowSubmission) TableName() string { return "escrow_submissions" }

// afterWindow checks that the room is past its decryption window and not
// closed: the only time a remedy may be asked for or a share handed in.
// Before it, no share is accepted whatever their number.
func (s *Service) afterWindow(ctx context.Context, sectionID int64) error {
	sec, err := s.st.section(ctx, sectionID, false)
	if err != nil {
		return err
	}
	r, err := s.room(ctx, sectionID)
	if apperr.Is(err, apperr.NotFound) {
		return escrowTooEarly(phaseOf(sec, nil, s.now()))
	}
	if err != nil {
		return err
	}
	switch r.Phase {
	case PhaseResults, PhaseObjections:
		return nil
	case PhaseClosed:
		return apperr.New(apperr.TooLate, "开标室已关闭，不能再进行托管补救", "the opening room is closed; no escrow remedy is possible any more").WithCode("room_closed")
	}
	return escrowTooEarly(r.Phase)
}

func escrowTooEarly(p Phase) error {
	return apperr.Newf(apperr.Conflict, "解密时间结束前不接受托管密钥份额（当前阶段 %s）",
		"no escrow share is accepted before the decryption window has closed (phase %s)", p).WithCode("escrow_too_early")
}

// RequestRemedy opens an escrow remedy for a bid that was not decrypted
// in the window (revoked or withdrawn). The host (the project's agent) or
// a supervisor asks for it, with a reason. Errors: apperr.Forbidden;
// apperr.NotFound (no_escrow, bid_not_found); apperr.Conflict
// (escrow_too_early, bid_decrypted, remedy_exists); apperr.TooLate
// (room_closed); apperr.Invalid (reason_required).
func (s *Service) RequestRemedy(ctx context.Context, actor accounts.Principal, sectionID, bidID int64, reason string) (Remedy, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Remedy{}, apperr.New(apperr.Invalid, "请说明补救原因", "give the reason for the remedy").WithField("reason", "required").WithCode("reason_required")
	}
	sec, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return Remedy{}, err
	}
	if !runsProject(actor, p) && !actor.Has(accounts.RoleSupervisor) {
		return Remedy{}, apperr.New(apperr.Forbidden, "只有主持人或监督人员可以发起托管补救", "only the host or a supervisor may ask for an escrow remedy")
	}
	key, err := s.SectionEscrow(ctx, sec.ID)
	if err != nil {
		return Remedy{}, err
	}
	rem := Remedy{BidID: bidID, SectionID: sectionID, RequestedBy: actor.UserID, Reason: reason, Status: RemedyCollecting,
		CreatedAt: s.now(), Threshold: key.Threshold}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.afterWindow(ctx, sectionID); err != nil {
			return err
		}
		ob, err := s.openedBid(ctx, sectionID, bidID)
		if err != nil {
			return err
		}
		if ob.Status == OpeningDecrypted {
			return apperr.New(apperr.Conflict, "该投标文件已解密，无需补救", "this bid is decrypted; it needs no remedy").WithCode("bid_decrypted")
		}
		if err := s.st.insert(ctx, &rem); apperr.Is(err, apperr.Conflict) {
			return apperr.New(apperr.Conflict, "该投标文件已有托管补救", "this bid already has an escrow remedy").WithCode("remedy_exists")
		} else if err != nil {
			return err
		}
		return s.roomEvent(ctx, sectionID, "remedy_requested", actor.Actor(), map[string]any{"bidId": bidID, "reason": reason, "threshold": key.Threshold})
	})
	return rem, err
}

func (s *Service) openedBid(ctx context.Context, sectionID, bidID int64) (OpenedBid, error) {
	var obs []OpenedBid
	if err := s.db.Conn(ctx).Where("section_id = ? AND bid_id = ?", sectionID, bidID).Limit(1).Find(&obs).Error; err != nil {
		return OpenedBid{}, storage.Translate(err)
	}
	if len(obs) == 0 {
		return OpenedBid{}, bidNotFound()
	}
	return obs[0], nil
}

// SubmitEscrowShare hands in the caller's share (hex of the marshalled
// share, unwrapped on the holder's machine) for a bid's remedy. The share
// is checked against the escrow key's commitments at once and kept sealed
// with the field key; the k-th share rebuilds the escrow key in memory,
// decrypts the bid and ends the remedy; handing a share in again once k
// are in retries that step after a server fault. Errors: apperr.NotFound
// (not_a_holder, remedy_not_found); apperr.Conflict (escrow_too_early,
// remedy_done, already_submitted); apperr.TooLate (room_closed);
// apperr.Invalid (bad_share, not_your_share); and on the k-th share, those
// of the decryption.
func (s *Service) SubmitEscrowShare(ctx context.Context, actor accounts.Principal, sectionID, bidID int64, shareHex string) (Remedy, error) {
	if s.opening.fields == nil {
		return Remedy{}, errNoFieldCipher()
	}
	key, err := s.SectionEscrow(ctx, sectionID)
	if err != nil {
		return Remedy{}, err
	}
	mine, err := s.holderShare(ctx, sectionID, actor.UserID)
	if err != nil {
		return Remedy{}, err
	}
	var n int64
	again := false
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.afterWindow(ctx, sectionID); err != nil {
			return err
		}
		if _, err := s.collecting(ctx, sectionID, bidID); err != nil {
			return err
		}
		share, err := checkShare(shareHex, key, mine)
		if err != nil {
			return err
		}
		sealed := s.opening.fields.Seal(share.Marshal(), shareLabel(bidID, actor.UserID))
		sub := escrowSubmission{BidID: bidID, HolderUserID: actor.UserID, Share: &sealed, SubmittedAt: s.now()}
		if err := s.st.insert(ctx, &sub); apperr.Is(err, apperr.Conflict) {
			again = true
		} else if err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Model(&escrowSubmission{}).Where("bid_id = ?", bidID).Count(&n).Error; err != nil {
			return storage.Translate(err)
		}
		if again {
			return nil
		}
		return s.roomEvent(ctx, sectionID, "remedy_share", actor.Actor(), map[string]any{"bidId": bidID, "index": mine.ShareIndex,
			"shares": n, "threshold": key.Threshold})
	})
	if err != nil {
		return Remedy{}, err
	}
	switch {
	case int(n) >= key.Threshold:
		// A holder handing its share in again after a failed attempt
		// (a server fault) retries the decryption.
		if err := s.completeRemedy(ctx, key, sectionID, bidID); err != nil {
			return Remedy{}, err
		}
	case again:
		return Remedy{}, apperr.New(apperr.Conflict, "您已提交过该份额", "you already handed in your share").WithCode("already_submitted")
	}
	return s.RemedyOf(ctx, sectionID, bidID)
}

// checkShare parses a handed-in share and checks it is the holder's own
// and matches the escrow key's commitments.
func checkShare(shareHex string, key EscrowKey, mine escrowShare) (notary.EscrowShare, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(shareHex))
	if err != nil {
		return notary.EscrowShare{}, apperr.New(apperr.Invalid, "份额须为十六进制", "the share must be hex").WithCode(notary.CodeBadShare)
	}
	share, err := notary.ParseEscrowShare(raw)
	if err != nil {
		return share, err
	}
	if share.KeyID != key.KeyID || share.Index != mine.ShareIndex {
		return share, apperr.New(apperr.Invalid, "这不是您持有的该标段托管密钥份额", "this is not your share of this section's escrow key").WithCode("not_your_share")
	}
	return share, notary.VerifyShare(share, key.commitments())
}

func shareLabel(bidID, userID int64) string {
	return "escrow-share:" + strconv.FormatInt(bidID, 10) + ":" + strconv.FormatInt(userID, 10)
}

// collecting returns the bid's remedy while it still takes shares.
func (s *Service) collecting(ctx context.Context, sectionID, bidID int64) (Remedy, error) {
	rem, err := s.remedyRow(ctx, sectionID, bidID)
	if err == nil && rem.Status != RemedyCollecting {
		err = apperr.Newf(apperr.Conflict, "该托管补救已结束（%s）", "this escrow remedy has ended (%s)", rem.Status).WithCode("remedy_" + string(rem.Status))
	}
	return rem, err
}

func (s *Service) remedyRow(ctx context.Context, sectionID, bidID int64) (Remedy, error) {
	var rs []Remedy
	if err := s.db.Conn(ctx).Where("section_id = ? AND bid_id = ?", sectionID, bidID).Limit(1).Find(&rs).Error; err != nil {
		return Remedy{}, storage.Translate(err)
	}
	if len(rs) == 0 {
		return Remedy{}, apperr.New(apperr.NotFound, "该投标文件没有托管补救", "this bid has no escrow remedy").WithCode("remedy_not_found")
	}
	return rs[0], nil
}

// RemedyOf returns a bid's remedy with the number of shares handed in.
// Errors: apperr.NotFound (remedy_not_found), those of storage.
func (s *Service) RemedyOf(ctx context.Context, sectionID, bidID int64) (Remedy, error) {
	rem, err := s.remedyRow(ctx, sectionID, bidID)
	if err != nil {
		return rem, err
	}
	var n int64
	if err := s.db.Conn(ctx).Model(&escrowSubmission{}).Where("bid_id = ?", bidID).Count(&n).Error; err != nil {
		return rem, storage.Translate(err)
	}
	key, err := s.SectionEscrow(ctx, sectionID)
	rem.Shares, rem.Threshold = int(n), key.Threshold
	return rem, err
}
