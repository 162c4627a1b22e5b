package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/api"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// logServer is a platform serving its transparency log over HTTP, with an
// auditor's files: the platform public key and a state file.
type logServer struct {
	ctx    context.Context
	db     *storage.DB
	clk    *clock.Fake
	events *eventlog.Service
	tree   *eventlog.Tree
	url    string
	pub    string // path of the platform public key PEM
	state  string // path of the verifier's state file
	token  string // the administrator's bearer token: it reads every event that is not secret
	// outsider is a supervisor's token: the test's events are about no
	// project it supervises, so it reads every one withheld.
	outsider string
}

func newLogServer(t *testing.T, b dbtest.Backend) *logServer {
	t.Helper()
	ctx := context.Background()
	db := storagetest.Open(t, b)
	key, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
	events := eventlog.New(db, clk)
	tree := events.Tree(key)
	fields, _ := notary.NewFieldCipher(make([]byte, notary.FieldKeySize))
	opts := accounts.DefaultOptions()
	opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
	// Accounts live in a database of their own here, so that signing in
	// leaves the audited log holding only the test's events.
	accDB := storagetest.Open(t, dbtest.SQLite)
	acc := accounts.New(accDB, eventlog.New(accDB, clk), clk, fields, opts)
	srv := httptest.NewServer(api.New(api.Deps{Clock: clk, Events: events, Tree: tree, Accounts: acc, Version: "test",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	token, outsider := auditorTokens(t, ctx, acc)
	s := &logServer{ctx: ctx, db: db, clk: clk, events: events, tree: tree, url: srv.URL, token: token, outsider: outsider,
		pub: filepath.Join(dir, "platform.pub"), state: filepath.Join(dir, "state", "log.json")}
	if err := os.WriteFile(s.pub, []byte(key.Public().PEM), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// add appends n events of a kind that is no secret.
func (s *logServer) add(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		s.clk.Advance(time.Second)
		if _, err := s.events.Append(s.ctx, eventlog.Entry{Type: "test.recorded", Subject: fmt.Sprintf("section:S-%d", i%2),
			Actor: "user:7", Payload: map[string]any{"bid": fmt.Sprintf("B-%d", i), "price": 1_000_000 + i}}); err != nil {
			t.Fatal(err)
		}
	}
}

func (s *logServer) sign(t *testing.T) {
	t.Helper()
	if _, err := s.tree.SignHead(s.ctx); err != nil {
		t.Fatal(err)
	}
}

// tamper changes the database directly, as someone with database access
// and no platform key would.
func (s *logServer) tamper(t *testing.T, sql ...string) {
	t.Helper()
	for _, q := range sql {
		if _, err := s.db.SQL().ExecContext(s.ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func (s *logServer) verify(t *testing.T, extra ...string) (string, error) {
	t.Helper()
	args := append([]string{"verify", "log", "--server", s.url, "--platform-pub", s.pub, "--state", s.state}, extra...)
	out, _, err := execute(t, map[string]string{"TENDERHALL_TOKEN": s.token}, args...)
	return out, err
}

// auditorTokens makes the first administrator and a supervisor and returns
// their bearer tokens.
func auditorTokens(t *testing.T, ctx context.Context, acc *accounts.Service) (admin, supervisor string) {
	t.Helper()
	const pw = "Auditor-pass-2026"
	setup, err := acc.CreateSetupToken(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.CompleteSetup(ctx, setup, "root-admin", "管理员", pw); err != nil {
		t.Fatal(err)
	}
	login, err := acc.Login(ctx, accounts.LoginRequest{Username: "root-admin", Password: pw, Kind: accounts.KindBearer})
	if err != nil {
		t.Fatal(err)
	}
	dept, err := acc.CreateOrg(ctx, login.Principal, accounts.NewOrg{Kind: accounts.OrgDepartment, Name: "监督局", Region: "350100"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.CreateUser(ctx, login.Principal, accounts.NewUser{Username: "auditor", DisplayName: "审计", Password: pw,
		OrgID: dept.ID, Roles: []accounts.Role{accounts.RoleSupervisor}}); err != nil {
		t.Fatal(err)
	}
	sup, err := acc.Login(ctx, accounts.LoginRequest{Username: "auditor", Password: pw, Kind: accounts.KindBearer})
	if err != nil {
		t.Fatal(err)
	}
	return login.Token, sup.Token
}

func TestVerifyLogPassesAnUntouchedLogAndRemembersIt(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			s := newLogServer(t, b)
			// A fresh server has no head yet: the verifier asks for one
			// (the server signs only when its latest is older than the log).
			out, err := s.verify(t)
			if err != nil || !strings.Contains(out, "0 events, 1 signed heads") || !strings.Contains(out, "OK:") {
				t.Fatalf("a fresh log: %v\n%s", err, out)
			}
			s.add(t, 6)
			out, err = s.verify(t)
			if err != nil || !strings.Contains(out, "6 events, 2 signed heads") || !strings.Contains(out, "latest head: size 6") {
				t.Fatalf("a grown log gets a head of its whole size: %v\n%s", err, out)
			}
			out, err = s.verify(t)
			if err != nil || !strings.Contains(out, "6 events, 2 signed heads") {
				t.Fatalf("asking again signs nothing more: %v\n%s", err, out)
			}
			s.add(t, 5)
			s.sign(t)
			s.add(t, 2)
			out, err = s.verify(t, "--from-size", "3")
			if err != nil || !strings.Contains(out, "consistency checked from size 6") || !strings.Contains(out, "latest head: size 13") {
				t.Fatalf("grown log: %v\n%s", err, out)
			}
			// The state now holds every head; a server that stops serving
			// an older one is still checked against it.
			s.tamper(t, "DELETE FROM tree_heads WHERE tree_size = 6")
			if out, err = s.verify(t); err != nil || !strings.Contains(out, "4 signed heads") {
				t.Fatalf("remembered heads: %v\n%s", err, out)
			}
		})
	}
}

// TestVerifyLogWithoutATokenNeedsAHead: without a token the verifier
// cannot ask for a head (nor read the events): it says so.
func TestVerifyLogWithoutATokenNeedsAHead(t *testing.T) {
	s := newLogServer(t, dbtest.SQLite)
	s.token = ""
	if out, err := s.verify(t); err == nil {
		t.Fatalf("verified without a token:\n%s", out)
	}
}

func TestVerifyLogDetectsTamperingInTheDatabase(t *testing.T) {
	cases := []struct {
		name  string
		sql   []string
		wants []string
	}{
		{"deleted", []string{"DELETE FROM events WHERE seq = 3"}, []string{"event 3: missing"}},
		{"reordered", []string{"UPDATE events SET seq = -4 WHERE seq = 4", "UPDATE events SET seq = 4 WHERE seq = 6",
			"UPDATE events SET seq = 6 WHERE seq = -4"}, []string{"event 4: reordered: it holds the event signed as seq 6", "event 6: reordered"}},
		{"payloads swapped", []string{`UPDATE events SET payload = '{"bid":"B-1","price":1000001}' WHERE seq = 5`,
			`UPDATE events SET payload = '{"bid":"B-4","price":1000004}' WHERE seq = 2`},
			[]string{"event 2: swapped", "event 5: swapped"}},
		{"edited", []string{`UPDATE events SET payload = '{"bid":"B-4","price":1}' WHERE seq = 5`},
			[]string{"event 5: rewritten: its content (test.recorded on section:S-0) no longer hashes to the leaf signed"}},
	}
	for _, b := range dbtest.Backends() {
		for _, c := range cases {
			t.Run(string(b)+"/"+c.name, func(t *testing.T) {
				s := newLogServer(t, b)
				s.add(t, 8)
				s.sign(t)
				if out, err := s.verify(t); err != nil {
					t.Fatalf("before tampering: %v\n%s", err, out)
				}
				s.tamper(t, c.sql...)
				out, err := s.verify(t)
				if err == nil || exitCode(err) != 1 {
					t.Fatalf("tampering not detected (err %v):\n%s", err, out)
				}
				t.Logf("%v\n%s", err, out)
				for _, w := range c.wants {
					if !strings.Contains(out, "PROBLEM "+w) {
						t.Errorf("output lacks %q:\n%s", w, out)
					}
				}
				if n := strings.Count(out, "PROBLEM"); n != len(c.wants) {
					t.Errorf("%d problems, want %d:\n%s", n, len(c.wants), out)
				}
			})
		}
	}
}

// TestVerifyLogWithWithheldEvents: a supervisor whose projects none of the
// events concern reads every event withheld; the log still verifies
// against the signed head, the output says how many were withheld, and a
// withheld leaf the server changed is still caught.
func TestVerifyLogWithWithheldEvents(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			s := newLogServer(t, b)
			s.add(t, 8)
			s.sign(t)
			s.token = s.outsider
			out, err := s.verify(t)
			if err != nil || !strings.Contains(out, "8 events are withheld") || !strings.Contains(out, "OK:") {
				t.Fatalf("withheld log: %v\n%s", err, out)
			}
			s.tamper(t, "UPDATE events SET leaf_hash = '"+strings.Repeat("ab", 32)+"' WHERE seq = 5")
			out, err = s.verify(t)
			if exitCode(err) != 1 || !strings.Contains(out, "PROBLEM event 5: rewritten: it is withheld") {
				t.Fatalf("a changed withheld leaf: %v\n%s", err, out)
			}
		})
	}
}

func TestVerifyLogRefusesBadInvocations(t *testing.T) {
	s := newLogServer(t, dbtest.SQLite)
	s.add(t, 2)
	s.sign(t)
	if _, _, err := execute(t, map[string]string{"TENDERHALL_TOKEN": s.token}, "verify", "log", "--server", s.url); exitCode(err) != 2 {
		t.Errorf("missing --platform-pub: exit %d (%v)", exitCode(err), err)
	}
	other, _ := notary.GenerateKey()
	wrong := filepath.Join(t.TempDir(), "other.pub")
	os.WriteFile(wrong, []byte(other.Public().PEM), 0o600)
	out, _, err := execute(t, map[string]string{"TENDERHALL_TOKEN": s.token}, "verify", "log", "--server", s.url, "--platform-pub", wrong, "--state", s.state)
	if err == nil || !strings.Contains(out, "not validly signed") {
		t.Errorf("heads accepted under another key: %v\n%s", err, out)
	}
	os.MkdirAll(filepath.Dir(s.state), 0o700)
	os.WriteFile(s.state, []byte("{"), 0o600)
	if _, err := s.verify(t); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged state file: %v", err)
	}
}

// Event contents are for auditors: without a token the verifier is refused
// and says why, and the public routes still answer.
func TestVerifyLogNeedsAnAuditorsToken(t *testing.T) {
	s := newLogServer(t, dbtest.SQLite)
	s.add(t, 3)
	s.sign(t)
	_, _, err := execute(t, nil, "verify", "log", "--server", s.url, "--platform-pub", s.pub, "--state", s.state)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("verify without a token: %v", err)
	}
	if out, err := s.verify(t); err != nil {
		t.Fatalf("with the token: %v\n%s", err, out)
	}
}

// TestFreshServerHasASignedHead: once a fresh server is ready, its log
// has a signed head covering it.
func TestFreshServerHasASignedHead(t *testing.T) {
	base, _, _ := startServe(t, map[string]string{}, "--data", t.TempDir())
	waitStatus(t, base+"/readyz", 200)
	var h api.LogHead
	if resp := getJSON(t, base+"/api/v1/log/head", "", &h); resp.StatusCode != 200 || h.Signature == "" {
		t.Fatalf("no signed head on a fresh server: %d %+v", resp.StatusCode, h)
	}
}
