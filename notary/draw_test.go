package notary

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	tjsm3 "github.com/tjfoc/gmsm/sm3"
)

// refStream is an independent reimplementation of experts/DRAW.md over
// tjfoc's SM3, written from the document rather than from draw.go.
type refStream struct {
	seed  []byte
	i     uint64
	words []uint64
}

func (r *refStream) word() uint64 {
	if len(r.words) == 0 {
		msg := append([]byte("tenderhall-draw-stream-v1\x00"), r.seed...)
		msg = binary.BigEndian.AppendUint64(msg, r.i)
		r.i++
		b := tjsm3.Sm3Sum(msg)
		for k := 0; k < 4; k++ {
			r.words = append(r.words, binary.BigEndian.Uint64(b[8*k:]))
		}
	}
	w := r.words[0]
	r.words = r.words[1:]
	return w
}

func (r *refStream) uniform(n uint64) uint64 {
	// 2^64 mod n computed the long way, in big arithmetic terms.
	rem := (math.MaxUint64%n + 1) % n
	for {
		if x := r.word(); x >= rem {
			return x % n
		}
	}
}

func refSeed(secret []byte, public string, sth TreeHead) []byte {
	msg := append([]byte("tenderhall-draw-seed-v1\x00"), secret...)
	msg = binary.BigEndian.AppendUint32(msg, uint32(len(public)))
	msg = append(msg, public...)
	msg = append(msg, "tenderhall-sth-v1\x00"...)
	msg = binary.BigEndian.AppendUint64(msg, sth.TreeSize)
	msg = binary.BigEndian.AppendUint64(msg, uint64(sth.Timestamp))
	msg = append(msg, sth.RootHash[:]...)
	return tjsm3.Sm3Sum(msg)
}

func TestDrawMatchesIndependentReimplementation(t *testing.T) {
	sth := TreeHead{TreeSize: 12345, Timestamp: 1763800000123}
	for i := range sth.RootHash {
		sth.RootHash[i] = byte(i * 7)
	}
	for _, tc := range []struct {
		secret byte
		public string
		n      int
	}{
		{0x00, "", 1}, {0x01, "8812", 2}, {0xff, "监督员随机数 2026", 7}, {0xa5, "x", 100}, {0x5a, "314159", 1000},
	} {
		secret := make([]byte, DrawSecretSize)
		secret[0] = tc.secret
		seed := DrawSeed(secret, tc.public, sth)
		if want := refSeed(secret, tc.public, sth); hex.EncodeToString(want) != seed.String() {
			t.Fatalf("seed %s: %s, reference %x", tc.public, seed, want)
		}
		got := make([]int64, tc.n)
		want := make([]int64, tc.n)
		for i := range got {
			got[i], want[i] = int64(i+1), int64(i+1)
		}
		NewDrawStream(seed).Shuffle(got)
		ref := &refStream{seed: seed[:]}
		for i := 0; i+1 < len(want); i++ {
			j := i + int(ref.uniform(uint64(len(want)-i)))
			want[i], want[j] = want[j], want[i]
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("n=%d: shuffle %v, reference %v", tc.n, got, want)
		}
	}
}

func TestUniformRejectsTheBiasedTail(t *testing.T) {
	// A stream whose words are known: Uniform(n) must skip words below
	// 2^64 mod n. For n = 3, 2^64 mod 3 = 1, so the word 0 is rejected.
	for _, n := range []uint64{1, 2, 3, 5, 6, 7, 1 << 63, 1<<63 + 1, math.MaxUint64} {
		threshold := -n % n
		if want := (math.MaxUint64%n + 1) % n; threshold != want {
			t.Fatalf("n=%d: threshold %d, want %d", n, threshold, want)
		}
	}
	var seed Hash
	d := NewDrawStream(seed)
	counts := make([]int, 6)
	const draws = 60000
	for i := 0; i < draws; i++ {
		counts[d.Uniform(6)]++
	}
	// Chi-square with 5 degrees of freedom: 20.5 is the 0.999 quantile.
	chi := 0.0
	for _, c := range counts {
		e := float64(draws) / 6
		chi += (float64(c) - e) * (float64(c) - e) / e
	}
	if chi > 20.5 {
		t.Fatalf("counts %v: chi-square %.1f, not uniform", counts, chi)
	}
}

