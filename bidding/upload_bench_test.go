package bidding

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/internal/testenv"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// benchChunkBytes is the size of one AppendUpload call in the platform
// benchmark: the largest chunk the service accepts.
const benchChunkBytes = MaxChunkBytes

// BenchmarkUploadThroughPlatform measures one sealed bid of TH_BENCH_BYTES
// (default 256 MiB) pushed onto MinIO two ways, side by side in one run:
//
//   - direct-put: one storage.MinIO.Save of the envelope, size known;
//   - platform: the bidding service's upload path on the same MinIO —
//     CreateUpload, AppendUpload in 64 MiB chunks, FinalizeUpload (the
//     streaming verifier copying the parts into the bid object, the
//     transaction, the signed receipt, the parts removed).
//
// Both report MB/s of envelope bytes and peak-heap-MiB / heap-above-idle-MiB
// (runtime.MemStats.HeapInuse sampled every 5 ms during the timed loop);
// platform also splits its time into append-s/op and finalize-s/op.
// The database is the embedded default (SQLite). It needs a MinIO server
// (TENDERHALL_TEST_MINIO) and skips without one, even under CI=true: a
// benchmark is never a CI gate. See BENCHMARKS.md for the command.
func BenchmarkUploadThroughPlatform(b *testing.B) {
	if os.Getenv(testenv.MinIOVar) == "" {
		b.Skipf("%s not set", testenv.MinIOVar)
	}
	size := int64(256 << 20)
	if v := os.Getenv("TH_BENCH_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			b.Fatalf("TH_BENCH_BYTES = %q: want a positive byte count", v)
		}
		size = n
	}
	bf := newBenchUpload(b)
	envPath, envSize := bf.sealFile(b, size)
	b.Logf("envelope: %d bytes (%d plaintext), chunks of %d bytes", envSize, size, benchChunkBytes)

	b.Run("direct-put", func(b *testing.B) {
		f, err := os.Open(envPath)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		key := "bench/direct.the"
		b.SetBytes(envSize)
		mem := startHeapSampler()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := bf.blobs.Save(b.Context(), key, io.NewSectionReader(f, 0, envSize), envSize); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		mem.report(b)
		_ = bf.blobs.Delete(context.Background(), key)
	})

	b.Run("platform", func(b *testing.B) {
		f, err := os.Open(envPath)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		ctx := b.Context()
		svc, actor := bf.svc, bidderOf(4)
		b.SetBytes(envSize)
		mem := startHeapSampler()
		var appendDur, finalizeDur time.Duration
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t0 := time.Now()
			u, err := svc.CreateUpload(ctx, actor, bf.sec.ID)
			if err != nil {
				b.Fatal(err)
			}
			for off := int64(0); off < envSize; off += benchChunkBytes {
				n := min(benchChunkBytes, envSize-off)
				if u, err = svc.AppendUpload(ctx, actor, u.ID, off, io.NewSectionReader(f, off, n), n); err != nil {
					b.Fatal(err)
				}
			}
			t1 := time.Now()
			r, err := svc.FinalizeUpload(ctx, actor, u.ID, envSize)
			if err != nil {
				b.Fatal(err)
			}
			appendDur, finalizeDur = appendDur+t1.Sub(t0), finalizeDur+time.Since(t1)
			if r.Receipt.CiphertextSize != envSize {
				b.Fatalf("receipt for %d bytes, want %d", r.Receipt.CiphertextSize, envSize)
			}
			// Keep the disk from filling with superseded bids; not timed.
			b.StopTimer()
			_ = bf.blobs.Delete(context.Background(), "bids/"+strconv.FormatInt(bf.sec.ID, 10)+"/"+u.ID+".the")
			b.StartTimer()
		}
		b.StopTimer()
		mem.report(b)
		b.ReportMetric(appendDur.Seconds()/float64(b.N), "append-s/op")
		b.ReportMetric(finalizeDur.Seconds()/float64(b.N), "finalize-s/op")
	})
}

// benchUpload is the benchmark's world: a service on SQLite with a MinIO
// blob store on a fresh bucket, an announced section and bidder 4's key.
type benchUpload struct {
	svc   *Service
	blobs *storage.MinIO
	key   *notary.PrivateKey
	sec   Section
}

