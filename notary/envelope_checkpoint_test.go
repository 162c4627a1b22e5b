package notary

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// verifyInPieces verifies env written in pieces cut at cuts, checkpointing
// and resuming between every two pieces, as an upload in many requests does.
func verifyInPieces(t *testing.T, env []byte, cuts []int, expect Expect) (Digest, error) {
	t.Helper()
	v := NewVerifier(expect)
	prev := 0
	for _, c := range append(cuts, len(env)) {
		if _, err := v.Write(env[prev:c]); err != nil {
			v.Finish()
			return Digest{}, err
		}
		if v.Size() != int64(c) {
			t.Fatalf("size %d after writing up to %d", v.Size(), c)
		}
		state, err := v.Checkpoint()
		if err != nil {
			return Digest{}, err
		}
		if _, err := v.Write([]byte{0}); err == nil {
			t.Fatal("a checkpointed verifier accepted more bytes")
		}
		if v, err = ResumeVerifier(expect, state); err != nil {
			t.Fatalf("resume at %d: %v", c, err)
		}
		if v.Size() != int64(c) {
			t.Fatalf("resumed at size %d, want %d", v.Size(), c)
		}
		prev = c
		if v.Done() && c < len(env) && expect.Section == "" {
			t.Fatalf("Done after %d of %d bytes", c, len(env))
		}
	}
	_, d, err := v.Finish()
	return d, err
}

func TestCheckpointResumeGivesTheSameVerdict(t *testing.T) {
	const chunk = 4096
	env := sealBytes(t, bytes.Repeat([]byte("投标文件"), 5000), testSealOptions(chunk))
	_, wantDigest, err := VerifyEnvelope(t.Context(), bytes.NewReader(env), Expect{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	cases := map[string][]int{
		"no cut":              nil,
		"inside the prefix":   {3},
		"inside the header":   {20, 40},
		"at chunk boundaries": {len(env) / 2, len(env) - 200},
		"every byte of the trailer": func() []int {
			var c []int
			for i := len(env) - 100; i < len(env); i++ {
				c = append(c, i)
			}
			return c
		}(),
	}
	var random []int
	for p := 0; p < len(env); p += 1 + rng.IntN(chunk*2) {
		random = append(random, p)
	}
	cases["random"] = random
	for name, cuts := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := verifyInPieces(t, env, cuts, Expect{Section: testMeta().Section})
			{
				v := NewVerifier(Expect{})
				v.Write(env[:len(env)-1])
				if v.Done() {
					t.Fatal("Done one byte before the end")
				}
				v.Write(env[len(env)-1:])
				if !v.Done() {
					t.Fatal("not Done at the end")
				}
				v.Finish()
			}
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if got != wantDigest {
				t.Fatalf("digest %s, want %s", got, wantDigest)
			}
		})
	}
}

func TestCheckpointResumeStillFindsFaults(t *testing.T) {
	env := sealBytes(t, bytes.Repeat([]byte{7}, 20000), testSealOptions(4096))
	cuts := []int{100, 5000, 9000, 15000}
	tests := []struct {
		name   string
		mutate func([]byte) []byte
		expect Expect
		code   string
	}{
		{"a flipped ciphertext byte", func(b []byte) []byte { b[6000] ^= 1; return b }, Expect{}, CodeDigestMismatch},
		{"truncated", func(b []byte) []byte { return b[:len(b)-10] }, Expect{}, CodeTruncated},
		{"another section", func(b []byte) []byte { return b }, Expect{Section: "标段2"}, CodeWrongSection},
		{"trailing data", func(b []byte) []byte { return append(b, 1) }, Expect{}, CodeTrailingData},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.mutate(bytes.Clone(env))
			_, err := verifyInPieces(t, b, cuts, tt.expect)
			if got := codeOf(t, err); got != tt.code {
				t.Fatalf("code %q (%v), want %q", got, err, tt.code)
			}
		})
	}
}

func TestResumeRefusesADamagedCheckpoint(t *testing.T) {
	env := sealBytes(t, bytes.Repeat([]byte{1}, 10000), testSealOptions(4096))
	v := NewVerifier(Expect{})
	v.Write(env[:6000])
	state, err := v.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{nil, state[:10], state[:len(state)-1], append(bytes.Clone(state), 0), []byte("THVC\x02" + string(state[5:]))} {
		if _, err := ResumeVerifier(Expect{}, bad); codeOf(t, err) != CodeBadCheckpoint {
			t.Fatalf("damaged checkpoint of %d bytes: %v", len(bad), err)
		}
	}
}

// FuzzResumeVerifier feeds arbitrary checkpoints: ResumeVerifier must refuse
// or resume, never panic, and a resumed verifier must finish.
func FuzzResumeVerifier(f *testing.F) {
	env := sealBytes(f, bytes.Repeat([]byte{1}, 10000), testSealOptions(4096))
	for _, at := range []int{0, 3, 40, 6000, len(env)} {
		v := NewVerifier(Expect{})
		v.Write(env[:at])
		if s, err := v.Checkpoint(); err == nil {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, state []byte) {
		v, err := ResumeVerifier(Expect{}, state)
		if err != nil {
			return
		}
		v.Write(env[min(int(v.Size()), len(env)):])
		v.Finish()
	})
}
