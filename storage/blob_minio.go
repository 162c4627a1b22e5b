package storage

import (
	"context"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// minioRetries bounds minio-go's retries of one request (its default is 10
// with back-off), so that Ping answers /readyz promptly when MinIO is down.
const minioRetries = 3

// MinIOConfig locates the bucket a MinIO store keeps its objects in.
type MinIOConfig struct {
	Endpoint  string // host:port of the S3 API, without a scheme
	AccessKey string // access key (user name)
	SecretKey string // secret key (password)
	Bucket    string // bucket name; created when missing
	UseSSL    bool   // talk HTTPS rather than HTTP
	Region    string // bucket region; empty means the server's default (us-east-1)
}

// MinIO is the production Blobs store: one bucket of a MinIO (or other
// S3-compatible) server. It is safe for concurrent use by any number of
// goroutines and replicas.
type MinIO struct {
	client *minio.Client
	bucket string
	region string
}

// NewMinIO connects to the server cfg names and creates the bucket when it
// does not exist yet. Errors: Invalid (missing endpoint or bucket, or a
// malformed endpoint or bucket name), Unavailable (the server cannot be
// reached or refuses the credentials).
func NewMinIO(ctx context.Context, cfg MinIOConfig) (*MinIO, error) {
	m, err := NewMinIOClient(cfg)
	if err != nil {
		return nil, err
	}
	if err := m.EnsureBucket(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// NewMinIOClient checks cfg and returns a store without contacting the
// server, for a service that must start while MinIO is still down; call
// EnsureBucket once it is up. Errors: Invalid, as for NewMinIO.
func NewMinIOClient(cfg MinIOConfig) (*MinIO, error) {
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return nil, apperr.New(apperr.Invalid,
			"MinIO 配置缺少地址或存储桶名", "the MinIO configuration lacks an endpoint or a bucket name")
	}
	// Checked here because a request with a malformed name would only fail
	// as an unhelpful network or server error.
	if err := s3utils.CheckValidBucketNameStrict(cfg.Bucket); err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "MinIO 存储桶名无效", "the MinIO bucket name is not valid")
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     cfg.UseSSL,
		Region:     cfg.Region,
		MaxRetries: minioRetries,
	})
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "MinIO 地址无效", "the MinIO endpoint is not valid")
	}
	return &MinIO{client: client, bucket: cfg.Bucket, region: cfg.Region}, nil
}

// EnsureBucket creates the bucket unless it exists. Two replicas starting
// together may race to create it; the loser's "already yours" is success.
// It returns apperr.Unavailable when the server cannot be reached.
func (m *MinIO) EnsureBucket(ctx context.Context) error {
	region := m.region
	ok, err := m.client.BucketExists(ctx, m.bucket)
	if err != nil {
		return minioError(err, "")
	}
	if ok {
		return nil
	}
	err = m.client.MakeBucket(ctx, m.bucket, minio.MakeBucketOptions{Region: region})
	if err != nil && minio.ToErrorResponse(err).Code != "BucketAlreadyOwnedByYou" {
		return minioError(err, "")
	}
	return nil
}

// RemoveBucket deletes the bucket with every object, version and
// unfinished upload in it: for throwaway test buckets, never called by the
// platform itself. It returns apperr.Unavailable when the server cannot be
// reached.
func (m *MinIO) RemoveBucket(ctx context.Context) error {
	if err := m.client.RemoveBucketWithOptions(ctx, m.bucket, minio.RemoveBucketOptions{ForceDelete: true}); err != nil {
		return minioError(err, "")
	}
	return nil
}

// Save implements Blobs.Save. S3 publishes an object only when its upload
// completes, which gives the atomic replacement; an unknown size streams
// as a multipart upload in blobPartSize parts, which minio-go aborts when
// the upload fails, so memory stays bounded and no part lingers.
func (m *MinIO) Save(ctx context.Context, key string, r io.Reader, size int64) (BlobInfo, error) {
	if err := ValidateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	if err := blobCtxErr(ctx); err != nil {
		return BlobInfo{}, err
	}
	src := newBlobSource(ctx, r, size)
	if err := src.precheck(); err != nil {
		return BlobInfo{}, err
	}
	info, err := m.client.PutObject(ctx, m.bucket, key, src, size, minio.PutObjectOptions{
		PartSize:    blobPartSize,
		ContentType: "application/octet-stream",
	})
	if err != nil {
		return BlobInfo{}, blobSaveError(ctx, src, err, func(err error) error { return minioError(err, key) })
	}
	mod := info.LastModified
	if mod.IsZero() { // a single PUT's answer carries no date; the server's is within the round trip
		mod = time.Now()
	}
	return BlobInfo{Key: key, Size: info.Size, ModTime: mod.UTC()}, nil
}

