package notary

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The flag is not plain -update so that it cannot clash with another test
// file of this package that regenerates its own golden files.
var updateEnvelope = flag.Bool("update-envelope", false, "regenerate notary/testdata/envelope-v1* (new wrapped keys and signatures)")

// vectorSpec is the input of one test vector; everything else is derived.
type vectorSpec struct {
	name      string
	chunkSize int
	plaintext []byte
}

func vectorSpecs() []vectorSpec {
	text := []byte(strings.Repeat("TenderHall 投标文件测试向量 / sealed-bid test vector.\n", 12))
	return []vectorSpec{
		{"three-chunks", 256, text[:600]},
		{"exact-chunk", 256, text[:256]},
		{"empty", DefaultChunkSize, nil},
	}
}

func TestEnvelopeVectors(t *testing.T) {
	keys := vectorKeys(t)
	path := filepath.Join("testdata", "envelope-v1-vectors.json")
	var old vectorFile
	if !*updateEnvelope {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./notary -run TestEnvelopeVectors -update-envelope to create it)", err)
		}
		if err := json.Unmarshal(b, &old); err != nil {
			t.Fatal(err)
		}
	}
	file := newVectorFile()
	for i, spec := range vectorSpecs() {
		var prev *vectorJSON
		if !*updateEnvelope {
			if i >= len(old.Vectors) || old.Vectors[i].Name != spec.name {
				t.Fatalf("vector %q missing from %s", spec.name, path)
			}
			prev = &old.Vectors[i]
		}
		v, env := buildVector(t, spec, keys, prev)
		checkVector(t, v, env, keys)
		file.Vectors = append(file.Vectors, v)
		compareOrWrite(t, filepath.Join("testdata", v.EnvelopeFile), []byte(wrapHex(env)))
	}
	out, _ := json.MarshalIndent(file, "", "  ")
	compareOrWrite(t, path, append(out, '\n'))
}

// buildVector seals spec with the fixed DEK and nonce prefix. SM2
// encryption and signing are randomised, so their outputs are inputs of the
// vector: taken from the file, or fresh with -update-envelope.
func buildVector(t *testing.T, spec vectorSpec, keys map[string]*PrivateKey, prev *vectorJSON) (vectorJSON, []byte) {
	fixed := &sealFixed{dek: vectorDEK, noncePrefix: vectorNonce,
		wrap: func(_ int, pub *PublicKey, dek []byte) ([]byte, error) { return pub.Encrypt(dek) },
		sign: keys["bidder"].Sign}
	if prev != nil {
		fixed.wrap = func(i int, _ *PublicKey, _ []byte) ([]byte, error) {
			return hex.DecodeString(prev.Recipients[i].Wrapped)
		}
		fixed.sign = func([]byte) ([]byte, error) { return hex.DecodeString(prev.Signature) }
	}
	opts := SealOptions{Signer: keys["bidder"], Recipients: []*PublicKey{keys["bidder"].Public(), keys["escrow"].Public()},
		Meta: vectorMeta(), ChunkSize: spec.chunkSize, fixed: fixed}
	var env bytes.Buffer
	res, err := Seal(context.Background(), &env, bytes.NewReader(spec.plaintext), opts)
	if err != nil {
		t.Fatalf("%s: %v", spec.name, err)
	}
	return describeVector(spec, res, env.Bytes()), env.Bytes()
}

var (
	vectorDEK   = mustHex("000102030405060708090a0b0c0d0e0f")
	vectorNonce = mustHex("a0a1a2a3a4a5a6")
)

func vectorMeta() Metadata {
	return Metadata{Project: "ZB-2025-001", Section: "标段1", Bidder: "91110000MA01ABCD2X",
		SealedAt: time.UnixMilli(1735689600000).UTC(), SchemaVersion: "bidform/1",
		Fingerprint: FingerprintHash([]FingerprintPart{{"hostname", "vector-host"}, {"mac", "02:00:00:00:00:01"}})}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// checkVector opens the vector's envelope with each recipient key and
// verifies it, independently of the byte comparison.
func checkVector(t *testing.T, v vectorJSON, env []byte, keys map[string]*PrivateKey) {
	for _, name := range []string{"bidder", "escrow"} {
		var out bytes.Buffer
		_, d, err := Unseal(context.Background(), &out, bytes.NewReader(env), keys[name], Expect{Signer: keys["bidder"].Public()})
		if err != nil || out.String() != string(mustHex(v.Plaintext)) || d.String() != v.Digest {
			t.Fatalf("%s: unseal with %s: %v", v.Name, name, err)
		}
	}
}

// compareOrWrite writes want to path under -update-envelope, and otherwise
// fails if the file differs.
func compareOrWrite(t *testing.T, path string, want []byte) {
	t.Helper()
	if *updateEnvelope {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the regenerated vector (err %v); if the format changed on purpose, bump the version", path, err)
	}
}

// vectorKeys loads the vector keys, creating them under -update-envelope.
func vectorKeys(t *testing.T) map[string]*PrivateKey {
	keys := map[string]*PrivateKey{}
	for _, name := range []string{"bidder", "escrow"} {
		path := filepath.Join("testdata", "envelope-v1-"+name+".key")
		b, err := os.ReadFile(path)
		if os.IsNotExist(err) && *updateEnvelope {
			k, _ := GenerateKey()
			b, _ = k.MarshalPEM(nil)
			os.WriteFile(path, b, 0o644)
			os.WriteFile(strings.TrimSuffix(path, ".key")+".pub", []byte(k.Public().PEM), 0o644)
		}
		if keys[name], err = ParsePrivateKeyPEM(b, nil); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return keys
}
