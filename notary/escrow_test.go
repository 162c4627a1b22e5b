package notary

import (
	"bytes"
	"context"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func mustSplit(t *testing.T, k, n int) (*PrivateKey, *EscrowSplit) {
	t.Helper()
	priv, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	sp, err := SplitKey(priv, k, n)
	if err != nil {
		t.Fatalf("split %d of %d: %v", k, n, err)
	}
	return priv, sp
}

// subsets calls fn with every k-element subset of s.
func subsets(s []EscrowShare, k int, fn func([]EscrowShare)) {
	var rec func(start int, cur []EscrowShare)
	rec = func(start int, cur []EscrowShare) {
		if len(cur) == k {
			fn(append([]EscrowShare(nil), cur...))
			return
		}
		for i := start; i < len(s); i++ {
			rec(i+1, append(cur, s[i]))
		}
	}
	rec(0, nil)
}

func TestEscrowEveryThresholdSubsetRebuildsTheKey(t *testing.T) {
	for _, c := range []struct{ k, n int }{{1, 1}, {2, 3}, {3, 5}, {5, 5}} {
		priv, sp := mustSplit(t, c.k, c.n)
		if len(sp.Shares) != c.n || len(sp.Commitments) != c.k || sp.Key.ID != priv.Public().ID {
			t.Fatalf("%d of %d: got %d shares, %d commitments", c.k, c.n, len(sp.Shares), len(sp.Commitments))
		}
		count := 0
		subsets(sp.Shares, c.k, func(sub []EscrowShare) {
			count++
			got, err := CombineShares(sub, c.k, sp.Commitments, sp.Key)
			if err != nil {
				t.Fatalf("%d of %d, shares %v: %v", c.k, c.n, indices(sub), err)
			}
			// The rebuilt key must decrypt what was encrypted to the escrow key.
			ct, _ := sp.Key.Encrypt([]byte("dek-0123456789ab"))
			if pt, err := got.Decrypt(ct); err != nil || string(pt) != "dek-0123456789ab" {
				t.Fatalf("rebuilt key does not decrypt: %v", err)
			}
		})
		if count == 0 {
			t.Fatal("no subsets tried")
		}
	}
}

func indices(s []EscrowShare) []int {
	var out []int
	for _, x := range s {
		out = append(out, x.Index)
	}
	return out
}

func TestEscrowBelowThresholdIsRefused(t *testing.T) {
	_, sp := mustSplit(t, 3, 5)
	// Two distinct shares, and a duplicate of one of them, are still two.
	sub := []EscrowShare{sp.Shares[0], sp.Shares[3], sp.Shares[0]}
	_, err := CombineShares(sub, 3, sp.Commitments, sp.Key)
	if e, ok := apperr.As(err); !ok || e.Code != CodeTooFewShares {
		t.Fatalf("want too_few_shares, got %v", err)
	}
	// Interpolating two shares of a degree-2 polynomial does not give the
	// key: a lower threshold than the split's is caught by the final check.
	_, err = CombineShares(sub[:2], 2, sp.Commitments, sp.Key)
	if e, ok := apperr.As(err); !ok || e.Code != CodeBadShare {
		t.Fatalf("want bad_share for a wrong threshold, got %v", err)
	}
}

func TestEscrowBadSharesAreNamed(t *testing.T) {
	_, sp := mustSplit(t, 2, 3)
	_, other := mustSplit(t, 2, 3)
	flipped := sp.Shares[1]
	flipped.Value = append([]byte(nil), flipped.Value...)
	flipped.Value[31] ^= 1
	moved := sp.Shares[1]
	moved.Index = 3
	foreign := other.Shares[0]
	cases := map[string]EscrowShare{"flipped value": flipped, "wrong index": moved, "other split": foreign}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			if err := VerifyShare(bad, sp.Commitments); err == nil {
				t.Fatal("VerifyShare accepted a bad share")
			}
			_, err := CombineShares([]EscrowShare{sp.Shares[0], bad}, 2, sp.Commitments, sp.Key)
			if e, ok := apperr.As(err); !ok || e.Code != CodeBadShare {
				t.Fatalf("want bad_share, got %v", err)
			}
		})
	}
	for _, s := range sp.Shares {
		if err := VerifyShare(s, sp.Commitments); err != nil {
			t.Fatalf("good share %d refused: %v", s.Index, err)
		}
	}
}

func TestEscrowSplitBounds(t *testing.T) {
	priv, _ := GenerateKey()
	for _, c := range []struct{ k, n int }{{0, 3}, {4, 3}, {2, 256}} {
		_, err := SplitKey(priv, c.k, c.n)
		if e, ok := apperr.As(err); !ok || e.Code != CodeBadEscrowSplit {
			t.Fatalf("%d of %d: want bad_escrow_split, got %v", c.k, c.n, err)
		}
	}
}

func TestEscrowShareWrapRoundTrip(t *testing.T) {
	_, sp := mustSplit(t, 2, 2)
	holder, _ := GenerateKey()
	other, _ := GenerateKey()
	w, err := WrapShare(sp.Shares[1], holder.Public())
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnwrapShare(w, holder)
	if err != nil || got.Index != 2 || got.KeyID != sp.Key.ID || !bytes.Equal(got.Value, sp.Shares[1].Value) {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if _, err := UnwrapShare(w, other); err == nil {
		t.Fatal("another holder's key unwrapped the share")
	}
	for _, b := range [][]byte{nil, []byte(shareMagic), append(sp.Shares[0].Marshal(), 0)} {
		if _, err := ParseEscrowShare(b); err == nil {
			t.Fatalf("parsed %d junk bytes", len(b))
		}
	}
}

// A section with escrow requires its key as a recipient; an envelope
// sealed only to the bidder is refused before any chunk is read.
func TestExpectRequiresEscrowRecipient(t *testing.T) {
	k := envelopeKeys()
	opts := testSealOptions(4096)
	opts.Recipients = []*PublicKey{k.bidder.Public()}
	env := sealBytes(t, []byte("bid"), opts)
	expect := Expect{Recipients: []string{k.escrow.Public().ID}}
	_, _, err := VerifyEnvelope(context.Background(), bytes.NewReader(env), expect)
	if e, ok := apperr.As(err); !ok || e.Code != CodeMissingRecipient {
		t.Fatalf("want missing_recipient, got %v", err)
	}
	with := sealBytes(t, []byte("bid"), testSealOptions(4096))
	if _, _, err := VerifyEnvelope(context.Background(), bytes.NewReader(with), expect); err != nil {
		t.Fatalf("envelope with the escrow slot refused: %v", err)
	}
	// The rebuilt escrow key opens the bid through its own slot.
	var out bytes.Buffer
	if _, _, err := Unseal(context.Background(), &out, bytes.NewReader(with), k.escrow, expect); err != nil || out.String() != "bid" {
		t.Fatalf("escrow unseal: %q %v", out.String(), err)
	}
}

func FuzzParseEscrowShare(f *testing.F) {
	priv, _ := GenerateKey()
	sp, _ := SplitKey(priv, 2, 3)
	f.Add(sp.Shares[0].Marshal())
	f.Add([]byte(shareMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseEscrowShare(b)
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Code != CodeBadShare {
				t.Fatalf("error without bad_share: %v", err)
			}
			return
		}
		if !bytes.Equal(s.Marshal(), b) {
			t.Fatal("parse then marshal changed the bytes")
		}
		_ = VerifyShare(s, sp.Commitments) // must not panic
	})
}
