package notary

import (
	"context"
	"crypto/cipher"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// The benchmarks run each size through the envelope and through the raw
// primitives of the same library, in the same run, so BENCHMARKS.md can
// compare like with like:
//
//	go test ./notary -run '^$' -bench 'Envelope|Raw' -benchtime 2x -count 3
var benchSizes = []struct {
	name string
	size int64
}{{"64MiB", 64 << 20}, {"1GiB", 1 << 30}}

func BenchmarkEnvelopeSeal(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(s.size)
			for b.Loop() {
				if _, err := Seal(context.Background(), io.Discard, newPattern(s.size), testSealOptions(0)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEnvelopeUnseal(b *testing.B) {
	k := envelopeKeys()
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			path := sealedFile(b, s.size)
			b.SetBytes(s.size)
			for b.Loop() {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				_, _, err = Unseal(context.Background(), io.Discard, f, k.bidder, Expect{})
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// sealedFile seals size bytes to a temporary file (not memory: 1 GiB).
func sealedFile(b *testing.B, size int64) string {
	path := filepath.Join(b.TempDir(), "bid.thseal")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := Seal(context.Background(), f, newPattern(size), testSealOptions(0)); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkRawSM4GCM encrypts the same amount in 1 MiB chunks with no
// envelope, no hashing and no I/O: on one core, and split over two
// goroutines (the ceiling for a 2-core seal).
func BenchmarkRawSM4GCM(b *testing.B) {
	for _, cores := range []int{1, 2} {
		for _, s := range benchSizes {
			b.Run(s.name+"/cores="+string(rune('0'+cores)), func(b *testing.B) {
				b.SetBytes(s.size)
				for b.Loop() {
					rawGCM(s.size, cores)
				}
			})
		}
	}
}

// BenchmarkRawSM4GCMAndSM3 is the work a seal cannot avoid — encrypt each
// chunk, then SM3 its ciphertext — on two goroutines with no envelope, no
// I/O and no ordering: the real ceiling of a 2-core seal.
func BenchmarkRawSM4GCMAndSM3(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name+"/cores=2", func(b *testing.B) {
			b.SetBytes(s.size)
			for b.Loop() {
				rawGCMAndSM3(s.size, 2)
			}
		})
	}
}

func rawGCM(size int64, cores int) { rawChunks(size, cores, false) }

func rawGCMAndSM3(size int64, cores int) { rawChunks(size, cores, true) }

func rawChunks(size int64, cores int, hash bool) {
	var wg sync.WaitGroup
	chunks := size / DefaultChunkSize
	for c := range cores {
		wg.Go(func() {
			block, _ := sm4.NewCipher(make([]byte, 16))
			aead, _ := cipher.NewGCM(block)
			buf := make([]byte, DefaultChunkSize, DefaultChunkSize+TagSize)
			var nonce [12]byte
			for i := int64(c); i < chunks; i += int64(cores) {
				nonce[10] = byte(i)
				ct := aead.Seal(buf[:0], nonce[:], buf, nil)
				if hash {
					sm3.Sum(ct)
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkRawSM3 hashes the same amount as one stream on one core.
func BenchmarkRawSM3(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			buf := make([]byte, DefaultChunkSize)
			b.SetBytes(s.size)
			for b.Loop() {
				h := sm3.New()
				for range s.size / DefaultChunkSize {
					h.Write(buf)
				}
				h.Sum(nil)
			}
		})
	}
}
