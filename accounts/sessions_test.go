package accounts

import (
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestBrowserSessionExpiry(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.admin(t)
		res := e.login(t, "root", adminPassword)
		// Used every 11 hours, the session slides past several idle periods…
		for i := 0; i < 3; i++ {
			e.clk.Advance(11 * time.Hour)
			if _, err := e.svc.Authenticate(e.ctx, res.Token); err != nil {
				t.Fatalf("after %d×11h: %v", i+1, err)
			}
		}
		// …but ends 12 hours after its last use.
		e.clk.Advance(12 * time.Hour)
		_, err := e.svc.Authenticate(e.ctx, res.Token)
		wantKind(t, err, apperr.Unauthenticated, "session_expired")

		// And in any case 7 days after login.
		res = e.login(t, "root", adminPassword)
		for elapsed := time.Duration(0); elapsed < 7*24*time.Hour-11*time.Hour; elapsed += 11 * time.Hour {
			e.clk.Advance(11 * time.Hour)
			if _, err := e.svc.Authenticate(e.ctx, res.Token); err != nil {
				t.Fatalf("at %v: %v", elapsed+11*time.Hour, err)
			}
		}
		e.clk.Set(res.ExpiresAt)
		_, err = e.svc.Authenticate(e.ctx, res.Token)
		wantKind(t, err, apperr.Unauthenticated, "session_expired")
	})
}

func TestLogoutAndUnknownToken(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.admin(t)
		res := e.login(t, "root", adminPassword)
		if err := e.svc.Logout(e.ctx, res.Token); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.Authenticate(e.ctx, res.Token)
		wantKind(t, err, apperr.Unauthenticated, "session_invalid")
		if err := e.svc.Logout(e.ctx, res.Token); err != nil {
			t.Fatalf("second logout: %v", err)
		}
		if n := len(e.eventsOf(t, EventLogout)); n != 1 {
			t.Fatalf("%d logout events, want 1", n)
		}
		for _, tok := range []string{"", "nonsense", tokenID(res.Token)} {
			_, err := e.svc.Authenticate(e.ctx, tok)
			wantKind(t, err, apperr.Unauthenticated, "session_invalid")
		}
		e.noSecrets(t, res.Token)
	})
}

func TestBearerTokens(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		admin := e.admin(t)
		tok, info, err := e.svc.CreateToken(e.ctx, admin.UserID, "laptop CLI", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if info.ID != tokenID(tok) || info.Kind != KindBearer || !info.ExpiresAt.Equal(start.Add(time.Hour)) {
			t.Fatalf("token info %+v", info)
		}
		p, err := e.svc.Authenticate(e.ctx, tok)
		if err != nil || p.Kind != KindBearer || p.SessionID != info.ID || !p.Has(RoleAdmin) {
			t.Fatalf("principal %+v, %v", p, err)
		}
		if p.CheckCSRF("") || p.CheckCSRF("anything") {
			t.Fatal("bearer principal passes a CSRF check")
		}
		list, err := e.svc.ListTokens(e.ctx, admin.UserID)
		if err != nil || len(list) != 1 || list[0].Name != "laptop CLI" {
			t.Fatalf("ListTokens = %+v, %v", list, err)
		}
		for _, ttl := range []time.Duration{0, -time.Hour, 367 * 24 * time.Hour} {
			_, _, err := e.svc.CreateToken(e.ctx, admin.UserID, "x", ttl)
			wantKind(t, err, apperr.Invalid, "")
		}
		wantKind(t, e.svc.RevokeToken(e.ctx, admin.UserID+1, info.ID), apperr.NotFound, "")
		if err := e.svc.RevokeToken(e.ctx, admin.UserID, info.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Authenticate(e.ctx, tok)
		wantKind(t, err, apperr.Unauthenticated, "session_invalid")
		if list, _ := e.svc.ListTokens(e.ctx, admin.UserID); len(list) != 0 {
			t.Fatalf("revoked token listed: %+v", list)
		}

		tok, _, _ = e.svc.CreateToken(e.ctx, admin.UserID, "short", time.Hour)
		e.clk.Advance(59 * time.Minute)
		if _, err := e.svc.Authenticate(e.ctx, tok); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(time.Minute)
		_, err = e.svc.Authenticate(e.ctx, tok)
		wantKind(t, err, apperr.Unauthenticated, "session_expired")

		bearer, err := e.svc.Login(e.ctx, LoginRequest{Username: "root", Password: adminPassword, Kind: KindBearer})
		if err != nil || bearer.CSRFToken != "" || !bearer.ExpiresAt.Equal(e.clk.Now().Add(24*time.Hour)) {
			t.Fatalf("bearer login %+v, %v", bearer, err)
		}
		if n := len(e.eventsOf(t, EventTokenCreated)) + len(e.eventsOf(t, EventTokenRevoked)); n != 3 {
			t.Fatalf("%d token events, want 3", n)
		}
		e.noSecrets(t, tok, bearer.Token)
	})
}

func TestCSRF(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.admin(t)
		res := e.login(t, "root", adminPassword)
		p, err := e.svc.Authenticate(e.ctx, res.Token)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			token string
			ok    bool
		}{
			{res.CSRFToken, true},
			{"", false},
			{res.Token, false},
			{res.CSRFToken[:42], false},
			{tokenID(res.CSRFToken), false},
		}
		for _, tt := range tests {
			if got := p.CheckCSRF(tt.token); got != tt.ok {
				t.Errorf("CheckCSRF(%q) = %v", tt.token, got)
			}
		}
		if got := e.scalar(t, "SELECT csrf_token FROM sessions WHERE id = ?", tokenID(res.Token)); got != tokenID(res.CSRFToken) {
			t.Fatalf("stored CSRF %q is not the token's hash", got)
		}
		other := e.login(t, "root", adminPassword)
		if p.CheckCSRF(other.CSRFToken) {
			t.Fatal("another session's CSRF token accepted")
		}
	})
}

func TestChangePassword(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.admin(t)
		keep, other := e.login(t, "root", adminPassword), e.login(t, "root", adminPassword)
		p := keep.Principal
		wantKind(t, e.svc.ChangePassword(e.ctx, p, "Wrong-pass-2026", "New-pass-20260"), apperr.Unauthenticated, "")
		wantKind(t, e.svc.ChangePassword(e.ctx, p, adminPassword, "short1"), apperr.Invalid, "weak_password")
		if err := e.svc.ChangePassword(e.ctx, p, adminPassword, "New-pass-20260"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Authenticate(e.ctx, keep.Token); err != nil {
			t.Fatalf("current session ended: %v", err)
		}
		_, err := e.svc.Authenticate(e.ctx, other.Token)
		wantKind(t, err, apperr.Unauthenticated, "")
		_, err = e.svc.Login(e.ctx, LoginRequest{Username: "root", Password: adminPassword})
		wantKind(t, err, apperr.Unauthenticated, "bad_credentials")
		e.login(t, "root", "New-pass-20260")
		e.noSecrets(t, adminPassword, "New-pass-20260")
	})
}
