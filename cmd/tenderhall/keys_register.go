package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/api"
)

func (e *env) keysRegisterCmd() *cobra.Command {
	var server, token, pubFile string
	var org int64
	cmd := &cobra.Command{
		Use:   "register --pub bidder.pub [--server URL] [--token T] [--org ID]",
		Short: "Register your organisation's SM2 public key on the platform, and show its id (登记投标人公钥)",
		Long: "Registers the public key made by `tenderhall keys gen` as your organisation's key: the\n" +
			"platform checks each sealed bid's signature and your key sign-ins with it. It prints\n" +
			"the organisation id to give `tenderhall seal --bidder`. --org defaults to your own\n" +
			"organisation. The token comes from --token, TENDERHALL_TOKEN or `tenderhall login`\n" +
			"(which also supplies --server). In the web app, 投标人工作台 makes and registers a key too.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e.credentials(&server, &token)
			if pubFile == "" || server == "" || token == "" {
				return needToken("--pub, --server")
			}
			pub, err := loadPublicKey(pubFile)
			if err != nil {
				return err
			}
			c := &bidClient{base: strings.TrimRight(server, "/"), token: token, http: &http.Client{Timeout: time.Minute}}
			if org == 0 {
				var me api.MeResponse
				if err := c.call(cmd.Context(), http.MethodGet, "/api/v1/auth/me", nil, &me); err != nil {
					return err
				}
				if me.OrgID == 0 {
					return fmt.Errorf("%w: your account belongs to no organisation; give --org (账号未关联单位)", errUsage)
				}
				org = me.OrgID
			}
			var out api.OrgView
			if err := c.call(cmd.Context(), http.MethodPut, "/api/v1/organizations/"+strconv.FormatInt(org, 10)+"/public-key",
				api.PublicKeyRequest{PEM: pub.PEM}, &out); err != nil {
				return err
			}
			fmt.Fprintf(e.out, "registered key %s for organisation %d (%s)\nseal your bids with --bidder %d (投标人编号)\n",
				out.PublicKeyID, out.ID, out.Name, out.ID)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&pubFile, "pub", "", "the public key file (from keys gen --pub)")
	fl.StringVar(&server, "server", "", "base URL of the platform (or from `tenderhall login`)")
	fl.StringVar(&token, "token", "", "bearer token of a bidder (or TENDERHALL_TOKEN, or `tenderhall login`)")
	fl.Int64Var(&org, "org", 0, "organisation id (default: your own)")
	return cmd
}
