package bidding

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// FinalizeUpload turns a complete upload into the organisation's current
// bid on the section and returns the platform-signed receipt. expectSize,
// when positive, is the envelope size the client sent: an upload holding
// fewer bytes is refused (code upload_incomplete) so that the client
// resumes. The parts are streamed, in order, into the bid's object while
// the envelope is verified (structure, project, section, bidder, and the
// signature by the organisation's registered key); then one transaction
// locks the section row, checks the deadline by the server clock,
// supersedes the previous current bid, stores the bid, appends
// "bid.received" and the signed receipt. On any failure the bid's object is
// deleted and no bid row exists.
//
// Errors: apperr.NotFound (not the actor's upload); apperr.Conflict (codes
// upload_incomplete, upload_<status>); apperr.Invalid (the envelope's
// codes from notary: truncated, wrong_section, wrong_signer,
// signature_invalid, chunk_tampered, …; no_registered_key);
// apperr.TooLate (deadline_passed: the upload is then closed, its parts
// removed); apperr.Unavailable.
func (s *Service) FinalizeUpload(ctx context.Context, actor accounts.Principal, id string, expectSize int64) (notary.SignedReceipt, error) {
	blobs, err := s.blobs()
	if err != nil {
		return notary.SignedReceipt{}, err
	}
	priv := s.up.key.Load()
	if priv == nil {
		return notary.SignedReceipt{}, apperr.New(apperr.Unavailable, "平台签名密钥未配置", "the platform key is not configured").WithCode("no_platform_key")
	}
	u, err := s.GetUpload(ctx, actor, id)
	if err != nil {
		return notary.SignedReceipt{}, err
	}
	if u.Status != UploadOpen {
		return notary.SignedReceipt{}, notOpen(u)
	}
	if expectSize > 0 && u.Size < expectSize {
		return notary.SignedReceipt{}, apperr.Newf(apperr.Conflict, "上传尚未完成：已收到 %d 字节，共 %d 字节；请从 %d 继续",
			"the upload is incomplete: %d of %d bytes received; resume from %d", u.Size, expectSize, u.Size).
			WithCode("upload_incomplete").WithField("offset", strconv.FormatInt(u.Size, 10))
	}
	sec, p, err := s.sectionAndProject(ctx, u.SectionID, false)
	if err != nil {
		return notary.SignedReceipt{}, err
	}
	if now := s.now(); !sec.AcceptsBidsAt(now) {
		return notary.SignedReceipt{}, s.refuseLate(ctx, blobs, u, sec, now)
	}
	signer, err := s.bidderKey(ctx, u.BidderOrgID)
	if err != nil {
		return notary.SignedReceipt{}, err
	}
	if err := s.setUploadStatus(ctx, u.ID, UploadOpen, UploadFinalizing); err != nil {
		return notary.SignedReceipt{}, err
	}
	key := "bids/" + strconv.FormatInt(sec.ID, 10) + "/" + u.ID + ".the"
	digest, size, err := s.streamVerified(ctx, blobs, u, key, notary.Expect{Signer: signer,
		Project: strconv.FormatInt(p.ID, 10), Section: strconv.FormatInt(sec.ID, 10), Bidder: strconv.FormatInt(u.BidderOrgID, 10)})
	var receipt notary.SignedReceipt
	if err == nil {
		receipt, err = s.commitBid(ctx, priv, u, p, key, digest, size)
	}
	if err != nil {
		bg := context.WithoutCancel(ctx)
		_ = blobs.Delete(bg, key)
		if apperr.Is(err, apperr.TooLate) {
			s.dropParts(bg, blobs, u.ID, UploadLate)
		} else {
			_ = s.setUploadStatus(bg, u.ID, UploadFinalizing, UploadOpen)
		}
		return notary.SignedReceipt{}, err
	}
	s.dropParts(context.WithoutCancel(ctx), blobs, u.ID, UploadDone)
	return receipt, nil
}

// refuseLate closes an upload finalized too late and returns the refusal.
func (s *Service) refuseLate(ctx context.Context, blobs storage.Blobs, u Upload, sec Section, now time.Time) error {
	if err := s.setUploadStatus(ctx, u.ID, UploadOpen, UploadFinalizing); err == nil {
		s.dropParts(context.WithoutCancel(ctx), blobs, u.ID, UploadLate)
	}
	return deadlinePassed(sec, now)
}

