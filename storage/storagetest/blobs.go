package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/internal/testenv"
	"github.com/tenderhall/tenderhall/storage"
)

// Blobs returns the blob store that goes with backend b, as deployed: the
// filesystem beside SQLite (the embedded default), and a fresh MinIO
// bucket beside MySQL (the real servers), removed with everything in it
// when t ends. The MinIO store skips, or fails under CI=true, when
// TENDERHALL_TEST_MINIO is unset.
func Blobs(t testing.TB, b dbtest.Backend) storage.Blobs {
	t.Helper()
	if b != dbtest.MySQL {
		fs, err := storage.NewFS(t.TempDir(), storage.PresignConfig{})
		if err != nil {
			t.Fatal(err)
		}
		return fs
	}
	s, _ := MinIO(t, MinIOConfig(t))
	return s
}

// MinIO returns a store on a fresh random bucket of the server cfg names,
// removed with everything in it when t ends, and cfg naming the bucket.
func MinIO(t testing.TB, cfg storage.MinIOConfig) (*storage.MinIO, storage.MinIOConfig) {
	t.Helper()
	var r [6]byte
	_, _ = rand.Read(r[:])
	cfg.Bucket = "th-test-" + hex.EncodeToString(r[:])
	s, err := storage.NewMinIO(context.Background(), cfg)
	if err != nil {
		t.Fatalf("NewMinIO: %v", err)
	}
	t.Cleanup(func() {
		// The test's context is already cancelled when cleanup runs.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.RemoveBucket(ctx); err != nil {
			t.Errorf("removing test bucket %s: %v", cfg.Bucket, err)
		}
	})
	return s, cfg
}

// MinIOConfig reads the test server from TENDERHALL_TEST_MINIO
// (http://ACCESS:SECRET@host:port), without a bucket; it skips, or fails
// under CI=true, when the variable is unset.
func MinIOConfig(t testing.TB) storage.MinIOConfig {
	t.Helper()
	raw := testenv.Require(t, testenv.MinIOVar)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User == nil {
		t.Fatalf("%s = %q: want http://ACCESS:SECRET@host:port", testenv.MinIOVar, raw)
	}
	secret, _ := u.User.Password()
	return storage.MinIOConfig{Endpoint: u.Host, AccessKey: u.User.Username(), SecretKey: secret, UseSSL: u.Scheme == "https"}
}
