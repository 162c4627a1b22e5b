package notary

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// vectorEnvelope reads a test vector's envelope bytes.
func vectorEnvelope(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "envelope-v1-"+name+".hex"))
	if err != nil {
		f.Fatal(err)
	}
	return mustHex(strings.Join(strings.Fields(string(b)), ""))
}

// FuzzEnvelopeHeader feeds arbitrary bytes to the header parser and to the
// streaming verifier. Neither may panic, every refusal is apperr.Invalid,
// and an accepted header re-encodes to exactly its own bytes (one header,
// one encoding).
func FuzzEnvelopeHeader(f *testing.F) {
	for _, name := range []string{"three-chunks", "empty"} {
		env := vectorEnvelope(f, name)
		h := int(bytesHeaderLen(env))
		f.Add(env[:h])
		f.Add(env[:h-1])
		f.Add(env[:prefixSize])
	}
	f.Add([]byte("THSEAL"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ParseHeader(bytes.NewReader(data))
		if err != nil {
			codeOf(t, err)
		} else {
			again := *h
			if !bytes.Equal(encodeHeader(&again), h.Raw) {
				t.Fatalf("header does not re-encode to its bytes")
			}
		}
		v := NewVerifier(Expect{})
		v.Write(data)
		if _, _, err := v.Finish(); err == nil {
			t.Fatal("a lone header verified")
		} else {
			codeOf(t, err)
		}
	})
}

// FuzzChunkReader puts arbitrary bytes after a genuine header (the
// three-chunks vector's, whose DEK is known) and unseals them. It must
// never panic, refuse with apperr.Invalid, and accept only the genuine body.
func FuzzChunkReader(f *testing.F) {
	env := vectorEnvelope(f, "three-chunks")
	hlen := int(bytesHeaderLen(env))
	header, body := env[:hlen], env[hlen:]
	f.Add(body)
	f.Add(body[:len(body)-1])
	f.Add(append(append([]byte(nil), body...), 0))
	f.Add(body[:recordSize+10])
	f.Add([]byte{flagFinal, 0, 0, 0, 16})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := io.MultiReader(bytes.NewReader(header), bytes.NewReader(data))
		var out bytes.Buffer
		if _, _, err := UnsealWithDEK(context.Background(), &out, in, vectorDEK, Expect{}); err != nil {
			codeOf(t, err)
			return
		}
		if !bytes.Equal(data, body) {
			t.Fatalf("a forged body was accepted")
		}
	})
}
