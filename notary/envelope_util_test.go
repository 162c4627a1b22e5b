package notary

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// envelopeKeys are generated once per test binary: SM2 key generation is
// the slowest part of small tests.
var envelopeKeys = sync.OnceValue(func() (k struct{ bidder, escrow, other *PrivateKey }) {
	var err error
	for _, p := range []**PrivateKey{&k.bidder, &k.escrow, &k.other} {
		if *p, err = GenerateKey(); err != nil {
			panic(err)
		}
	}
	return k
})

func testMeta() Metadata {
	return Metadata{Project: "ZB-2025-001", Section: "标段1", Bidder: "91110000MA01ABCD2X",
		SealedAt: time.UnixMilli(1735689600123), SchemaVersion: "bidform/1"}
}

func testSealOptions(chunk int) SealOptions {
	k := envelopeKeys()
	return SealOptions{Signer: k.bidder, Recipients: []*PublicKey{k.bidder.Public(), k.escrow.Public()},
		Meta: testMeta(), ChunkSize: chunk}
}

func sealBytes(t testing.TB, plaintext []byte, opts SealOptions) []byte {
	t.Helper()
	var out bytes.Buffer
	if _, err := Seal(context.Background(), &out, bytes.NewReader(plaintext), opts); err != nil {
		t.Fatalf("seal: %v", err)
	}
	return out.Bytes()
}

// patternTable is the period of patternReader: a prime-ish length that is
// no multiple of any chunk size, so that no two chunks look alike.
var patternTable = sync.OnceValue(func() []byte {
	b := make([]byte, 1<<20+13)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
})

// patternReader yields n deterministic bytes without holding them.
type patternReader struct{ off, n int64 }

func newPattern(n int64) *patternReader { return &patternReader{n: n} }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	tab := patternTable()
	b = b[:min(int64(len(b)), p.n-p.off)]
	k := 0
	for k < len(b) {
		k += copy(b[k:], tab[(p.off+int64(k))%int64(len(tab)):])
	}
	p.off += int64(k)
	return k, nil
}

// patternChecker compares what is written to it with patternReader's bytes.
type patternChecker struct {
	off int64
	bad int64 // first differing offset + 1, or 0
	buf []byte
}

func (c *patternChecker) Write(b []byte) (int, error) {
	if len(c.buf) < len(b) {
		c.buf = make([]byte, len(b))
	}
	want := c.buf[:len(b)]
	(&patternReader{off: c.off, n: c.off + int64(len(b))}).Read(want)
	if c.bad == 0 && !bytes.Equal(want, b) {
		c.bad = c.off + 1
	}
	c.off += int64(len(b))
	return len(b), nil
}

// codeOf returns the apperr code of err, failing the test if err is not an
// apperr.Invalid.
func codeOf(t testing.TB, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid {
		t.Fatalf("error %v is not apperr.Invalid", err)
	}
	return e.MachineCode()
}

func unsealBytes(env []byte, priv *PrivateKey, expect Expect) ([]byte, error) {
	var out bytes.Buffer
	_, _, err := Unseal(context.Background(), &out, bytes.NewReader(env), priv, expect)
	return out.Bytes(), err
}

func verifyBytes(env []byte, expect Expect) error {
	_, _, err := VerifyEnvelope(context.Background(), bytes.NewReader(env), expect)
	return err
}
