package bidding

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// AppendUpload stores r (exactly size bytes, at most MaxChunkBytes) as the
// chunk of upload id starting at offset, which must be the upload's current
// size, and returns the upload with its new size.
//
// The chunk streams straight into a part of the bid object's multipart
// upload while the envelope verifier reads along, resumed from the
// checkpoint the previous chunk left; so the envelope is checked as it
// arrives — a header of another section, bidder or key is refused at the
// first chunk — and finalize has nothing left to read. Chunks that do not
// yet fill a part (storage.MinPartSize) wait as pieces of a tail.
//
// Errors: apperr.NotFound (not the actor's upload), apperr.Conflict (code
// wrong_offset — a duplicated or skipped chunk — naming the expected
// offset; code upload_<status> when the upload is no longer open),
// apperr.Invalid (length_required, empty_chunk, the envelope's codes from
// notary, no_registered_key), apperr.TooLarge (chunk_too_large,
// bid_too_large), apperr.TooLate (deadline_passed), and those of the blob
// store.
func (s *Service) AppendUpload(ctx context.Context, actor accounts.Principal, id string, offset int64, r io.Reader, size int64) (Upload, error) {
	blobs, err := s.blobs()
	if err != nil {
		return Upload{}, err
	}
	u, err := s.GetUpload(ctx, actor, id)
	if err != nil {
		return Upload{}, err
	}
	expect, err := s.appendChecks(ctx, u, offset, size)
	if err != nil {
		return u, err
	}
	v, err := s.resumeVerifier(ctx, blobs, u, expect)
	if err != nil {
		return u, err
	}
	data := io.TeeReader(r, v)
	pieces, err := s.tailPieces(ctx, u.ID)
	if err != nil {
		v.Checkpoint()
		return u, err
	}
	next, row, err := s.storeChunk(ctx, blobs, u, pieces, data, offset, size)
	done := v.Done()
	state, cerr := v.Checkpoint()
	if err == nil {
		err = cerr
	}
	bg := context.WithoutCancel(ctx)
	piece := row
	if err == nil && done && row.Number == 0 {
		// The envelope is complete: send the tail now as the last part,
		// so that the moment of receipt has only to assemble the parts.
		row, err = s.flushTail(ctx, blobs, &next, append(pieces, *row))
	}
	var stateKey string
	if err == nil {
		next.VerifyState, stateKey, err = s.saveState(ctx, blobs, u.ID, state)
	}
	if err == nil {
		next.Size, next.Parts = offset+size, u.Parts+1
		err = s.commitChunk(ctx, actor, u, next, row, pieces, offset)
	}
	if err != nil {
		if piece != nil && piece.Number == 0 {
			_ = blobs.Delete(bg, piece.BlobKey) // the piece this request stored
		}
		if stateKey != "" {
			_ = blobs.Delete(bg, stateKey)
		}
		return u, err
	}
	if old, ok := stateRef(u.VerifyState); ok {
		_ = blobs.Delete(bg, old)
	}
	if row.Number > 0 {
		for _, p := range pieces {
			_ = blobs.Delete(bg, p.BlobKey) // now inside the part
		}
		if piece != row {
			_ = blobs.Delete(bg, piece.BlobKey)
		}
	}
	u.Size, u.Parts = next.Size, next.Parts
	return u, nil
}

