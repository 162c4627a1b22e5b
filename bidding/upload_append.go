package bidding

import (
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
// first chunk — and finalize has nothing left to read. Bytes that do not
// yet fill a part (storage.MinPartSize) wait in a tail object.
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
	v, err := s.resumeVerifier(u, expect)
	if err != nil {
		return u, err
	}
	data := io.TeeReader(r, v)
	next, part, err := s.storeChunk(ctx, blobs, u, data, size)
	state, cerr := v.Checkpoint()
	if err == nil {
		err = cerr
	}
	if err != nil {
		if next.TailKey != u.TailKey {
			_ = blobs.Delete(context.WithoutCancel(ctx), next.TailKey)
		}
		return u, err
	}
	next.Size, next.Parts, next.VerifyState = offset+size, u.Parts+1, state
	if err := s.commitChunk(ctx, actor, u, next, part, offset); err != nil {
		if next.TailKey != u.TailKey {
			_ = blobs.Delete(context.WithoutCancel(ctx), next.TailKey)
		}
		return u, err
	}
	if u.TailKey != "" && next.TailKey != u.TailKey {
		_ = blobs.Delete(context.WithoutCancel(ctx), u.TailKey)
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
	signer, err := s.bidderKey(ctx, u.BidderOrgID)
	if err != nil {
		return notary.Expect{}, err
	}
	return notary.Expect{Signer: signer, Project: strconv.FormatInt(p.ID, 10),
		Section: strconv.FormatInt(sec.ID, 10), Bidder: strconv.FormatInt(u.BidderOrgID, 10)}, nil
}

// resumeVerifier continues the envelope check where the last chunk left it.
func (s *Service) resumeVerifier(u Upload, expect notary.Expect) (*notary.Verifier, error) {
	if u.Size == 0 {
		return notary.NewVerifier(expect), nil
	}
	if len(u.VerifyState) == 0 {
		return nil, apperr.New(apperr.Internal, "上传缺少校验状态", "the upload has no verification state")
	}
	return notary.ResumeVerifier(expect, u.VerifyState)
}

// storeChunk writes the chunk, after any waiting tail, as the next part,
// or as a new tail when the two together are still too small for a part.
// It returns the upload's new tail and multipart fields and the part
// stored, if any.
func (s *Service) storeChunk(ctx context.Context, blobs storage.Blobs, u Upload, data io.Reader, size int64) (Upload, *storage.Part, error) {
	next := u
	seq, err := s.nextPartNumber(ctx, u.ID)
	if err != nil {
		return next, nil, err
	}
	src, total, closeTail, err := withTail(ctx, blobs, u, data, size)
	if err != nil {
		return next, nil, err
	}
	defer closeTail()
	if total < storage.MinPartSize {
		next.TailKey, next.TailSize = fmt.Sprintf("uploads/%s/tail-%06d", u.ID, seq), total
		_, err := blobs.Save(ctx, next.TailKey, src, total)
		return next, nil, err
	}
	if next.MultipartID, err = s.multipartID(ctx, blobs, u); err != nil {
		return next, nil, err
	}
	part, err := blobs.PutPart(ctx, bidKey(u), next.MultipartID, seq, src, total)
	if err != nil {
		return next, nil, err
	}
	next.TailKey, next.TailSize = "", 0
	return next, &part, nil
}

// withTail prefixes data with the waiting tail's bytes.
func withTail(ctx context.Context, blobs storage.Blobs, u Upload, data io.Reader, size int64) (io.Reader, int64, func(), error) {
	if u.TailKey == "" {
		return data, size, func() {}, nil
	}
	rc, err := blobs.Open(ctx, u.TailKey, 0, -1)
	if err != nil {
		return nil, 0, nil, err
	}
	return io.MultiReader(rc, data), u.TailSize + size, func() { rc.Close() }, nil
}

// nextPartNumber hands out a part number no other attempt uses, so that
// two requests racing at one offset never overwrite each other's part:
// the one that commits names its own.
func (s *Service) nextPartNumber(ctx context.Context, id string) (int, error) {
	var seq []int
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Exec("UPDATE bid_uploads SET part_seq = part_seq + 1 WHERE id = ? AND status = ?", id, UploadOpen)
		if res.Error != nil {
			return storage.Translate(res.Error)
		}
		return storage.Translate(s.db.Conn(ctx).Raw("SELECT part_seq FROM bid_uploads WHERE id = ?", id).Scan(&seq).Error)
	})
	if err != nil {
		return 0, err
	}
	if len(seq) != 1 || seq[0] > storage.MaxParts {
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
func (s *Service) commitChunk(ctx context.Context, actor accounts.Principal, u, next Upload, part *storage.Part, offset int64) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		res := s.db.Conn(ctx).Model(&Upload{}).Where("id = ? AND status = ? AND size = ?", u.ID, UploadOpen, offset).
			Updates(map[string]any{"size": next.Size, "parts": next.Parts, "verify_state": next.VerifyState,
				"tail_key": next.TailKey, "tail_size": next.TailSize, "updated_at": s.now()})
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
		if part == nil {
			return nil
		}
		return s.st.insert(ctx, &uploadPart{UploadID: u.ID, Offset: next.Size - part.Size, Size: part.Size,
			BlobKey: bidKey(u), Number: part.Number, ETag: part.ETag})
	})
}
