package main

import (
	"bytes"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// passwordEnv names the variable that may hold a private key's password.
const passwordEnv = "TENDERHALL_KEY_PASSWORD"

// readTerminalPassword asks on the terminal without echo. ok is false when
// standard input is not a terminal. Tests replace it.
var readTerminalPassword = func(prompt string) (pw []byte, ok bool, err error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil, false, nil
	}
	fmt.Fprint(os.Stderr, prompt)
	pw, err = term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	return pw, true, err
}

// password returns a private key's password from, in order, --password-file,
// TENDERHALL_KEY_PASSWORD, or the terminal. With none of them it fails with a
// usage error that says how to give one.
func (e *env) password(file, what string, confirm bool) ([]byte, error) {
	if file != "" {
		b, err := passwordFromFile(file)
		if err != nil {
			return nil, err
		}
		if len(b) == 0 {
			return nil, fmt.Errorf("%w: the password file %s is empty", errUsage, file)
		}
		return b, nil
	}
	if pw := e.getenv(passwordEnv); pw != "" {
		return []byte(pw), nil
	}
	pw, ok, err := readTerminalPassword(fmt.Sprintf("Password for %s (私钥口令): ", what))
	if !ok {
		return nil, fmt.Errorf("%w: %s needs a password (私钥需要口令): give --password-file FILE or set %s; there is no terminal to ask on",
			errUsage, what, passwordEnv)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the password: %w", err)
	}
	if confirm {
		again, _, err := readTerminalPassword("Repeat the password (再次输入): ")
		if err != nil || !bytes.Equal(again, pw) {
			return nil, fmt.Errorf("%w: the two passwords differ (两次输入的口令不一致)", errUsage)
		}
	}
	return pw, nil
}

// passwordFromFile reads a password file; one trailing line break is the
// file's, not the password's.
func passwordFromFile(file string) ([]byte, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("cannot read the password file: %w", err)
	}
	return bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r")), nil
}

// loadPrivateKey reads a PKCS#8 PEM private key, asking for its password
// only when it is encrypted.
func (e *env) loadPrivateKey(path, passwordFile string) (*notary.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the private key: %w", err)
	}
	k, err := notary.ParsePrivateKeyPEM(data, nil)
	if ae, ok := apperr.As(err); !ok || ae.Code != "password_required" {
		return k, bilingual(err)
	}
	pw, err := e.password(passwordFile, path, false)
	if err != nil {
		return nil, err
	}
	k, err = notary.ParsePrivateKeyPEM(data, pw)
	return k, bilingual(err)
}

// loadPublicKey reads a PUBLIC KEY or SM2 CERTIFICATE PEM file.
func loadPublicKey(path string) (*notary.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the public key: %w", err)
	}
	k, err := notary.ParsePublicKeyPEM(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, bilingual(err))
	}
	return k, nil
}

// cliError shows an apperr in both languages with its stable code, and
// keeps it reachable with errors.As.
type cliError struct{ e *apperr.Error }

func (c cliError) Error() string {
	msg := fmt.Sprintf("%s (%s) [%s]", c.e.En, c.e.Zh, c.e.MachineCode())
	if c.e.Kind == apperr.Internal && c.e.Wrapped != nil {
		msg += ": " + c.e.Wrapped.Error()
	}
	return msg
}

func (c cliError) Unwrap() error { return c.e }

// bilingual wraps an apperr for the terminal; other errors pass through.
func bilingual(err error) error {
	if ae, ok := apperr.As(err); ok {
		return cliError{ae}
	}
	return err
}
