package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/redis/go-redis/v9"

	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/internal/testenv"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// TestDemoPlayEmbedded plays the whole procurement over HTTP against an
// embedded sandbox (SQLite, local blobs, in-process jobs): every step
// checks its own outcome, `verify log` passes, and the command exits 0.
func TestDemoPlayEmbedded(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole procurement takes a few seconds")
	}
	play(t, nil)
}

// TestDemoPlayOnRealServers plays it on MariaDB, Redis (asynq) and MinIO:
// a fresh database, a Redis database of its own and a fresh bucket.
func TestDemoPlayOnRealServers(t *testing.T) {
	redisAddr := testenv.Require(t, testenv.RedisVar)
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr, DB: 3})
	defer rdb.Close()
	if err := rdb.FlushDB(context.Background()).Err(); err != nil { // the play's fixed task IDs must start unseen
		t.Fatal(err)
	}
	vars := realServerConf(t, "th-play-")
	vars["TENDERHALL_JOBS_KIND"] = "asynq"
	vars["TENDERHALL_REDIS_ADDR"] = redisAddr
	vars["TENDERHALL_REDIS_DB"] = "3"
	play(t, vars)
}

// realServerConf is the TENDERHALL_* settings of a server on MariaDB (a
// fresh database, a random field key) and MinIO (a fresh bucket named
// with prefix, removed at the end); it skips, or fails under CI=true, when
// the servers are not configured.
func realServerConf(t *testing.T, bucketPrefix string) map[string]string {
	t.Helper()
	testenv.Require(t, testenv.MySQLVar)
	m := storagetest.MinIOConfig(t)
	key := make([]byte, 16)
	rand.Read(key)
	bucket := bucketPrefix + hex.EncodeToString(key[:4])
	t.Cleanup(func() { removeBucket(t, m.Endpoint, m.AccessKey, m.SecretKey, bucket) })
	return map[string]string{
		"TENDERHALL_DATABASE_DSN":          dbtest.NewDSN(t, dbtest.MySQL),
		"TENDERHALL_DATABASE_AUTO_MIGRATE": "true",
		"TENDERHALL_SECURITY_FIELD_KEY":    hex.EncodeToString(key),
		"TENDERHALL_BLOBS_KIND":            "minio",
		"TENDERHALL_MINIO_ENDPOINT":        m.Endpoint,
		"TENDERHALL_MINIO_ACCESS_KEY":      m.AccessKey,
		"TENDERHALL_MINIO_SECRET_KEY":      m.SecretKey,
		"TENDERHALL_MINIO_BUCKET":          bucket,
	}
}

func play(t *testing.T, vars map[string]string) {
	out, errOut, err := execute(t, vars, "demo", "play")
	if err != nil {
		t.Fatalf("demo play: %v\n%s\n%s", err, out, errOut)
	}
	for _, want := range []string{"[19]", "OK: the log is consistent", "✓ 演示完成"} {
		if !strings.Contains(out, want) {
			t.Fatalf("demo play's output lacks %q:\n%s", want, out)
		}
	}
}

func removeBucket(t *testing.T, endpoint, access, secret, bucket string) {
	c, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(access, secret, "")})
	if err != nil {
		return
	}
	ctx := context.Background()
	for obj := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err == nil {
			c.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{})
		}
	}
	if err := c.RemoveBucket(ctx, bucket); err != nil {
		t.Logf("remove bucket %s: %v", bucket, err)
	}
}
