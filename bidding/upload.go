package bidding

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// MaxChunkBytes is the largest chunk one append accepts.
const MaxChunkBytes = 64 << 20

// bidKey is where an upload's bid object is assembled and then kept.
func bidKey(u Upload) string {
	return "bids/" + strconv.FormatInt(u.SectionID, 10) + "/" + u.ID + ".the"
}

// UploadTTL is how long an upload may stay untouched before the expiry job
// removes it and its parts.
const UploadTTL = 24 * time.Hour

// UploadStatus is where an upload session is.
type UploadStatus string

// The upload statuses.
const (
	UploadOpen       UploadStatus = "open"       // accepting chunks
	UploadFinalizing UploadStatus = "finalizing" // a finalize is streaming it
	UploadDone       UploadStatus = "done"       // became a bid
	UploadLate       UploadStatus = "late"       // finalize refused at the deadline; parts removed
	UploadExpired    UploadStatus = "expired"    // abandoned; parts removed
)

// Upload is a resumable sealed-bid upload session of one bidder
// organisation for one section. Size is the next offset a chunk must start at.
type Upload struct {
	ID          string       `json:"id" gorm:"column:id;primaryKey"`
	SectionID   int64        `json:"sectionId" gorm:"column:section_id"`
	BidderOrgID int64        `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	UserID      int64        `json:"-" gorm:"column:user_id"`
	Size        int64        `json:"offset" gorm:"column:size"`
	Parts       int          `json:"parts" gorm:"column:parts"`
	Status      UploadStatus `json:"status" gorm:"column:status"`
	BidID       *int64       `json:"bidId,omitempty" gorm:"column:bid_id"`
	CreatedAt   time.Time    `json:"createdAt" gorm:"column:created_at"`
	UpdatedAt   time.Time    `json:"updatedAt" gorm:"column:updated_at"`

	MultipartID string `json:"-" gorm:"column:multipart_id"` // the blob store's multipart upload
	PartSeq     int    `json:"-" gorm:"column:part_seq"`     // the last part number handed out
	TailSize    int64  `json:"-" gorm:"column:tail_size"`    // bytes waiting in pieces to make a part
	VerifyState []byte `json:"-" gorm:"column:verify_state"` // notary.Verifier checkpoint after Size bytes
	// ArrivedAt is when the finalize that is completing the upload arrived
	// (set while it is in flight, kept after): the bid's moment of receipt.
	ArrivedAt *time.Time `json:"arrivedAt,omitempty" gorm:"column:arrived_at"`
}

// TableName maps Upload to its table.
func (Upload) TableName() string { return "bid_uploads" }

// uploadPart is one stored part of the bid object's multipart upload,
// holding the envelope's bytes from Offset, or (Number 0) a piece of the
// tail: a chunk too small to be a part yet, stored as the object BlobKey.
type uploadPart struct {
	UploadID string `gorm:"column:upload_id;primaryKey"`
	Offset   int64  `gorm:"column:part_offset;primaryKey"`
	Size     int64  `gorm:"column:size"`
	BlobKey  string `gorm:"column:blob_key"` // the bid object's key
	Number   int    `gorm:"column:part_number"`
	ETag     string `gorm:"column:etag"`
}

func (uploadPart) TableName() string { return "bid_upload_parts" }

// uploadConfig holds what the upload needs beyond New's arguments.
type uploadConfig struct {
	blobs atomic.Pointer[storage.Blobs]
	key   atomic.Pointer[notary.PrivateKey]
	// beforeCommit, set by tests only, runs when a finalize is about to
	// commit: it holds a commit back across the deadline.
	beforeCommit func(u Upload)
}

// SetBlobs sets the blob store that holds upload parts and sealed bids.
// Uploads fail with apperr.Unavailable until it is set.
func (s *Service) SetBlobs(b storage.Blobs) { s.up.blobs.Store(&b) }

// SetPlatformKey sets the platform's SM2 key that signs bid receipts.
// Finalize fails with apperr.Unavailable until it is set.
func (s *Service) SetPlatformKey(k *notary.PrivateKey) { s.up.key.Store(k) }

func (s *Service) blobs() (storage.Blobs, error) {
	if p := s.up.blobs.Load(); p != nil && *p != nil {
		return *p, nil
	}
	return nil, apperr.New(apperr.Unavailable, "投标文件存储未配置", "the bid store is not configured").WithCode("no_blob_store")
}

func newUploadID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func uploadNotFound() error {
	return apperr.New(apperr.NotFound, "上传不存在", "upload not found").WithCode("upload_not_found")
}

// deadlinePassed is the refusal of anything arriving at or after the deadline.
func deadlinePassed(sec Section, now time.Time) error {
	if sec.State != StateAnnounced || sec.Deadline == nil {
		return apperr.Newf(apperr.TooLate, "标段当前不接受投标（状态：%s）", "the section does not accept bids (state %s)",
			stateNames[sec.State]).WithCode("deadline_passed")
	}
	return apperr.Newf(apperr.TooLate, "投标截止时间 %s 已过（服务器时间 %s）",
		"the bid deadline %s has passed (server time %s)",
		sec.Deadline.UTC().Format(time.RFC3339Nano), now.UTC().Format(time.RFC3339Nano)).WithCode("deadline_passed")
}

// CreateUpload opens an upload session for the actor's organisation on a
// section that accepts bids now. Errors: apperr.Forbidden (not a bidder),
// apperr.NotFound (no such section), apperr.TooLate (code deadline_passed),
// apperr.Unavailable (no blob store).
func (s *Service) CreateUpload(ctx context.Context, actor accounts.Principal, sectionID int64) (Upload, error) {
	if err := requireBidder(actor); err != nil {
		return Upload{}, err
	}
	if _, err := s.blobs(); err != nil {
		return Upload{}, err
	}
	sec, err := s.st.section(ctx, sectionID, false)
	if err != nil {
		return Upload{}, err
	}
	now := s.now()
	if !sec.AcceptsBidsAt(now) {
		return Upload{}, deadlinePassed(sec, now)
	}
	u := Upload{ID: newUploadID(), SectionID: sectionID, BidderOrgID: actor.OrgID, UserID: actor.UserID,
		Status: UploadOpen, CreatedAt: now, UpdatedAt: now}
	return u, s.st.insert(ctx, &u)
}

// GetUpload returns one of the actor organisation's uploads; anyone else's
// is apperr.NotFound, as is a missing one.
func (s *Service) GetUpload(ctx context.Context, actor accounts.Principal, id string) (Upload, error) {
	var us []Upload
	if err := s.db.Conn(ctx).Where("id = ?", id).Limit(1).Find(&us).Error; err != nil {
		return Upload{}, storage.Translate(err)
	}
	if len(us) == 0 || actor.OrgID == 0 || us[0].BidderOrgID != actor.OrgID {
		return Upload{}, uploadNotFound()
	}
	return us[0], nil
}

// wrongOffset tells the client where to resume.
func wrongOffset(expected, got int64) error {
	return apperr.Newf(apperr.Conflict, "分块偏移量应为 %d，收到 %d；请从 %d 继续上传",
		"the chunk must start at offset %d, not %d; resume from %d", expected, got, expected).
		WithCode("wrong_offset").WithField("offset", fmt.Sprintf("expected %d", expected))
}

func notOpen(u Upload) error {
	return apperr.Newf(apperr.Conflict, "上传状态为 %s，不能再追加或提交", "the upload is %s and takes no more chunks or finalize", u.Status).
		WithCode("upload_" + string(u.Status))
}
