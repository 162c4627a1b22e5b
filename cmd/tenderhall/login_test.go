package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/bidding"
)

// TestLoginRegisterAndSubmitWithTheSavedToken walks the bidder's CLI the
// way the README tells it, against a demo server: login saves a token
// readable by its owner only; keys register, given neither --server nor
// --token, registers the key and prints the organisation id for seal
// --bidder; bid submit by a bidder whose organisation has no key says what
// to run; logout removes the saved token.
func TestLoginRegisterAndSubmitWithTheSavedToken(t *testing.T) {
	base, out, _ := startServe(t, map[string]string{"TENDERHALL_DEMO_CAMERAS": "false"}, "--data", t.TempDir(), "--demo")
	waitStatus(t, base+"/readyz", 200)
	dir := t.TempDir()
	env := map[string]string{"TENDERHALL_LOGIN_FILE": filepath.Join(dir, "cfg", "login.json"), passwordEnv: "Key-pass-2026"}
	login := func(user string) {
		m := regexp.MustCompile(user + `\s+(\S+)`).FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no login printed for %s:\n%s", user, out.String())
		}
		pw := filepath.Join(dir, user+".pw")
		must(t, os.WriteFile(pw, []byte(m[1]+"\n"), 0o600))
		o, _, err := execute(t, env, "login", "--server", base+"/", "--user", user, "--password-file", pw)
		if err != nil || !strings.Contains(o, "signed in as "+user) {
			t.Fatalf("login %s: %v\n%s", user, err, o)
		}
	}
	login("demo-bidder1")
	st, err := os.Stat(env["TENDERHALL_LOGIN_FILE"])
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("saved login: %v, mode %v", err, st.Mode())
	}
	key, pub := filepath.Join(dir, "b.key"), filepath.Join(dir, "b.pub")
	if _, _, err := execute(t, env, "keys", "gen", "--out", key, "--pub", pub); err != nil {
		t.Fatal(err)
	}
	o, _, err := execute(t, env, "keys", "register", "--pub", pub)
	m := regexp.MustCompile(`--bidder (\d+)`).FindStringSubmatch(o)
	if err != nil || m == nil {
		t.Fatalf("keys register with the saved login: %v\n%s", err, o)
	}

	// A bidder of another organisation, without a registered key, is told what to run.
	login("demo-bidder2")
	var page bidding.AnnouncementPage
	getJSON(t, base+"/api/v1/public/announcements?status=announced", "", &page)
	if len(page.Items) == 0 {
		t.Fatal("the demo has no announced section")
	}
	a := page.Items[0]
	key2, pub2 := filepath.Join(dir, "b2.key"), filepath.Join(dir, "b2.pub")
	if _, _, err := execute(t, env, "keys", "gen", "--out", key2, "--pub", pub2); err != nil {
		t.Fatal(err)
	}
	plain, sealed := filepath.Join(dir, "bid.txt"), filepath.Join(dir, "bid.the")
	must(t, os.WriteFile(plain, []byte("投标文件"), 0o600))
	if _, _, err := execute(t, env, "seal", "--key", key2, "--to", pub2, "--project", strconv.FormatInt(a.ProjectID, 10),
		"--section", strconv.FormatInt(a.SectionID, 10), "--bidder", "2", "--in", plain, "--out", sealed); err != nil {
		t.Fatal(err)
	}
	_, _, err = execute(t, env, "bid", "submit", "--section", strconv.FormatInt(a.SectionID, 10), "--in", sealed)
	if err == nil || !strings.Contains(err.Error(), "tenderhall keys register") {
		t.Fatalf("submit without a registered key: %v", err)
	}

	if o, _, err := execute(t, env, "logout"); err != nil || !strings.Contains(o, "signed out") {
		t.Fatalf("logout: %v\n%s", err, o)
	}
	if _, err := os.Stat(env["TENDERHALL_LOGIN_FILE"]); !os.IsNotExist(err) {
		t.Fatalf("the saved login is still there: %v", err)
	}
	if _, _, err := execute(t, env, "keys", "register", "--pub", pub); exitCode(err) != 2 || !strings.Contains(err.Error(), "tenderhall login") {
		t.Fatalf("register after logout: %v", err)
	}
}
