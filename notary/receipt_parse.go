package notary

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The members of a receipt document and of its "receipt" object, in
// canonical order.
var (
	receiptDocMembers = []string{"receipt", "keyId", "signature"}
	receiptMembers    = []string{"type", "bidId", "projectId", "sectionId", "bidderId",
		"ciphertextDigest", "ciphertextSize", "receivedAtMs", "logIndex"}
)

// ParseReceipt reads a receipt document (described in receipt.go). It
// checks the form only; call Verify for the signature. Every refusal is
// apperr.Invalid with a message naming the problem and one of the codes
// "receipt_too_large", "receipt_malformed" (not one JSON object, a
// duplicate member, trailing data), "receipt_field_unknown",
// "receipt_field_missing", "receipt_type_unsupported" or
// "receipt_field_invalid" (a member of the wrong type or form, bad base64).
func ParseReceipt(data []byte) (SignedReceipt, error) {
	if len(data) > MaxReceiptSize {
		return SignedReceipt{}, apperr.Newf(apperr.Invalid, "回执文件过大（超过 %d 字节），不是回执",
			"the receipt file is too large (over %d bytes); it is not a receipt", MaxReceiptSize).WithCode("receipt_too_large")
	}
	doc, err := decodeReceiptObject(data, receiptDocMembers)
	if err != nil {
		return SignedReceipt{}, err
	}
	in, err := decodeReceiptObject(doc["receipt"], receiptMembers)
	if err != nil {
		return SignedReceipt{}, err
	}
	typ, err := receiptString(in, "type")
	if err != nil {
		return SignedReceipt{}, err
	}
	if typ != ReceiptType {
		return SignedReceipt{}, apperr.Newf(apperr.Invalid, "不支持的回执类型 %q（应为 %q）",
			"unsupported receipt type %q (want %q)", typ, ReceiptType).WithCode("receipt_type_unsupported").WithField("type", "unsupported")
	}
	var s SignedReceipt
	r := &s.Receipt
	for _, f := range []struct {
		name string
		dst  *string
	}{{"bidId", &r.BidID}, {"projectId", &r.ProjectID}, {"sectionId", &r.SectionID}, {"bidderId", &r.BidderID},
		{"ciphertextDigest", &r.CiphertextDigest}} {
		if *f.dst, err = receiptString(in, f.name); err != nil {
			return SignedReceipt{}, err
		}
	}
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"ciphertextSize", &r.CiphertextSize}, {"receivedAtMs", &r.ReceivedAtMs}, {"logIndex", &r.LogIndex}} {
		if *f.dst, err = receiptInt(in, f.name); err != nil {
			return SignedReceipt{}, err
		}
	}
	if s.KeyID, err = receiptString(doc, "keyId"); err != nil {
		return SignedReceipt{}, err
	}
	sig, err := receiptString(doc, "signature")
	if err != nil {
		return SignedReceipt{}, err
	}
	// Strict decoding and the re-encoding check refuse non-zero padding bits
	// and the line breaks StdEncoding would skip, so that a signature has
	// one spelling and the document re-serialises to what was read.
	s.Signature, err = base64.StdEncoding.Strict().DecodeString(sig)
	if err != nil || base64.StdEncoding.EncodeToString(s.Signature) != sig {
		return SignedReceipt{}, receiptFieldInvalid("signature", "不是标准 base64（含填充）", "is not standard base64 with padding")
	}
	if _, err := s.Marshal(); err != nil { // checks every field against the canonical rules
		return SignedReceipt{}, err
	}
	return s, nil
}

// decodeReceiptObject decodes data as exactly one JSON object whose members
// are exactly want, each once, returning the raw member values.
func decodeReceiptObject(data []byte, want []string) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, receiptMalformed("不是一个 JSON 对象", "is not a JSON object", err)
	}
	members := map[string]json.RawMessage{}
	var order []string
	for dec.More() {
		if tok, err = dec.Token(); err != nil {
			return nil, receiptMalformed("JSON 语法错误", "has a JSON syntax error", err)
		}
		name, _ := tok.(string) // inside an object the decoder only yields string keys here
		if _, dup := members[name]; dup {
			return nil, receiptMalformed(fmt.Sprintf("字段 %q 重复出现", name), fmt.Sprintf("has member %q twice", name), nil)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, receiptMalformed("JSON 语法错误", "has a JSON syntax error", err)
		}
		members[name] = v
		order = append(order, name)
	}
	if tok, err = dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, receiptMalformed("JSON 语法错误", "has a JSON syntax error", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, receiptMalformed("JSON 对象之后还有多余内容", "has data after the JSON object", nil)
	}
	known := map[string]bool{}
	for _, w := range want {
		known[w] = true
	}
	for _, name := range order {
		if !known[name] {
			return nil, apperr.Newf(apperr.Invalid, "回执包含未知字段 %q", "the receipt has an unknown member %q", name).
				WithCode("receipt_field_unknown").WithField(name, "unknown")
		}
	}
	for _, w := range want {
		if _, ok := members[w]; !ok {
			return nil, apperr.Newf(apperr.Invalid, "回执缺少字段 %q", "the receipt member %q is missing", w).
				WithCode("receipt_field_missing").WithField(w, "missing")
		}
	}
	return members, nil
}

// receiptString returns member name, which must be a JSON string (null is
// not one: encoding/json would silently leave the target empty).
func receiptString(m map[string]json.RawMessage, name string) (string, error) {
	raw := m[name]
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", receiptFieldInvalid(name, "应为 JSON 字符串", "must be a JSON string")
	}
	return s, nil
}

// receiptInt returns member name, which must be a non-negative JSON integer
// written plainly: no sign, fraction, exponent or leading zero, so that it
// has one spelling.
func receiptInt(m map[string]json.RawMessage, name string) (int64, error) {
	raw := m[name]
	plain := len(raw) > 0 && len(raw) <= 19 && (raw[0] != '0' || len(raw) == 1)
	for _, c := range raw {
		plain = plain && c >= '0' && c <= '9'
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if !plain || err != nil {
		return 0, receiptFieldInvalid(name, "应为不带符号、小数点或指数的非负整数", "must be a non-negative whole number without sign, fraction or exponent")
	}
	return n, nil
}

func receiptMalformed(zh, en string, cause error) *apperr.Error {
	e := apperr.New(apperr.Invalid, "回执文件格式错误："+zh, "the receipt file is malformed: it "+en).WithCode("receipt_malformed")
	if cause != nil && cause != io.EOF {
		e.Wrapped = cause
	}
	return e
}
