package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// verifyReceiptCmd checks a bid receipt (回执) offline against the
// platform's public key and prints what it attests.
func (e *env) verifyReceiptCmd() *cobra.Command {
	var pubPath, opensslDir string
	cmd := &cobra.Command{
		Use:   "receipt FILE --platform-pub platform.pub",
		Short: "Verify a bid receipt (回执) against the platform's public key",
		Long: "Checks that FILE is a receipt signed by the platform key whose public half is in\n" +
			"--platform-pub (a PUBLIC KEY or CERTIFICATE PEM), and prints what it attests: bid,\n" +
			"project, section, bidder, ciphertext digest and size, reception time and log index.\n" +
			"Exit status 0 when the receipt is valid; otherwise one line says why, with status 1\n" +
			"(status 2 for a command-line mistake). No network and no private key are needed.\n" +
			"With --print-openssl DIR it also writes canonical.json, sig.der, platform.pub and\n" +
			"verify.sh into DIR, so that OpenSSL alone can check the signature (notary/FORMAT.md §9).",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("%w: expected one receipt FILE, got %d arguments (see `%s --help`)", errUsage, len(args), c.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if pubPath == "" {
				return fmt.Errorf("%w: --platform-pub is required: the platform's public key PEM (see `%s --help`)", errUsage, cmd.CommandPath())
			}
			s, err := verifyReceiptFile(args[0], pubPath)
			if err != nil {
				return receiptCLIError(err)
			}
			printReceipt(e.out, s)
			if opensslDir != "" {
				return writeOpenSSLFiles(e.out, opensslDir, s, pubPath)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&pubPath, "platform-pub", "", "the platform's public key: PUBLIC KEY or CERTIFICATE PEM (required)")
	cmd.Flags().StringVar(&opensslDir, "print-openssl", "", "after verifying, write into this directory the files and the command with which OpenSSL alone verifies the receipt")
	return cmd
}

// verifyReceiptFile reads, parses and verifies the receipt at path against
// the public key at pubPath.
func verifyReceiptFile(path, pubPath string) (notary.SignedReceipt, error) {
	pemText, err := readLimited(pubPath, 64<<10)
	if err != nil {
		return notary.SignedReceipt{}, apperr.Wrap(err, apperr.Invalid,
			"无法读取平台公钥文件 "+pubPath, "cannot read the platform public key file "+pubPath)
	}
	pub, err := notary.ParsePublicKeyPEM(string(pemText))
	if err != nil {
		if ae, ok := apperr.As(err); ok { // say which file: the key is the second thing a user passes
			err = apperr.Wrap(err, ae.Kind, "平台公钥文件 "+pubPath+"："+ae.Zh, "platform public key file "+pubPath).WithCode(ae.MachineCode())
		}
		return notary.SignedReceipt{}, err
	}
	doc, err := readLimited(path, notary.MaxReceiptSize)
	if err != nil {
		return notary.SignedReceipt{}, apperr.Wrap(err, apperr.Invalid, "无法读取回执文件 "+path, "cannot read the receipt file "+path)
	}
	s, err := notary.ParseReceipt(doc)
	if err != nil {
		return notary.SignedReceipt{}, err
	}
	return s, s.Verify(pub)
}

// readLimited reads at most limit+1 bytes of path, so that a huge file given
// by mistake is refused by the parser without being read whole.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// printReceipt writes the attested fields, each labelled in Chinese and English.
func printReceipt(w io.Writer, s notary.SignedReceipt) {
	r := s.Receipt
	at := r.ReceivedAt()
	beijing := at.In(receiptShanghai())
	rows := [][2]string{
		{"投标编号 / bid id", r.BidID},
		{"项目 / project", r.ProjectID},
		{"标段 / section", r.SectionID},
		{"投标人 / bidder", r.BidderID},
		{"密文摘要 / ciphertext digest (SM3)", r.CiphertextDigest},
		{"密文大小 / ciphertext size", fmt.Sprintf("%d 字节 / bytes", r.CiphertextSize)},
		{"接收时间 / received at", fmt.Sprintf("%s (北京时间 / Beijing time %s)",
			at.Format("2006-01-02T15:04:05.000Z07:00"), beijing.Format("2006-01-02 15:04:05.000"))},
		{"日志序号 / log index", fmt.Sprint(r.LogIndex)},
		{"平台密钥 / platform key id", s.KeyID},
	}
	fmt.Fprintln(w, "回执有效：平台签名验证通过 / receipt valid: the platform signature verifies")
	for _, row := range rows {
		fmt.Fprintf(w, "  %s: %s\n", row[0], row[1])
	}
}

// receiptShanghai is the trading centre's time zone, for display; the fixed
// UTC+8 offset stands in if the zone database is missing (China has no DST).
func receiptShanghai() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

// receiptCLIError turns err into one line with the Chinese and the English
// message, keeping err in the chain for errors.As.
func receiptCLIError(err error) error {
	msg := err.Error()
	if ae, ok := apperr.As(err); ok && ae.Zh != "" {
		msg = ae.Zh + " / " + msg
	}
	return &receiptError{msg: strings.Join(strings.Fields(msg), " "), err: err}
}

type receiptError struct {
	msg string
	err error
}

func (e *receiptError) Error() string { return e.msg }
func (e *receiptError) Unwrap() error { return e.err }
