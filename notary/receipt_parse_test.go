package notary

import (
	"strings"
	"testing"
)

func TestParseReceiptRefusals(t *testing.T) {
	k := receiptTestKey(t)
	s, err := SignReceipt(k, sampleReceipt())
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := s.Marshal()
	doc := string(raw)
	sig := doc[strings.Index(doc, `"signature":"`)+len(`"signature":"`) : len(doc)-2]
	replace := func(old, new string) string {
		t.Helper()
		if !strings.Contains(doc, old) {
			t.Fatalf("test bug: %q not in %s", old, doc)
		}
		return strings.Replace(doc, old, new, 1)
	}
	cases := []struct {
		name, doc, code string
	}{
		{"empty", "", "receipt_malformed"},
		{"not JSON", "receipt", "receipt_malformed"},
		{"array", "[" + doc + "]", "receipt_malformed"},
		{"truncated", doc[:len(doc)-1], "receipt_malformed"},
		{"trailing data", doc + "{}", "receipt_malformed"},
		{"trailing comma", doc[:len(doc)-1] + ",}", "receipt_malformed"},
		{"duplicate member", replace(`,"logIndex":4711}`, `,"logIndex":4711,"logIndex":4712}`), "receipt_malformed"},
		{"receipt not an object", replace(doc[len(`{"receipt":`):strings.Index(doc, `,"keyId"`)], `"x"`), "receipt_malformed"},
		{"too large", doc + strings.Repeat(" ", MaxReceiptSize), "receipt_too_large"},
		{"unknown top member", replace(`{"receipt":`, `{"note":"hi","receipt":`), "receipt_field_unknown"},
		{"unknown inner member", replace(`,"logIndex":`, `,"extra":1,"logIndex":`), "receipt_field_unknown"},
		{"member name case", replace(`"bidId"`, `"BidId"`), "receipt_field_unknown"},
		{"missing signature", replace(`,"signature":"`+sig+`"`, ``), "receipt_field_missing"},
		{"missing keyId", replace(`,"keyId":"`+s.KeyID+`"`, ``), "receipt_field_missing"},
		{"missing logIndex", replace(`,"logIndex":4711`, ``), "receipt_field_missing"},
		{"missing type", replace(`"type":"tenderhall.receipt.v1",`, ``), "receipt_field_missing"},
		{"other type", replace(`receipt.v1`, `receipt.v2`), "receipt_type_unsupported"},
		{"type null", replace(`"tenderhall.receipt.v1"`, `null`), "receipt_field_invalid"},
		{"bidId number", replace(`"bid-01J9Z8K3"`, `42`), "receipt_field_invalid"},
		{"bidId null", replace(`"bid-01J9Z8K3"`, `null`), "receipt_field_invalid"},
		{"bidId bad character", replace(`"bid-01J9Z8K3"`, `"bid 01"`), "receipt_field_invalid"},
		{"digest uppercase", replace(sampleReceipt().CiphertextDigest, strings.ToUpper(sampleReceipt().CiphertextDigest)), "receipt_field_invalid"},
		{"size string", replace(`:1048621`, `:"1048621"`), "receipt_field_invalid"},
		{"size negative", replace(`:1048621`, `:-1048621`), "receipt_field_invalid"},
		{"size fraction", replace(`:1048621`, `:1048621.0`), "receipt_field_invalid"},
		{"size exponent", replace(`:1048621`, `:1e6`), "receipt_field_invalid"},
		{"size leading zero", replace(`:1048621`, `:01048621`), "receipt_malformed"}, // not JSON at all
		{"size overflow", replace(`:1048621`, `:9223372036854775808`), "receipt_field_invalid"},
		{"time null", replace(`:1735786800123`, `:null`), "receipt_field_invalid"},
		{"time after 9999", replace(`:1735786800123`, `:253402300800000`), "receipt_field_invalid"},
		{"keyId short", replace(s.KeyID, s.KeyID[:10]), "receipt_field_invalid"},
		{"signature not base64", replace(sig, "!!!!"), "receipt_field_invalid"},
		{"signature unpadded", replace(sig, "AAA"), "receipt_field_invalid"},
		{"signature padding bits", replace(sig, "AAB="), "receipt_field_invalid"},
		{"signature with line break", replace(sig, sig[:8]+`\n`+sig[8:]), "receipt_field_invalid"},
		{"signature empty", replace(sig, ""), "receipt_field_invalid"},
		{"signature huge", replace(sig, strings.Repeat("AAAA", 60)), "receipt_field_invalid"},
	}
	for _, c := range cases {
		_, err := ParseReceipt([]byte(c.doc))
		wantReceiptErr(t, c.name, err, c.code)
	}
}

func TestParseReceiptAcceptsEscapesAndWhitespace(t *testing.T) {
	k := receiptTestKey(t)
	s, _ := SignReceipt(k, sampleReceipt())
	raw, _ := s.Marshal()
	// JSON escapes and whitespace are not part of the signed form, so an
	// equivalent spelling parses to the same receipt and still verifies.
	doc := strings.Replace(string(raw), `"bid-01J9Z8K3"`, "\"bid\\u002d01J9Z8K3\"", 1)
	doc = strings.ReplaceAll(doc, `,"`, ",\n  \"")
	got, err := ParseReceipt([]byte(" \r\n" + doc + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Receipt != s.Receipt || got.Verify(k.Public()) != nil {
		t.Fatalf("got %+v", got.Receipt)
	}
	again, _ := got.Marshal()
	if string(again) != string(raw) {
		t.Fatalf("did not re-serialise canonically:\n%s\n%s", again, raw)
	}
}
