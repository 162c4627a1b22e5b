package notary

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func sampleReceipt() Receipt {
	return Receipt{
		BidID:            "bid-01J9Z8K3",
		ProjectID:        "P2025-0042",
		SectionID:        "P2025-0042.S1",
		BidderID:         "org:91350100M000100Y43",
		CiphertextDigest: "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",
		CiphertextSize:   1048621,
		ReceivedAtMs:     1735786800123,
		LogIndex:         4711,
	}
}

func receiptTestKey(t testing.TB) *PrivateKey {
	t.Helper()
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func wantReceiptErr(t *testing.T, what string, err error, code string) {
	t.Helper()
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid || e.MachineCode() != code {
		t.Errorf("%s: err = %v, want apperr.Invalid %q", what, err, code)
		return
	}
	if e.Zh == "" || e.En == "" || strings.Contains(e.Error(), "\n") {
		t.Errorf("%s: message not bilingual or not one line: %q / %q", what, e.Zh, e.En)
	}
}

func TestReceiptCanonicalForm(t *testing.T) {
	got, err := sampleReceipt().Canonical()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"tenderhall.receipt.v1","bidId":"bid-01J9Z8K3","projectId":"P2025-0042","sectionId":"P2025-0042.S1",` +
		`"bidderId":"org:91350100M000100Y43","ciphertextDigest":"66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0",` +
		`"ciphertextSize":1048621,"receivedAtMs":1735786800123,"logIndex":4711}`
	if string(got) != want {
		t.Fatalf("canonical form\n got %s\nwant %s", got, want)
	}
	if !json.Valid(got) {
		t.Fatal("canonical form is not JSON")
	}
	if at := sampleReceipt().ReceivedAt(); at.Format("2006-01-02T15:04:05.000Z07:00") != "2025-01-02T03:00:00.123Z" {
		t.Fatalf("ReceivedAt = %v", at)
	}
}

func TestReceiptRoundTrip(t *testing.T) {
	k := receiptTestKey(t)
	s, err := SignReceipt(k, sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyID != k.Public().ID {
		t.Fatalf("key id %s, want %s", s.KeyID, k.Public().ID)
	}
	doc, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseReceipt(doc)
	if err != nil {
		t.Fatal(err)
	}
	if back.Receipt != s.Receipt || back.KeyID != s.KeyID || !bytes.Equal(back.Signature, s.Signature) {
		t.Fatalf("round trip changed the receipt:\n%+v\n%+v", back, s)
	}
	if err := back.Verify(k.Public()); err != nil {
		t.Fatalf("verify: %v", err)
	}
	// A reformatted document (indented, members reordered) still verifies:
	// the signature covers the canonical form, not the file's bytes.
	var generic map[string]any
	if err := json.Unmarshal(doc, &generic); err != nil {
		t.Fatal(err)
	}
	pretty, _ := json.MarshalIndent(generic, "", "  ")
	again, err := ParseReceipt(pretty)
	if err != nil || again.Verify(k.Public()) != nil {
		t.Fatalf("reformatted receipt: %v\n%s", err, pretty)
	}
	// encoding/json embeds it as the canonical document.
	wrapped, err := json.Marshal(struct {
		R SignedReceipt `json:"r"`
	}{s})
	if err != nil || !bytes.Equal(wrapped, append(append([]byte(`{"r":`), doc...), '}')) {
		t.Fatalf("json.Marshal: %v %s", err, wrapped)
	}
	var out struct {
		R SignedReceipt `json:"r"`
	}
	if err := json.Unmarshal(wrapped, &out); err != nil || out.R.Verify(k.Public()) != nil {
		t.Fatalf("json.Unmarshal: %v", err)
	}
}

func TestReceiptTamperedFieldIsRefused(t *testing.T) {
	k := receiptTestKey(t)
	s, err := SignReceipt(k, sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(r *Receipt){
		"bidId":            func(r *Receipt) { r.BidID = "bid-01J9Z8K4" },
		"projectId":        func(r *Receipt) { r.ProjectID = "P2025-0043" },
		"sectionId":        func(r *Receipt) { r.SectionID = "P2025-0042.S2" },
		"bidderId":         func(r *Receipt) { r.BidderID = "org:91350100M000100Y44" },
		"ciphertextDigest": func(r *Receipt) { r.CiphertextDigest = strings.Repeat("0", 64) },
		"ciphertextSize":   func(r *Receipt) { r.CiphertextSize++ },
		"receivedAtMs":     func(r *Receipt) { r.ReceivedAtMs-- },
		"logIndex":         func(r *Receipt) { r.LogIndex = 4710 },
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			bad := s
			tamper(&bad.Receipt)
			// Through the document too, as an auditor would receive it.
			doc, err := bad.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := ParseReceipt(doc)
			if err != nil {
				t.Fatal(err)
			}
			wantReceiptErr(t, name, parsed.Verify(k.Public()), "signature_invalid")
		})
	}
	t.Run("signature", func(t *testing.T) {
		bad := s
		bad.Signature = bytes.Clone(s.Signature)
		bad.Signature[len(bad.Signature)-1] ^= 1
		wantReceiptErr(t, "signature", bad.Verify(k.Public()), "signature_invalid")
	})
	t.Run("keyId", func(t *testing.T) {
		bad := s
		bad.KeyID = strings.Repeat("a", 64)
		wantReceiptErr(t, "keyId", bad.Verify(k.Public()), "wrong_key")
	})
}

func TestReceiptFromAnotherKeyIsRefused(t *testing.T) {
	platform, impostor := receiptTestKey(t), receiptTestKey(t)
	forged, err := SignReceipt(impostor, sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	wantReceiptErr(t, "honest key id", forged.Verify(platform.Public()), "wrong_key")
	// An impostor claiming the platform's key id still fails on the signature.
	forged.KeyID = platform.Public().ID
	wantReceiptErr(t, "claimed key id", forged.Verify(platform.Public()), "signature_invalid")
}

func TestSignReceiptRefusesMalformedFields(t *testing.T) {
	k := receiptTestKey(t)
	cases := map[string]func(r *Receipt){
		"bidId empty":            func(r *Receipt) { r.BidID = "" },
		"bidId quote":            func(r *Receipt) { r.BidID = `a"b` },
		"projectId space":        func(r *Receipt) { r.ProjectID = "P 1" },
		"sectionId non-ASCII":    func(r *Receipt) { r.SectionID = "标段1" },
		"bidderId too long":      func(r *Receipt) { r.BidderID = strings.Repeat("x", 129) },
		"ciphertextDigest upper": func(r *Receipt) { r.CiphertextDigest = strings.ToUpper(r.CiphertextDigest) },
		"ciphertextDigest short": func(r *Receipt) { r.CiphertextDigest = r.CiphertextDigest[:62] },
		"ciphertextSize":         func(r *Receipt) { r.CiphertextSize = -1 },
		"receivedAtMs negative":  func(r *Receipt) { r.ReceivedAtMs = -1 },
		"receivedAtMs year 10k":  func(r *Receipt) { r.ReceivedAtMs = maxReceivedAtMs + 1 },
		"logIndex":               func(r *Receipt) { r.LogIndex = -5 },
	}
	for name, breakIt := range cases {
		r := sampleReceipt()
		breakIt(&r)
		_, err := SignReceipt(k, r)
		wantReceiptErr(t, name, err, "receipt_field_invalid")
	}
	r := sampleReceipt()
	r.BidID = strings.Repeat("x", 128)
	if _, err := SignReceipt(k, r); err != nil {
		t.Errorf("128-character id refused: %v", err)
	}
}

// testdata/receipt_v1.json is a receipt signed once by the key whose public
// half is testdata/receipt_v1.pub (the private half was discarded): a fixed
// vector another implementation can check its canonical form and SM2
// verification against. Its receipt is sampleReceipt().
func TestReceiptVector(t *testing.T) {
	doc, err := os.ReadFile("testdata/receipt_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := os.ReadFile("testdata/receipt_v1.pub")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKeyPEM(string(pubPEM))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseReceipt(doc)
	if err != nil {
		t.Fatal(err)
	}
	if s.Receipt != sampleReceipt() {
		t.Fatalf("vector receipt %+v", s.Receipt)
	}
	if err := s.Verify(pub); err != nil {
		t.Fatalf("vector does not verify: %v", err)
	}
	out, _ := s.Marshal()
	if string(out) != strings.TrimSpace(string(doc)) {
		t.Fatalf("vector is not in canonical form:\n%s\n%s", out, doc)
	}
}
