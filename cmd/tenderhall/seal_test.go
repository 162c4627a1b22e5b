package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sealFixture is a bidder, an outsider and a sealed bid in a temp dir.
type sealFixture struct {
	dir, key, pub, otherKey, otherPub, plain, sealed string
	plaintext                                        []byte
}

var withPassword = map[string]string{passwordEnv: testPassword}

func newSealFixture(t *testing.T) sealFixture {
	t.Helper()
	dir := t.TempDir()
	f := sealFixture{dir: dir, plain: filepath.Join(dir, "bid.pdf"), sealed: filepath.Join(dir, "bid.thseal")}
	f.key, f.pub = bidderKeys(t, dir, "bidder")
	f.otherKey, f.otherPub = bidderKeys(t, dir, "other")
	f.plaintext = bytes.Repeat([]byte("%PDF 投标文件 报价 1,000,000 元\n"), 5000) // ~200 KiB: several chunks
	os.WriteFile(f.plain, f.plaintext, 0o600)
	out, _, err := execute(t, withPassword, "seal", "--key", f.key, "--to", f.pub, "--to", f.otherPub,
		"--project", "ZB-2025-001", "--section", "标段1", "--bidder", "B-7", "--chunk-size", "65536", "--in", f.plain, "--out", f.sealed)
	if err != nil || !strings.Contains(out, "digest ") {
		t.Fatalf("seal: %v\n%s", err, out)
	}
	return f
}

