package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/config"
)

// TestSandboxServerMovesItsClock: serve --sandbox --demo; the demo
// administrator moves the clock two days forward over HTTP; every answer
// says it comes from a sandbox. The same data directory then refuses to
// serve as production, and a production configuration refuses the flag.
func TestSandboxServerMovesItsClock(t *testing.T) {
	dir := t.TempDir()
	base, out, _ := startServe(t, map[string]string{"TENDERHALL_DEMO_CAMERAS": "false"}, "--data", dir, "--sandbox", "--demo")
	waitStatus(t, base+"/readyz", 200)
	m := regexp.MustCompile(`demo-admin\s+(\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no demo admin login printed:\n%s", out.String())
	}
	token := bearer(t, base, "demo-admin", m[1])

	var before, after struct {
		Sandbox bool  `json:"sandbox"`
		NowMS   int64 `json:"nowMs"`
	}
	resp := getJSON(t, base+"/api/v1/sandbox", "", &before)
	if !before.Sandbox || resp.Header.Get("X-TenderHall-Sandbox") != "true" {
		t.Fatalf("sandbox state %+v, header %q", before, resp.Header.Get("X-TenderHall-Sandbox"))
	}
	req, _ := http.NewRequest("POST", base+"/api/v1/sandbox/clock", strings.NewReader(`{"advance":"48h"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	r, err := http.DefaultClient.Do(req)
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("advance: %v %v", r.Status, err)
	}
	json.NewDecoder(r.Body).Decode(&after)
	r.Body.Close()
	if d := time.Duration(after.NowMS-before.NowMS) * time.Millisecond; d < 48*time.Hour || d > 49*time.Hour {
		t.Fatalf("the clock moved by %v", d)
	}
	var tm struct {
		UnixMS int64 `json:"unixMillis"`
	}
	getJSON(t, base+"/api/v1/time", "", &tm)
	if tm.UnixMS < after.NowMS {
		t.Fatalf("/api/v1/time reads %d, before the sandbox's %d", tm.UnixMS, after.NowMS)
	}

	_, _, err = execute(t, nil, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	if err == nil || !strings.Contains(err.Error(), "sandbox") {
		t.Fatalf("production on a sandbox's data: %v", err)
	}
	_, _, err = execute(t, map[string]string{"TENDERHALL_ENVIRONMENT": "production"}, "serve", "--sandbox", "--data", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "sandbox") {
		t.Fatalf("a production configuration with --sandbox: %v", err)
	}
}

// bearer signs in with a password and returns a bearer token.
func bearer(t *testing.T, base, user, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": password, "kind": "bearer"})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("login %s: %s %v", user, resp.Status, err)
	}
	return out.Token
}

func getJSON(t *testing.T, url, token string, v any) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestSandboxDemoPhonesAccept: a sandbox serving demo data gets simulated
// experts who all accept (a demonstration's committee must fill); any
// other server keeps the simulator's default, where some decline.
func TestSandboxDemoPhonesAccept(t *testing.T) {
	for _, c := range []struct {
		flags  map[string]string
		accept bool
	}{
		{map[string]string{"sandbox": "true", "demo": "true"}, true},
		{map[string]string{"sandbox": "true"}, false},
	} {
		c.flags["data"] = t.TempDir()
		cfg, _, err := config.Load(func(string) string { return "" }, c.flags)
		if err != nil {
			t.Fatal(err)
		}
		e := &env{getenv: func(string) string { return "" }, out: io.Discard, errOut: io.Discard}
		a, err := e.openApp(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := a.carrier.profile.Accept == 1
		a.close()
		if got != c.accept {
			t.Fatalf("flags %v: accept rate %v", c.flags, a.carrier.profile.Accept)
		}
	}
}