// commitBid is the moment of receipt: one transaction with the section row
// locked, so the deadline job's close cannot interleave.
func (s *Service) commitBid(ctx context.Context, priv *notary.PrivateKey, u Upload, p Project, key string, digest notary.Digest, size int64) (notary.SignedReceipt, error) {
	var receipt notary.SignedReceipt
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		sec, err := s.st.section(ctx, u.SectionID, true)
		if err != nil {
			return err
		}
		now := s.now()
		if !sec.AcceptsBidsAt(now) {
			return deadlinePassed(sec, now)
		}
		res := s.db.Conn(ctx).Model(&Upload{}).Where("id = ? AND status = ?", u.ID, UploadFinalizing).
			Updates(map[string]any{"status": UploadDone, "updated_at": now})
		if res.Error != nil {
			return storage.Translate(res.Error)
		}
		if res.RowsAffected != 1 {
			return apperr.New(apperr.Conflict, "该上传已被另一请求处理", "another request handled this upload").WithCode("upload_busy")
		}
		if err := s.db.Conn(ctx).Model(&Bid{}).Where("section_id = ? AND bidder_org_id = ? AND status = ?", u.SectionID, u.BidderOrgID, BidCurrent).
			Update("status", BidSuperseded).Error; err != nil {
			return storage.Translate(err)
		}
		b := Bid{SectionID: u.SectionID, BidderOrgID: u.BidderOrgID, UserID: u.UserID, UploadID: u.ID, BlobKey: key,
			Digest: digest.String(), Size: size, Status: BidCurrent, ReceivedAt: now, Receipt: json.RawMessage("{}")}
		if err := s.st.insert(ctx, &b); err != nil {
			return err
		}
		ev, err := s.events.Append(ctx, eventlog.Entry{Type: "bid.received", Subject: sectionRef(u.SectionID),
			Actor: "user:" + strconv.FormatInt(u.UserID, 10), Payload: map[string]any{"bidId": b.ID, "bidderOrgId": u.BidderOrgID,
				"digest": b.Digest, "size": size, "receivedAt": now}})
		if err != nil {
			return err
		}
		receipt, err = notary.SignReceipt(priv, notary.Receipt{BidID: strconv.FormatInt(b.ID, 10), ProjectID: strconv.FormatInt(p.ID, 10),
			SectionID: strconv.FormatInt(u.SectionID, 10), BidderID: strconv.FormatInt(u.BidderOrgID, 10), CiphertextDigest: b.Digest,
			CiphertextSize: size, ReceivedAtMs: now.UnixMilli(), LogIndex: ev.Seq})
		if err != nil {
			return err
		}
		doc, err := receipt.Marshal()
		if err != nil {
			return err
		}
		return storage.Translate(s.db.Conn(ctx).Model(&Bid{}).Where("id = ?", b.ID).
			Updates(map[string]any{"receipt": string(doc), "log_index": ev.Seq}).Error)
	})
	return receipt, err
}

// streamVerified copies the upload's parts, in offset order, to key while
// the envelope verifier reads along. It returns the ciphertext digest and size.
func (s *Service) streamVerified(ctx context.Context, blobs storage.Blobs, u Upload, key string, expect notary.Expect) (notary.Digest, int64, error) {
	var parts []uploadPart
	if err := s.db.Conn(ctx).Where("upload_id = ?", u.ID).Order("part_offset").Find(&parts).Error; err != nil {
		return notary.Digest{}, 0, storage.Translate(err)
	}
	var next int64
	for _, pt := range parts {
		if pt.Offset != next {
			return notary.Digest{}, 0, apperr.Newf(apperr.Internal, "上传分块不连续（偏移 %d）", "the upload's parts are not contiguous (offset %d)", next)
		}
		next += pt.Size
	}
	v := notary.NewVerifier(expect)
	pr := &partsReader{ctx: ctx, blobs: blobs, parts: parts}
	defer pr.close()
	_, saveErr := blobs.Save(ctx, key, io.TeeReader(pr, v), next)
	_, digest, verr := v.Finish()
	if saveErr != nil {
		if verr != nil && apperr.KindOf(verr) == apperr.Invalid {
			return digest, 0, verr
		}
		return digest, 0, saveErr
	}
	return digest, next, verr
}

// partsReader reads the parts one after the other.
type partsReader struct {
	ctx   context.Context
	blobs storage.Blobs
	parts []uploadPart
	cur   io.ReadCloser
}

func (r *partsReader) Read(p []byte) (int, error) {
	for {
		if r.cur == nil {
			if len(r.parts) == 0 {
				return 0, io.EOF
			}
			rc, err := r.blobs.Open(r.ctx, r.parts[0].BlobKey, 0, -1)
			if err != nil {
				return 0, err
			}
			r.cur, r.parts = rc, r.parts[1:]
		}
		n, err := r.cur.Read(p)
		if err == io.EOF {
			r.cur.Close()
			r.cur, err = nil, nil
			if n == 0 {
				continue
			}
		}
		return n, err
	}
}

func (r *partsReader) close() {
	if r.cur != nil {
		r.cur.Close()
	}
}

// bidderKey returns the organisation's registered SM2 key.
func (s *Service) bidderKey(ctx context.Context, orgID int64) (*notary.PublicKey, error) {
	var pems []*string
	if err := s.db.Conn(ctx).Raw("SELECT sm2_public_key FROM organizations WHERE id = ?", orgID).Scan(&pems).Error; err != nil {
		return nil, storage.Translate(err)
	}
	if len(pems) == 0 || pems[0] == nil || *pems[0] == "" {
		return nil, apperr.New(apperr.Invalid, "投标单位尚未登记 SM2 公钥", "the bidder organisation has no registered SM2 public key").WithCode("no_registered_key")
	}
	return notary.ParsePublicKeyPEM(*pems[0])
}

// setUploadStatus moves an upload from one status to another; it is
// apperr.Conflict (upload_busy) when the upload is not in `from`.
func (s *Service) setUploadStatus(ctx context.Context, id string, from, to UploadStatus) error {
	res := s.db.Conn(ctx).Model(&Upload{}).Where("id = ? AND status = ?", id, from).
		Updates(map[string]any{"status": to, "updated_at": s.now()})
	if res.Error != nil {
		return storage.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return apperr.New(apperr.Conflict, "该上传正被另一请求处理", "another request is handling this upload").WithCode("upload_busy")
	}
	return nil
}

// dropParts removes an upload's parts and sets its final status.
// Failures leave work for the expiry job.
func (s *Service) dropParts(ctx context.Context, blobs storage.Blobs, id string, status UploadStatus) {
	if s.removeParts(ctx, blobs, id) == nil {
		s.db.Conn(ctx).Model(&Upload{}).Where("id = ?", id).Updates(map[string]any{"status": status, "updated_at": s.now()})
	}
}
