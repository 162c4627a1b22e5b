package storage

import (
	"context"
	"io"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Blobs stores immutable objects — sealed bids, tender documents, reports —
// by key, such as "bids/<section>/<id>.the" or "docs/<project>/<name>.pdf".
// Two implementations exist: FS (the embedded default, a local directory)
// and MinIO (production). Both pass the same conformance suite in
// storage/blobtest, so callers never need to know which one they hold.
//
// Every method rejects a malformed key with apperr.Invalid (see
// ValidateBlobKey) and, when ctx ends first, returns an apperr.Unavailable
// error that still matches context.Canceled or context.DeadlineExceeded
// with errors.Is.
type Blobs interface {
	// Save streams r to key and returns what was stored. size is the exact
	// number of bytes r yields, or negative when unknown. The object appears
	// under key only once it is complete, replacing any previous one
	// atomically: readers see the old object or the new one, never a mix.
	// When r fails, yields a different length than size, or ctx ends, Save
	// leaves no new object behind (any previous one stays intact).
	// Errors: Invalid (bad key; size mismatch; r failed, wrapped so that
	// errors.Is finds r's error — unless r's error is already an
	// *apperr.Error, which is returned as is), TooLarge (r is an
	// http.MaxBytesReader over its limit), Conflict (FS only: the key is a
	// folder of other keys, or one of its folders is a key), Unavailable.
	Save(ctx context.Context, key string, r io.Reader, size int64) (BlobInfo, error)

	// Open reads length bytes of key from offset, or everything from offset
	// when length is negative; the caller closes the reader. The bytes all
	// come from one version of the object: a reader open while key is
	// overwritten or deleted keeps yielding the old bytes (FS) or may fail
	// (MinIO), but never mixes versions. Errors: Invalid (bad key, or a
	// range outside the object: negative offset, offset past the end, or
	// offset+length past the end), NotFound, Conflict (MinIO: key was
	// replaced twice while being opened), Unavailable; reads may fail with
	// Unavailable.
	Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)

	// Stat describes key. Errors: Invalid, NotFound, Unavailable.
	Stat(ctx context.Context, key string) (BlobInfo, error)

	// Delete removes key; deleting a missing key is not an error, so a
	// retried Delete succeeds. Errors: Invalid, Unavailable.
	Delete(ctx context.Context, key string) error

	// List describes every object whose key starts with prefix (a plain
	// string prefix, as in S3: "docs/a" matches "docs/a/1" and "docs/ab"),
	// sorted by key in byte order. An empty prefix lists everything; no
	// match gives an empty, non-nil slice. Errors: Invalid (a prefix no
	// valid key can start with), Unavailable.
	List(ctx context.Context, prefix string) ([]BlobInfo, error)

	// PresignGet returns a URL that downloads key without further
	// authentication until ttl has passed (1 s ≤ ttl ≤ MaxPresignTTL).
	// Errors: Invalid (bad key or ttl), NotFound, Unavailable.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)

	// Ping reports whether the store can serve requests, for /readyz.
	// Errors: Unavailable.
	Ping(ctx context.Context) error

	Multipart
}

// BlobInfo describes a stored object.
type BlobInfo struct {
	Key     string    // the object's key
	Size    int64     // its length in bytes
	ModTime time.Time // when it was last saved, in UTC; precision depends on the backend
}

// MaxPresignTTL is the longest lifetime PresignGet accepts: the S3 protocol
// caps presigned URLs at seven days, and FS keeps the same limit so that
// both backends behave alike.
const MaxPresignTTL = 7 * 24 * time.Hour

// blobPartSize is the part size of MinIO multipart uploads and so the
// memory one streaming Save of unknown length holds at a time.
const blobPartSize = 16 << 20

// Compile-time checks that both backends implement Blobs.
var (
	_ Blobs = (*FS)(nil)
	_ Blobs = (*MinIO)(nil)
)

// checkBlobTTL rejects presign lifetimes the S3 protocol would refuse.
func checkBlobTTL(ttl time.Duration) error {
	if ttl < time.Second || ttl > MaxPresignTTL {
		return apperr.Newf(apperr.Invalid,
			"下载链接有效期须在 1 秒到 7 天之间，当前为 %s",
			"a download link must live between 1 second and 7 days, not %s", ttl)
	}
	return nil
}

// blobRange checks a read of length bytes (negative: to the end) at offset
// in an object of size bytes and returns the number of bytes to read.
func blobRange(key string, size, offset, length int64) (int64, error) {
	if offset < 0 || offset > size || (length >= 0 && length > size-offset) {
		return 0, apperr.Newf(apperr.Invalid,
			"读取范围（偏移 %d，长度 %d）超出对象 %q 的大小 %d",
			"the range (offset %d, length %d) lies outside object %q of %d bytes",
			offset, length, key, size).WithField("range", "outside the object")
	}
	if length < 0 {
		return size - offset, nil
	}
	return length, nil
}

// blobCtxErr returns ctx's error as an apperr, or nil while ctx is live.
func blobCtxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return blobCanceled(err)
	}
	return nil
}

// blobCanceled classifies the end of a context. Unavailable suits both
// causes: a deadline means the store was too slow, and a cancelled caller
// no longer reads the answer. The cause stays wrapped for errors.Is.
func blobCanceled(err error) error {
	return apperr.Wrap(err, apperr.Unavailable,
		"存储操作已取消或超时，请重试", "the storage operation was cancelled or timed out; try again")
}

// ReadAll reads the whole object at key, for the small documents (records,
// reports, notices) served in one piece. Errors: those of Open and of the
// read.
func ReadAll(ctx context.Context, b Blobs, key string) ([]byte, error) {
	rc, err := b.Open(ctx, key, 0, -1)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}
