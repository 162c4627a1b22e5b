package api

import (
	"net/http"
	"testing"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/dbtest"
)

// TestQueryParametersDeclaredAndEnforced: every declared route exists, the
// OpenAPI document lists the event routes' from and limit, and a parameter
// a route does not take is refused with its name.
func TestQueryParametersDeclaredAndEnforced(t *testing.T) {
	e := newEnv(t, dbtest.SQLite)
	routes := map[string]route{}
	for _, r := range e.srv.routes {
		routes[r.method+" "+r.path] = r
	}
	for key := range routeQueries {
		if _, ok := routes[key]; !ok {
			t.Errorf("routeQueries names %q, which is not in the route table", key)
		}
	}
	doc := e.srv.buildOpenAPI()
	for _, path := range []string{"/api/v1/log/events", "/api/v1/audit/events"} {
		op := doc["paths"].(map[string]any)[path].(map[string]any)["get"].(map[string]any)
		names := map[string]bool{}
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			m := p.(map[string]any)
			if m["in"] == "query" {
				names[m["name"].(string)] = true
			}
		}
		if !names["from"] || !names["limit"] || len(names) != 2 {
			t.Errorf("%s documents query parameters %v, want from and limit", path, names)
		}
	}
	resp := e.do("GET", "/api/v1/auth/me?verbose=1", e.tokens[accounts.RoleBidder], nil, "Accept-Language", "en")
	wantStatus(t, resp, http.StatusBadRequest)
	if d := errorOf(t, resp); d.Code != "unknown_parameter" || d.Fields["verbose"] == "" {
		t.Errorf("unknown parameter answered %+v", d)
	}
	wantStatus(t, e.do("GET", "/api/v1/auth/me", e.tokens[accounts.RoleBidder], nil), http.StatusOK)
	// The rule comes after authentication: an anonymous caller learns nothing new.
	wantStatus(t, e.do("GET", "/api/v1/auth/me?verbose=1", "", nil), http.StatusUnauthorized)
}