// appendChecks refuses a chunk before any byte of it is read.
func (s *Service) appendChecks(ctx context.Context, u Upload, offset, size int64) (notary.Expect, error) {
	if u.Status != UploadOpen {
		return notary.Expect{}, notOpen(u)
	}
	if offset != u.Size {
		return notary.Expect{}, wrongOffset(u.Size, offset)
	}
	switch {
	case size < 0:
		return notary.Expect{}, apperr.New(apperr.Invalid, "分块须声明长度（Content-Length）", "a chunk must declare its length (Content-Length)").WithCode("length_required")
	case size == 0:
		return notary.Expect{}, apperr.New(apperr.Invalid, "分块为空", "the chunk is empty").WithCode("empty_chunk")
	case size > MaxChunkBytes:
		return notary.Expect{}, apperr.Newf(apperr.TooLarge, "分块不能超过 %d 字节", "a chunk may not exceed %d bytes", MaxChunkBytes).WithCode("chunk_too_large")
	}
	sec, p, err := s.sectionAndProject(ctx, u.SectionID, false)
	if err != nil {
		return notary.Expect{}, err
	}
	if now := s.now(); !sec.AcceptsBidsAt(now) {
		return notary.Expect{}, deadlinePassed(sec, now)
	}
	if max := sec.Rulebook.MaxBidBytes; max > 0 && offset+size > max {
		return notary.Expect{}, apperr.Newf(apperr.TooLarge, "投标文件不能超过 %d 字节", "the bid may not exceed %d bytes", max).WithCode("bid_too_large")
	}
	return s.bidExpect(ctx, p.ID, sec.ID, u.BidderOrgID)
}

// bidExpect is what an organisation's envelope for a section must name,
// the registered key that must have signed it, and the section's escrow
// key as a recipient when it has one. Errors: apperr.Invalid
// (no_registered_key), those of storage.
func (s *Service) bidExpect(ctx context.Context, projectID, sectionID, orgID int64) (notary.Expect, error) {
	signer, err := s.bidderKey(ctx, orgID)
	if err != nil {
		return notary.Expect{}, err
	}
	e := notary.Expect{Signer: signer, Project: strconv.FormatInt(projectID, 10),
		Section: strconv.FormatInt(sectionID, 10), Bidder: strconv.FormatInt(orgID, 10)}
	if err := s.escrowExpect(ctx, sectionID, &e); err != nil {
		return notary.Expect{}, err
	}
	return e, nil
}

// resumeVerifier continues the envelope check where the last chunk left it.
func (s *Service) resumeVerifier(ctx context.Context, blobs storage.Blobs, u Upload, expect notary.Expect) (*notary.Verifier, error) {
	if u.Size == 0 {
		return notary.NewVerifier(expect), nil
	}
	if len(u.VerifyState) == 0 {
		return nil, apperr.New(apperr.Internal, "上传缺少校验状态", "the upload has no verification state")
	}
	state := u.VerifyState
	if key, ok := stateRef(state); ok {
		rc, err := blobs.Open(ctx, key, 0, -1)
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		if state, err = io.ReadAll(io.LimitReader(rc, maxState)); err != nil {
			return nil, apperr.Wrap(err, apperr.Unavailable, "读取校验状态失败", "cannot read the verification state")
		}
	}
	return notary.ResumeVerifier(expect, state)
}

// A verifier checkpoint holds the envelope chunk in progress (up to 4 MiB
// with its tag); kept in the database for every chunk of every upload of a
// deadline rush, that is most of what the database writes. A checkpoint
// larger than inlineState is therefore saved as an object under the
// upload's prefix, and the row keeps only its key.
const (
	inlineState    = 4 << 10
	maxState       = notary.MaxChunkSize + notary.MaxHeaderSize + 1<<20
	stateRefPrefix = "blob:" // a checkpoint itself starts with "THVC"
)

// saveState returns what the row stores for state, and the object it
// saved, if any.
func (s *Service) saveState(ctx context.Context, blobs storage.Blobs, id string, state []byte) ([]byte, string, error) {
	if len(state) <= inlineState {
		return state, "", nil
	}
	key := "uploads/" + id + "/state-" + newUploadID()[:12]
	if _, err := blobs.Save(ctx, key, bytes.NewReader(state), int64(len(state))); err != nil {
		return nil, "", err
	}
	return []byte(stateRefPrefix + key), key, nil
}

// stateRef returns the object key a row's state refers to.
func stateRef(state []byte) (string, bool) {
	key, ok := bytes.CutPrefix(state, []byte(stateRefPrefix))
	return string(key), ok
}

