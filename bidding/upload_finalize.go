package bidding

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// FinalizeUpload turns a complete upload into the organisation's current
// bid on the section and returns the platform-signed receipt. expectSize,
// when positive, is the envelope size the client sent: an upload holding
// fewer bytes is refused (code upload_incomplete) so that the client
// resumes.
//
// The moment of receipt is the finalize's arrival on the server clock
// (clock.ArrivedAt: the HTTP layer stamps it before anything else runs),
// and the deadline is judged by it: a finalize that arrived before the
// deadline is accepted however long its commit takes. Its first step
// registers it as in flight (registerArrival: the upload takes no more
// bytes from then on) under the section row's lock, so the deadline close
// waits for it (CloseIfDue). Then the verifier's checkpoint gives the
// verdict (the end of the envelope, the digest, the signature by the
// organisation's registered key), the bid object is published from its
// parts, and one transaction with the section row locked supersedes the
// previous current bid, stores the bid, appends "bid.received" and the
// signed receipt. A late finalize removes the object; no bid row exists
// unless the transaction committed.
//
// Finalize may be repeated: after a lost answer or a crash it completes
// the work under the first arrival it registered, and on an upload that
// already became a bid it returns that bid's receipt again.
//
// Errors: apperr.NotFound (not the actor's upload); apperr.Conflict (codes
// upload_incomplete, upload_<status>, upload_busy); apperr.Invalid (the
// envelope's codes from notary: truncated, signature_invalid, …;
// no_registered_key); apperr.TooLate (deadline_passed: the upload is then
// closed, its parts removed); apperr.Unavailable (finalize_overran: it
// arrived in time but could not be completed before the close's bound on
// waiting; and when a dependency is down).
func (s *Service) FinalizeUpload(ctx context.Context, actor accounts.Principal, id string, expectSize int64) (notary.SignedReceipt, error) {
	arrival := clock.ArrivedAt(ctx, s.clock)
	ctx = storage.WithUrgency(ctx) // the moment of receipt goes before chunk uploads
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
	if u.Status == UploadDone && u.BidID != nil {
		return s.receiptOf(ctx, *u.BidID)
	}
	if u.Status != UploadOpen && u.Status != UploadFinalizing {
		return notary.SignedReceipt{}, notOpen(u)
	}
	if expectSize > 0 && u.Size < expectSize {
		return notary.SignedReceipt{}, apperr.Newf(apperr.Conflict, "上传尚未完成：已收到 %d 字节，共 %d 字节；请从 %d 继续",
			"the upload is incomplete: %d of %d bytes received; resume from %d", u.Size, expectSize, u.Size).
			WithCode("upload_incomplete").WithField("offset", strconv.FormatInt(u.Size, 10))
	}
	_, p, err := s.sectionAndProject(ctx, u.SectionID, false)
	if err != nil {
		return notary.SignedReceipt{}, err
	}
	if u.Status == UploadFinalizing && u.ArrivedAt != nil && u.ArrivedAt.Before(arrival) {
		arrival = *u.ArrivedAt // a repeat of a finalize that registered, then lost its answer or its process
	}
	if err := s.registerArrival(ctx, blobs, &u, arrival); err != nil {
		return notary.SignedReceipt{}, err
	}
	bg := context.WithoutCancel(ctx)
	digest, err := s.verdict(ctx, u, p.ID)
	if err != nil {
		s.unregister(bg, u)
		return notary.SignedReceipt{}, err
	}
	if err := s.publishBid(ctx, blobs, u); err != nil {
		s.unregister(bg, u)
		return notary.SignedReceipt{}, err
	}
	receipt, err := s.commitBid(ctx, priv, u, p, bidKey(u), digest, u.Size, arrival)
	switch {
	case err == nil:
		u.Status = UploadDone
		s.dropParts(bg, blobs, u)
		return receipt, nil
	case apperr.Is(err, apperr.TooLate) || isOverran(err):
		if s.setUploadStatus(bg, u.ID, UploadFinalizing, UploadLate) == nil {
			_ = blobs.Delete(bg, bidKey(u))
			s.dropParts(bg, blobs, u)
		}
	default:
		if cur, gerr := s.GetUpload(bg, actor, id); gerr == nil && cur.Status == UploadDone && cur.BidID != nil {
			return s.receiptOf(ctx, *cur.BidID) // a concurrent finalize of the same upload won
		}
		s.unregister(bg, u)
	}
	return notary.SignedReceipt{}, err
}

