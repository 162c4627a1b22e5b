package main

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

const testPassword = "投标口令-Passw0rd"

// bidderKeys generates a key pair through the CLI into dir and returns the
// private and public key paths.
func bidderKeys(t *testing.T, dir, name string) (string, string) {
	t.Helper()
	key, pub := filepath.Join(dir, name+".key"), filepath.Join(dir, name+".pub")
	out, _, err := execute(t, map[string]string{passwordEnv: testPassword}, "keys", "gen", "--out", key, "--pub", pub)
	if err != nil || !strings.Contains(out, "key id:") {
		t.Fatalf("keys gen: %v\n%s", err, out)
	}
	return key, pub
}

// codeOf returns the apperr code carried by err, or "".
func codeOf(err error) string {
	if ae, ok := apperr.As(err); ok {
		return ae.MachineCode()
	}
	return ""
}

func TestKeysGenWritesAnEncryptedKeyAndShowNeverPrintsIt(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	os.WriteFile(pwFile, []byte(testPassword+"\n"), 0o600)
	key, pub := filepath.Join(dir, "b.key"), filepath.Join(dir, "b.pub")
	out, _, err := execute(t, nil, "keys", "gen", "--out", key, "--pub", pub, "--password-file", pwFile)
	if err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`key id:\s+([0-9a-f]{64})`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("no key id in %q", out)
	}
	keyPEM, _ := os.ReadFile(key)
	if st, _ := os.Stat(key); st.Mode().Perm() != 0o600 || !strings.Contains(string(keyPEM), "ENCRYPTED PRIVATE KEY") {
		t.Fatalf("key file mode %v:\n%s", st.Mode().Perm(), keyPEM)
	}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"public key", nil, []string{pub}, []string{"public key (PEM)", id[1], "encrypted:  no"}},
		{"private key with password file", nil, []string{key, "--password-file", pwFile}, []string{"private key", id[1], "encrypted:  yes"}},
		{"private key with env password", map[string]string{passwordEnv: testPassword}, []string{key}, []string{id[1]}},
		{"private key without password", nil, []string{key}, []string{"encrypted:  yes", "give --password-file"}},
	}
	body := strings.Join(strings.Split(string(keyPEM), "\n")[1:3], "")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := execute(t, c.env, append([]string{"keys", "show"}, c.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, body[:20]) {
				t.Fatal("keys show printed private key material")
			}
		})
	}
}

func TestKeysErrors(t *testing.T) {
	dir := t.TempDir()
	key, pub := bidderKeys(t, dir, "b")
	cases := []struct {
		name  string
		env   map[string]string
		args  []string
		exit  int
		code  string
		match string
	}{
		{"refuses to overwrite", map[string]string{passwordEnv: testPassword}, []string{"keys", "gen", "--out", key, "--pub", pub + "2"}, 1, "", "already exists"},
		{"no password and no terminal", nil, []string{"keys", "gen", "--out", filepath.Join(dir, "n.key"), "--pub", filepath.Join(dir, "n.pub")}, 2, "", passwordEnv},
		{"short password", map[string]string{passwordEnv: "short"}, []string{"keys", "gen", "--out", filepath.Join(dir, "s.key"), "--pub", filepath.Join(dir, "s.pub")}, 2, "", "at least 8"},
		{"missing flags", nil, []string{"keys", "gen", "--out", filepath.Join(dir, "x.key")}, 2, "", "--pub"},
		{"wrong password", map[string]string{passwordEnv: "not the password"}, []string{"keys", "show", key}, 1, "wrong_password", "wrong private key password"},
		{"show needs one file", nil, []string{"keys", "show"}, 2, "", "argument"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := execute(t, c.env, c.args...)
			if exitCode(err) != c.exit || codeOf(err) != c.code || err == nil || !strings.Contains(err.Error(), c.match) {
				t.Fatalf("err = %v (exit %d, code %q), want exit %d code %q containing %q", err, exitCode(err), codeOf(err), c.exit, c.code, c.match)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "s.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused keys gen left a key file")
	}
}

func TestPasswordPromptOnTerminal(t *testing.T) {
	answers := []string{testPassword, testPassword}
	old := readTerminalPassword
	readTerminalPassword = func(string) ([]byte, bool, error) {
		a := answers[0]
		answers = answers[1:]
		return []byte(a), true, nil
	}
	defer func() { readTerminalPassword = old }()
	dir := t.TempDir()
	key, pub := filepath.Join(dir, "t.key"), filepath.Join(dir, "t.pub")
	if _, _, err := execute(t, nil, "keys", "gen", "--out", key, "--pub", pub); err != nil || len(answers) != 0 {
		t.Fatalf("gen with prompt: %v (answers left %d)", err, len(answers))
	}
	answers = []string{"wrong one"}
	_, _, err := execute(t, nil, "keys", "show", key)
	if codeOf(err) != "wrong_password" {
		t.Fatalf("prompted wrong password: %v", err)
	}
}
