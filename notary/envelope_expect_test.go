package notary

import (
	"slices"
	"testing"
)

func TestExpectationsAndKeys(t *testing.T) {
	k := envelopeKeys()
	env := sealBytes(t, []byte("投标报价"), testSealOptions(MinChunkSize))
	other := testSealOptions(MinChunkSize)
	other.Meta.Section = "标段2"
	envOther := sealBytes(t, []byte("投标报价"), other)
	l := int(bytesHeaderLen(env))
	swapped := slices.Concat(envOther[:bytesHeaderLen(envOther)], env[l:])
	cases := []struct {
		name   string
		env    []byte
		key    *PrivateKey
		expect Expect
		code   string
	}{
		{"as expected", env, k.bidder, Expect{Project: "ZB-2025-001", Section: "标段1", Bidder: "91110000MA01ABCD2X", Signer: k.bidder.Public()}, ""},
		{"another section", env, k.bidder, Expect{Section: "标段2"}, CodeWrongSection},
		{"another project", env, k.bidder, Expect{Project: "ZB-2025-002"}, CodeWrongProject},
		{"another bidder", env, k.bidder, Expect{Bidder: "someone else"}, CodeWrongBidder},
		{"another signer", env, k.bidder, Expect{Signer: k.other.Public()}, CodeWrongSigner},
		{"not a recipient", env, k.other, Expect{}, CodeWrongKey},
		{"header of another section's envelope, expecting ours", swapped, k.bidder, Expect{Section: "标段1"}, CodeWrongSection},
		{"header of another envelope", swapped, k.bidder, Expect{}, CodeHeaderTampered},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := unsealBytes(c.env, c.key, c.expect)
			if got := codeOf(t, err); got != c.code {
				t.Fatalf("unseal: code %q (%v), want %q", got, err, c.code)
			}
			if c.code != "" && c.code != CodeHeaderTampered && len(out) != 0 {
				t.Fatalf("%d plaintext bytes written before the refusal", len(out))
			}
			if c.key == k.bidder && c.code != CodeHeaderTampered {
				if got := codeOf(t, verifyBytes(c.env, c.expect)); got != c.code {
					t.Fatalf("verify: code %q, want %q", got, c.code)
				}
			}
		})
	}
}

// TestEveryFlippedByteIsRefused flips each byte of a small envelope in
// turn: verification and unsealing must both refuse it with a data error,
// never accept it, and never panic.
func TestEveryFlippedByteIsRefused(t *testing.T) {
	k := envelopeKeys()
	pt := make([]byte, MinChunkSize+40)
	newPattern(int64(len(pt))).Read(pt)
	opts := testSealOptions(MinChunkSize)
	opts.Recipients = opts.Recipients[:1]
	env := sealBytes(t, pt, opts)
	allowed := []string{CodeNotAnEnvelope, CodeUnsupportedVersion, CodeUnsupportedAlgorithm, CodeHeaderTampered,
		CodeChunkTampered, CodeDigestMismatch, CodeSignatureInvalid, CodeTruncated, CodeTrailingData}
	stride := 1
	if testing.Short() {
		stride = 7
	}
	for i := 0; i < len(env); i += stride {
		e := slices.Clone(env)
		e[i] ^= 0x01
		if code := codeOf(t, verifyBytes(e, Expect{})); !slices.Contains(allowed, code) {
			t.Fatalf("byte %d: verify gave %q", i, code)
		}
		_, err := unsealBytes(e, k.bidder, Expect{})
		if code := codeOf(t, err); !slices.Contains(allowed, code) {
			t.Fatalf("byte %d: unseal gave %q", i, code)
		}
	}
}
