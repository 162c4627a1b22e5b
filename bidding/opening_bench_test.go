package bidding

// BenchmarkOpening measures issue 5's opening performance: "Opening 100
// bids of 20 MiB each: decrypt + verify runs at ≥ 80% of the raw SM4-GCM
// open rate on all cores, measured in the same benchmark run."
//
//	go test ./bidding -run '^$' -bench Opening -benchtime 2x
//
// TH_BENCH_OPEN_N (bids, default 100) and TH_BENCH_OPEN_BYTES (plaintext
// per bid, default 20 MiB) scale it. Before the timer, every bidder's
// envelope is sealed (1 MiB chunks) and stored in an FS blob store with its
// bid row, the deadline opens the room and everyone signs in. Then:
//
//   - raw-sm4gcm-open: SM4-GCM Open of the same number of 1 MiB chunks on
//     GOMAXPROCS goroutines — no envelope, no hashing, no I/O: the baseline;
//   - platform-decrypt: Service.Decrypt of every bid, GOMAXPROCS requests at
//     a time, each of which reads the envelope from disk, checks the key
//     commitment, opens every chunk, computes the SM3 chunk tree, checks the
//     digest and the bidder's SM2 signature, and reads the bid form.
//
// Both report MB/s of plaintext; the ratio is platform / raw.

import (
	"bytes"
	"context"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emmansun/gmsm/sm4"

	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

func BenchmarkOpening(b *testing.B) {
	n := int(concEnvInt(b, "TH_BENCH_OPEN_N", 100))
	size := concEnvInt(b, "TH_BENCH_OPEN_BYTES", 20<<20)
	total := int64(n) * size
	b.Run("raw-sm4gcm-open", func(b *testing.B) {
		b.SetBytes(total)
		block, _ := sm4.NewCipher(make([]byte, 16))
		aead, _ := cipher.NewGCM(block)
		ct := aead.Seal(nil, make([]byte, 12), make([]byte, notary.DefaultChunkSize), nil)
		chunks := total / notary.DefaultChunkSize
		cores := runtime.GOMAXPROCS(0)
		for b.Loop() {
			var wg sync.WaitGroup
			for c := range cores {
				wg.Go(func() {
					block, _ := sm4.NewCipher(make([]byte, 16))
					aead, _ := cipher.NewGCM(block)
					buf := make([]byte, notary.DefaultChunkSize)
					for i := int64(c); i < chunks; i += int64(cores) {
						if _, err := aead.Open(buf[:0], make([]byte, 12), ct, nil); err != nil {
							panic(err)
						}
					}
				})
			}
			wg.Wait()
		}
	})
	b.Run("platform-decrypt", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			b.StopTimer()
			f, deks := openBenchFixture(b, n, size)
			b.StartTimer()
			sem := make(chan struct{}, runtime.GOMAXPROCS(0))
			var wg sync.WaitGroup
			for org, dek := range deks {
				sem <- struct{}{}
				wg.Go(func() {
					defer func() { <-sem }()
					if _, err := f.svc.Decrypt(context.Background(), bidderOf(org), f.sec.ID, dek); err != nil {
						b.Error(err)
					}
				})
			}
			wg.Wait()
		}
	})
}

// openBenchFixture stores n sealed bids of size plaintext bytes, opens the
// room and signs everyone in; it returns each bidder's data key.
func openBenchFixture(b *testing.B, n int, size int64) (*openFixture, map[int64]string) {
	b.Helper()
	f := &openFixture{upFixture: newUpFixture(b, dbtest.SQLite, n-1)}
	fields, _ := notary.NewFieldCipher(bytes.Repeat([]byte{7}, notary.FieldKeySize))
	f.svc.SetFieldCipher(fields)
	f.sec = f.announced(b, false, testDeadline)
	ctx := context.Background()
	deks := map[int64]string{}
	pkg := benchPackage(b, size)
	for i := 0; i < n; i++ {
		org := int64(4 + i)
		var env bytes.Buffer
		res, err := notary.Seal(ctx, &env, bytes.NewReader(pkg), notary.SealOptions{Signer: f.keys[org],
			Recipients: []*notary.PublicKey{f.keys[org].Public()},
			Meta:       notary.Metadata{Project: itoa64(f.sec.ProjectID), Section: itoa64(f.sec.ID), Bidder: itoa64(org), SealedAt: f.clock.Now()}})
		if err != nil {
			b.Fatal(err)
		}
		key := "bids/" + itoa64(f.sec.ID) + "/bench-" + strconv.Itoa(i) + ".the"
		if _, err := f.blobs.Save(ctx, key, bytes.NewReader(env.Bytes()), int64(env.Len())); err != nil {
			b.Fatal(err)
		}
		if err := f.svc.st.insert(ctx, &Bid{SectionID: f.sec.ID, BidderOrgID: org, UserID: 100 + org, UploadID: "bench-" + strconv.Itoa(i),
			BlobKey: key, Digest: res.Digest.String(), Size: int64(env.Len()), Status: BidCurrent, ReceivedAt: f.clock.Now(), Receipt: []byte("{}")}); err != nil {
			b.Fatal(err)
		}
		dek, err := notary.UnwrapDEK(res.Header, f.keys[org])
		if err != nil {
			b.Fatal(err)
		}
		deks[org] = hex.EncodeToString(dek)
	}
	f.clock.Set(testDeadline.Add(-time.Minute))
	for org := range deks {
		c, err := f.svc.NewChallenge(ctx, bidderOf(org), f.sec.ID)
		if err != nil {
			b.Fatal(err)
		}
		sig, _ := f.keys[org].Sign(SignInMessage(f.sec.ID, c.Nonce))
		if _, err := f.svc.SignIn(ctx, bidderOf(org), f.sec.ID, c.ID, base64.StdEncoding.EncodeToString(sig)); err != nil {
			b.Fatal(err)
		}
	}
	f.clock.Set(testDeadline)
	if _, s, err := f.svc.CloseIfDue(ctx, f.sec.ID); err != nil || s.State != StateOpening {
		b.Fatalf("opening: %v %v", s.State, err)
	}
	return f, deks
}

// benchPackage is a bid package of about size bytes.
func benchPackage(b *testing.B, size int64) []byte {
	var pkg bytes.Buffer
	doc := bytes.Repeat([]byte("投标文件技术部分"), int(size)/24+1)[:size]
	if err := WriteBidPackage(&pkg, BidForm{PriceFen: 100, DurationDays: 1}, []BidDocument{{Name: "doc.bin", Size: size, Body: bytes.NewReader(doc)}}); err != nil {
		b.Fatal(err)
	}
	return pkg.Bytes()
}
