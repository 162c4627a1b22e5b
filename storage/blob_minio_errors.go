package storage

import (
	"context"
	"errors"
	"io"

	"github.com/minio/minio-go/v7"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// minioError classifies an error of minio-go for key ("" when the request
// concerned no single object). Only what the caller can act on gets its
// own kind; everything else the server or the network says — denied
// credentials, a missing bucket, a full disk, a refused connection — means
// the store cannot serve now: Unavailable.
func minioError(err error, key string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return blobCanceled(err)
	}
	if _, ok := apperr.As(err); ok {
		return err
	}
	switch code := minio.ToErrorResponse(err).Code; code {
	case "NoSuchKey":
		return apperr.Wrap(err, apperr.NotFound,
			"对象 "+key+" 不存在", "blob "+key+" does not exist")
	case "InvalidRange":
		return apperr.Wrap(err, apperr.Invalid,
			"读取范围超出对象 "+key+" 的大小", "the range lies outside blob "+key)
	case "InvalidBucketName", "XMinioInvalidObjectName", "KeyTooLongError":
		return apperr.Wrap(err, apperr.Invalid,
			"MinIO 拒绝了该存储桶名或对象键", "MinIO refused the bucket name or blob key")
	case "PreconditionFailed":
		return apperr.Wrap(err, apperr.Conflict,
			"对象 "+key+" 在读取时被替换，请重试", "blob "+key+" was replaced while being read; try again")
	case "EntityTooLarge":
		return apperr.Wrap(err, apperr.TooLarge,
			"对象超过 MinIO 的大小上限", "the blob is larger than MinIO accepts")
	case "":
		return apperr.Wrap(err, apperr.Unavailable,
			"无法连接 MinIO 对象存储", "cannot reach the MinIO blob store")
	}
	return apperr.Wrap(err, apperr.Unavailable,
		"MinIO 对象存储拒绝了请求", "the MinIO blob store refused the request")
}

// minioReader streams an object and classifies minio-go's errors.
type minioReader struct {
	obj *minio.Object
	key string
}

// Read implements io.Reader.
func (r *minioReader) Read(p []byte) (int, error) {
	n, err := r.obj.Read(p)
	if err != nil && err != io.EOF {
		err = minioError(err, r.key)
	}
	return n, err
}

// Close implements io.Closer.
func (r *minioReader) Close() error { return r.obj.Close() }
