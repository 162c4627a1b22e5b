package api

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/dbtest"
)

// goName matches what must never reach a user: a Go package-qualified
// type name (api.LoginRequest, int64 is allowed as a word no message uses).
var goName = regexp.MustCompile(`\b(api|bidding|experts|evaluation|accounts)\.[A-Z]\w*|\bint64\b|\[\]uint8|map\[`)

// TestBodiesThatDoNotDecodeAreRefused: a body whose JSON value is not the
// request's shape (an array, null, a string) is refused with a message
// naming what was expected in words, not Go types; a field of the wrong
// type is named; a route that takes no body refuses one.
func TestBodiesThatDoNotDecodeAreRefused(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			x := newExpertsEnv(t, b)
			admin, agent := x.tokens[accounts.RoleAdmin], x.tokens[accounts.RoleAgent]
			cases := []struct {
				name, method, path, token, body, code, field, words string
			}{
				{"array to login", "POST", "/api/v1/auth/login", "", `[1,2,3]`, "wrong_body_type", "", "a JSON object"},
				{"number to login", "POST", "/api/v1/auth/login", "", `42`, "wrong_body_type", "", "a JSON object"},
				{"null to an account link", "PUT", "/api/v1/experts/1/account", admin, `null`, "wrong_body_type", "", "a JSON object"},
				{"wrong field type", "POST", "/api/v1/auth/login", "", `{"username":["x"],"password":"p"}`, "", "username", "a string"},
				{"integer as string", "PUT", "/api/v1/experts/1/account", admin, `{"userId":"7"}`, "", "userId", "an integer"},
				{"junk to retender", "POST", "/api/v1/sections/1/retender", agent, `junk`, "unexpected_body", "", "takes no request body"},
				{"JSON to publish", "POST", "/api/v1/sections/1/announcement/publish", agent, `{"force":true}`, "unexpected_body", "", "takes no request body"},
			}
			for _, c := range cases {
				resp := x.do(c.method, c.path, c.token, c.body, "Accept-Language", "en")
				wantStatus(t, resp, http.StatusBadRequest)
				d := errorOf(t, resp)
				if (c.code != "" && d.Code != c.code) || (c.field != "" && d.Fields[c.field] == "") || !strings.Contains(d.Message, c.words) {
					t.Errorf("%s: %+v, want code %q field %q and %q in the message", c.name, d, c.code, c.field, c.words)
				}
				zh := errorOf(t, x.do(c.method, c.path, c.token, c.body))
				for _, msg := range []string{d.Message, zh.Message} {
					if goName.MatchString(msg) || strings.Contains(msg, "  ") {
						t.Errorf("%s: the message %q shows a Go name or an empty field name", c.name, msg)
					}
				}
			}
			// A route without a body still works without one.
			wantStatus(t, x.do("POST", "/api/v1/auth/logout", x.tokens[accounts.RoleBidder], nil), http.StatusOK)
		})
	}
}
