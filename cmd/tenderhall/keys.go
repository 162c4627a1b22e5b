package main

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/notary"
)

// minPasswordLen is the shortest password keys gen accepts: the key file
// may be copied, and PBKDF2 only slows guessing down.
const minPasswordLen = 8

// keysCmd groups the bidder's key commands.
func (e *env) keysCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Generate and inspect SM2 keys (投标人密钥)"}
	cmd.AddCommand(e.keysGenCmd(), e.keysShowCmd(), e.keysRegisterCmd())
	return cmd
}

func (e *env) keysGenCmd() *cobra.Command {
	var out, pub, pwFile string
	cmd := &cobra.Command{
		Use:   "gen --out bidder.key --pub bidder.pub [--password-file F]",
		Short: "Generate an SM2 key pair: a password-protected PKCS#8 private key and a public key PEM",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" || pub == "" {
				return fmt.Errorf("%w: --out and --pub are required", errUsage)
			}
			for _, p := range []string{out, pub} {
				if _, err := os.Lstat(p); err == nil {
					return fmt.Errorf("%s already exists; not overwriting a key (文件已存在)", p)
				}
			}
			pw, err := e.password(pwFile, "the new key", true)
			if err != nil {
				return err
			}
			if len(pw) < minPasswordLen {
				return fmt.Errorf("%w: the password must be at least %d bytes (口令至少 %d 字节)", errUsage, minPasswordLen, minPasswordLen)
			}
			return e.writeKeyPair(out, pub, pw)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "private key file to create (mode 0600)")
	cmd.Flags().StringVar(&pub, "pub", "", "public key file to create, to register on the platform")
	cmd.Flags().StringVar(&pwFile, "password-file", "", "file holding the password (else "+passwordEnv+", else a prompt)")
	return cmd
}

func (e *env) writeKeyPair(out, pub string, pw []byte) error {
	k, err := notary.GenerateKey()
	if err != nil {
		return bilingual(err)
	}
	keyPEM, err := k.MarshalPEM(pw)
	if err != nil {
		return bilingual(err)
	}
	if err := writeNew(out, keyPEM, 0o600); err != nil {
		return err
	}
	if err := writeNew(pub, []byte(k.Public().PEM), 0o644); err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(e.out, "private key: %s (encrypted, keep it and its password safe)\npublic key:  %s\nkey id:      %s\n",
		out, pub, k.Public().ID)
	return nil
}

// writeNew creates path, failing if it exists, and removes it again if the
// write fails so that no half key is left.
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

func (e *env) keysShowCmd() *cobra.Command {
	var pwFile string
	cmd := &cobra.Command{
		Use:   "show FILE",
		Short: "Show a key file's type, algorithm and key id (never its private part)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			block, _ := pem.Decode(data)
			if block == nil {
				return fmt.Errorf("%s is not a PEM file (不是 PEM 文件)", args[0])
			}
			switch block.Type {
			case "PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
				return e.showPrivate(args[0], data, block.Type == "ENCRYPTED PRIVATE KEY", pwFile)
			}
			k, err := notary.ParsePublicKeyPEM(string(data))
			if err != nil {
				return bilingual(err)
			}
			kind := "public key (PEM)"
			if block.Type == "CERTIFICATE" {
				kind = "X.509 certificate"
			}
			e.showKey(args[0], kind, k.ID, "no")
			return nil
		},
	}
	cmd.Flags().StringVar(&pwFile, "password-file", "", "password of an encrypted private key, to show its key id")
	return cmd
}

// showPrivate prints what a private key file reveals. The key id of an
// encrypted key needs the password; without one, and with no terminal to
// ask on, the rest is still shown.
func (e *env) showPrivate(path string, data []byte, encrypted bool, pwFile string) error {
	var pw []byte
	if encrypted {
		var err error
		if pw, err = e.password(pwFile, path, false); errors.Is(err, errUsage) && pwFile == "" {
			e.showKey(path, "private key (PKCS#8)", "(encrypted: give --password-file or "+passwordEnv+" to show it)", "yes")
			return nil
		} else if err != nil {
			return err
		}
	}
	k, err := notary.ParsePrivateKeyPEM(data, pw)
	if err != nil {
		return bilingual(err)
	}
	enc := "no (anyone who copies the file has the key)"
	if encrypted {
		enc = "yes"
	}
	e.showKey(path, "private key (PKCS#8)", k.Public().ID, enc)
	return nil
}

func (e *env) showKey(path, kind, id, encrypted string) {
	fmt.Fprintf(e.out, "file:       %s\ntype:       %s\nalgorithm:  SM2 (curve sm2p256v1, SM3 key id)\nkey id:     %s\nencrypted:  %s\n",
		path, kind, id, encrypted)
}

// noArgs and exactArgs are cobra's validators with usage errors (exit 2).
func noArgs(cmd *cobra.Command, args []string) error { return exactArgs(0)(cmd, args) }

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("%w: %s takes %d argument(s), got %d (see `%s --help`)", errUsage, cmd.Name(), n, len(args), cmd.CommandPath())
		}
		return nil
	}
}
