package accounts

import (
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestSetupToken(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		if has, err := e.svc.HasAdmin(e.ctx); err != nil || has {
			t.Fatalf("HasAdmin = %v, %v on an empty database", has, err)
		}
		tok, err := e.svc.CreateSetupToken(e.ctx, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		spare, _ := e.svc.CreateSetupToken(e.ctx, time.Hour)
		if got := e.scalar(t, "SELECT COUNT(*) FROM setup_tokens WHERE id = ?", tokenID(tok)); got != "1" {
			t.Fatal("setup token not stored by its hash")
		}
		_, err = e.svc.CompleteSetup(e.ctx, "not-the-token", "root", "管理员", adminPassword)
		wantKind(t, err, apperr.Unauthenticated, "setup_token_invalid")
		_, err = e.svc.CompleteSetup(e.ctx, tok, "root", "管理员", "weakpassword")
		wantKind(t, err, apperr.Invalid, "weak_password")

		u, err := e.svc.CompleteSetup(e.ctx, tok, "root", "管理员", adminPassword) // not consumed by the failures
		if err != nil {
			t.Fatal(err)
		}
		if len(u.Roles) != 1 || u.Roles[0] != RoleAdmin {
			t.Fatalf("first user %+v", u)
		}
		if has, _ := e.svc.HasAdmin(e.ctx); !has {
			t.Fatal("HasAdmin false after setup")
		}
		for _, again := range []string{tok, spare} {
			_, err = e.svc.CompleteSetup(e.ctx, again, "root2", "管理员二", adminPassword)
			wantKind(t, err, apperr.Unauthenticated, "setup_token_invalid")
		}
		_, err = e.svc.CreateSetupToken(e.ctx, time.Hour)
		wantKind(t, err, apperr.Conflict, "admin_exists")
		e.login(t, "root", adminPassword)
		if n := len(e.eventsOf(t, EventSetupCompleted)); n != 1 {
			t.Fatalf("%d setup events", n)
		}
		e.noSecrets(t, tok, spare, adminPassword)
	})
}

func TestSetupTokenExpiredOrAdminExists(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		expired, _ := e.svc.CreateSetupToken(e.ctx, time.Hour)
		early, _ := e.svc.CreateSetupToken(e.ctx, 3*time.Hour)
		e.clk.Advance(2 * time.Hour)
		_, err := e.svc.CompleteSetup(e.ctx, expired, "root", "管理员", adminPassword)
		wantKind(t, err, apperr.TooLate, "setup_token_expired")

		if _, err := e.svc.SeedDemo(e.ctx); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CompleteSetup(e.ctx, early, "root", "管理员", adminPassword)
		wantKind(t, err, apperr.Conflict, "admin_exists")
		_, err = e.svc.CreateSetupToken(e.ctx, 0)
		wantKind(t, err, apperr.Invalid, "")
	})
}
