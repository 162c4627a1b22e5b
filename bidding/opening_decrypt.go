package bidding

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// formPrefix is how much of a bid package's start is kept to read its form.
const formPrefix = 256 << 10

// Decrypt opens the actor organisation's bid with the data key its bidder
// unwrapped locally (hex) and handed over. The key is checked against the
// envelope's commitment before anything is decrypted; then the stored
// ciphertext streams through decryption — every chunk's tag, the digest
// and the bidder's signature checked — and the bid form at its start is
// read. Nothing is written in the clear: the bid stays the bidder's
// envelope, and its data key and form are kept sealed with the platform's
// field key (the form until the window closes, the key for the committee).
//
// Errors: apperr.Forbidden (not a bidder); apperr.NotFound (no bid of the
// organisation in the room); apperr.Conflict (wrong_phase before the
// window, not_checked_in, already_decrypted, bid_<status>);
// apperr.TooLate (window_closed); apperr.Invalid (wrong_key; bad_bid_form,
// which revokes the bid); apperr.Internal / apperr.Unavailable for a
// server fault, which marks the bid so that the window's close withdraws
// rather than revokes it.
func (s *Service) Decrypt(ctx context.Context, actor accounts.Principal, sectionID int64, dekHex string) (OpenedBid, error) {
	if err := requireBidder(actor); err != nil {
		return OpenedBid{}, err
	}
	ob, bid, sec, p, err := s.decryptChecks(ctx, actor, sectionID)
	if err != nil {
		return OpenedBid{}, err
	}
	dek, err := hex.DecodeString(dekHex)
	if err != nil || len(dek) != notary.DEKSize {
		return ob, apperr.New(apperr.Invalid, "数据密钥格式错误（应为 32 位十六进制）", "the data key is malformed (want 32 hex digits)").WithCode(notary.CodeWrongKey)
	}
	if s.opening.fields == nil {
		return ob, errNoFieldCipher()
	}
	blobs, err := s.blobs()
	if err != nil {
		return ob, err
	}
	if err := s.checkKey(ctx, blobs, bid, dek); err != nil {
		return ob, err
	}
	expect, err := s.bidExpect(ctx, p.ID, sec.ID, bid.BidderOrgID)
	if err != nil {
		return ob, err
	}
	prefix, size, err := s.decryptStored(ctx, blobs, bid, dek, expect)
	if err != nil {
		return ob, s.decryptFailed(ctx, ob, err)
	}
	form, ferr := ReadBidForm(prefix)
	if ferr != nil {
		return ob, s.revokeForm(ctx, ob, ferr)
	}
	return s.decrypted(ctx, ob, form, dek, size)
}

// decryptChecks finds the organisation's bid in an open window.
func (s *Service) decryptChecks(ctx context.Context, actor accounts.Principal, sectionID int64) (OpenedBid, Bid, Section, Project, error) {
	sec, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return OpenedBid{}, Bid{}, sec, p, err
	}
	r, err := s.room(ctx, sectionID)
	if apperr.Is(err, apperr.NotFound) {
		return OpenedBid{}, Bid{}, sec, p, wrongPhase(phaseOf(sec, nil, s.now()), PhaseDecrypting)
	}
	if err != nil {
		return OpenedBid{}, Bid{}, sec, p, err
	}
	if r.Phase != PhaseDecrypting || !s.now().Before(r.WindowEndsAt) {
		return OpenedBid{}, Bid{}, sec, p, apperr.Newf(apperr.TooLate, "解密时间已于 %s 结束", "the decryption window ended at %s",
			r.WindowEndsAt.UTC().Format("2006-01-02T15:04:05.000Z")).WithCode("window_closed")
	}
	if ok, err := s.checkedIn(ctx, sectionID, actor.OrgID); err != nil || !ok {
		if err != nil {
			return OpenedBid{}, Bid{}, sec, p, err
		}
		return OpenedBid{}, Bid{}, sec, p, apperr.New(apperr.Conflict, "请先签到再解密", "check in before decrypting").WithCode("not_checked_in")
	}
	var obs []OpenedBid
	if err := s.db.Conn(ctx).Where("section_id = ? AND bidder_org_id = ?", sectionID, actor.OrgID).Limit(1).Find(&obs).Error; err != nil {
		return OpenedBid{}, Bid{}, sec, p, storage.Translate(err)
	}
	if len(obs) == 0 {
		return OpenedBid{}, Bid{}, sec, p, bidNotFound()
	}
	ob := obs[0]
	switch ob.Status {
	case OpeningPending:
	case OpeningDecrypted:
		return ob, Bid{}, sec, p, apperr.New(apperr.Conflict, "该投标文件已解密", "this bid is already decrypted").WithCode("already_decrypted")
	default:
		return ob, Bid{}, sec, p, apperr.Newf(apperr.Conflict, "该投标文件状态为 %s", "this bid is %s", ob.Status).WithCode("bid_" + string(ob.Status))
	}
	var bid Bid
	if err := s.db.Conn(ctx).Where("id = ?", ob.BidID).First(&bid).Error; err != nil {
		return ob, bid, sec, p, storage.Translate(err)
	}
	return ob, bid, sec, p, nil
}

// checkKey compares the key with the envelope header's commitment.
func (s *Service) checkKey(ctx context.Context, blobs storage.Blobs, bid Bid, dek []byte) error {
	rc, err := blobs.Open(ctx, bid.BlobKey, 0, min(bid.Size, notary.MaxHeaderSize+64))
	if err != nil {
		return err
	}
	defer rc.Close()
	h, err := notary.ParseHeader(rc)
	if err != nil {
		return apperr.Wrap(err, apperr.Internal, "存储的投标文件头部无法读取", "the stored bid's header cannot be read")
	}
	return notary.CheckDEK(h, dek)
}

