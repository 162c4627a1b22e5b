package notary

import (
	"bytes"
	"crypto/cipher"
	"crypto/ecdsa"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emmansun/gmsm/pkcs8"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
	"github.com/emmansun/gmsm/smx509"
)

// TestReferenceDecoder reads the test vectors with a decoder written from
// FORMAT.md alone, using the gmsm primitives directly and none of this
// package's envelope code: it shows the document is enough to interoperate.
func TestReferenceDecoder(t *testing.T) {
	var file vectorFile
	b, err := os.ReadFile(filepath.Join("testdata", "envelope-v1-vectors.json"))
	if err != nil || json.Unmarshal(b, &file) != nil {
		t.Fatalf("vectors: %v", err)
	}
	for _, v := range file.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			hexText, _ := os.ReadFile(filepath.Join("testdata", v.EnvelopeFile))
			env := mustHex(strings.Join(strings.Fields(string(hexText)), ""))
			refDecode(t, v, env)
		})
	}
}

func refDecode(t *testing.T, v vectorJSON, env []byte) {
	if string(env[:6]) != "THSEAL" || !bytes.Equal(env[6:11], []byte{1, 1, 1, 1, 1}) {
		t.Fatal("prefix")
	}
	hlen := int(binary.BigEndian.Uint32(env[11:15]))
	header := env[:hlen]
	chunkSize := int(binary.BigEndian.Uint32(env[15:19]))
	prefix := env[19:26]
	commitment := env[26:58]
	spkiLen := int(binary.BigEndian.Uint16(env[58:60]))
	signerDER := env[60 : 60+spkiLen]
	off := 60 + spkiLen
	nRecip := int(env[off])
	off++
	dek := refUnwrap(t, env, &off, nRecip)
	if hex.EncodeToString(dek) != v.DEK || !bytes.Equal(commitment, sm3Of([]byte("TenderHall key commitment v1"), dek)) {
		t.Fatal("DEK or commitment")
	}
	for _, want := range []string{v.Project, v.Section, v.Bidder} {
		n := int(binary.BigEndian.Uint16(env[off:]))
		if string(env[off+2:off+2+n]) != want {
			t.Fatalf("string field %q", env[off+2:off+2+n])
		}
		off += 2 + n
	}
	if int64(binary.BigEndian.Uint64(env[off:])) != v.SealedAtMs || hex.EncodeToString(env[off+8:off+40]) != v.Fingerprint {
		t.Fatal("time or fingerprint")
	}
	off += 40
	off += 2 + int(binary.BigEndian.Uint16(env[off:]))
	if off != hlen || chunkSize != v.ChunkSize || hex.EncodeToString(sm3Of(header)) != v.HeaderSM3 {
		t.Fatalf("header ends at %d, H = %d", off, hlen)
	}
	plain, digest, off := refChunks(t, env, off, header, dek, prefix)
	if hex.EncodeToString(plain) != v.Plaintext || hex.EncodeToString(digest) != v.Digest || !bytes.Equal(env[off:off+32], digest) {
		t.Fatal("plaintext or digest")
	}
	sig := env[off+33 : off+33+int(env[off+32])]
	if off+33+len(sig) != len(env) {
		t.Fatal("trailing bytes")
	}
	pub, err := smx509.ParsePKIXPublicKey(signerDER)
	msg := append(append([]byte("TenderHall envelope signature v1"), sm3Of(header)...), digest...)
	if err != nil || !sm2.VerifyASN1WithSM2(pub.(*ecdsa.PublicKey), nil, msg, sig) || hex.EncodeToString(msg) != v.SignedMessage {
		t.Fatal("signature")
	}
}

// refUnwrap walks the recipients and decrypts the bidder's slot.
func refUnwrap(t *testing.T, env []byte, off *int, n int) []byte {
	keyPEM, _ := os.ReadFile(filepath.Join("testdata", "envelope-v1-bidder.key"))
	block, _ := pem.Decode(keyPEM)
	key, _, err := pkcs8.ParsePrivateKey(block.Bytes, nil)
	if err != nil {
		t.Fatal(err)
	}
	priv := key.(*sm2.PrivateKey)
	der, _ := smx509.MarshalPKIXPublicKey(&priv.PublicKey)
	var dek []byte
	for range n {
		id := env[*off : *off+32]
		w := int(binary.BigEndian.Uint16(env[*off+32:]))
		wrapped := env[*off+34 : *off+34+w]
		if bytes.Equal(id, sm3Of(der)) {
			if dek, err = sm2.Decrypt(priv, wrapped); err != nil {
				t.Fatal(err)
			}
		}
		*off += 34 + w
	}
	return dek
}

// refChunks decrypts the chunk records and computes the chunk-tree digest.
func refChunks(t *testing.T, env []byte, off int, header, dek, prefix []byte) (plain, digest []byte, end int) {
	block, _ := sm4.NewCipher(dek)
	gcm, _ := cipher.NewGCM(block)
	tree := sm3.New()
	tree.Write(append([]byte{1}, "TenderHall chunk tree v1"...))
	for i := uint32(0); ; i++ {
		flag, n := env[off], int(binary.BigEndian.Uint32(env[off+1:]))
		ct := env[off+5 : off+5+n]
		nonce := binary.BigEndian.AppendUint32(append([]byte(nil), prefix...), i)
		nonce = append(nonce, flag)
		pt, err := gcm.Open(nil, nonce, ct, header)
		if err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
		plain = append(plain, pt...)
		tree.Write(sm3Of([]byte{0}, ct))
		off += 5 + n
		if flag == 1 {
			return plain, tree.Sum(nil), off
		}
	}
}

func sm3Of(parts ...[]byte) []byte {
	h := sm3.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}
