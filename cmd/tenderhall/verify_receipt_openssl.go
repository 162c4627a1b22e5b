package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tenderhall/tenderhall/notary"
)

// opensslVerifyScript is the check OpenSSL alone performs on the files
// writeOpenSSLFiles leaves; notary/FORMAT.md §9 explains each option.
const opensslVerifyScript = `#!/bin/sh
# Verifies the receipt's signature with OpenSSL only (no TenderHall code):
# SM2 with SM3 and the standard user ID over the canonical receipt bytes.
cd "$(dirname "$0")" && exec openssl pkeyutl -verify -pubin -inkey platform.pub \
    -rawin -digest sm3 -pkeyopt distid:1234567812345678 \
    -in canonical.json -sigfile sig.der
`

// writeOpenSSLFiles writes into dir what OpenSSL needs to check s on its
// own: canonical.json (the signed bytes), sig.der (the DER signature),
// platform.pub (a copy of the key PEM) and verify.sh (the command). It
// returns the first error creating dir or writing a file.
func writeOpenSSLFiles(w io.Writer, dir string, s notary.SignedReceipt, pubPath string) error {
	canonical, err := s.Receipt.Canonical()
	if err != nil {
		return err
	}
	pub, err := os.ReadFile(pubPath)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{"canonical.json", canonical, 0o644},
		{"sig.der", s.Signature, 0o644},
		{"platform.pub", pub, 0o644},
		{"verify.sh", []byte(opensslVerifyScript), 0o755},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "OpenSSL 文件已写入 %s / files for OpenSSL written to %s; run: sh %s\n",
		dir, dir, filepath.Join(dir, "verify.sh"))
	return nil
}
