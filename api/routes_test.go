package api

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/dbtest"
)

// concretePath fills a route pattern's parameters with plausible values.
func concretePath(p string) string {
	r := strings.NewReplacer(":id", "1", ":role", "agent", "*key", "k", ":year", "2026", ":code", "X-1", ":material", "m")
	return r.Replace(p)
}

// TestEveryRouteAgainstEveryRole calls every route of the table as an
// anonymous caller and as a user of each role, and checks the rule the table
// declares: anonymous callers get 401 on non-public routes, roles outside
// the rule get 403 from the role check, and roles inside it get past it.
func TestEveryRouteAgainstEveryRole(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		for _, r := range e.srv.routes {
			path := concretePath(r.path)
			// A forwarded header makes an internal route treat the loopback test
			// client as remote, as it would be behind a proxy.
			remote := []string{"X-Forwarded-For", "203.0.113.9"}
			resp := e.do(r.method, path, "", nil, remote...)
			if !r.access.public && resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s anonymous: status %d, want 401", r.method, r.path, resp.StatusCode)
			}
			if r.access.public && resp.StatusCode == http.StatusUnauthorized {
				t.Errorf("%s %s is public but answered 401", r.method, r.path)
			}
			for _, role := range accounts.Roles() {
				resp := e.do(r.method, path, e.tokens[role], nil, remote...)
				denied := resp.StatusCode == http.StatusForbidden && errorOf(t, resp).Code == "forbidden_role"
				if r.access.public {
					continue
				}
				p := accounts.Principal{Roles: []accounts.Role{role}}
				if want := !r.access.allows(p); denied != want {
					t.Errorf("%s %s as %s: denied=%v (status %d), want denied=%v", r.method, r.path, role, denied, resp.StatusCode, want)
				}
				if resp.StatusCode == http.StatusUnauthorized {
					t.Errorf("%s %s as %s: 401 with a valid token", r.method, r.path, role)
				}
				if r.path == "/api/v1/auth/logout" {
					e.tokens[role] = e.login(usernameOf(role))
				}
			}
		}
	})
}

func usernameOf(r accounts.Role) string {
	if r == accounts.RoleAdmin {
		return "root-admin"
	}
	return "user-" + string(r)
}

// TestRoleRulesAreExplicit pins the rules of sensitive routes so that a
// change to the table is a visible change to this test.
func TestRoleRulesAreExplicit(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	want := map[string]string{
		"POST /api/v1/organizations":           "roles: admin",
		"POST /api/v1/users":                   "roles: admin",
		"POST /api/v1/users/:id/roles":         "roles: admin",
		"DELETE /api/v1/users/:id/roles/:role": "roles: admin",
		"GET /api/v1/audit/events":             "roles: admin, supervisor",
		"GET /metrics":                         "loopback or admin",
		"POST /api/v1/auth/login":              "public",
		// experts (issue 6): the draw stays sealed from agents and bidders.
		"POST /api/v1/expert-imports":         "roles: admin",
		"POST /api/v1/draws/:id/public-value": "roles: supervisor",
		"GET /api/v1/draws/:id/result":        "roles: supervisor, agent",
		"GET /api/v1/draws/:id/proof":         "roles: supervisor",
		"GET /api/v1/draws/:id/exclusions":    "roles: supervisor",
		"GET /api/v1/public/draws/:id/proof":  "public",
		// the call campaign: names only for the supervisor of record; carriers sign.
		"POST /api/v1/draws/:id/campaign/cancellations": "roles: supervisor",
		"POST /api/v1/notify/callback":                  "public",
		// the escrow remedy: shares go only to their holders.
		"GET /api/v1/sections/:id/escrow/share":             "roles: supervisor",
		"POST /api/v1/sections/:id/bids/:bid/remedy/shares": "roles: supervisor",
	}
	got := map[string]string{}
	for _, r := range e.srv.routes {
		got[r.method+" "+r.path] = r.access.String()
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: access %q, want %q", k, got[k], v)
		}
	}
}

// TestOpenAPIMatchesRouter checks that the served document lists exactly the
// routes gin serves, with the same methods.
func TestOpenAPIMatchesRouter(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	resp := e.do("GET", "/api/v1/openapi.json", "", nil)
	wantStatus(t, resp, http.StatusOK)
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	decode(t, resp, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	var inDoc, inRouter []string
	for p, ops := range doc.Paths {
		for m, op := range ops {
			inDoc = append(inDoc, strings.ToUpper(m)+" "+p)
			if op["summary"] == "" || op["operationId"] == "" {
				t.Errorf("%s %s lacks summary or operationId", m, p)
			}
		}
	}
	for _, r := range e.srv.engine.Routes() {
		inRouter = append(inRouter, r.Method+" "+openAPIPath(r.Path))
	}
	sort.Strings(inDoc)
	sort.Strings(inRouter)
	if strings.Join(inDoc, "\n") != strings.Join(inRouter, "\n") {
		t.Fatalf("OpenAPI and router differ:\ndoc:\n%s\nrouter:\n%s", strings.Join(inDoc, "\n"), strings.Join(inRouter, "\n"))
	}
}
