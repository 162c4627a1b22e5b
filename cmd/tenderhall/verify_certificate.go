package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// maxCertificateSize bounds the PDF read; certificates are tens of kB.
const maxCertificateSize = 16 << 20

// verifyCertificateCmd checks an electronic certificate PDF against its
// department's public key and, with --server, asks the platform whether it
// is still valid.
func (e *env) verifyCertificateCmd() *cobra.Command {
	var pubPath, server string
	cmd := &cobra.Command{
		Use:   "certificate FILE.pdf --department-pub dept.pub [--server URL]",
		Short: "Verify an electronic certificate (电子证照) PDF against its department's public key",
		Long: "Checks that FILE.pdf was signed by the department whose public key is in\n" +
			"--department-pub (GET /api/v1/public/approval/departments/ID/certificate-key) and has\n" +
			"not changed since, then prints what it certifies. The signature alone cannot tell a\n" +
			"revoked certificate: with --server the platform is asked for its status too, and a\n" +
			"revoked or expired certificate exits with status 1. Status 2 is a command-line mistake.",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("%w: expected one certificate FILE, got %d arguments (see `%s --help`)", errUsage, len(args), c.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if pubPath == "" {
				return fmt.Errorf("%w: --department-pub is required: the issuing department's public key PEM (see `%s --help`)", errUsage, cmd.CommandPath())
			}
			body, err := verifyCertificateFile(args[0], pubPath)
			if err != nil {
				return receiptCLIError(err)
			}
			printCertificate(e.out, body)
			if server == "" {
				fmt.Fprintln(e.out, "  吊销状态 / revocation: 未查询（加 --server 查询）/ not checked (add --server)")
				return nil
			}
			st, err := certificateStatus(cmd.Context(), server, body.No)
			if err != nil {
				return receiptCLIError(err)
			}
			fmt.Fprintf(e.out, "  平台状态 / platform status: %s\n", st.Status)
			if st.Status != approval.CertValid {
				return receiptCLIError(apperr.Newf(apperr.Conflict, "电子证照已%s：%s", "the certificate is %s: %s",
					certStatusZh(st.Status), st.RevokedReason).WithCode("certificate_" + st.Status))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&pubPath, "department-pub", "", "the issuing department's public key: PUBLIC KEY or CERTIFICATE PEM (required)")
	cmd.Flags().StringVar(&server, "server", "", "the platform's base URL, to ask whether the certificate is revoked or expired")
	return cmd
}

func certStatusZh(s string) string {
	if s == approval.CertRevoked {
		return "吊销"
	}
	return "过期"
}

func verifyCertificateFile(path, pubPath string) (approval.CertificateBody, error) {
	pemText, err := readLimited(pubPath, 64<<10)
	if err != nil {
		return approval.CertificateBody{}, apperr.Wrap(err, apperr.Invalid, "无法读取部门公钥文件 "+pubPath, "cannot read the department public key file "+pubPath)
	}
	pub, err := notary.ParsePublicKeyPEM(string(pemText))
	if err != nil {
		return approval.CertificateBody{}, err
	}
	file, err := readLimited(path, maxCertificateSize)
	if err != nil {
		return approval.CertificateBody{}, apperr.Wrap(err, apperr.Invalid, "无法读取电子证照文件 "+path, "cannot read the certificate file "+path)
	}
	if len(file) > maxCertificateSize {
		return approval.CertificateBody{}, apperr.New(apperr.Invalid, "文件超过 16 MiB，不是电子证照", "the file is over 16 MiB: not a certificate").WithCode("too_large")
	}
	return approval.VerifyCertificatePDF(file, pub)
}

func printCertificate(w io.Writer, b approval.CertificateBody) {
	fmt.Fprintln(w, "电子证照有效：部门签名验证通过，文件未被改动 / certificate genuine: the department's signature verifies and the file is unchanged")
	for _, row := range [][2]string{
		{"证照 / certificate", b.Title}, {"编号 / number", b.No}, {"持证主体 / holder", b.Holder}, {"证件号码 / ID", b.HolderID},
		{"许可范围 / scope", b.Scope}, {"发证机关 / issued by", b.Department}, {"发证日期 / issued", b.IssuedAt},
		{"有效期至 / valid until", b.ValidUntil}, {"核验地址 / verify at", b.VerifyURL},
	} {
		fmt.Fprintf(w, "  %s: %s\n", row[0], row[1])
	}
}

// certificateStatus asks server for certificate no's status.
func certificateStatus(ctx context.Context, server, no string) (approval.Certificate, error) {
	u := strings.TrimRight(server, "/") + "/api/v1/public/approval/certificates/" + url.PathEscape(no)
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return approval.Certificate{}, apperr.Wrap(err, apperr.Invalid, "平台地址无效", "bad --server URL")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return approval.Certificate{}, apperr.Wrap(err, apperr.Unavailable, "无法连接平台查询证照状态", "cannot reach the platform for the certificate's status")
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return approval.Certificate{}, apperr.New(apperr.NotFound, "平台上没有该编号的电子证照", "the platform has no certificate with this number").WithCode("certificate_unknown")
	}
	var st approval.Certificate
	if resp.StatusCode != http.StatusOK {
		return st, apperr.Newf(apperr.Unavailable, "平台返回 HTTP %d", "the platform answered HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil {
		return st, apperr.Wrap(err, apperr.Unavailable, "平台的回答无法解析", "the platform's answer is unreadable")
	}
	return st, nil
}
