package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// receiptFixture writes a signed receipt, the platform's public key and an
// impostor's public key to a temporary directory.
type receiptFixture struct {
	dir, receipt, pub, otherPub string
	doc                         []byte
}

func newReceiptFixture(t *testing.T) receiptFixture {
	t.Helper()
	platform, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	other, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := notary.SignReceipt(platform, notary.Receipt{
		BidID: "bid-7", ProjectID: "P-2025-001", SectionID: "P-2025-001.S2", BidderID: "org-42",
		CiphertextDigest: strings.Repeat("ab", 32), CiphertextSize: 65536,
		ReceivedAtMs: 1735786800123, LogIndex: 99,
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := s.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	f := receiptFixture{dir: t.TempDir(), doc: doc}
	f.receipt = f.write(t, "bid-7.receipt.json", doc)
	f.pub = f.write(t, "platform.pub", []byte(platform.Public().PEM))
	f.otherPub = f.write(t, "other.pub", []byte(other.Public().PEM))
	return f
}

func (f receiptFixture) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerifyReceiptPrintsTheFields(t *testing.T) {
	f := newReceiptFixture(t)
	out, _, err := execute(t, nil, "verify", "receipt", f.receipt, "--platform-pub", f.pub)
	if err != nil {
		t.Fatalf("valid receipt refused: %v", err)
	}
	for _, want := range []string{
		"回执有效", "receipt valid",
		"投标编号 / bid id: bid-7", "项目 / project: P-2025-001", "标段 / section: P-2025-001.S2",
		"投标人 / bidder: org-42", "ciphertext digest (SM3): " + strings.Repeat("ab", 32),
		"65536 字节 / bytes", "2025-01-02T03:00:00.123Z", "北京时间 / Beijing time 2025-01-02 11:00:00.123",
		"日志序号 / log index: 99", "平台密钥 / platform key id: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestVerifyReceiptFailures(t *testing.T) {
	f := newReceiptFixture(t)
	tampered := f.write(t, "tampered.json", []byte(strings.Replace(string(f.doc), `"logIndex":99`, `"logIndex":98`, 1)))
	garbage := f.write(t, "garbage.json", []byte("not a receipt"))
	unknown := f.write(t, "unknown.json", []byte(strings.Replace(string(f.doc), `{"receipt":`, `{"x":1,"receipt":`, 1)))
	notKey := f.write(t, "not-a-key.pub", []byte("hello"))
	cases := []struct {
		name string
		args []string
		exit int
		says string // part of the one-line error
		code string // apperr machine code, when the failure is the receipt's
	}{
		{"tampered", []string{tampered, "--platform-pub", f.pub}, 1, "the receipt signature is invalid", "signature_invalid"},
		{"other platform key", []string{f.receipt, "--platform-pub", f.otherPub}, 1, "signed by another platform key", "wrong_key"},
		{"malformed", []string{garbage, "--platform-pub", f.pub}, 1, "回执文件格式错误", "receipt_malformed"},
		{"unknown member", []string{unknown, "--platform-pub", f.pub}, 1, `unknown member "x"`, "receipt_field_unknown"},
		{"missing receipt", []string{filepath.Join(f.dir, "nope.json"), "--platform-pub", f.pub}, 1, "cannot read the receipt file", ""},
		{"missing key", []string{f.receipt, "--platform-pub", filepath.Join(f.dir, "nope.pub")}, 1, "cannot read the platform public key file", ""},
		{"not a key", []string{f.receipt, "--platform-pub", notKey}, 1, "platform public key file " + notKey, ""},
		{"no --platform-pub", []string{f.receipt}, 2, "--platform-pub is required", ""},
		{"no FILE", []string{"--platform-pub", f.pub}, 2, "expected one receipt FILE", ""},
		{"two FILEs", []string{f.receipt, f.receipt, "--platform-pub", f.pub}, 2, "expected one receipt FILE", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := execute(t, nil, append([]string{"verify", "receipt"}, c.args...)...)
			if err == nil {
				t.Fatalf("accepted; output:\n%s", out)
			}
			if strings.Contains(out, "回执有效") {
				t.Errorf("printed the valid banner on failure:\n%s", out)
			}
			if got := exitCode(err); got != c.exit {
				t.Errorf("exit code %d, want %d (err %v)", got, c.exit, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, c.says) {
				t.Errorf("error %q: want one line containing %q", msg, c.says)
			}
			if c.code != "" {
				ae, ok := apperr.As(err)
				if !ok || ae.MachineCode() != c.code {
					t.Errorf("error %v: want code %q", err, c.code)
				} else if !strings.HasPrefix(msg, ae.Zh+" / "+ae.En) {
					t.Errorf("error %q: want the Chinese, then the English message", msg)
				}
			}
		})
	}
}
