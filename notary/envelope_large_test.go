package notary

import (
	"context"
	"io"
	"runtime"
	"testing"
)

// TestOneGiBRoundTripInBoundedMemory seals 1 GiB from a generator into a
// pipe that Unseal reads on the other side, and checks every plaintext
// byte, the digest, and that the whole run allocated far less than the
// data it moved (nothing is held per chunk).
func TestOneGiBRoundTripInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("1 GiB round trip skipped with -short")
	}
	const size = 1 << 30
	k := envelopeKeys()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)

	pr, pw := io.Pipe()
	type sealed struct {
		res *SealResult
		err error
	}
	done := make(chan sealed, 1)
	go func() {
		opts := testSealOptions(0)
		res, err := Seal(context.Background(), pw, newPattern(size), opts)
		pw.CloseWithError(err)
		done <- sealed{res, err}
	}()
	check := &patternChecker{}
	_, digest, err := Unseal(context.Background(), check, pr, k.escrow, Expect{Signer: k.bidder.Public()})
	s := <-done
	if err != nil || s.err != nil {
		t.Fatalf("unseal: %v; seal: %v", err, s.err)
	}
	if check.off != size || check.bad != 0 {
		t.Fatalf("plaintext: %d bytes, first difference at %d", check.off, check.bad-1)
	}
	if digest != s.res.Digest || s.res.Chunks != size/DefaultChunkSize {
		t.Fatalf("digest %v vs %v, %d chunks", digest, s.res.Digest, s.res.Chunks)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Fatalf("the round trip allocated %d MiB for 1 GiB", alloc>>20)
	}
}
