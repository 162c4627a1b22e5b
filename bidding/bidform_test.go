package bidding

import (
	"bytes"
	"strings"
	"testing"
)

func TestBidPackageRoundTrip(t *testing.T) {
	var pkg bytes.Buffer
	form := BidForm{PriceFen: 98765432, DurationDays: 365, Quality: "优良", Commitments: map[string]string{"warranty": "5年"},
		Contact: "张三", Phone: "+86 138-0000-1234", DepositAccount: "6222020200112233445"}
	if err := WriteBidPackage(&pkg, form, []BidDocument{{Name: "商务标.pdf", Size: 5, Body: strings.NewReader("%PDF-")}}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadBidForm(pkg.Bytes()[:min(pkg.Len(), formPrefix)])
	if err != nil || got.PriceFen != form.PriceFen || got.DurationDays != 365 || got.Commitments["warranty"] != "5年" ||
		got.Contact != "张三" || got.Phone != form.Phone || got.DepositAccount != form.DepositAccount {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestBidFormRefusals(t *testing.T) {
	pack := func(name, body string) []byte {
		var b bytes.Buffer
		_ = WriteBidPackage(&b, BidForm{PriceFen: 1, DurationDays: 1}, nil)
		if name == "" {
			return b.Bytes()
		}
		b.Reset()
		// A package whose first entry is not the form, or a form with bad JSON.
		WriteBidPackage(&b, BidForm{PriceFen: 1, DurationDays: 1}, nil)
		raw := bytes.Replace(b.Bytes(), []byte(BidFormName), []byte(name), 1)
		return bytes.Replace(raw, []byte(`{"priceFen":1,"durationDays":1}`), []byte(body), 1)
	}
	for name, in := range map[string][]byte{
		"not a tar":        []byte("PK\x03\x04 a zip file"),
		"empty":            nil,
		"another first":    pack("readme.txt", `{"priceFen":1,"durationDays":1}`),
		"bad json":         pack(BidFormName, `{"priceFen":1,"durationDays":1 `),
		"unknown field":    pack(BidFormName, `{"priceFen":1,"durationDay":1}`),
		"zero price":       pack(BidFormName, `{"priceFen":0,"durationDays":1}`),
		"negative":         pack(BidFormName, `{"priceFen":-1,"durationDays":1}`),
		"truncated prefix": pack("", "")[:520],
		"long contact":     pack(BidFormName, `{"priceFen":1,"durationDays":1,"contact":"`+strings.Repeat("张", 51)+`"}`),
		"letters in phone": pack(BidFormName, `{"priceFen":1,"durationDays":1,"phone":"138-call-me"}`),
		"short account":    pack(BidFormName, `{"priceFen":1,"durationDays":1,"depositAccount":"1234"}`),
	} {
		if _, err := ReadBidForm(in); codeOf(err) != "bad_bid_form" {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzReadBidForm: whatever a bidder sealed, reading its form never panics
// and anything accepted is a valid form.
func FuzzReadBidForm(f *testing.F) {
	var b bytes.Buffer
	_ = WriteBidPackage(&b, BidForm{PriceFen: 100, DurationDays: 10, Quality: "合格"}, nil)
	f.Add(b.Bytes())
	f.Add([]byte("not a tar"))
	f.Fuzz(func(t *testing.T, in []byte) {
		form, err := ReadBidForm(in)
		if err == nil && form.Validate() != nil {
			t.Fatalf("accepted an invalid form %+v", form)
		}
	})
}