// files lists the directory, to show that a failure left nothing behind.
func files(t *testing.T, dir string) string {
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

func TestSealVerifyUnsealRoundTrip(t *testing.T) {
	f := newSealFixture(t)
	out, _, err := execute(t, nil, "verify", "envelope", f.sealed, "--pub", f.pub, "--section", "标段1")
	if err != nil || !strings.Contains(out, "OK") || !strings.Contains(out, "bidder      B-7") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	digest := regexp.MustCompile(`digest\s+([0-9a-f]{64})`).FindStringSubmatch(out)
	for _, key := range []string{f.key, f.otherKey} {
		dst := filepath.Join(f.dir, "opened-"+filepath.Base(key)+".pdf")
		out, _, err := execute(t, withPassword, "unseal", "--key", key, "--in", f.sealed, "--out", dst, "--pub", f.pub)
		got, _ := os.ReadFile(dst)
		if err != nil || !bytes.Equal(got, f.plaintext) || !strings.Contains(out, digest[1]) {
			t.Fatalf("unseal with %s: %v\n%s", key, err, out)
		}
		if st, _ := os.Stat(dst); st.Mode().Perm() != 0o600 {
			t.Fatalf("plaintext mode %v", st.Mode().Perm())
		}
	}
}

func TestUnsealFailuresLeaveNoOutput(t *testing.T) {
	f := newSealFixture(t)
	env, _ := os.ReadFile(f.sealed)
	write := func(name string, b []byte) string {
		p := filepath.Join(f.dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	flipped := append([]byte(nil), env...)
	flipped[len(env)-200] ^= 1 // in the last chunk's ciphertext
	stranger, _ := bidderKeys(t, t.TempDir(), "stranger")
	cases := []struct {
		name string
		env  map[string]string
		key  string
		in   string
		code string
	}{
		{"wrong password", map[string]string{passwordEnv: "wrong password!"}, f.key, f.sealed, "wrong_password"},
		{"not a recipient", withPassword, stranger, f.sealed, "wrong_key"},
		{"flipped byte", withPassword, f.key, write("flipped.thseal", flipped), "chunk_tampered"},
		{"truncated", withPassword, f.key, write("short.thseal", env[:len(env)-1]), "truncated"},
		{"appended", withPassword, f.key, write("long.thseal", append(append([]byte(nil), env...), env[600:700]...)), "trailing_data"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := files(t, f.dir)
			dst := filepath.Join(f.dir, "out.pdf")
			_, _, err := execute(t, c.env, "unseal", "--key", c.key, "--in", c.in, "--out", dst)
			if codeOf(err) != c.code || exitCode(err) != 1 {
				t.Fatalf("err = %v (code %q, exit %d), want %q", err, codeOf(err), exitCode(err), c.code)
			}
			if after := files(t, f.dir); after != before {
				t.Fatalf("files changed: %q → %q", before, after)
			}
		})
	}
}

func TestVerifyEnvelopeRefusals(t *testing.T) {
	f := newSealFixture(t)
	env, _ := os.ReadFile(f.sealed)
	bad := append([]byte(nil), env...)
	bad[len(bad)-300] ^= 0x80
	badPath := filepath.Join(f.dir, "bad.thseal")
	os.WriteFile(badPath, bad, 0o644)
	cases := []struct {
		name string
		args []string
		exit int
		code string
	}{
		{"digest", []string{badPath}, 1, "digest_mismatch"},
		{"another signer", []string{f.sealed, "--pub", f.otherPub}, 1, "wrong_signer"},
		{"another section", []string{f.sealed, "--section", "标段2"}, 1, "wrong_section"},
		{"not an envelope", []string{f.plain}, 1, "not_an_envelope"},
		{"no path", []string{}, 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := execute(t, nil, append([]string{"verify", "envelope"}, c.args...)...)
			if err == nil || exitCode(err) != c.exit || codeOf(err) != c.code {
				t.Fatalf("err = %v (exit %d, code %q), want exit %d code %q", err, exitCode(err), codeOf(err), c.exit, c.code)
			}
		})
	}
}

func TestSealUsageAndKeyErrors(t *testing.T) {
	f := newSealFixture(t)
	base := []string{"seal", "--key", f.key, "--to", f.pub, "--project", "P", "--section", "S", "--bidder", "B", "--in", f.plain}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		exit int
		msg  string
	}{
		{"missing section", withPassword, []string{"seal", "--key", f.key, "--to", f.pub, "--project", "P", "--in", f.plain, "--out", "x"}, 2, "--section"},
		{"no password, no terminal", nil, append(base, "--out", filepath.Join(f.dir, "n.thseal")), 2, passwordEnv},
		{"wrong password", map[string]string{passwordEnv: "nope nope"}, append(base, "--out", filepath.Join(f.dir, "w.thseal")), 1, "wrong_password"},
		{"output exists", withPassword, append(base, "--out", f.sealed), 2, "--force"},
		{"bad chunk size", withPassword, append(base, "--out", filepath.Join(f.dir, "c.thseal"), "--chunk-size", "7"), 1, "bad_seal_options"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := files(t, f.dir)
			_, _, err := execute(t, c.env, c.args...)
			if err == nil || exitCode(err) != c.exit || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("err = %v (exit %d), want exit %d mentioning %q", err, exitCode(err), c.exit, c.msg)
			}
			if after := files(t, f.dir); after != before {
				t.Fatalf("files changed: %q → %q", before, after)
			}
		})
	}
	_, errOut, err := execute(t, withPassword, "seal", "--key", f.key, "--to", f.otherPub, "--project", "P", "--section", "S", "--bidder", "B",
		"--in", f.plain, "--out", filepath.Join(f.dir, "escrow-only.thseal"))
	if err != nil || !strings.Contains(errOut, "not among --to") {
		t.Fatalf("sealing without one's own key: %v, stderr %q", err, errOut)
	}
}

func TestSealToStandardOutputAndProgressLine(t *testing.T) {
	f := newSealFixture(t)
	out, errOut, err := execute(t, withPassword, "seal", "--key", f.key, "--to", f.pub, "--project", "P", "--section", "S", "--bidder", "B",
		"--in", f.plain, "--out", "-")
	if err != nil || !strings.HasPrefix(out, "THSEAL") || !strings.Contains(errOut, "digest ") {
		t.Fatalf("seal to stdout: %v; stderr %q", err, errOut)
	}
	var bar *progressBar // not a terminal: nil, and every method a no-op
	bar.update(1)
	bar.finish(1)
	p := &progressBar{label: "sealing", total: 4 << 20}
	p.start = p.drawn
	if got := p.line(1<<20, p.start.Add(time.Second)); got != "sealing [#######-----------------------]  25%  1.0 MiB / 4.0 MiB  1 MB/s" {
		t.Fatalf("progress line %q", got)
	}
}
