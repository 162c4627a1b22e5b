package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/calendar"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
	"github.com/tenderhall/tenderhall/storage/storagetest"
	"github.com/tenderhall/tenderhall/supervision"
)

// testEnv is a server on a fresh database with one user per role.
type testEnv struct {
	t        *testing.T
	srv      *Server
	http     *httptest.Server
	clock    *clock.Fake
	accounts *accounts.Service
	events   *eventlog.Service
	super    *supervision.Service
	db       *storage.DB
	blobs    storage.Blobs
	tokens   map[accounts.Role]string // bearer token of a user holding only that role
	ids      map[accounts.Role]int64
	password string
	ready    error
}

const testPassword = "Correct-horse-42"

func newEnv(t *testing.T, b dbtest.Backend) *testEnv {
	t.Helper()
	ctx := context.Background()
	db := storagetest.Open(t, b)
	fields, _ := notary.NewFieldCipher(bytes.Repeat([]byte{1}, notary.FieldKeySize))
	clk := clock.NewFake(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC))
	events := eventlog.New(db, clk)
	opts := accounts.DefaultOptions()
	opts.Argon2 = accounts.Argon2Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1}
	acc := accounts.New(db, events, clk, fields, opts)
	blobs := storagetest.Blobs(t, b) // the filesystem beside SQLite, MinIO beside MySQL
	e := &testEnv{t: t, clock: clk, accounts: acc, events: events, password: testPassword, db: db, blobs: blobs,
		tokens: map[accounts.Role]string{}, ids: map[accounts.Role]int64{}}
	cal := calendar.New(db, events, clk)
	platformKey, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	e.super = supervision.New(db, events, clk, cal.Calendar, supervision.DefaultRules())
	e.srv = New(Deps{Clock: clk, Accounts: acc, Events: events, Tree: events.Tree(platformKey), Blobs: blobs, MaxBodyBytes: 64 << 10,
		Calendar: cal, Bidding: bidding.New(db, events, clk, nil, cal.Calendar),
		Approval: approval.New(db, events, clk, cal.Calendar, fields, blobs), Supervision: e.super,
		Log: discardLogger(), Version: "test",
		Ready: []ReadyCheck{{Name: "database", Check: db.Ping}, {Name: "fake", Check: func(context.Context) error { return e.ready }}}})
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
	e.makeUsers(ctx)
	return e
}

// rebuild replaces e's server with one whose dependencies change edits,
// over the same database and users.
func (e *testEnv) rebuild(t *testing.T, change func(d *Deps)) {
	d := e.srv.deps
	change(&d)
	e.srv = New(d)
	e.http = httptest.NewServer(e.srv.Handler())
	t.Cleanup(e.http.Close)
}

// forEachBackend runs fn on a fresh server over each database backend.
func forEachBackend(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) { fn(t, newEnv(t, b)) })
	}
}

// makeUsers creates the first admin through setup, then one user per role.
func (e *testEnv) makeUsers(ctx context.Context) {
	t := e.t
	token, err := e.accounts.CreateSetupToken(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	resp := e.do("POST", "/api/v1/setup", "", SetupRequest{Token: token, Username: "root-admin", DisplayName: "管理员", Password: testPassword})
	wantStatus(t, resp, http.StatusCreated)
	e.tokens[accounts.RoleAdmin] = e.login("root-admin")
	admin := e.principal(accounts.RoleAdmin)
	orgs := map[accounts.OrgKind]int64{}
	for kind, uscc := range map[accounts.OrgKind]string{accounts.OrgBidder: "91350100M000100Y43", accounts.OrgAgency: usccFor(t, "9135010000000000A"), accounts.OrgDepartment: ""} {
		o, err := e.accounts.CreateOrg(ctx, admin, accounts.NewOrg{Kind: kind, Name: "单位" + string(kind), USCC: uscc, Region: "350100"})
		if err != nil {
			t.Fatalf("org %s: %v", kind, err)
		}
		orgs[kind] = o.ID
	}
	orgFor := map[accounts.Role]int64{accounts.RoleAgent: orgs[accounts.OrgAgency], accounts.RoleBidder: orgs[accounts.OrgBidder],
		accounts.RoleSupervisor: orgs[accounts.OrgDepartment], accounts.RoleOfficer: orgs[accounts.OrgDepartment]}
	for _, r := range accounts.Roles() {
		if r == accounts.RoleAdmin {
			continue
		}
		u, err := e.accounts.CreateUser(ctx, admin, accounts.NewUser{Username: "user-" + string(r), DisplayName: string(r),
			Password: testPassword, OrgID: orgFor[r], Roles: []accounts.Role{r}})
		if err != nil {
			t.Fatalf("user %s: %v", r, err)
		}
		e.ids[r] = u.ID
		e.tokens[r] = e.login(u.Username)
	}
}

func (e *testEnv) principal(r accounts.Role) accounts.Principal {
	p, err := e.accounts.Authenticate(context.Background(), e.tokens[r])
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *testEnv) login(username string) string {
	resp := e.do("POST", "/api/v1/auth/login", "", LoginRequest{Username: username, Password: testPassword, Kind: "bearer"})
	wantStatus(e.t, resp, http.StatusOK)
	var out LoginResponse
	decode(e.t, resp, &out)
	if out.Token == "" {
		e.t.Fatal("bearer login returned no token")
	}
	return out.Token
}

// do sends a JSON request with an optional bearer token.
func (e *testEnv) do(method, path, token string, body any, headers ...string) *http.Response {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			r = strings.NewReader(b)
		default:
			raw, _ := json.Marshal(b)
			r = bytes.NewReader(raw)
		}
	}
	req, _ := http.NewRequest(method, e.http.URL+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func wantStatus(t *testing.T, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, want, b)
	}
}

func decode(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode: %v", err)
	}
}

func errorOf(t *testing.T, resp *http.Response) ErrorDetail {
	t.Helper()
	var body ErrorBody
	decode(t, resp, &body)
	if body.Error.Code == "" || body.Error.Message == "" {
		t.Fatalf("error body without code or message: %+v", body)
	}
	return body.Error
}

// usccFor completes a 17-character USCC body with its check character.
func usccFor(t *testing.T, body string) string {
	const chars = "0123456789ABCDEFGHJKLNPQRTUWXY"
	for _, c := range chars {
		if accounts.ValidUSCC(body+string(c)) == nil {
			return body + string(c)
		}
	}
	t.Fatalf("no check character for %s", body)
	return ""
}

var _ = apperr.Invalid
