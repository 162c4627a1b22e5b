package main

import "github.com/spf13/cobra"

// verifyCmd groups the auditor's offline checks. None of them needs a
// private key or trusts the server.
func (e *env) verifyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "verify", Short: "Verify envelopes, receipts and the transparency log offline"}
	cmd.AddCommand(e.verifyEnvelopeCmd(), e.verifyReceiptCmd(), e.verifyLogCmd(),
		e.verifyDrawCmd(), e.verifyCertificateCmd(), e.verifyVideoCmd()) // draw: issue 6
	return cmd
}
