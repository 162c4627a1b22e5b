package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestBadInputGetsClearErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		admin := e.tokens["admin"]
		cases := []struct {
			name   string
			body   string
			ctype  string
			status int
			field  string
		}{
			{"malformed", `{"name": `, "application/json", 400, ""},
			{"unknown field", `{"kind":"bidder","name":"x","colour":"red"}`, "application/json", 400, "colour"},
			{"wrong type", `{"kind":"bidder","name":42}`, "application/json", 400, "name"},
			{"trailing data", `{"kind":"bidder","name":"x"} {}`, "application/json", 400, ""},
			{"empty", ``, "application/json", 400, ""},
			{"not json", `kind=bidder`, "application/x-www-form-urlencoded", 400, ""},
			{"oversized", `{"kind":"bidder","name":"` + strings.Repeat("x", 70<<10) + `"}`, "application/json", 413, ""},
			{"bad uscc", `{"kind":"bidder","name":"x","uscc":"91350100M000100Y44"}`, "application/json", 400, "uscc"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp := e.do("POST", "/api/v1/organizations", admin, c.body, "Content-Type", c.ctype)
				wantStatus(t, resp, c.status)
				detail := errorOf(t, resp)
				if c.field != "" && detail.Fields[c.field] == "" {
					t.Errorf("no field error for %q: %+v", c.field, detail)
				}
				if detail.RequestID == "" {
					t.Error("error without request ID")
				}
			})
		}
	})
}

func TestErrorsSpeakTheClientsLanguage(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		zh := errorOf(t, e.do("GET", "/api/v1/auth/me", "", nil))
		en := errorOf(t, e.do("GET", "/api/v1/auth/me", "", nil, "Accept-Language", "en-US,en;q=0.9"))
		if zh.Message == en.Message || !strings.Contains(en.Message, "sign in") || strings.Contains(zh.Message, "sign in") {
			t.Fatalf("zh %q / en %q", zh.Message, en.Message)
		}
		nf := e.do("GET", "/api/v1/nothing-here", "", nil)
		wantStatus(t, nf, 404)
		if errorOf(t, nf).Code != "not_found" {
			t.Error("unknown route not in the JSON error shape")
		}
	})
}

func TestLockoutIs423WithUnlockTime(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		for i := 0; i < 5; i++ {
			resp := e.do("POST", "/api/v1/auth/login", "", LoginRequest{Username: "user-bidder", Password: "wrong-password-1"})
			if i < 4 {
				wantStatus(t, resp, 401)
			}
		}
		resp := e.do("POST", "/api/v1/auth/login", "", LoginRequest{Username: "user-bidder", Password: testPassword})
		wantStatus(t, resp, http.StatusLocked)
		if resp.Header.Get("Retry-After") == "" {
			t.Error("423 without Retry-After")
		}
		d := errorOf(t, resp)
		until, err := time.Parse(time.RFC3339Nano, d.Until)
		if err != nil || !until.Equal(e.clock.Now().Add(15*time.Minute)) {
			t.Fatalf("until = %q (%v), want now+15m", d.Until, err)
		}
		e.clock.Advance(15*time.Minute + time.Second)
		wantStatus(t, e.do("POST", "/api/v1/auth/login", "", LoginRequest{Username: "user-bidder", Password: testPassword}), 200)
	})
}

