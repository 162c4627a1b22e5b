package storage_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"testing/iotest"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/blobtest"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

func TestBlobMinIOConformance(t *testing.T) {
	cfg := storagetest.MinIOConfig(t)
	blobtest.Run(t, func(t *testing.T) storage.Blobs {
		s, _ := storagetest.MinIO(t, cfg)
		return s
	})
}

// blobMinIOClient returns a raw client, to look behind the store's back.
func blobMinIOClient(t testing.TB, cfg storage.MinIOConfig) *minio.Client {
	t.Helper()
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseSSL,
	})
	if err != nil {
		t.Fatalf("minio client: %v", err)
	}
	return client
}

// A streamed Save that fails after its first 16 MiB part was uploaded, by
// the reader or by cancellation, must abort the multipart upload rather
// than leave parts occupying the disk.
func TestBlobMinIOFailedSaveAbortsUpload(t *testing.T) {
	s, cfg := storagetest.MinIO(t, storagetest.MinIOConfig(t))
	injected := errors.New("injected")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	cancelling := blobReaderFunc(func([]byte) (int, error) { cancel(); return 0, nil })
	for key, r := range map[string]io.Reader{
		"fail/reader": io.MultiReader(io.LimitReader(blobZeros{}, 17<<20), iotest.ErrReader(injected)),
		"fail/cancel": io.MultiReader(io.LimitReader(blobZeros{}, 17<<20), cancelling, blobZeros{}),
	} {
		if _, err := s.Save(ctx, key, r, -1); err == nil {
			t.Fatalf("Save(%s) succeeded", key)
		}
	}
	for u := range blobMinIOClient(t, cfg).ListIncompleteUploads(t.Context(), cfg.Bucket, "", true) {
		t.Errorf("multipart upload left behind: %+v", u)
	}
}

// blobZeros yields zero bytes without end.
type blobZeros struct{}

func (blobZeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// blobReaderFunc adapts a function to io.Reader.
type blobReaderFunc func([]byte) (int, error)

func (f blobReaderFunc) Read(p []byte) (int, error) { return f(p) }

func TestBlobMinIOPingWithoutBucket(t *testing.T) {
	s, cfg := storagetest.MinIO(t, storagetest.MinIOConfig(t))
	client := blobMinIOClient(t, cfg)
	if err := client.RemoveBucket(t.Context(), cfg.Bucket); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("Ping after the bucket vanished: %v, want Unavailable", err)
	}
	// Put the bucket back for the cleanup to remove.
	if err := client.MakeBucket(t.Context(), cfg.Bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestBlobMinIOBadCredentials(t *testing.T) {
	cfg := storagetest.MinIOConfig(t)
	cfg.SecretKey += "-wrong"
	cfg.Bucket = "th-test-badcreds"
	if _, err := storage.NewMinIO(t.Context(), cfg); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("NewMinIO with a wrong secret: %v, want Unavailable", err)
	}
}

// These need no server.
func TestBlobMinIOConfigErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	for _, tc := range []struct {
		name string
		cfg  storage.MinIOConfig
		want apperr.Kind
	}{
		{"no endpoint", storage.MinIOConfig{Bucket: "b"}, apperr.Invalid},
		{"no bucket", storage.MinIOConfig{Endpoint: "127.0.0.1:1"}, apperr.Invalid},
		{"endpoint with a path", storage.MinIOConfig{Endpoint: "127.0.0.1:1/x", Bucket: "bucket"}, apperr.Invalid},
		{"bad bucket name", storage.MinIOConfig{Endpoint: "127.0.0.1:1", Bucket: "Bad_Bucket"}, apperr.Invalid},
		{"unreachable", storage.MinIOConfig{Endpoint: "127.0.0.1:1", Bucket: "bucket"}, apperr.Unavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := storage.NewMinIO(ctx, tc.cfg)
			if !apperr.Is(err, tc.want) {
				t.Fatalf("NewMinIO: %v, want kind %v", err, tc.want)
			}
		})
	}
}
