package notary

import (
	"bytes"
	"context"
	"io"
	"testing"
)

func TestSealUnsealRoundTrips(t *testing.T) {
	const cs = 4096
	sizes := map[string]int{"empty": 0, "one byte": 1, "one chunk": cs, "one chunk + 1": cs + 1,
		"several chunks": 5*cs + 77, "exactly three chunks": 3 * cs}
	k := envelopeKeys()
	for name, size := range sizes {
		t.Run(name, func(t *testing.T) {
			pt := make([]byte, size)
			newPattern(int64(size)).Read(pt)
			var env bytes.Buffer
			res, err := Seal(context.Background(), &env, bytes.NewReader(pt), testSealOptions(cs))
			if err != nil {
				t.Fatal(err)
			}
			wantChunks := max(1, (size+cs-1)/cs)
			if res.Chunks != uint64(wantChunks) || res.Plaintext != int64(size) || res.Size != int64(env.Len()) {
				t.Fatalf("result %+v for %d bytes (envelope %d)", res, size, env.Len())
			}
			for _, key := range []*PrivateKey{k.bidder, k.escrow} {
				got, err := unsealBytes(env.Bytes(), key, Expect{Signer: k.bidder.Public(), Section: "标段1"})
				if err != nil || !bytes.Equal(got, pt) {
					t.Fatalf("unseal: %v (got %d bytes, want %d)", err, len(got), size)
				}
			}
			h, d, err := VerifyEnvelope(context.Background(), bytes.NewReader(env.Bytes()), Expect{Signer: k.bidder.Public()})
			if err != nil || d != res.Digest || h.Meta.Section != "标段1" {
				t.Fatalf("verify: %v, digest %v want %v", err, d, res.Digest)
			}
		})
	}
}

func TestHeaderAndMetadataRoundTrip(t *testing.T) {
	k := envelopeKeys()
	opts := testSealOptions(MinChunkSize)
	opts.Meta.Fingerprint = FingerprintHash([]FingerprintPart{{"hostname", "bid-pc"}})
	env := sealBytes(t, []byte("报价：壹佰万元整"), opts)
	h, err := ParseHeader(bytes.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	m := h.Meta
	if m.Project != opts.Meta.Project || m.Section != opts.Meta.Section || m.Bidder != opts.Meta.Bidder ||
		!m.SealedAt.Equal(opts.Meta.SealedAt) || m.Fingerprint != opts.Meta.Fingerprint || m.SchemaVersion != "bidform/1" {
		t.Fatalf("metadata %+v, want %+v", m, opts.Meta)
	}
	if h.Signer.ID != k.bidder.Public().ID || len(h.Recipients) != 2 || h.Recipients[1].KeyID != k.escrow.Public().ID {
		t.Fatalf("keys in header: signer %s recipients %+v", h.Signer.ID, h.Recipients)
	}
	if h.ChunkSize != MinChunkSize || !bytes.Equal(h.Raw, env[:h.Size()]) {
		t.Fatal("raw header is not the envelope's prefix")
	}
	dek, err := UnwrapDEK(h, k.escrow)
	if err != nil || CheckDEK(h, dek) != nil {
		t.Fatalf("unwrap: %v", err)
	}
}

func TestUnsealWithDEK(t *testing.T) {
	k := envelopeKeys()
	pt := bytes.Repeat([]byte("开标 "), 1000)
	env := sealBytes(t, pt, testSealOptions(1024))
	h, _ := ParseHeader(bytes.NewReader(env))
	dek, err := UnwrapDEK(h, k.bidder)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, _, err := UnsealWithDEK(context.Background(), &out, bytes.NewReader(env), dek, Expect{Section: "标段1"}); err != nil || !bytes.Equal(out.Bytes(), pt) {
		t.Fatalf("unseal with DEK: %v", err)
	}
	bad := append([]byte(nil), dek...)
	bad[0] ^= 1
	out.Reset()
	_, _, err = UnsealWithDEK(context.Background(), &out, bytes.NewReader(env), bad, Expect{})
	if codeOf(t, err) != CodeWrongKey || out.Len() != 0 {
		t.Fatalf("wrong DEK: %v, %d bytes out", err, out.Len())
	}
}

func TestVerifierStreamsInSmallWrites(t *testing.T) {
	env := sealBytes(t, bytes.Repeat([]byte{7}, 10000), testSealOptions(MinChunkSize))
	v := NewVerifier(Expect{Section: "标段1"})
	for i := 0; i < len(env); i += 7 {
		if _, err := v.Write(env[i:min(i+7, len(env))]); err != nil {
			t.Fatalf("write at %d: %v", i, err)
		}
		if (v.Header() != nil) != (i+7 >= int(bytesHeaderLen(env))) {
			t.Fatalf("header availability wrong at %d", i)
		}
	}
	if _, _, err := v.Finish(); err != nil || v.Size() != int64(len(env)) {
		t.Fatalf("finish: %v", err)
	}
	v2 := NewVerifier(Expect{Section: "标段2"})
	if _, err := v2.Write(env); codeOf(t, err) != CodeWrongSection {
		t.Fatalf("wrong section on write: %v", err)
	}
	if _, _, err := v2.Finish(); codeOf(t, err) != CodeWrongSection {
		t.Fatalf("wrong section on finish: %v", err)
	}
}

func bytesHeaderLen(env []byte) uint32 {
	return uint32(env[11])<<24 | uint32(env[12])<<16 | uint32(env[13])<<8 | uint32(env[14])
}

func TestSealProgressAndOptions(t *testing.T) {
	opts := testSealOptions(MinChunkSize)
	var last int64
	calls := 0
	opts.Progress = func(n int64) { last = n; calls++ }
	sealBytes(t, make([]byte, 1000), opts)
	if last != 1000 || calls != 4 {
		t.Fatalf("progress last=%d calls=%d", last, calls)
	}
	k := envelopeKeys()
	bad := []SealOptions{
		{Recipients: []*PublicKey{k.bidder.Public()}, Meta: testMeta()},
		{Signer: k.bidder, Meta: testMeta()},
		{Signer: k.bidder, Recipients: []*PublicKey{k.bidder.Public(), k.bidder.Public()}, Meta: testMeta()},
		{Signer: k.bidder, Recipients: []*PublicKey{k.bidder.Public()}, Meta: Metadata{Project: "P"}},
		{Signer: k.bidder, Recipients: []*PublicKey{k.bidder.Public()}, Meta: testMeta(), ChunkSize: 10},
	}
	for i, o := range bad {
		if _, err := Seal(context.Background(), io.Discard, bytes.NewReader(nil), o); codeOf(t, err) != CodeBadSealOptions {
			t.Errorf("options %d: %v", i, err)
		}
	}
}
