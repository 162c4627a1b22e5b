package storage_test

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/tenderhall/tenderhall/internal/testenv"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// BenchmarkBlobSave measures saving a 64 MiB object, of known and of
// unknown length, on each backend. MinIO runs only when its server is
// configured: a benchmark is never a CI gate.
func BenchmarkBlobSave(b *testing.B) {
	const size = 64 << 20
	data := bytes.Repeat([]byte("TenderHall sealed bid chunk 0123"), size/32)
	backends := map[string]func(b *testing.B) storage.Blobs{
		"fs": func(b *testing.B) storage.Blobs {
			s, err := storage.NewFS(b.TempDir(), storage.PresignConfig{})
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
		"minio": func(b *testing.B) storage.Blobs {
			if os.Getenv(testenv.MinIOVar) == "" {
				b.Skipf("%s not set", testenv.MinIOVar)
			}
			s, _ := storagetest.MinIO(b, storagetest.MinIOConfig(b))
			return s
		},
	}
	for _, name := range []string{"fs", "minio"} {
		for _, mode := range []struct {
			name string
			size int64
		}{{"known", size}, {"stream", -1}} {
			b.Run(name+"/"+mode.name, func(b *testing.B) {
				s := backends[name](b)
				b.SetBytes(size)
				for b.Loop() {
					r := io.Reader(bytes.NewReader(data))
					if _, err := s.Save(b.Context(), "bench/obj", r, mode.size); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
