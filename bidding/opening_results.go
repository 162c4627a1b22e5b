package bidding

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// ResultRow is one bid as the room and the record publish it once the
// window has closed.
type ResultRow struct {
	BidID        int64         `json:"bidId"`
	BidderOrgID  int64         `json:"bidderOrgId"`
	BidderName   string        `json:"bidderName"`
	USCC         string        `json:"uscc,omitempty"`
	Status       OpeningStatus `json:"status"`
	PriceFen     *int64        `json:"priceFen,omitempty"`
	DurationDays *int          `json:"durationDays,omitempty"`
	Quality      string        `json:"quality,omitempty"`
	DecryptedAt  *string       `json:"decryptedAt,omitempty"`
	Digest       string        `json:"digest"`
	Failure      string        `json:"failure,omitempty"`
	Remedy       bool          `json:"remedy,omitempty"` // decrypted with the escrow key after the window (补救)
}

// CloseWindowIfDue ends the decryption window of a section whose window
// has passed, in one transaction with the section row locked: a bid still
// pending is revoked — or withdrawn when a server error was logged while
// decrypting it — the decrypted forms' figures are published, and the
// section is opened (results phase) or, with fewer than MinBids
// decrypted, fails (流标) and its room closes. It is idempotent and
// returns whether it acted. Errors: those of storage.
func (s *Service) CloseWindowIfDue(ctx context.Context, sectionID int64) (bool, error) {
	acted := false
	var sec Section
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if sec, err = s.st.section(ctx, sectionID, true); err != nil {
			return err
		}
		r, err := s.room(ctx, sectionID)
		if err != nil {
			return err
		}
		now := s.now()
		if r.Phase != PhaseDecrypting || now.Before(r.WindowEndsAt) {
			return nil
		}
		acted = true
		decrypted, err := s.settleBids(ctx, sectionID)
		if err != nil {
			return err
		}
		rows, err := s.results(ctx, sectionID)
		if err != nil {
			return err
		}
		r.ResultsAt = &now
		if decrypted < MinBids {
			r.Phase, r.ClosedAt = PhaseClosed, &now
			if err := s.st.save(ctx, &r); err != nil {
				return err
			}
			return s.failSection(ctx, &sec, "decrypted_below_minimum", "解密成功的投标文件少于 3 个",
				"fewer than 3 bids were decrypted", map[string]any{"decrypted": decrypted, "results": rows})
		}
		r.Phase = PhaseResults
		if err := s.st.save(ctx, &r); err != nil {
			return err
		}
		return s.transition(ctx, &sec, StateOpened, "system", map[string]any{"decrypted": decrypted, "results": rows})
	})
	if err == nil && acted && sec.State == StateFailed {
		err = s.publishRecord(context.WithoutCancel(ctx), sectionID)
	}
	return acted, err
}

// settleBids gives every pending bid its final status and copies the
// decrypted forms' figures into the clear. It returns how many decrypted.
func (s *Service) settleBids(ctx context.Context, sectionID int64) (int, error) {
	var bids []OpenedBid
	if err := s.db.Conn(ctx).Where("section_id = ?", sectionID).Order("bid_id").Find(&bids).Error; err != nil {
		return 0, storage.Translate(err)
	}
	n := 0
	for _, b := range bids {
		switch b.Status {
		case OpeningPending:
			b.Status = OpeningRevoked
			reason := "解密时间内未解密（投标人原因）/ not decrypted within the window (the bidder's fault)"
			if b.PlatformError {
				b.Status = OpeningWithdrawn
				reason = "解密时平台发生错误（非投标人原因）/ a platform error during decryption (not the bidder's fault)"
			}
			b.Failure = &reason
		case OpeningDecrypted:
			form, err := s.openForm(b)
			if err != nil {
				return 0, err
			}
			b.PriceFen, b.DurationDays = &form.PriceFen, &form.DurationDays
			if form.Quality != "" {
				b.Quality = &form.Quality
			}
			n++
		default:
			continue
		}
		if err := s.st.save(ctx, &b); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// openForm decrypts a bid form kept at rest.
func (s *Service) openForm(b OpenedBid) (BidForm, error) {
	if s.opening.fields == nil {
		return BidForm{}, errNoFieldCipher()
	}
	raw, err := s.opening.fields.Open(string(b.Form), formLabel(b.BidID))
	if err != nil {
		return BidForm{}, err
	}
	var f BidForm
	if err := json.Unmarshal(raw, &f); err != nil {
		return BidForm{}, apperr.Wrap(err, apperr.Internal, "投标函数据损坏", "the stored bid form is damaged")
	}
	return f, nil
}

func formLabel(bidID int64) string { return "bidform:" + strconv.FormatInt(bidID, 10) }

func errNoFieldCipher() error {
	return apperr.New(apperr.Unavailable, "字段加密密钥未配置", "the field key is not configured").WithCode("no_field_key")
}

// results lists the section's opened bids with their bidders' names, in
// bid order. Figures are present only once settleBids published them.
func (s *Service) results(ctx context.Context, sectionID int64) ([]ResultRow, error) {
	type row struct {
		OpenedBid
		Name string  `gorm:"column:name"`
		USCC *string `gorm:"column:uscc"`
	}
	var rows []row
	err := s.db.Conn(ctx).Table("opening_bids").Select("opening_bids.*, organizations.name, organizations.uscc").
		Joins("JOIN organizations ON organizations.id = opening_bids.bidder_org_id").
		Where("opening_bids.section_id = ?", sectionID).Order("opening_bids.bid_id").Scan(&rows).Error
	if err != nil {
		return nil, storage.Translate(err)
	}
	out := make([]ResultRow, len(rows))
	for i, r := range rows {
		out[i] = ResultRow{BidID: r.BidID, BidderOrgID: r.BidderOrgID, BidderName: r.Name, Status: r.Status,
			PriceFen: r.OpenedBid.PriceFen, DurationDays: r.OpenedBid.DurationDays, Digest: r.Digest, Remedy: r.OpenedBid.Remedy}
		if r.USCC != nil {
			out[i].USCC = *r.USCC
		}
		if r.DecryptedAt != nil {
			t := r.DecryptedAt.UTC().Format("2006-01-02T15:04:05.000Z")
			out[i].DecryptedAt = &t
		}
		if r.Failure != nil {
			out[i].Failure = *r.Failure
		}
		if r.OpenedBid.Quality != nil {
			out[i].Quality = *r.OpenedBid.Quality
		}
	}
	return out, nil
}