// decryptStored decrypts and verifies the stored bid, keeping only the
// plaintext's first bytes (for the form) and counting the rest.
func (s *Service) decryptStored(ctx context.Context, blobs storage.Blobs, bid Bid, dek []byte, expect notary.Expect) ([]byte, int64, error) {
	src, err := blobs.Open(ctx, bid.BlobKey, 0, -1)
	if err != nil {
		return nil, 0, err
	}
	defer src.Close()
	prefix := &prefixWriter{n: formPrefix}
	_, digest, err := notary.UnsealWithDEK(ctx, prefix, src, dek, expect)
	if err != nil {
		return nil, 0, err
	}
	if digest.String() != bid.Digest {
		return nil, 0, apperr.New(apperr.Internal, "存储的投标文件摘要与回执不符", "the stored bid's digest differs from its receipt")
	}
	return prefix.buf, prefix.total, nil
}

// OpenBid writes the plaintext of a decrypted bid to w, verifying it again
// as it goes, for the evaluation committee (issue 7 decides who may call
// it). Errors: apperr.NotFound (no such decrypted bid), apperr.Unavailable
// (no field key), and those of notary.UnsealWithDEK.
func (s *Service) OpenBid(ctx context.Context, bidID int64, w io.Writer) error {
	var ob OpenedBid
	if err := s.db.Conn(ctx).Where("bid_id = ? AND status = ?", bidID, OpeningDecrypted).First(&ob).Error; err != nil {
		return storage.Translate(err)
	}
	if s.opening.fields == nil || ob.SealedDEK == nil {
		return errNoFieldCipher()
	}
	dek, err := s.opening.fields.Open(*ob.SealedDEK, dekLabel(bidID))
	if err != nil {
		return err
	}
	var bid Bid
	if err := s.db.Conn(ctx).Where("id = ?", bidID).First(&bid).Error; err != nil {
		return storage.Translate(err)
	}
	blobs, err := s.blobs()
	if err != nil {
		return err
	}
	src, err := blobs.Open(ctx, bid.BlobKey, 0, -1)
	if err != nil {
		return err
	}
	defer src.Close()
	_, digest, err := notary.UnsealWithDEK(ctx, w, src, dek, notary.Expect{Section: strconv.FormatInt(bid.SectionID, 10)})
	if err == nil && digest.String() != bid.Digest {
		err = apperr.New(apperr.Internal, "存储的投标文件摘要与回执不符", "the stored bid's digest differs from its receipt")
	}
	return err
}

func dekLabel(bidID int64) string { return "bid-dek:" + strconv.FormatInt(bidID, 10) }

// decryptFailed records a failure that is the platform's, not the bidder's.
func (s *Service) decryptFailed(ctx context.Context, ob OpenedBid, err error) error {
	if e, ok := apperr.As(err); ok && e.Code == notary.CodeWrongKey {
		return err
	}
	bg := context.WithoutCancel(ctx)
	slog.ErrorContext(bg, "bid decryption failed on the platform", "bid", ob.BidID, "section", ob.SectionID, "err", err)
	msg := err.Error()
	_ = s.db.Conn(bg).Model(&OpenedBid{}).Where("bid_id = ? AND status = ?", ob.BidID, OpeningPending).
		Updates(map[string]any{"platform_error": true, "failure": msg}).Error
	_ = s.roomEvent(bg, ob.SectionID, "decrypt_error", "system", map[string]any{"bidId": ob.BidID})
	return err
}

// revokeForm ends a bid whose package carries no valid form.
func (s *Service) revokeForm(ctx context.Context, ob OpenedBid, ferr error) error {
	reason := "投标函缺失或无效（投标人原因）/ the bid form is missing or invalid (the bidder's fault): " + ferr.Error()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&OpenedBid{}).Where("bid_id = ? AND status = ?", ob.BidID, OpeningPending).
			Updates(map[string]any{"status": OpeningRevoked, "failure": reason, "decrypted_at": s.now()})
		if res.Error != nil || res.RowsAffected != 1 {
			return storage.Translate(res.Error)
		}
		return s.roomEvent(ctx, ob.SectionID, "revoked", "system", map[string]any{"bidId": ob.BidID, "reason": "bad_bid_form"})
	})
	if err != nil {
		return err
	}
	return ferr
}

// decrypted records a successful decryption; of two racing requests the
// second finds the bid decrypted.
func (s *Service) decrypted(ctx context.Context, ob OpenedBid, form BidForm, dek []byte, size int64) (OpenedBid, error) {
	raw, _ := json.Marshal(form)
	sealedForm := s.opening.fields.Seal(raw, formLabel(ob.BidID))
	sealedDEK := s.opening.fields.Seal(dek, dekLabel(ob.BidID))
	now := s.now()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&OpenedBid{}).Where("bid_id = ? AND status = ?", ob.BidID, OpeningPending).
			Updates(map[string]any{"status": OpeningDecrypted, "decrypted_at": now, "dek": sealedDEK, "plain_size": size,
				"form": []byte(sealedForm), "platform_error": false, "failure": nil})
		if res.Error != nil {
			return storage.Translate(res.Error)
		}
		if res.RowsAffected != 1 {
			return apperr.New(apperr.Conflict, "该投标文件已解密", "this bid is already decrypted").WithCode("already_decrypted")
		}
		return s.roomEvent(ctx, ob.SectionID, "decrypted", "system", map[string]any{"bidId": ob.BidID, "digest": ob.Digest, "at": now})
	})
	if err != nil {
		return ob, err
	}
	ob.Status, ob.DecryptedAt, ob.PlainSize = OpeningDecrypted, &now, size
	return ob, nil
}
