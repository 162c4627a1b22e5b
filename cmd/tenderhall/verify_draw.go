package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// maxDrawProof bounds a proof file read from disk (100,000 candidates fit).
const maxDrawProof = 64 << 20

// verifyDrawCmd recomputes an expert draw from its published proof
// (experts/DRAW.md) without trusting the server.
func (e *env) verifyDrawCmd() *cobra.Command {
	var server, file, pubPath, token string
	var drawID int64
	cmd := &cobra.Command{
		Use:   "draw (--server URL --draw ID | --file proof.json) [--platform-pub platform.pub] [--token T]",
		Short: "Recompute an expert draw from its proof and confirm the published result",
		Long: "Fetches the draw proof from --server (public once the section is awarded; the supervisor of\n" +
			"record may pass --token before) or reads it from --file, then checks: the candidate list hashes\n" +
			"to the value logged before the draw, the secret matches its commitment, the commit event is in\n" +
			"the signed tree head the seed used, the head's signature (with --platform-pub, or the server's\n" +
			"key with --server), the seed, and the whole order and result. Exit status 0 when all hold.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (server == "") == (file == "") || (server != "" && drawID <= 0) {
				return fmt.Errorf("%w: give --server URL with --draw ID, or --file proof.json (see `%s --help`)", errUsage, cmd.CommandPath())
			}
			if token == "" {
				token = e.getenv("TENDERHALL_TOKEN")
			}
			p, pub, note, err := loadDrawProof(cmd.Context(), server, drawID, file, pubPath, token)
			if err != nil {
				return receiptCLIError(err)
			}
			if err := p.Verify(pub); err != nil {
				return receiptCLIError(err)
			}
			fmt.Fprintf(e.out, "抽取可复现：结果与承诺一致 / draw %d reproduces: the result matches what was committed\n", p.DrawID)
			fmt.Fprintf(e.out, "  候选人 / candidates: %d, 回避 / excluded: %d, 种子 / seed: %s\n", len(p.Candidates), len(p.Exclusions), p.Seed)
			fmt.Fprintf(e.out, "  树头 / tree head: size %d, root %s\n", p.STH.TreeSize, p.STH.RootHash)
			for _, l := range p.Summary() {
				fmt.Fprintln(e.out, "  "+l)
			}
			if note != "" {
				fmt.Fprintln(e.out, note)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&server, "server", "", "base URL of the platform")
	cmd.Flags().Int64Var(&drawID, "draw", 0, "the draw's ID (with --server)")
	cmd.Flags().StringVar(&file, "file", "", "a proof exported by the supervisor (GET /api/v1/draws/ID/proof)")
	cmd.Flags().StringVar(&pubPath, "platform-pub", "", "the platform's SM2 public key (PEM), obtained out of band")
	cmd.Flags().StringVar(&token, "token", "", "bearer token of the supervisor of record, before the award (or TENDERHALL_TOKEN)")
	return cmd
}

// loadDrawProof returns the proof and the key to check its tree head with,
// plus a note when that key was not given out of band.
func loadDrawProof(ctx context.Context, server string, id int64, file, pubPath, token string) (experts.DrawProof, *notary.PublicKey, string, error) {
	var p experts.DrawProof
	var pub *notary.PublicKey
	var note string
	if pubPath != "" {
		pem, err := readLimited(pubPath, 64<<10)
		if err != nil {
			return p, nil, "", apperr.Wrap(err, apperr.Invalid, "无法读取平台公钥文件 "+pubPath, "cannot read the platform public key file "+pubPath)
		}
		if pub, err = notary.ParsePublicKeyPEM(string(pem)); err != nil {
			return p, nil, "", err
		}
	}
	if file != "" {
		raw, err := readLimited(file, maxDrawProof)
		if err != nil {
			return p, nil, "", apperr.Wrap(err, apperr.Invalid, "无法读取抽取证明文件 "+file, "cannot read the draw proof file "+file)
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return p, nil, "", apperr.Wrap(err, apperr.Invalid, "抽取证明文件格式错误", "the draw proof file is malformed").WithCode("bad_format")
		}
		if pub == nil {
			note = "注意：未给出 --platform-pub，未检查树头签名 / note: no --platform-pub given, the tree head signature was not checked"
		}
		return p, pub, note, nil
	}
	c := &logClient{base: strings.TrimRight(server, "/"), token: token, http: &http.Client{Timeout: time.Minute}}
	path := fmt.Sprintf("/api/v1/public/draws/%d/proof", id)
	if token != "" {
		path = fmt.Sprintf("/api/v1/draws/%d/proof", id)
	}
	if err := c.get(ctx, path, &p); err != nil {
		return p, nil, "", apperr.Wrap(err, apperr.Unavailable, "无法从服务器取得抽取证明", "cannot fetch the draw proof from the server")
	}
	if pub == nil {
		var k api.LogKey
		if err := c.get(ctx, "/api/v1/log/key", &k); err != nil {
			return p, nil, "", apperr.Wrap(err, apperr.Unavailable, "无法取得平台公钥", "cannot fetch the platform key")
		}
		var err error
		if pub, err = notary.ParsePublicKeyPEM(k.PublicKey); err != nil {
			return p, nil, "", err
		}
		note = "注意：平台公钥取自服务器本身；请用 --platform-pub 给出另行取得的公钥 / note: the platform key came from the server itself; pass one obtained out of band with --platform-pub"
	}
	return p, pub, note, nil
}