func newBenchUpload(b *testing.B) *benchUpload {
	b.Helper()
	ctx := context.Background()
	cfg := benchMinIOConfig(b)
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	cfg.Bucket = "th-bench-" + hex.EncodeToString(rnd[:])
	blobs, err := storage.NewMinIO(ctx, cfg)
	if err != nil {
		b.Fatalf("NewMinIO: %v", err)
	}
	b.Cleanup(func() { benchRemoveBucket(b, cfg) })

	db := storagetest.Open(b, dbtest.SQLite)
	now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC) // Monday 09:00 Shanghai
	for i, kind := range []string{"agency", "agency", "tenderer", "bidder"} {
		if err := db.Conn(ctx).Exec("INSERT INTO organizations (id, kind, name, region, created_at, updated_at) VALUES (?, ?, ?, '350100', ?, ?)",
			i+1, kind, "org"+kind, now, now).Error; err != nil {
			b.Fatal(err)
		}
	}
	clk := clock.NewFake(now)
	bf := &benchUpload{svc: New(db, eventlog.New(db, clk), clk, &recorder{tasks: map[string]jobs.Task{}}, nil), blobs: blobs}
	platform, err := notary.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	if bf.key, err = notary.GenerateKey(); err != nil {
		b.Fatal(err)
	}
	if err := db.Conn(ctx).Exec("UPDATE organizations SET sm2_public_key = ? WHERE id = 4", bf.key.Public().PEM).Error; err != nil {
		b.Fatal(err)
	}
	bf.svc.SetBlobs(blobs)
	bf.svc.SetPlatformKey(platform)

	agent := accounts.Principal{UserID: 10, OrgID: 1, OrgKind: accounts.OrgAgency, Roles: []accounts.Role{accounts.RoleAgent}}
	tenderer := accounts.Principal{UserID: 12, OrgID: 3, OrgKind: accounts.OrgTenderer, Roles: []accounts.Role{accounts.RoleAgent}}
	p, err := bf.svc.CreateProject(ctx, agent, NewProject{Name: "项目", TendererOrgID: 3})
	if err != nil {
		b.Fatal(err)
	}
	sec, err := bf.svc.CreateSection(ctx, agent, p.ID, NewSection{Code: "B010101", Name: "货物", Kind: Goods, BudgetFen: 100, Rulebook: RulebookProcurement})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := bf.svc.SaveAnnouncement(ctx, agent, sec.ID, AnnouncementInput{Title: "公告", Body: "正文", DocsFrom: now, DocsUntil: now.AddDate(0, 0, 7), Deadline: testDeadline}); err != nil {
		b.Fatal(err)
	}
	if _, err := bf.svc.ApproveAnnouncement(ctx, tenderer, sec.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := bf.svc.PublishAnnouncement(ctx, agent, sec.ID); err != nil {
		b.Fatal(err)
	}
	v, err := bf.svc.GetSection(ctx, agent, sec.ID)
	if err != nil {
		b.Fatal(err)
	}
	bf.sec = v.Section
	return bf
}

// sealFile seals n plaintext bytes for bidder 4 into a temporary file and
// returns its path and size.
func (bf *benchUpload) sealFile(b *testing.B, n int64) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bid.the")
	out, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	res, err := notary.Seal(context.Background(), out, io.LimitReader(benchPattern{}, n), notary.SealOptions{Signer: bf.key,
		Recipients: []*notary.PublicKey{bf.key.Public()},
		Meta: notary.Metadata{Project: strconv.FormatInt(bf.sec.ProjectID, 10), Section: strconv.FormatInt(bf.sec.ID, 10),
			Bidder: "4", SealedAt: time.Unix(1, 0)}})
	if err != nil {
		b.Fatal(err)
	}
	if err := out.Close(); err != nil {
		b.Fatal(err)
	}
	return path, res.Size
}

// benchPattern is an endless plaintext; the ciphertext is random-looking
// whatever it is.
type benchPattern struct{}

func (benchPattern) Read(p []byte) (int, error) {
	const s = "TenderHall sealed bid plaintext "
	for i := range p {
		p[i] = s[i%len(s)]
	}
	return len(p), nil
}

func benchMinIOConfig(b *testing.B) storage.MinIOConfig {
	raw := os.Getenv(testenv.MinIOVar)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User == nil {
		b.Fatalf("%s = %q: want http://ACCESS:SECRET@host:port", testenv.MinIOVar, raw)
	}
	secret, _ := u.User.Password()
	return storage.MinIOConfig{Endpoint: u.Host, AccessKey: u.User.Username(), SecretKey: secret, UseSSL: u.Scheme == "https"}
}

func benchRemoveBucket(b *testing.B, cfg storage.MinIOConfig) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""), Secure: cfg.UseSSL})
	if err != nil {
		b.Errorf("minio client: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := client.RemoveBucketWithOptions(ctx, cfg.Bucket, minio.RemoveBucketOptions{ForceDelete: true}); err != nil {
		b.Errorf("removing bench bucket %s: %v", cfg.Bucket, err)
	}
}

// heapSampler records the peak of HeapInuse from its start until report.
type heapSampler struct {
	idle, peak atomic.Uint64
	stop       chan struct{}
	wg         sync.WaitGroup
}

func startHeapSampler() *heapSampler {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h := &heapSampler{stop: make(chan struct{})}
	h.idle.Store(ms.HeapInuse)
	h.peak.Store(ms.HeapInuse)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > h.peak.Load() {
					h.peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	return h
}

func (h *heapSampler) report(b *testing.B) {
	close(h.stop)
	h.wg.Wait()
	const mib = 1 << 20
	b.ReportMetric(float64(h.peak.Load())/mib, "peak-heap-MiB")
	b.ReportMetric(float64(h.peak.Load()-h.idle.Load())/mib, "heap-above-idle-MiB")
}
