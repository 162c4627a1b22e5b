package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/notary"
)

func (e *env) unsealCmd() *cobra.Command {
	var key, in, out, pwFile, pub string
	var force bool
	cmd := &cobra.Command{
		Use:   "unseal --key bidder.key --in bid.thseal --out bid.pdf",
		Short: "Decrypt a sealed bid with a recipient's private key, checking every chunk, the digest and the signature",
		Long: "Decrypt a sealed bid. The plaintext is written to a temporary file beside --out and\n" +
			"renamed only once every chunk, the digest and the signature have verified: on any\n" +
			"failure nothing is left under the output name.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if key == "" || in == "" || out == "" {
				return fmt.Errorf("%w: --key, --in and --out are required", errUsage)
			}
			priv, err := e.loadPrivateKey(key, pwFile)
			if err != nil {
				return err
			}
			var expect notary.Expect
			if pub != "" {
				if expect.Signer, err = loadPublicKey(pub); err != nil {
					return err
				}
			}
			return e.unseal(cmd, priv, expect, in, out, force)
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "recipient's private key (the bidder's, or the escrow key)")
	cmd.Flags().StringVar(&in, "in", "", "envelope to open")
	cmd.Flags().StringVar(&out, "out", "", "plaintext file to create (mode 0600)")
	cmd.Flags().StringVar(&pwFile, "password-file", "", "file holding the key's password (else "+passwordEnv+", else a prompt)")
	cmd.Flags().StringVar(&pub, "pub", "", "require the envelope to be signed by this public key or certificate")
	cmd.Flags().BoolVar(&force, "force", false, "replace --out if it exists")
	return cmd
}

func (e *env) unseal(cmd *cobra.Command, priv *notary.PrivateKey, expect notary.Expect, in, out string, force bool) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	dst, err := createAtomic(out, force, 0o600)
	if err != nil {
		return err
	}
	h, digest, err := notary.Unseal(cmd.Context(), dst.f, f, priv, expect)
	if err != nil {
		dst.abort()
		return bilingual(err)
	}
	if err := dst.commit(); err != nil {
		return err
	}
	fmt.Fprintf(e.out, "unsealed %s → %s\n  project %s, section %s, bidder %s, sealed %s\n  signed by key %s\n  digest %s\n",
		in, out, h.Meta.Project, h.Meta.Section, h.Meta.Bidder, h.Meta.SealedAt.Format("2006-01-02 15:04:05 UTC"), h.Signer.ID, digest)
	return nil
}

// atomicFile is an output written under a temporary name in the target's
// directory and renamed into place only by commit, so that readers never
// see a partial file under the final name.
type atomicFile struct {
	f     *os.File
	final string
	force bool
	mode  os.FileMode
}

func createAtomic(path string, force bool, mode os.FileMode) (*atomicFile, error) {
	if _, err := os.Lstat(path); err == nil && !force {
		return nil, fmt.Errorf("%w: %s exists; use --force to replace it (输出文件已存在)", errUsage, path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, err
	}
	return &atomicFile{f: f, final: path, force: force, mode: mode}, nil
}

// commit flushes the file to disk and renames it into place.
func (a *atomicFile) commit() error {
	err := a.f.Chmod(a.mode)
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.final)
	}
	if err != nil {
		os.Remove(a.f.Name())
	}
	return err
}

// abort discards the temporary file.
func (a *atomicFile) abort() {
	a.f.Close()
	os.Remove(a.f.Name())
}

// openInput opens PATH, or standard input for "-", and tells its size when
// known (for the progress bar).
func openInput(path string) (io.ReadCloser, int64, error) {
	if path == "-" {
		return io.NopCloser(os.Stdin), 0, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	var size int64
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, nil
}
