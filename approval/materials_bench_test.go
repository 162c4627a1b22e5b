package approval

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"testing"

	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// BenchmarkMaterialUpload streams an 8 MiB material through PutMaterial
// (role and state checks, SM3 while streaming, the blob, the row, the
// event: "platform") beside the baseline doing only the necessary work,
// the same bytes saved to the same blob store while SM3-hashed ("direct"),
// in one run. Per backend: the filesystem beside SQLite, MinIO beside
// MariaDB (skipped unless configured). Ratios are in BENCHMARKS.md.
func BenchmarkMaterialUpload(b *testing.B) {
	body := make([]byte, 8<<20)
	rand.Read(body)
	for _, be := range dbtest.Backends() {
		b.Run(string(be), func(b *testing.B) {
			e := newEnv(b, be)
			c := e.apply(b, applicant, e.saveItem(b, e.permitItem()).Code)
			b.Run("direct", func(b *testing.B) { benchDirect(b, e, body) })
			b.Run("platform", func(b *testing.B) { benchPlatform(b, e, c.ID, body) })
		})
	}
}

func benchPlatform(b *testing.B, e *env, caseID int64, body []byte) {
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := e.svc.PutMaterial(ctx, applicant, caseID, MaterialUpload{Material: "application", FileName: "申请表.pdf",
			Size: int64(len(body)), Body: bytes.NewReader(body)}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchDirect(b *testing.B, e *env, body []byte) {
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	for i := 0; b.Loop(); i++ {
		h := notary.NewSM3()
		if _, err := e.blobs.Save(ctx, fmt.Sprintf("bench/direct/%d", i), io.TeeReader(bytes.NewReader(body), h), int64(len(body))); err != nil {
			b.Fatal(err)
		}
		if len(h.Sum(nil)) != 32 {
			b.Fatal("no SM3 digest")
		}
	}
}
