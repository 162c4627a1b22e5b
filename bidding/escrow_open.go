package bidding

import (
	"context"
	"encoding/json"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// completeRemedy rebuilds the escrow key from the handed-in shares, opens
// the bid's escrow slot and decrypts and verifies the bid like Decrypt
// does. A server fault leaves the remedy collecting (a holder retries by
// handing in again); an unusable escrow slot or bid form is the bidder's
// fault and ends the remedy as failed. Either way the shares are erased
// when it ends.
func (s *Service) completeRemedy(ctx context.Context, key EscrowKey, sectionID, bidID int64) error {
	priv, err := s.rebuildEscrowKey(ctx, key, bidID)
	if err != nil {
		return err
	}
	var bid Bid
	if err := s.db.Conn(ctx).Where("id = ? AND section_id = ?", bidID, sectionID).First(&bid).Error; err != nil {
		return storage.Translate(err)
	}
	sec, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return err
	}
	expect, err := s.bidExpect(ctx, p.ID, sec.ID, bid.BidderOrgID)
	if err != nil {
		return err
	}
	blobs, err := s.blobs()
	if err != nil {
		return err
	}
	rc, err := blobs.Open(ctx, bid.BlobKey, 0, min(bid.Size, notary.MaxHeaderSize+64))
	if err != nil {
		return err
	}
	h, err := notary.ParseHeader(rc)
	rc.Close()
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "存储的投标文件头部无法读取", "the stored bid's header cannot be read")
	}
	dek, err := notary.UnwrapDEK(h, priv)
	if err != nil {
		return s.remedyFailed(ctx, sectionID, bidID, "escrow_slot_unusable", err)
	}
	prefix, size, err := s.decryptStored(ctx, blobs, bid, dek, expect)
	if err != nil {
		return err
	}
	form, ferr := ReadBidForm(prefix)
	if ferr != nil {
		return s.remedyFailed(ctx, sectionID, bidID, "bad_bid_form", ferr)
	}
	return s.remedied(ctx, sectionID, bid, form, dek, size)
}

// rebuildEscrowKey opens the sealed shares and combines them.
func (s *Service) rebuildEscrowKey(ctx context.Context, key EscrowKey, bidID int64) (*notary.PrivateKey, error) {
	var subs []escrowSubmission
	if err := s.db.Conn(ctx).Where("bid_id = ? AND share IS NOT NULL", bidID).Order("holder_user_id").Find(&subs).Error; err != nil {
		return nil, storage.Translate(err)
	}
	var shares []notary.EscrowShare
	for _, sub := range subs {
		raw, err := s.opening.fields.Open(*sub.Share, shareLabel(bidID, sub.HolderUserID))
		if err != nil {
			return nil, err
		}
		sh, err := notary.ParseEscrowShare(raw)
		if err != nil {
			return nil, err
		}
		shares = append(shares, sh)
	}
	pub, err := notary.ParsePublicKeyPEM(key.PublicKey)
	if err != nil {
		return nil, err
	}
	return notary.CombineShares(shares, key.Threshold, key.commitments(), pub)
}

// remedied records the bid as decrypted by remedy; its figures are public
// at once, since the window has closed.
func (s *Service) remedied(ctx context.Context, sectionID int64, bid Bid, form BidForm, dek []byte, size int64) error {
	raw, _ := json.Marshal(form)
	now := s.now()
	return s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&Remedy{}).Where("bid_id = ? AND status = ?", bid.ID, RemedyCollecting).
			Updates(map[string]any{"status": RemedyDone, "completed_at": now})
		if res.Error != nil || res.RowsAffected != 1 {
			return storage.Translate(res.Error) // another holder's request finished it
		}
		res = s.db.Conn(ctx).Model(&OpenedBid{}).Where("bid_id = ? AND status IN ?", bid.ID, []OpeningStatus{OpeningRevoked, OpeningWithdrawn}).
			Updates(map[string]any{"status": OpeningDecrypted, "remedy": true, "decrypted_at": now, "plain_size": size,
				"dek": s.opening.fields.Seal(dek, dekLabel(bid.ID)), "form": []byte(s.opening.fields.Seal(raw, formLabel(bid.ID))),
				"price_fen": form.PriceFen, "duration_days": form.DurationDays, "failure": nil, "platform_error": false})
		if res.Error != nil {
			return storage.Translate(res.Error)
		}
		if res.RowsAffected != 1 {
			return apperr.New(apperr.Conflict, "该投标文件已不处于未解密状态", "this bid is no longer undecrypted").WithCode("bid_decrypted")
		}
		if err := s.eraseShares(ctx, bid.ID); err != nil {
			return err
		}
		return s.roomEvent(ctx, sectionID, "remedied", "system", map[string]any{"bidId": bid.ID, "digest": bid.Digest,
			"priceFen": form.PriceFen, "durationDays": form.DurationDays, "at": now})
	})
}

// remedyFailed ends a remedy that cannot succeed and returns cause.
func (s *Service) remedyFailed(ctx context.Context, sectionID, bidID int64, code string, cause error) error {
	now := s.now()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&Remedy{}).Where("bid_id = ? AND status = ?", bidID, RemedyCollecting).
			Updates(map[string]any{"status": RemedyFailed, "completed_at": now})
		if res.Error != nil || res.RowsAffected != 1 {
			return storage.Translate(res.Error)
		}
		if err := s.eraseShares(ctx, bidID); err != nil {
			return err
		}
		return s.roomEvent(ctx, sectionID, "remedy_failed", "system", map[string]any{"bidId": bidID, "reason": code})
	})
	if err != nil {
		return err
	}
	return cause
}

func (s *Service) eraseShares(ctx context.Context, bidID int64) error {
	return storage.Translate(s.db.Conn(ctx).Model(&escrowSubmission{}).Where("bid_id = ?", bidID).Update("share", nil).Error)
}