// storeChunk writes the chunk as the next part, after the pieces waiting
// in the tail, or — when the two together are still smaller than a part
// may be (storage.MinPartSize) — as one more piece of the tail. Pieces are
// never rewritten, so small chunks cost one write each. It returns the
// upload's new multipart and tail fields and the row to record: a part
// (Number > 0) or a piece (Number 0, BlobKey its object).
func (s *Service) storeChunk(ctx context.Context, blobs storage.Blobs, u Upload, pieces []uploadPart, data io.Reader, offset, size int64) (Upload, *uploadPart, error) {
	next := u
	seq, err := s.nextPartNumber(ctx, u.ID)
	if err != nil {
		return next, nil, err
	}
	total := u.TailSize + size
	if total < storage.MinPartSize {
		row := &uploadPart{UploadID: u.ID, Offset: offset, Size: size, BlobKey: fmt.Sprintf("uploads/%s/piece-%06d", u.ID, seq)}
		next.TailSize = total
		if _, err := blobs.Save(ctx, row.BlobKey, data, size); err != nil {
			return next, nil, err
		}
		return next, row, nil
	}
	if next.MultipartID, err = s.multipartID(ctx, blobs, u); err != nil {
		return next, nil, err
	}
	src, closeAll, err := openPieces(ctx, blobs, pieces, data)
	if err != nil {
		return next, nil, err
	}
	defer closeAll()
	part, err := blobs.PutPart(ctx, bidKey(u), next.MultipartID, seq, src, total)
	if err != nil {
		return next, nil, err
	}
	next.TailSize = 0
	return next, &uploadPart{UploadID: u.ID, Offset: offset - u.TailSize, Size: total, BlobKey: bidKey(u),
		Number: part.Number, ETag: part.ETag}, nil
}

// flushTail sends the pieces as one part, however small (the last part
// may be), and returns its row.
func (s *Service) flushTail(ctx context.Context, blobs storage.Blobs, next *Upload, pieces []uploadPart) (*uploadPart, error) {
	seq, err := s.nextPartNumber(ctx, next.ID)
	if err != nil {
		return nil, err
	}
	if next.MultipartID, err = s.multipartID(ctx, blobs, *next); err != nil {
		return nil, err
	}
	src, closeAll, err := openPieces(ctx, blobs, pieces, nil)
	if err != nil {
		return nil, err
	}
	defer closeAll()
	var total int64
	for _, p := range pieces {
		total += p.Size
	}
	part, err := blobs.PutPart(ctx, bidKey(*next), next.MultipartID, seq, src, total)
	if err != nil {
		return nil, err
	}
	next.TailSize = 0
	return &uploadPart{UploadID: next.ID, Offset: pieces[0].Offset, Size: total, BlobKey: bidKey(*next),
		Number: part.Number, ETag: part.ETag}, nil
}

// tailPieces lists the pieces waiting to become a part, in offset order.
func (s *Service) tailPieces(ctx context.Context, id string) ([]uploadPart, error) {
	var ps []uploadPart
	err := s.db.Conn(ctx).Where("upload_id = ? AND part_number = 0", id).Order("part_offset").Find(&ps).Error
	return ps, storage.Translate(err)
}

// openPieces reads the pieces, then rest (nil for nothing more).
func openPieces(ctx context.Context, blobs storage.Blobs, pieces []uploadPart, rest io.Reader) (io.Reader, func(), error) {
	readers := make([]io.Reader, 0, len(pieces)+1)
	var closers []io.Closer
	closeAll := func() {
		for _, c := range closers {
			c.Close()
		}
	}
	for _, p := range pieces {
		rc, err := blobs.Open(ctx, p.BlobKey, 0, -1)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		closers = append(closers, rc)
		readers = append(readers, rc)
	}
	if rest != nil {
		readers = append(readers, rest)
	}
	return io.MultiReader(readers...), closeAll, nil
}

