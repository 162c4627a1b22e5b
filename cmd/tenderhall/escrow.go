package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/notary"
)

// escrowFlags are the command line of `tenderhall escrow`.
type escrowFlags struct {
	server, token, key, pwFile, pub string
	section, bid                    int64
}

func (e *env) escrowCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "escrow", Short: "Supervisors' escrow key shares: register a key, hand in a share (托管密钥补救)", Args: noArgs}
	cmd.AddCommand(e.escrowRegisterCmd(), e.escrowShareCmd())
	return cmd
}

func (f *escrowFlags) client(e *env) (*bidClient, error) {
	e.credentials(&f.server, &f.token)
	if f.server == "" || f.token == "" {
		return nil, needToken("--server")
	}
	return &bidClient{base: strings.TrimRight(f.server, "/"), token: f.token, http: &http.Client{Timeout: time.Minute}}, nil
}

func (e *env) escrowRegisterCmd() *cobra.Command {
	var f escrowFlags
	cmd := &cobra.Command{
		Use:   "register --server URL --pub holder.pub [--token T]",
		Short: "Register your personal SM2 public key; escrow shares are wrapped to it",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(e)
			if err != nil {
				return err
			}
			pem, err := os.ReadFile(f.pub)
			if err != nil {
				return fmt.Errorf("cannot read the public key (无法读取公钥): %w", err)
			}
			var k struct{ KeyID string }
			if err := c.call(cmd.Context(), http.MethodPut, "/api/v1/auth/me/public-key", api.PublicKeyRequest{PEM: string(pem)}, &k); err != nil {
				return err
			}
			fmt.Fprintf(e.out, "registered key %s (个人公钥已登记)\n", k.KeyID)
			return nil
		},
	}
	cmd.Flags().StringVar(&f.server, "server", "", "base URL of the platform")
	cmd.Flags().StringVar(&f.token, "token", "", "bearer token of a supervisor (or TENDERHALL_TOKEN)")
	cmd.Flags().StringVar(&f.pub, "pub", "", "your SM2 public key (PEM), made by `tenderhall keys`")
	return cmd
}

func (e *env) escrowShareCmd() *cobra.Command {
	var f escrowFlags
	cmd := &cobra.Command{
		Use:   "share --server URL --key holder.key --section S --bid B [--token T]",
		Short: "Hand in your share of a section's escrow key for a bid's remedy (after the decryption window)",
		Long: "Fetches your share of the section's escrow key, wrapped to your personal SM2 key,\n" +
			"unwraps it on this machine, checks it against the escrow key's published commitments\n" +
			"and hands it in for the remedy of bid B. The platform decrypts the bid once k holders\n" +
			"have handed theirs in; before the decryption window has closed it accepts none.\n" +
			"The key's password comes from --password-file, " + passwordEnv + " or a prompt.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(e)
			if err != nil {
				return err
			}
			if f.section <= 0 || f.bid <= 0 || f.key == "" {
				return fmt.Errorf("%w: --section, --bid and --key are required", errUsage)
			}
			return e.handInShare(cmd.Context(), c, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.server, "server", "", "base URL of the platform")
	fl.StringVar(&f.token, "token", "", "bearer token of a supervisor holding a share (or TENDERHALL_TOKEN)")
	fl.StringVar(&f.key, "key", "", "your personal SM2 private key")
	fl.StringVar(&f.pwFile, "password-file", "", "file holding the key's password (else "+passwordEnv+", else a prompt)")
	fl.Int64Var(&f.section, "section", 0, "section id (标段编号)")
	fl.Int64Var(&f.bid, "bid", 0, "id of the bid to remedy")
	return cmd
}

func (e *env) handInShare(ctx context.Context, c *bidClient, f escrowFlags) error {
	sec := strconv.FormatInt(f.section, 10)
	var w bidding.WrappedShare
	if err := c.call(ctx, http.MethodGet, "/api/v1/sections/"+sec+"/escrow/share", nil, &w); err != nil {
		return err
	}
	var key bidding.EscrowKey
	if err := c.call(ctx, http.MethodGet, "/api/v1/public/sections/"+sec+"/escrow", nil, &key); err != nil {
		return err
	}
	priv, err := e.loadPrivateKey(f.key, f.pwFile)
	if err != nil {
		return err
	}
	ct, err := base64.StdEncoding.DecodeString(w.Wrapped)
	if err != nil {
		return fmt.Errorf("the platform sent a malformed share (份额格式错误): %w", err)
	}
	share, err := notary.UnwrapShare(ct, priv)
	if err != nil {
		return fmt.Errorf("%s: this key cannot unwrap your share; is it the key you registered? (无法解开份额): %w", f.key, bilingual(err))
	}
	defer clear(share.Value)
	if share.KeyID != key.KeyID {
		return fmt.Errorf("the share belongs to escrow key %s, not the section's %s (份额与标段托管密钥不符)", share.KeyID, key.KeyID)
	}
	if err := notary.VerifyShare(share, key.CommitmentPoints()); err != nil {
		return bilingual(err)
	}
	fmt.Fprintf(e.errOut, "share %d checked locally against the escrow key's commitments (份额本地校验通过)\n", share.Index)
	raw := share.Marshal()
	defer clear(raw)
	var rem bidding.Remedy
	path := "/api/v1/sections/" + sec + "/bids/" + strconv.FormatInt(f.bid, 10) + "/remedy/shares"
	if err := c.call(ctx, http.MethodPost, path, api.ShareRequest{Share: hex.EncodeToString(raw)}, &rem); err != nil {
		return explainShareError(err)
	}
	fmt.Fprintf(e.out, "remedy of bid %d: %s, %d of %d shares (托管补救：%s)\n", rem.BidID, rem.Status, rem.Shares, rem.Threshold, remedyZh(rem.Status))
	return nil
}

// explainShareError names the common refusals of a handed-in share.
func explainShareError(err error) error {
	var he *httpError
	if !errors.As(err, &he) {
		return err
	}
	msg := ""
	switch he.code {
	case "escrow_too_early":
		msg = "no share is accepted before the decryption window has closed (解密时间结束前不接受托管份额)"
	case "remedy_not_found":
		msg = "the host or a supervisor must first ask for a remedy of this bid (须先由主持人或监督人员发起补救)"
	case "already_submitted":
		msg = "you already handed in your share for this bid (您已提交过份额)"
	case "room_closed":
		msg = "the opening room is closed; no remedy is possible any more (开标室已关闭)"
	default:
		return err
	}
	return &roomError{code: he.code, msg: msg, err: err}
}

func remedyZh(s bidding.RemedyStatus) string {
	switch s {
	case bidding.RemedyDone:
		return "已解密"
	case bidding.RemedyFailed:
		return "失败"
	}
	return "等待其他份额"
}
