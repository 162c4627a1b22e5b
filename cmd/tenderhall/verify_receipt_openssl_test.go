package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// toolOrSkip finds an external tool the recipe needs; under CI=true its
// absence fails, since CI installs it.
func toolOrSkip(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not on PATH, and CI=true: the OpenSSL receipt recipe must be checked in CI", name)
		}
		t.Skipf("%s not on PATH", name)
	}
}

// formatRecipe returns the shell block of notary/FORMAT.md tagged
// receipt-openssl, so that the test runs the document's words.
func formatRecipe(t *testing.T) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "notary", "FORMAT.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```sh receipt-openssl\n")
	if !ok {
		t.Fatal("notary/FORMAT.md has no ```sh receipt-openssl block")
	}
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("the receipt-openssl block is not closed")
	}
	return block
}

// runShell runs script with sh in dir and reports its output and success.
func runShell(t *testing.T, dir, script string) (string, bool) {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Fatal(err)
	}
	return string(out), err == nil
}

func TestReceiptOpenSSLRecipe(t *testing.T) {
	toolOrSkip(t, "openssl")
	toolOrSkip(t, "jq")
	f := newReceiptFixture(t)
	recipe := formatRecipe(t)

	t.Run("FORMAT.md recipe on the receipt file", func(t *testing.T) {
		dir := t.TempDir()
		copyFile(t, f.receipt, filepath.Join(dir, "receipt.json"))
		copyFile(t, f.pub, filepath.Join(dir, "platform.pub"))
		out, ok := runShell(t, dir, recipe)
		if !ok || !strings.Contains(out, "Signature Verified Successfully") {
			t.Fatalf("the documented recipe does not verify a valid receipt:\n%s", out)
		}
		tampered := bytes.Replace(f.doc, []byte(`"ciphertextSize":65536`), []byte(`"ciphertextSize":65537`), 1)
		if bytes.Equal(tampered, f.doc) {
			t.Fatal("fixture changed: nothing to tamper with")
		}
		if err := os.WriteFile(filepath.Join(dir, "receipt.json"), tampered, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, ok := runShell(t, dir, recipe); ok {
			t.Fatalf("the documented recipe accepts a tampered receipt:\n%s", out)
		}
	})

	t.Run("files written by --print-openssl", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "openssl")
		out, _, err := execute(t, nil, "verify", "receipt", f.receipt, "--platform-pub", f.pub, "--print-openssl", dir)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "receipt valid") || !strings.Contains(out, "verify.sh") {
			t.Fatalf("output does not report the check and the files:\n%s", out)
		}
		if got, ok := runShell(t, dir, "sh ./verify.sh"); !ok || !strings.Contains(got, "Signature Verified Successfully") {
			t.Fatalf("verify.sh does not verify:\n%s", got)
		}
		canonical := filepath.Join(dir, "canonical.json")
		b, err := os.ReadFile(canonical)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(canonical, bytes.Replace(b, []byte("org-42"), []byte("org-43"), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, ok := runShell(t, dir, "sh ./verify.sh"); ok {
			t.Fatalf("verify.sh accepts a changed bidder:\n%s", got)
		}
	})

	t.Run("no files for an invalid receipt", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "openssl")
		if _, _, err := execute(t, nil, "verify", "receipt", f.receipt, "--platform-pub", f.otherPub, "--print-openssl", dir); err == nil {
			t.Fatal("a receipt signed by another key verified")
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("--print-openssl wrote files for a receipt that does not verify (stat: %v)", err)
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
