package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/notary"
)

// bidFlags are the command line of `tenderhall bid submit`.
type bidFlags struct {
	server, token, in, receipt string
	platformPub, state         string
	section                    int64
	chunkSize                  int64
	retries                    int
}

func (e *env) bidCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bid",
		Short: "Submit sealed bids to the platform (投标文件上传)",
		Args:  noArgs,
	}
	cmd.AddCommand(e.bidSubmitCmd(), e.bidPackCmd(), e.bidDecryptCmd())
	return cmd
}

func (e *env) bidSubmitCmd() *cobra.Command {
	var f bidFlags
	cmd := &cobra.Command{
		Use:   "submit --server URL --section S --in bid.the [--token T] [--receipt receipt.json]",
		Short: "Upload a sealed envelope in resumable chunks and save the platform's receipt",
		Long: "Upload an envelope made by `tenderhall seal` to a section before its deadline. The\n" +
			"file is sent in chunks; after a dropped connection the upload continues where the\n" +
			"server says it stopped, also in a later run (the upload id is kept in --state,\n" +
			"by default <in>.upload). The receipt (回执) signed by the platform is printed and\n" +
			"saved to --receipt (default <in>.receipt.json); with --platform-pub its signature\n" +
			"is checked. The bearer token comes from --token, TENDERHALL_TOKEN or `tenderhall login`\n" +
			"(which also supplies --server).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e.credentials(&f.server, &f.token)
			if f.server == "" || f.section <= 0 || f.in == "" || f.token == "" {
				return needToken("--server, --section, --in")
			}
			if f.chunkSize < 1<<10 || f.chunkSize > 64<<20 {
				return fmt.Errorf("%w: --chunk-size must be between 1 KiB and 64 MiB", errUsage)
			}
			if f.state == "" {
				f.state = f.in + ".upload"
			}
			if f.receipt == "" {
				f.receipt = f.in + ".receipt.json"
			}
			var pub *notary.PublicKey
			if f.platformPub != "" {
				var err error
				if pub, err = loadPublicKey(f.platformPub); err != nil {
					return err
				}
			}
			c := &bidClient{base: strings.TrimRight(f.server, "/"), token: f.token, http: &http.Client{Timeout: 10 * time.Minute}}
			return withKeyHint(e.submitBid(cmd, c, f, pub))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.server, "server", "", "base URL of the platform, e.g. https://ggzy.example.gov.cn")
	fl.StringVar(&f.token, "token", "", "bearer token of a bidder (or TENDERHALL_TOKEN, or `tenderhall login`)")
	fl.Int64Var(&f.section, "section", 0, "section id (标段编号) on the platform")
	fl.StringVar(&f.in, "in", "", "the sealed envelope to upload")
	fl.StringVar(&f.receipt, "receipt", "", "file to save the receipt in (default <in>.receipt.json)")
	fl.StringVar(&f.platformPub, "platform-pub", "", "the platform's SM2 public key: check the receipt's signature")
	fl.StringVar(&f.state, "state", "", "file remembering the upload id for resuming (default <in>.upload)")
	fl.Int64Var(&f.chunkSize, "chunk-size", 8<<20, "bytes per request (1 KiB to 64 MiB)")
	fl.IntVar(&f.retries, "retries", 5, "attempts per chunk after a network failure")
	return cmd
}

// removeQuietly deletes a file that may not exist.
func removeQuietly(path string) { _ = os.Remove(path) }