// Open implements Blobs.Open. It stats the object first: the range must be
// checked against the size, and an empty range cannot be asked of S3. The
// GET then requires the same ETag, so the bytes come from the object that
// was measured; if it was overwritten in between, Open starts over once.
func (m *MinIO) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := ValidateBlobKey(key); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		rc, err := m.open(ctx, key, offset, length)
		if apperr.Is(err, apperr.Conflict) && attempt == 0 {
			continue
		}
		return rc, err
	}
}

// open is one attempt of Open.
func (m *MinIO) open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	oi, err := m.client.StatObject(ctx, m.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return nil, minioError(err, key)
	}
	n, err := blobRange(key, oi.Size, offset, length)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return io.NopCloser(strings.NewReader("")), nil
	}
	var opts minio.GetObjectOptions
	if err := opts.SetMatchETag(oi.ETag); err != nil {
		return nil, minioError(err, key)
	}
	if offset > 0 || n < oi.Size {
		if err := opts.SetRange(offset, offset+n-1); err != nil {
			return nil, minioError(err, key)
		}
	}
	obj, err := m.client.GetObject(ctx, m.bucket, key, opts)
	if err == nil {
		_, err = obj.Stat() // sends the GET now, so its errors surface here
	}
	if err != nil {
		if obj != nil {
			_ = obj.Close()
		}
		return nil, minioError(err, key)
	}
	return &minioReader{obj: obj, key: key}, nil
}

// Stat implements Blobs.Stat.
func (m *MinIO) Stat(ctx context.Context, key string) (BlobInfo, error) {
	if err := ValidateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	oi, err := m.client.StatObject(ctx, m.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return BlobInfo{}, minioError(err, key)
	}
	return BlobInfo{Key: key, Size: oi.Size, ModTime: oi.LastModified.UTC()}, nil
}

// Delete implements Blobs.Delete; S3 already treats a missing key as done.
func (m *MinIO) Delete(ctx context.Context, key string) error {
	if err := ValidateBlobKey(key); err != nil {
		return err
	}
	err := m.client.RemoveObject(ctx, m.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != "NoSuchKey" {
		return minioError(err, key)
	}
	return nil
}

// List implements Blobs.List with a recursive listing, which S3 returns in
// key order already; the sort only guards against other servers.
func (m *MinIO) List(ctx context.Context, prefix string) ([]BlobInfo, error) {
	if err := validateBlobPrefix(prefix); err != nil {
		return nil, err
	}
	// Cancelling stops minio-go's listing goroutine if we return early.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := []BlobInfo{}
	for oi := range m.client.ListObjects(ctx, m.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if oi.Err != nil {
			return nil, minioError(oi.Err, "")
		}
		out = append(out, BlobInfo{Key: oi.Key, Size: oi.Size, ModTime: oi.LastModified.UTC()})
	}
	if err := blobCtxErr(ctx); err != nil {
		return nil, err // a cancelled listing ends early without an error item
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// PresignGet implements Blobs.PresignGet with an S3 V4 presigned GET. The
// URL names the endpoint as configured, so clients must be able to reach it.
func (m *MinIO) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := ValidateBlobKey(key); err != nil {
		return "", err
	}
	if err := checkBlobTTL(ttl); err != nil {
		return "", err
	}
	if _, err := m.Stat(ctx, key); err != nil {
		return "", err
	}
	u, err := m.client.PresignedGetObject(ctx, m.bucket, key, ttl, nil)
	if err != nil {
		return "", minioError(err, key)
	}
	return u.String(), nil
}

// Ping implements Blobs.Ping: the server must answer and the bucket exist.
func (m *MinIO) Ping(ctx context.Context) error {
	ok, err := m.client.BucketExists(ctx, m.bucket)
	if err != nil {
		return minioError(err, "")
	}
	if !ok {
		return apperr.Newf(apperr.Unavailable,
			"MinIO 存储桶 %s 不存在", "the MinIO bucket %s does not exist", m.bucket)
	}
	return nil
}