// verdict finishes the verification the appends carried along.
func (s *Service) verdict(ctx context.Context, u Upload, projectID int64) (notary.Digest, error) {
	expect, err := s.bidExpect(ctx, projectID, u.SectionID, u.BidderOrgID)
	if err != nil {
		return notary.Digest{}, err
	}
	blobs, err := s.blobs()
	if err != nil {
		return notary.Digest{}, err
	}
	v, err := s.resumeVerifier(ctx, blobs, u, expect)
	if err != nil {
		return notary.Digest{}, err
	}
	_, digest, err := v.Finish()
	return digest, err
}

// publishBid makes the bid object appear under bidKey(u) by completing
// its multipart upload; the last append already sent the tail as the last
// part. A repeated finalize whose earlier attempt completed it finds the
// upload gone and the object in place. Pieces still waiting (an upload
// whose last chunk was stored before its tail could be sent) go out first.
func (s *Service) publishBid(ctx context.Context, blobs storage.Blobs, u Upload) error {
	key := bidKey(u)
	var rows []uploadPart
	if err := s.db.Conn(ctx).Where("upload_id = ? AND part_number > 0", u.ID).Order("part_offset").Find(&rows).Error; err != nil {
		return storage.Translate(err)
	}
	pieces, err := s.tailPieces(ctx, u.ID)
	if err != nil {
		return err
	}
	if len(pieces) > 0 {
		if info, err := blobs.Stat(ctx, key); err == nil && info.Size == u.Size {
			return nil
		}
		row, err := s.flushTail(ctx, blobs, &u, pieces)
		if err != nil {
			return err
		}
		rows = append(rows, *row)
	}
	parts := make([]storage.Part, len(rows))
	for i, r := range rows {
		parts[i] = storage.Part{Number: r.Number, ETag: r.ETag, Size: r.Size}
	}
	_, err = blobs.CompleteMultipart(ctx, key, u.MultipartID, parts)
	if apperr.Is(err, apperr.NotFound) {
		if info, serr := blobs.Stat(ctx, key); serr == nil && info.Size == u.Size {
			return nil
		}
	}
	return err
}

// receiptOf returns the receipt stored with a bid.
func (s *Service) receiptOf(ctx context.Context, bidID int64) (notary.SignedReceipt, error) {
	var docs []string
	if err := s.db.Conn(ctx).Raw("SELECT receipt FROM bids WHERE id = ?", bidID).Scan(&docs).Error; err != nil {
		return notary.SignedReceipt{}, storage.Translate(err)
	}
	if len(docs) != 1 {
		return notary.SignedReceipt{}, apperr.New(apperr.NotFound, "投标不存在", "bid not found").WithCode("bid_not_found")
	}
	return notary.ParseReceipt([]byte(docs[0]))
}

// commitBid is the moment of receipt: a transaction with the section row
// locked, so the deadline job's close cannot interleave. Finalizes arriving
// together are committed together (see receiptBatch).
func (s *Service) commitBid(ctx context.Context, priv *notary.PrivateKey, u Upload, p Project, key string, digest notary.Digest, size int64, arrival time.Time) (notary.SignedReceipt, error) {
	if s.up.beforeCommit != nil {
		s.up.beforeCommit(u)
	}
	return s.batches.commit(ctx, s, &commitReq{priv: priv, u: u, p: p, key: key, digest: digest, size: size, arrival: arrival})
}

