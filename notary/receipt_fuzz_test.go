package notary

import (
	"bytes"
	"os"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// FuzzParseReceipt feeds arbitrary bytes to the receipt parser: it must
// never panic, every refusal must be apperr.Invalid, and anything accepted
// must re-serialise to the canonical document, which parses back to the
// same receipt and serialises to the same bytes again.
func FuzzParseReceipt(f *testing.F) {
	if vector, err := os.ReadFile("testdata/receipt_v1.json"); err == nil {
		f.Add(vector)
	}
	k, err := GenerateKey()
	if err != nil {
		f.Fatal(err)
	}
	s, err := SignReceipt(k, sampleReceipt())
	if err != nil {
		f.Fatal(err)
	}
	doc, _ := s.Marshal()
	f.Add(doc)
	f.Add(bytes.ReplaceAll(doc, []byte(`,"`), []byte(",\n \"")))
	f.Add([]byte(`{"receipt":{},"keyId":"","signature":""}`))
	f.Add([]byte(`{"receipt":{"type":"tenderhall.receipt.v1","logIndex":1e3}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseReceipt(data)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("refusal is not apperr.Invalid: %v", err)
			}
			return
		}
		out, err := got.Marshal()
		if err != nil {
			t.Fatalf("accepted receipt does not serialise: %v", err)
		}
		again, err := ParseReceipt(out)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, out)
		}
		if again.Receipt != got.Receipt || again.KeyID != got.KeyID || !bytes.Equal(again.Signature, got.Signature) {
			t.Fatalf("canonical form parses to another receipt:\n%+v\n%+v", again, got)
		}
		if out2, _ := again.Marshal(); !bytes.Equal(out, out2) {
			t.Fatalf("serialisation is not stable:\n%s\n%s", out, out2)
		}
		if inner, _ := got.Receipt.Canonical(); !bytes.Contains(out, inner) {
			t.Fatalf("document does not carry the signed form:\n%s", out)
		}
	})
}
