package storage

import (
	"context"
	"fmt"
	"io"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Multipart builds one object from parts sent in separate requests, as S3
// multipart uploads do: a sealed bid arrives in many HTTP requests, each
// streamed straight into a part, and the object appears under its key at
// CompleteMultipart without its bytes being read or copied again (MinIO)
// or with one in-kernel copy (FS). Both backends pass storage/blobtest.
type Multipart interface {
	// CreateMultipart starts an upload that will become key and returns
	// its id. Errors: Invalid (bad key), Unavailable.
	CreateMultipart(ctx context.Context, key string) (string, error)

	// PutPart stores exactly size bytes of r as part number (1 to
	// MaxParts) of the upload; storing a number again replaces that part.
	// A failed PutPart (r failed or was short, ctx ended) stores nothing.
	// Errors: Invalid (bad key or number, negative size, r short or
	// failing — r's own *apperr.Error is returned as is), NotFound (no
	// such upload), Unavailable.
	PutPart(ctx context.Context, key, uploadID string, number int, r io.Reader, size int64) (Part, error)

	// CompleteMultipart publishes the listed parts, in ascending number
	// order, as key — atomically, like Save — and discards the upload with
	// any part not listed. Every part but the last must hold at least
	// MinPartSize bytes. Errors: Invalid (bad key, unordered list, a part
	// too small, a part that is not the one stored), NotFound (no such
	// upload, or it was completed or aborted), Unavailable.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) (BlobInfo, error)

	// AbortMultipart discards an upload and its parts; with uploadID ""
	// it discards every unfinished upload of key. Aborting what does not
	// exist is not an error, so it can be retried. Errors: Invalid,
	// Unavailable.
	AbortMultipart(ctx context.Context, key, uploadID string) error
}

// Part identifies a stored part of a multipart upload.
type Part struct {
	Number int    `json:"n"`    // 1 to MaxParts
	ETag   string `json:"etag"` // the store's tag of the part's content
	Size   int64  `json:"size"` // its length in bytes
}

// The limits of multipart uploads, which are S3's.
const (
	MinPartSize = 5 << 20 // every part but the last holds at least this
	MaxParts    = 10000   // part numbers run from 1 to MaxParts
)

// checkPartNumber rejects a part number S3 would refuse.
func checkPartNumber(number int, size int64) error {
	if number < 1 || number > MaxParts {
		return apperr.Newf(apperr.Invalid, "分片编号须在 1 到 %d 之间，当前为 %d",
			"a part number must lie between 1 and %d, not %d", MaxParts, number)
	}
	if size < 0 {
		return apperr.New(apperr.Invalid, "分片须声明长度", "a part must declare its length")
	}
	return nil
}

// checkPartList rejects a completion list S3 would refuse.
func checkPartList(parts []Part) error {
	if len(parts) == 0 {
		return apperr.New(apperr.Invalid, "至少需要一个分片", "at least one part is required")
	}
	for i, p := range parts {
		if err := checkPartNumber(p.Number, p.Size); err != nil {
			return err
		}
		if i > 0 && p.Number <= parts[i-1].Number {
			return apperr.New(apperr.Invalid, "分片须按编号升序排列", "the parts must be in ascending number order")
		}
		if i < len(parts)-1 && p.Size < MinPartSize {
			return errPartTooSmall(p)
		}
	}
	return nil
}

func errPartTooSmall(p Part) error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("分片 %d 只有 %d 字节；除最后一片外每片至少 %d 字节", p.Number, p.Size, MinPartSize),
		fmt.Sprintf("part %d holds %d bytes; every part but the last needs at least %d", p.Number, p.Size, MinPartSize))
}

func errNoUpload(uploadID string) error {
	return apperr.New(apperr.NotFound, "分片上传 "+uploadID+" 不存在或已结束", "multipart upload "+uploadID+" does not exist or has ended")
}

func errPartMismatch(p Part) error {
	return apperr.New(apperr.Invalid, fmt.Sprintf("分片 %d 与已存储的内容不符", p.Number),
		fmt.Sprintf("part %d is not the one stored", p.Number))
}

func errPartMismatchAny(err error) error {
	return apperr.Wrap(err, apperr.Invalid, "分片与已存储的内容不符或过小", "a part is not the one stored, or is too small")
}
