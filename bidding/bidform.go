package bidding

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// BidFormSchema is the schema version a sealed bid declares for its form.
const BidFormSchema = "bidform/1"

// BidFormName is the first entry of every bid package.
const BidFormName = "bidform.json"

// maxBidForm bounds the form entry: it is read into memory at opening.
const maxBidForm = 64 << 10

// BidForm (投标函) is the structured part of a bid. The opening record
// publishes the price in fen, the duration in calendar days and the
// quality commitment; the contact person, phone and the account the bid
// bond comes from are never published (supervision compares them across
// bidders, DESIGN.md §5).
type BidForm struct {
	PriceFen       int64             `json:"priceFen"`
	DurationDays   int               `json:"durationDays"`
	Quality        string            `json:"quality,omitempty"`
	Commitments    map[string]string `json:"commitments,omitempty"`
	Contact        string            `json:"contact,omitempty"`
	Phone          string            `json:"phone,omitempty"`
	DepositAccount string            `json:"depositAccount,omitempty"`
}

// Validate checks the form's figures. Errors: apperr.Invalid (code
// bad_bid_form) naming the field.
func (f BidForm) Validate() error {
	switch {
	case f.PriceFen <= 0:
		return badForm("投标报价必须为正数（分）", "the price must be a positive number of fen", "priceFen")
	case f.DurationDays <= 0 || f.DurationDays > 36500:
		return badForm("工期必须为 1 到 36500 天", "the duration must be 1 to 36500 days", "durationDays")
	case len(f.Quality) > 500:
		return badForm("质量承诺过长", "the quality commitment is too long", "quality")
	case utf8.RuneCountInString(f.Contact) > 50:
		return badForm("联系人过长（最多 50 字）", "the contact person is too long (at most 50 characters)", "contact")
	case !phonePattern.MatchString(f.Phone):
		return badForm("联系电话格式错误", "the phone number is malformed", "phone")
	case !accountPattern.MatchString(f.DepositAccount):
		return badForm("保证金账户应为 8 到 34 位数字或字母", "the deposit account must be 8 to 34 digits or letters", "depositAccount")
	}
	return nil
}

var (
	phonePattern   = regexp.MustCompile(`^$|^\+?[0-9][0-9 -]{4,19}$`)
	accountPattern = regexp.MustCompile(`^$|^[0-9A-Za-z]{8,34}$`)
)

func badForm(zh, en, field string) error {
	return apperr.New(apperr.Invalid, "投标函无效："+zh, "the bid form is invalid: "+en).WithCode("bad_bid_form").WithField(field, en)
}

// BidDocument is a file packed into a bid after its form.
type BidDocument struct {
	Name string
	Size int64
	Body io.Reader
}

// WriteBidPackage writes the plaintext a bidder seals: a tar stream whose
// first entry is bidform.json, then the documents. Errors: the form's
// validation errors, and w's or a body's.
func WriteBidPackage(w io.Writer, form BidForm, docs []BidDocument) error {
	if err := form.Validate(); err != nil {
		return err
	}
	raw, err := json.Marshal(form)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(w)
	mod := time.Unix(0, 0).UTC()
	if err := tw.WriteHeader(&tar.Header{Name: BidFormName, Mode: 0o644, Size: int64(len(raw)), ModTime: mod, Format: tar.FormatPAX}); err != nil {
		return err
	}
	if _, err := tw.Write(raw); err != nil {
		return err
	}
	for _, d := range docs {
		if err := tw.WriteHeader(&tar.Header{Name: d.Name, Mode: 0o644, Size: d.Size, ModTime: mod, Format: tar.FormatPAX}); err != nil {
			return err
		}
		if _, err := io.CopyN(tw, d.Body, d.Size); err != nil {
			return err
		}
	}
	return tw.Close()
}

// ReadBidForm parses the form at the start of a bid package. prefix needs
// only the package's first bytes (the form is its first entry, at most
// 64 KiB). Errors: apperr.Invalid (code bad_bid_form).
func ReadBidForm(prefix []byte) (BidForm, error) {
	tr := tar.NewReader(bytes.NewReader(prefix))
	h, err := tr.Next()
	if err != nil || h.Name != BidFormName || h.Size > maxBidForm {
		return BidForm{}, badForm("投标文件的第一项必须是 bidform.json", "the bid package must start with bidform.json", "bidform.json")
	}
	raw, err := io.ReadAll(io.LimitReader(tr, maxBidForm))
	if err != nil || int64(len(raw)) != h.Size {
		return BidForm{}, badForm("bidform.json 不完整", "bidform.json is incomplete", "bidform.json")
	}
	var f BidForm
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return BidForm{}, badForm("bidform.json 不是有效的 JSON", "bidform.json is not valid JSON", "bidform.json")
	}
	return f, f.Validate()
}

// prefixWriter keeps the first n bytes written through it and counts all.
type prefixWriter struct {
	buf   []byte
	n     int
	total int64
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	if room := p.n - len(p.buf); room > 0 {
		p.buf = append(p.buf, b[:min(room, len(b))]...)
	}
	p.total += int64(len(b))
	return len(b), nil
}
