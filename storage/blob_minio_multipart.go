package storage

import (
	"context"
	"io"
	"time"

	"github.com/minio/minio-go/v7"
)

// CreateMultipart implements Multipart.CreateMultipart.
func (m *MinIO) CreateMultipart(ctx context.Context, key string) (string, error) {
	if err := ValidateBlobKey(key); err != nil {
		return "", err
	}
	id, err := minio.Core{Client: m.client}.NewMultipartUpload(ctx, m.bucket, key,
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	return id, minioError(err, key)
}

// PutPart implements Multipart.PutPart: the bytes stream from r to MinIO
// as they are read, with no buffering beyond the HTTP client's.
func (m *MinIO) PutPart(ctx context.Context, key, uploadID string, number int, r io.Reader, size int64) (Part, error) {
	if err := ValidateBlobKey(key); err != nil {
		return Part{}, err
	}
	if err := checkPartNumber(number, size); err != nil {
		return Part{}, err
	}
	src := newBlobSource(ctx, r, size)
	if err := src.precheck(); err != nil {
		return Part{}, err
	}
	p, err := minio.Core{Client: m.client}.PutObjectPart(ctx, m.bucket, key, uploadID, number, src, size, minio.PutObjectPartOptions{})
	if err != nil {
		return Part{}, blobSaveError(ctx, src, err, func(err error) error { return minioPartError(err, key, uploadID) })
	}
	return Part{Number: number, ETag: p.ETag, Size: size}, nil
}

// CompleteMultipart implements Multipart.CompleteMultipart. S3 assembles
// the object from the stored parts without sending their bytes again.
func (m *MinIO) CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) (BlobInfo, error) {
	if err := ValidateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	if err := checkPartList(parts); err != nil {
		return BlobInfo{}, err
	}
	list := make([]minio.CompletePart, len(parts))
	var size int64
	for i, p := range parts {
		list[i] = minio.CompletePart{PartNumber: p.Number, ETag: p.ETag}
		size += p.Size
	}
	info, err := minio.Core{Client: m.client}.CompleteMultipartUpload(ctx, m.bucket, key, uploadID, list,
		minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return BlobInfo{}, minioPartError(err, key, uploadID)
	}
	mod := info.LastModified
	if mod.IsZero() {
		mod = time.Now()
	}
	return BlobInfo{Key: key, Size: size, ModTime: mod.UTC()}, nil
}

// AbortMultipart implements Multipart.AbortMultipart.
func (m *MinIO) AbortMultipart(ctx context.Context, key, uploadID string) error {
	if err := ValidateBlobKey(key); err != nil {
		return err
	}
	var err error
	if uploadID == "" {
		err = m.client.RemoveIncompleteUpload(ctx, m.bucket, key)
	} else {
		err = minio.Core{Client: m.client}.AbortMultipartUpload(ctx, m.bucket, key, uploadID)
	}
	if err != nil && minio.ToErrorResponse(err).Code == "NoSuchUpload" {
		return nil
	}
	return minioError(err, key)
}

// minioPartError classifies the errors particular to multipart uploads.
func minioPartError(err error, key, uploadID string) error {
	switch minio.ToErrorResponse(err).Code {
	case "NoSuchUpload":
		return errNoUpload(uploadID)
	case "EntityTooSmall", "InvalidPart", "InvalidPartOrder":
		return errPartMismatchAny(err)
	}
	return minioError(err, key)
}
