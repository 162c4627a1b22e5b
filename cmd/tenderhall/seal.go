package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/notary"
)

// sealFlags are the command line of `tenderhall seal`.
type sealFlags struct {
	key, pwFile, in, out string
	to                   []string
	project, section     string
	bidder, schema       string
	chunkSize            int
	force                bool
}

func (e *env) sealCmd() *cobra.Command {
	var f sealFlags
	cmd := &cobra.Command{
		Use:   "seal --key bidder.key --to bidder.pub [--to escrow.pub …] --project P --section S --bidder B --in bid.tar --out bid.the",
		Short: "Seal a bid: encrypt it to the recipients and sign it (SM4-GCM, SM2, SM3)",
		Long: "Seal a bid file into a TenderHall envelope (notary/FORMAT.md): a fresh data key wrapped\n" +
			"to each --to key, the file encrypted in chunks on all cores, and the envelope signed\n" +
			"with --key. Include your own public key among --to, or you cannot open it yourself.\n" +
			"--project and --section are the ids the platform shows on the section's page (and in\n" +
			"its public announcement); --bidder is your organisation's id on the platform, which\n" +
			"`tenderhall keys register` prints (and 投标人工作台 shows): the platform refuses an\n" +
			"envelope naming another organisation (wrong_bidder).\n" +
			"--in - reads standard input; --out - writes standard output. Otherwise the envelope\n" +
			"is written under a temporary name and renamed once complete.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.key == "" || len(f.to) == 0 || f.project == "" || f.section == "" || f.bidder == "" || f.in == "" || f.out == "" {
				return fmt.Errorf("%w: --key, --to, --project, --section, --bidder, --in and --out are required", errUsage)
			}
			opts, err := e.sealOptions(f)
			if err != nil {
				return err
			}
			return e.seal(cmd, f, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.key, "key", "", "bidder's private key: signs the envelope")
	fl.StringVar(&f.pwFile, "password-file", "", "file holding the key's password (else "+passwordEnv+", else a prompt)")
	fl.StringArrayVar(&f.to, "to", nil, "recipient public key or certificate (repeatable): yours, and an escrow key if the section has one")
	fl.StringVar(&f.project, "project", "", "the platform's project id (项目编号), as the section's page shows it")
	fl.StringVar(&f.section, "section", "", "the platform's section id (标段编号), as the section's page shows it")
	fl.StringVar(&f.bidder, "bidder", "", "your organisation's id on the platform (投标人编号), as `tenderhall keys register` prints it")
	fl.StringVar(&f.schema, "schema", "", "bid-form schema version")
	fl.StringVar(&f.in, "in", "", "bid file to seal, or - for standard input")
	fl.StringVar(&f.out, "out", "", "envelope to create, or - for standard output")
	fl.IntVar(&f.chunkSize, "chunk-size", notary.DefaultChunkSize, "plaintext bytes per chunk (256 B to 4 MiB)")
	fl.BoolVar(&f.force, "force", false, "replace --out if it exists")
	return cmd
}

func (e *env) sealOptions(f sealFlags) (notary.SealOptions, error) {
	o := notary.SealOptions{ChunkSize: f.chunkSize, Meta: notary.Metadata{Project: f.project, Section: f.section,
		Bidder: f.bidder, SchemaVersion: f.schema, SealedAt: time.Now(), Fingerprint: notary.MachineFingerprint()}}
	var err error
	if o.Signer, err = e.loadPrivateKey(f.key, f.pwFile); err != nil {
		return o, err
	}
	self := false
	for _, p := range f.to {
		k, err := loadPublicKey(p)
		if err != nil {
			return o, err
		}
		self = self || k.ID == o.Signer.Public().ID
		o.Recipients = append(o.Recipients, k)
	}
	if !self {
		fmt.Fprintln(e.errOut, "warning: your own key is not among --to: you will not be able to unseal this bid yourself (未包含本人公钥)")
	}
	return o, nil
}

func (e *env) seal(cmd *cobra.Command, f sealFlags, opts notary.SealOptions) error {
	in, size, err := openInput(f.in)
	if err != nil {
		return err
	}
	defer in.Close()
	w := e.out
	report := e.out
	var dst *atomicFile
	if f.out == "-" {
		report = e.errOut // standard output carries the envelope
	} else {
		if dst, err = createAtomic(f.out, f.force, 0o644); err != nil {
			return err
		}
		w = dst.f
	}
	bar := e.newProgress("sealing", size)
	opts.Progress = bar.update
	res, err := notary.Seal(cmd.Context(), w, in, opts)
	if err != nil {
		if dst != nil {
			dst.abort()
		}
		return bilingual(err)
	}
	bar.finish(res.Plaintext)
	if dst != nil {
		if err := dst.commit(); err != nil {
			return err
		}
	}
	printSealed(report, f, res)
	return nil
}

func printSealed(w io.Writer, f sealFlags, res *notary.SealResult) {
	h := res.Header
	fmt.Fprintf(w, "sealed %s → %s\n  project %s, section %s, bidder %s\n  %d bytes (plaintext %d bytes in %d chunks)\n  digest %s\n  signed by key %s\n",
		f.in, f.out, h.Meta.Project, h.Meta.Section, h.Meta.Bidder, res.Size, res.Plaintext, res.Chunks, res.Digest, h.Signer.ID)
	for _, r := range h.Recipients {
		fmt.Fprintf(w, "  recipient %s\n", r.KeyID)
	}
}
