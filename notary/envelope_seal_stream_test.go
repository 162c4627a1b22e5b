package notary

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// sameRandomness makes Seal and SealStream draw the same DEK, nonce prefix,
// wrapped keys and signature. SM2 wrapping and signing are randomised, so
// each result is computed once (really) and handed to both sealers: the
// envelopes must then be byte-identical and still verify.
func sameRandomness(t *testing.T) *sealFixed {
	k := envelopeKeys()
	wrapped := map[int][]byte{}
	signed := map[string][]byte{}
	return &sealFixed{dek: vectorDEK, noncePrefix: vectorNonce,
		wrap: func(i int, pub *PublicKey, dek []byte) ([]byte, error) {
			if wrapped[i] == nil {
				ct, err := pub.Encrypt(dek)
				if err != nil {
					t.Fatal(err)
				}
				wrapped[i] = ct
			}
			return wrapped[i], nil
		},
		sign: func(msg []byte) ([]byte, error) {
			if signed[string(msg)] == nil {
				sig, err := k.bidder.Sign(msg)
				if err != nil {
					t.Fatal(err)
				}
				signed[string(msg)] = sig
			}
			return signed[string(msg)], nil
		}}
}

// streamSeal feeds plaintext to a SealStream in writes of step bytes.
func streamSeal(t *testing.T, plaintext []byte, step int, opts SealOptions) ([]byte, *SealResult) {
	t.Helper()
	st, env, err := NewSealStream(opts)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(plaintext); off += step {
		out, err := st.Write(plaintext[off:min(off+step, len(plaintext))])
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, out...)
	}
	tail, res, err := st.Close()
	if err != nil {
		t.Fatal(err)
	}
	return append(env, tail...), res
}

// TestSealStreamMatchesSeal: for inputs around chunk boundaries and writes
// of many sizes, the incremental sealer writes exactly Seal's envelope, which
// verifies and unseals to the plaintext with the recipient keys.
func TestSealStreamMatchesSeal(t *testing.T) {
	const cs = 1024
	k := envelopeKeys()
	sizes := []int{0, 1, cs - 1, cs, cs + 1, 3 * cs, 3*cs + 7}
	steps := []int{1, 7, cs, cs + 1, 4 * cs}
	for _, n := range sizes {
		plaintext := make([]byte, n)
		io.ReadFull(&patternReader{n: int64(n)}, plaintext)
		fixed := sameRandomness(t)
		opts := testSealOptions(cs)
		opts.fixed = fixed
		want := sealBytes(t, plaintext, opts)
		for _, step := range steps {
			t.Run(fmt.Sprintf("size%d/step%d", n, step), func(t *testing.T) {
				got, res := streamSeal(t, plaintext, step, opts)
				if !bytes.Equal(got, want) {
					t.Fatalf("stream envelope differs from Seal's (%d vs %d bytes)", len(got), len(want))
				}
				if res.Size != int64(len(got)) || res.Plaintext != int64(n) {
					t.Fatalf("result says %d bytes / %d plaintext; wrote %d / %d", res.Size, res.Plaintext, len(got), n)
				}
				_, digest, err := VerifyEnvelope(context.Background(), bytes.NewReader(got), Expect{Signer: k.bidder.Public()})
				if err != nil || digest != res.Digest {
					t.Fatalf("verify: %v (digest %s, want %s)", err, digest, res.Digest)
				}
				for _, priv := range []*PrivateKey{k.bidder, k.escrow} {
					var plain bytes.Buffer
					if _, _, err := Unseal(context.Background(), &plain, bytes.NewReader(got), priv, Expect{}); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(plain.Bytes(), plaintext) {
						t.Fatal("unsealed plaintext differs")
					}
				}
			})
		}
	}
}

// TestSealStreamFreshRandomness: without fixed randomness two streams of the
// same input differ (fresh DEK and prefix) and both verify.
func TestSealStreamFreshRandomness(t *testing.T) {
	plaintext := bytes.Repeat([]byte("投标文件"), 5000)
	a, _ := streamSeal(t, plaintext, 4096, testSealOptions(4096))
	b, _ := streamSeal(t, plaintext, 4096, testSealOptions(4096))
	if bytes.Equal(a, b) {
		t.Fatal("two sealings are identical")
	}
	for _, env := range [][]byte{a, b} {
		if _, _, err := VerifyEnvelope(context.Background(), bytes.NewReader(env), Expect{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSealStreamRefusesUse: bad options fail like Seal's, and a closed
// stream takes no more input.
func TestSealStreamRefusesUse(t *testing.T) {
	opts := testSealOptions(100) // below MinChunkSize
	if _, _, err := NewSealStream(opts); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("chunk size 100: %v", err)
	}
	st, _, err := NewSealStream(testSealOptions(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Write([]byte("x")); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("write after close: %v", err)
	}
	if _, _, err := st.Close(); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("second close: %v", err)
	}
}
