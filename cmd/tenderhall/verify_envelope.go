package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/notary"
)

// verifyEnvelopeCmd checks an envelope as the platform does on upload: no
// private key, no trust in whoever handed the file over.
func (e *env) verifyEnvelopeCmd() *cobra.Command {
	var pub string
	var expect notary.Expect
	cmd := &cobra.Command{
		Use:   "envelope PATH [--pub bidder.pub]",
		Short: "Verify a sealed bid's structure, digest and signature without any private key",
		Long: "Verify a sealed bid without any private key: its structure, the chunk-tree digest and\n" +
			"the bidder's signature. With --pub the signer must be that key (or certificate);\n" +
			"without it the signature is checked against the key embedded in the envelope, which\n" +
			"proves the file is intact but not who sealed it.",
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if pub != "" {
				k, err := loadPublicKey(pub)
				if err != nil {
					return err
				}
				expect.Signer = k
			}
			in, _, err := openInput(args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			h, digest, err := notary.VerifyEnvelope(cmd.Context(), in, expect)
			if err != nil {
				return bilingual(err)
			}
			e.printVerified(args[0], h, digest, pub != "")
			return nil
		},
	}
	cmd.Flags().StringVar(&pub, "pub", "", "the bidder's public key or certificate the envelope must be signed by")
	cmd.Flags().StringVar(&expect.Project, "project", "", "require this project id")
	cmd.Flags().StringVar(&expect.Section, "section", "", "require this section id")
	cmd.Flags().StringVar(&expect.Bidder, "bidder", "", "require this bidder id")
	return cmd
}

func (e *env) printVerified(path string, h *notary.Header, digest notary.Digest, signerChecked bool) {
	m := h.Meta
	fmt.Fprintf(e.out, "%s: OK — structure, digest and signature verified (信封完整，签名有效)\n", path)
	fmt.Fprintf(e.out, "  format      THSEAL version %d, chunk size %d\n", h.Version, h.ChunkSize)
	fmt.Fprintf(e.out, "  project     %s\n  section     %s\n  bidder      %s\n", m.Project, m.Section, m.Bidder)
	fmt.Fprintf(e.out, "  sealed at   %s\n  machine     %s\n  schema      %s\n", m.SealedAt.Format("2006-01-02 15:04:05.000 UTC"), m.Fingerprint, m.SchemaVersion)
	fmt.Fprintf(e.out, "  signer      %s\n", h.Signer.ID)
	for _, r := range h.Recipients {
		fmt.Fprintf(e.out, "  recipient   %s\n", r.KeyID)
	}
	fmt.Fprintf(e.out, "  header sm3  %s\n  digest      %s\n", h.Hash(), digest)
	if !signerChecked {
		fmt.Fprintln(e.out, "  note: the signer was not compared with a registered key; pass --pub to do so")
	}
}