// commitOne writes one bid of a batch inside the batch's transaction, at
// the batch's moment now; the bid's moment of receipt is its finalize's
// arrival. A bid whose organisation already has a current bid that arrived
// later is stored superseded: of two finalizes committed out of order,
// the one that arrived last is the bid. Its error fails only this bid
// unless it is a database error, which fails the batch.
func (s *Service) commitOne(ctx context.Context, r *commitReq, now time.Time) (notary.SignedReceipt, error) {
	u := r.u
	res := s.db.Conn(ctx).Model(&Upload{}).Where("id = ? AND status = ?", u.ID, UploadFinalizing).
		Updates(map[string]any{"status": UploadDone, "updated_at": now, "verify_state": nil})
	if res.Error != nil {
		return notary.SignedReceipt{}, storage.Translate(res.Error)
	}
	if res.RowsAffected != 1 {
		return notary.SignedReceipt{}, errUploadBusy()
	}
	status, err := s.supersede(ctx, u, r.arrival)
	if err != nil {
		return notary.SignedReceipt{}, err
	}
	b := Bid{SectionID: u.SectionID, BidderOrgID: u.BidderOrgID, UserID: u.UserID, UploadID: u.ID, BlobKey: r.key,
		Digest: r.digest.String(), Size: r.size, Status: status, ReceivedAt: r.arrival, Receipt: json.RawMessage("{}")}
	if err := s.st.insert(ctx, &b); err != nil {
		return notary.SignedReceipt{}, err
	}
	ev, err := s.events.Append(ctx, eventlog.Entry{Type: "bid.received", Subject: sectionRef(u.SectionID),
		Actor: "user:" + strconv.FormatInt(u.UserID, 10), Payload: map[string]any{"bidId": b.ID, "bidderOrgId": u.BidderOrgID,
			"digest": b.Digest, "size": r.size, "receivedAt": r.arrival, "committedAt": now, "status": status}})
	if err != nil {
		return notary.SignedReceipt{}, err
	}
	receipt, err := notary.SignReceipt(r.priv, notary.Receipt{BidID: strconv.FormatInt(b.ID, 10), ProjectID: strconv.FormatInt(r.p.ID, 10),
		SectionID: strconv.FormatInt(u.SectionID, 10), BidderID: strconv.FormatInt(u.BidderOrgID, 10), CiphertextDigest: b.Digest,
		CiphertextSize: r.size, ReceivedAtMs: r.arrival.UnixMilli(), LogIndex: ev.Seq})
	if err != nil {
		return receipt, err
	}
	doc, err := receipt.Marshal()
	if err != nil {
		return receipt, err
	}
	if err := s.db.Conn(ctx).Model(&Upload{}).Where("id = ?", u.ID).Update("bid_id", b.ID).Error; err != nil {
		return receipt, storage.Translate(err)
	}
	rows, err := s.partRows(ctx, u.ID)
	if err != nil {
		return receipt, err
	}
	if err := s.deletePartRows(ctx, rows); err != nil {
		return receipt, err
	}
	return receipt, storage.Translate(s.db.Conn(ctx).Model(&Bid{}).Where("id = ?", b.ID).
		Updates(map[string]any{"receipt": string(doc), "log_index": ev.Seq}).Error)
}

func errUploadBusy() error {
	return apperr.New(apperr.Conflict, "该上传已被另一请求处理", "another request handled this upload").WithCode("upload_busy")
}

// bidderKey returns the organisation's registered SM2 key.
func (s *Service) bidderKey(ctx context.Context, orgID int64) (*notary.PublicKey, error) {
	// A struct, not []*string: gorm cannot scan a NULL into a bare pointer
	// slice element, and an organisation without a key has a NULL here.
	var rows []struct {
		PEM *string `gorm:"column:sm2_public_key"`
	}
	if err := s.db.Conn(ctx).Raw("SELECT sm2_public_key FROM organizations WHERE id = ?", orgID).Scan(&rows).Error; err != nil {
		return nil, storage.Translate(err)
	}
	if len(rows) == 0 || rows[0].PEM == nil || *rows[0].PEM == "" {
		return nil, apperr.New(apperr.Invalid, "投标单位尚未登记 SM2 公钥", "the bidder organisation has no registered SM2 public key").WithCode("no_registered_key")
	}
	return notary.ParsePublicKeyPEM(*rows[0].PEM)
}

// setUploadStatus moves an upload from one status to another; it is
// apperr.Conflict (upload_busy) when the upload is not in `from`.
func (s *Service) setUploadStatus(ctx context.Context, id string, from, to UploadStatus) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&Upload{}).Where("id = ? AND status = ?", id, from).
			Updates(map[string]any{"status": to, "updated_at": s.now()})
		if res.Error != nil {
			return storage.Translate(res.Error)
		}
		if res.RowsAffected != 1 {
			return apperr.New(apperr.Conflict, "该上传正被另一请求处理", "another request is handling this upload").WithCode("upload_busy")
		}
		return nil
	})
}

// dropParts removes what an ended upload left besides its bid: the pieces,
// the multipart upload (aborting a completed one changes nothing) and the
// part rows. A failure leaves the work to the expiry job.
func (s *Service) dropParts(ctx context.Context, blobs storage.Blobs, u Upload) {
	_ = s.removeParts(ctx, blobs, u)
}