// nextPartNumber hands out a part number no other attempt uses, so that
// two requests racing at one offset never overwrite each other's part:
// the one that commits names its own.
func (s *Service) nextPartNumber(ctx context.Context, id string) (int, error) {
	var seq []int
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Exec("UPDATE bid_uploads SET part_seq = part_seq + 1 WHERE id = ? AND status IN (?, ?)", id, UploadOpen, UploadFinalizing)
		if res.Error != nil {
			return storage.Translate(res.Error)
		}
		if res.RowsAffected != 1 {
			return apperr.New(apperr.Conflict, "该上传已结束", "the upload has ended").WithCode("upload_ended")
		}
		return storage.Translate(s.db.Conn(ctx).Raw("SELECT part_seq FROM bid_uploads WHERE id = ?", id).Scan(&seq).Error)
	})
	if err != nil {
		return 0, err
	}
	if len(seq) != 1 {
		return 0, uploadNotFound()
	}
	if seq[0] > storage.MaxParts {
		return 0, apperr.New(apperr.Conflict, "该上传的分块尝试次数过多，请重新开始上传", "this upload has had too many chunk attempts; start a new upload").WithCode("too_many_parts")
	}
	return seq[0], nil
}

// multipartID returns the upload's multipart upload, starting it on the
// first part. Of two requests starting it at once, the first to record
// its id wins and the other's is aborted.
func (s *Service) multipartID(ctx context.Context, blobs storage.Blobs, u Upload) (string, error) {
	if u.MultipartID != "" {
		return u.MultipartID, nil
	}
	id, err := blobs.CreateMultipart(ctx, bidKey(u))
	if err != nil {
		return "", err
	}
	res := s.db.Conn(ctx).Model(&Upload{}).Where("id = ? AND multipart_id = ?", u.ID, "").Update("multipart_id", id)
	if res.Error != nil {
		_ = blobs.AbortMultipart(context.WithoutCancel(ctx), bidKey(u), id)
		return "", storage.Translate(res.Error)
	}
	if res.RowsAffected == 1 {
		return id, nil
	}
	_ = blobs.AbortMultipart(context.WithoutCancel(ctx), bidKey(u), id)
	var ids []string
	if err := s.db.Conn(ctx).Raw("SELECT multipart_id FROM bid_uploads WHERE id = ?", u.ID).Scan(&ids).Error; err != nil {
		return "", storage.Translate(err)
	}
	if len(ids) != 1 || ids[0] == "" {
		return "", uploadNotFound()
	}
	return ids[0], nil
}

// commitChunk records the chunk if the upload is still where it was when
// the chunk began; otherwise another request won, and the error says where
// to resume.
func (s *Service) commitChunk(ctx context.Context, actor accounts.Principal, u, next Upload, row *uploadPart, pieces []uploadPart, offset int64) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&Upload{}).Where("id = ? AND status = ? AND size = ?", u.ID, UploadOpen, offset).
			Updates(map[string]any{"size": next.Size, "parts": next.Parts, "verify_state": next.VerifyState,
				"tail_size": next.TailSize, "updated_at": s.now()})
		if res.Error != nil {
			return storage.Translate(res.Error)
		}
		if res.RowsAffected != 1 {
			cur, err := s.GetUpload(ctx, actor, u.ID)
			if err != nil {
				return err
			}
			if cur.Status != UploadOpen {
				return notOpen(cur)
			}
			return wrongOffset(cur.Size, offset)
		}
		if row.Number > 0 {
			if err := s.deletePartRows(ctx, pieces); err != nil {
				return err
			}
		}
		return s.st.insert(ctx, row)
	})
}

// deletePartRows deletes the given part rows by their primary keys. On
// MySQL a delete by a range ("upload_id = ?") takes gap locks that
// deadlock with other uploads' inserts; exact keys lock only their rows.
func (s *Service) deletePartRows(ctx context.Context, rows []uploadPart) error {
	for _, r := range rows {
		if err := s.db.Conn(ctx).Where("upload_id = ? AND part_offset = ?", r.UploadID, r.Offset).Delete(&uploadPart{}).Error; err != nil {
			return storage.Translate(err)
		}
	}
	return nil
}

// partRows lists an upload's part and piece rows, without locking them.
func (s *Service) partRows(ctx context.Context, id string) ([]uploadPart, error) {
	var rows []uploadPart
	err := s.db.Conn(ctx).Where("upload_id = ?", id).Find(&rows).Error
	return rows, storage.Translate(err)
}
