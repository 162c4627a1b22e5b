package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
)

// testOptions keeps the production policy but a small argon2 memory, so the
// suites run quickly under -race. It is a parameter, not a mock: the hashes
// are real argon2id.
var testOptions = Options{Argon2: Argon2Params{Memory: 1024, Iterations: 1, Parallelism: 1}}

var start = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

const adminPassword = "Admin-pass-2026"

type env struct {
	ctx context.Context
	svc *Service
	clk *clock.Fake
	db  *storage.DB
	log *eventlog.Service
}

// onBackends runs fn on a fresh, migrated database on every backend.
func onBackends(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			ctx := context.Background()
			db := storagetest.Open(t, b)
			key := make([]byte, notary.FieldKeySize)
			rand.Read(key)
			fields, err := notary.NewFieldCipher(key)
			if err != nil {
				t.Fatal(err)
			}
			clk := clock.NewFake(start)
			log := eventlog.New(db, clk)
			fn(t, &env{ctx: ctx, svc: New(db, log, clk, fields, testOptions), clk: clk, db: db, log: log})
		})
	}
}

// admin creates the first administrator through a setup token and returns
// their principal.
func (e *env) admin(t *testing.T) Principal {
	t.Helper()
	tok, err := e.svc.CreateSetupToken(e.ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CompleteSetup(e.ctx, tok, "root", "管理员", adminPassword); err != nil {
		t.Fatal(err)
	}
	return e.login(t, "root", adminPassword).Principal
}

func (e *env) login(t *testing.T, user, pw string) LoginResult {
	t.Helper()
	res, err := e.svc.Login(e.ctx, LoginRequest{Username: user, Password: pw, IP: "10.0.0.1", UserAgent: "test"})
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return res
}

func (e *env) user(t *testing.T, admin Principal, name string, orgID int64, roles ...Role) User {
	t.Helper()
	u, err := e.svc.CreateUser(e.ctx, admin, NewUser{Username: name, DisplayName: name, Password: name + "-pw-12345",
		OrgID: orgID, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *env) org(t *testing.T, admin Principal, kind OrgKind, uscc string) Org {
	t.Helper()
	o, err := e.svc.CreateOrg(e.ctx, admin, NewOrg{Kind: kind, Name: string(kind) + " " + uscc, USCC: uscc})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (e *env) events(t *testing.T) []eventlog.Event {
	t.Helper()
	evs, err := e.log.Range(e.ctx, 1, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// eventsOf returns the events of type typ.
func (e *env) eventsOf(t *testing.T, typ string) []eventlog.Event {
	var out []eventlog.Event
	for _, ev := range e.events(t) {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

// noSecrets fails when any event payload contains one of the secrets.
func (e *env) noSecrets(t *testing.T, secrets ...string) {
	t.Helper()
	for _, ev := range e.events(t) {
		for _, s := range secrets {
			if s != "" && strings.Contains(ev.Payload, s) {
				t.Errorf("event %d %s payload %s contains a secret", ev.Seq, ev.Type, ev.Payload)
			}
		}
	}
}

// code returns the current TOTP code for a base32 secret.
func (e *env) code(t *testing.T, secret string) string {
	t.Helper()
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return totpCode(raw, totpStep(e.clk.Now()))
}

func wantKind(t *testing.T, err error, k apperr.Kind, code string) *apperr.Error {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != k || (code != "" && ae.MachineCode() != code) {
		t.Fatalf("err = %v (%#v), want kind %s code %q", err, ae, k, code)
	}
	return ae
}

// scalar reads one value with plain SQL, to look at what is really stored.
func (e *env) scalar(t *testing.T, q string, args ...any) string {
	t.Helper()
	var s string
	if err := e.db.SQL().QueryRowContext(e.ctx, q, args...).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