func TestShuffleIsAPermutationAndDeterministic(t *testing.T) {
	var seed Hash
	seed[0] = 9
	a := make([]int64, 500)
	for i := range a {
		a[i] = int64(i)
	}
	b := append([]int64(nil), a...)
	NewDrawStream(seed).Shuffle(a)
	NewDrawStream(seed).Shuffle(b)
	seen := map[int64]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("same seed, different order")
		}
		seen[a[i]] = true
	}
	if len(seen) != 500 {
		t.Fatalf("shuffle lost elements: %d distinct", len(seen))
	}
	seed[0] = 10
	c := append([]int64(nil), b...)
	NewDrawStream(seed).Shuffle(c)
	if fmt.Sprint(c) == fmt.Sprint(b) {
		t.Fatal("different seed, same order")
	}
}

// drawVector is one entry of testdata/draw-vectors.json.
type drawVector struct {
	SecretHex      string          `json:"secretHex"`
	Public         string          `json:"public"`
	STH            TreeHead        `json:"sth"`
	Candidates     []DrawCandidate `json:"candidates"`
	CandidatesHash string          `json:"candidatesHash"`
	Commitment     string          `json:"commitment"`
	Seed           string          `json:"seed"`
	Shuffled       []int64         `json:"shuffled"` // 1..len(Shuffled) shuffled with Seed
}

// TestDrawVectors checks the published vectors (experts/DRAW.md points
// third parties at them). Regenerate with TENDERHALL_WRITE_VECTORS=1 only
// after an intentional, versioned format change.
func TestDrawVectors(t *testing.T) {
	path := "testdata/draw-vectors.json"
	if os.Getenv("TENDERHALL_WRITE_VECTORS") == "1" {
		writeDrawVectors(t, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vs []drawVector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) == 0 {
		t.Fatal("no vectors")
	}
	for i, v := range vs {
		secret, _ := hex.DecodeString(v.SecretHex)
		if got := DrawSecretCommitment(secret).String(); got != v.Commitment {
			t.Errorf("vector %d: commitment %s, want %s", i, got, v.Commitment)
		}
		if got := DrawCandidatesHash(v.Candidates).String(); got != v.CandidatesHash {
			t.Errorf("vector %d: candidates hash %s, want %s", i, got, v.CandidatesHash)
		}
		seed := DrawSeed(secret, v.Public, v.STH)
		if seed.String() != v.Seed {
			t.Errorf("vector %d: seed %s, want %s", i, seed, v.Seed)
		}
		ids := make([]int64, len(v.Shuffled))
		for k := range ids {
			ids[k] = int64(k + 1)
		}
		NewDrawStream(seed).Shuffle(ids)
		if fmt.Sprint(ids) != fmt.Sprint(v.Shuffled) {
			t.Errorf("vector %d: shuffle %v, want %v", i, ids, v.Shuffled)
		}
	}
}

// writeDrawVectors writes the vectors from the reference implementation
// (tjfoc SM3, refStream), not from the code under test.
func writeDrawVectors(t *testing.T, path string) {
	var vs []drawVector
	for i, n := range []int{1, 5, 20} {
		secret := make([]byte, DrawSecretSize)
		for k := range secret {
			secret[k] = byte(i*31 + k)
		}
		sth := TreeHead{TreeSize: uint64(100 + i), Timestamp: 1763800000000 + int64(i)}
		sth.RootHash[0] = byte(i + 1)
		v := drawVector{SecretHex: hex.EncodeToString(secret), Public: fmt.Sprintf("%06d", 271828+i), STH: sth,
			Candidates: []DrawCandidate{{0, 3, "91350100M000100Y43"}, {0, 17, "91350100M000200Y5X"}, {1, 4, ""}}}
		v.Commitment = hex.EncodeToString(tjsm3.Sm3Sum(append([]byte("tenderhall-draw-secret-v1\x00"), secret...)))
		enc := "tenderhall-draw-candidates-v1\n"
		for _, c := range v.Candidates {
			enc += fmt.Sprintf("%d %d %s\n", c.Group, c.ExpertID, c.Employer)
		}
		v.CandidatesHash = hex.EncodeToString(tjsm3.Sm3Sum([]byte(enc)))
		seed := refSeed(secret, v.Public, sth)
		v.Seed = hex.EncodeToString(seed)
		ids := make([]int64, n)
		for k := range ids {
			ids[k] = int64(k + 1)
		}
		ref := &refStream{seed: seed}
		for k := 0; k+1 < len(ids); k++ {
			j := k + int(ref.uniform(uint64(len(ids)-k)))
			ids[k], ids[j] = ids[j], ids[k]
		}
		v.Shuffled = ids
		vs = append(vs, v)
	}
	out, _ := json.MarshalIndent(vs, "", "  ")
	if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkShuffle100k(b *testing.B) {
	ids := make([]int64, 100000)
	var seed Hash
	for i := 0; i < b.N; i++ {
		for k := range ids {
			ids[k] = int64(k)
		}
		NewDrawStream(seed).Shuffle(ids)
	}
}