func TestBrowserSessionNeedsCSRFOnWrites(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		resp := e.do("POST", "/api/v1/auth/login", "", LoginRequest{Username: "user-bidder", Password: testPassword})
		wantStatus(t, resp, 200)
		var out LoginResponse
		decode(t, resp, &out)
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || out.Token != "" || out.CSRFToken == "" {
			t.Fatalf("cookie %+v, body token %q csrf %q", cookie, out.Token, out.CSRFToken)
		}
		send := func(method, path string, headers ...string) *http.Response {
			var body io.Reader
			if path == "/api/v1/auth/tokens" { // the one route of these that takes a body
				body = strings.NewReader(`{"name":"cli","ttlHours":1}`)
			}
			req, _ := http.NewRequest(method, e.http.URL+path, body)
			req.Header.Set("Content-Type", "application/json")
			req.AddCookie(cookie)
			for i := 0; i+1 < len(headers); i += 2 {
				req.Header.Set(headers[i], headers[i+1])
			}
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Body.Close() })
			return r
		}
		wantStatus(t, send("GET", "/api/v1/auth/me"), 200)
		noCSRF := send("POST", "/api/v1/auth/tokens")
		wantStatus(t, noCSRF, 403)
		if errorOf(t, noCSRF).Code != "csrf" {
			t.Error("missing CSRF not reported as such")
		}
		wantStatus(t, send("POST", "/api/v1/auth/tokens", csrfHeader, "wrong"), 403)
		wantStatus(t, send("POST", "/api/v1/auth/tokens", csrfHeader, out.CSRFToken), 201)
		wantStatus(t, send("POST", "/api/v1/auth/logout", csrfHeader, out.CSRFToken), 200)
		wantStatus(t, send("GET", "/api/v1/auth/me"), 401)
	})
}

func TestServerTimeAndHealth(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		resp := e.do("GET", "/api/v1/time", "", nil)
		wantStatus(t, resp, 200)
		var tr TimeResponse
		decode(t, resp, &tr)
		if tr.UnixMillis != e.clock.Now().UnixMilli() {
			t.Fatalf("time %d, want %d", tr.UnixMillis, e.clock.Now().UnixMilli())
		}
		wantStatus(t, e.do("GET", "/healthz", "", nil), 200)
		wantStatus(t, e.do("GET", "/readyz", "", nil), 200)
		e.ready = apperr.New(apperr.Unavailable, "down", "down")
		resp = e.do("GET", "/readyz", "", nil)
		wantStatus(t, resp, 503)
		var body struct{ Checks map[string]string }
		json.NewDecoder(resp.Body).Decode(&body)
		if body.Checks["fake"] != "unavailable" || body.Checks["database"] != "ok" {
			t.Fatalf("checks = %v", body.Checks)
		}
	})
}

func TestMetricsCountRequests(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		wantStatus(t, e.do("GET", "/healthz", "", nil), 200)
		resp := e.do("GET", "/metrics", "", nil)
		wantStatus(t, resp, 200)
		b, _ := io.ReadAll(resp.Body)
		if !strings.Contains(string(b), `tenderhall_http_requests_total{method="GET",route="/healthz",status="200"}`) {
			t.Fatalf("metrics lack the healthz counter:\n%.2000s", b)
		}
		remote := e.do("GET", "/metrics", e.tokens["bidder"], nil, "X-Forwarded-For", "203.0.113.9")
		wantStatus(t, remote, 403)
	})
}

func TestAuditTrailRecordsLoginsWithoutSecrets(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		e.do("POST", "/api/v1/auth/login", "", LoginRequest{Username: "user-agent", Password: "Wrong-pass-123"})
		resp := e.do("GET", "/api/v1/audit/events?from=1&limit=1000", e.tokens["admin"], nil)
		wantStatus(t, resp, 200)
		raw, _ := io.ReadAll(resp.Body)
		var page EventPage
		json.Unmarshal(raw, &page)
		types := map[string]bool{}
		for _, ev := range page.Events {
			types[ev.Type] = true
			viaHTTP := ev.Type == accounts.EventLoginSucceeded || ev.Type == accounts.EventLoginFailed
			if viaHTTP && (ev.IP != "127.0.0.1" || ev.RequestID == "") {
				t.Errorf("event %d %s lacks IP or request ID", ev.Seq, ev.Type)
			}
		}
		for _, typ := range []string{accounts.EventLoginSucceeded, accounts.EventLoginFailed, accounts.EventUserCreated, accounts.EventSetupCompleted} {
			if !types[typ] {
				t.Errorf("no %s event; have %v", typ, types)
			}
		}
		for _, secret := range []string{testPassword, "Wrong-pass-123", e.tokens["bidder"]} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("audit trail contains a secret %q", secret)
			}
		}
	})
}
