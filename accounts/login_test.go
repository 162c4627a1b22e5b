package accounts

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

func TestLogin(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		admin := e.admin(t)
		org := e.org(t, admin, OrgBidder, "91350104MA2Y8K3N07")
		u := e.user(t, admin, "Bidder.One", org.ID, RoleBidder)
		if u.Username != "bidder.one" {
			t.Fatalf("username not normalised: %q", u.Username)
		}
		res, err := e.svc.Login(e.ctx, LoginRequest{Username: " BIDDER.ONE ", Password: "Bidder.One-pw-12345",
			IP: "203.0.113.9", UserAgent: "Mozilla/5.0"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Token) != 43 || len(res.CSRFToken) != 43 || !res.ExpiresAt.Equal(start.Add(7*24*time.Hour)) {
			t.Fatalf("login result %+v", res)
		}
		p, err := e.svc.Authenticate(e.ctx, res.Token)
		if err != nil {
			t.Fatal(err)
		}
		if p.UserID != u.ID || p.OrgID != org.ID || p.OrgKind != OrgBidder || !p.Has(RoleBidder) ||
			p.Has(RoleAdmin) || p.Kind != KindBrowser || p.Staff() || p.TOTPMissing {
			t.Fatalf("principal %+v", p)
		}
		if got := e.scalar(t, "SELECT id FROM sessions WHERE user_id = ?", u.ID); got != tokenID(res.Token) || got == res.Token {
			t.Fatalf("stored session id %s is not the token's SHA-256", got)
		}
		ok := e.eventsOf(t, EventLoginSucceeded)
		last := ok[len(ok)-1]
		if last.Subject != userRef(u.ID) || !strings.Contains(last.Payload, "203.0.113.9") {
			t.Fatalf("login event %+v", last)
		}
		e.noSecrets(t, "Bidder.One-pw-12345", adminPassword, res.Token, res.CSRFToken)

		if _, err := e.svc.Login(e.ctx, LoginRequest{Username: "bidder.one", Password: "x", Kind: "cookie"}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad kind: %v", err)
		}

		// A service with other argon2 parameters re-hashes on the next login.
		opts := testOptions
		opts.Argon2.Memory = 2048
		other := New(e.db, e.log, e.clk, e.svc.fields, opts)
		if _, err := other.Login(e.ctx, LoginRequest{Username: "bidder.one", Password: "Bidder.One-pw-12345"}); err != nil {
			t.Fatal(err)
		}
		if h := e.scalar(t, "SELECT password_hash FROM users WHERE id = ?", u.ID); !strings.Contains(h, "$m=2048,t=1,p=1$") {
			t.Fatalf("password not re-hashed: %s", h)
		}
		e.login(t, "bidder.one", "Bidder.One-pw-12345")
	})
}

func TestLoginSameErrorForUnknownUser(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.admin(t)
		_, errUnknown := e.svc.Login(e.ctx, LoginRequest{Username: "nobody", Password: adminPassword})
		_, errWrong := e.svc.Login(e.ctx, LoginRequest{Username: "root", Password: "Wrong-pass-2026"})
		a := wantKind(t, errUnknown, apperr.Unauthenticated, "bad_credentials")
		b := wantKind(t, errWrong, apperr.Unauthenticated, "bad_credentials")
		if a.Zh != b.Zh || a.En != b.En || len(a.Fields) != 0 || len(b.Fields) != 0 {
			t.Fatalf("errors differ: %#v vs %#v", a, b)
		}
		failed := e.eventsOf(t, EventLoginFailed)
		if len(failed) != 2 || failed[0].Subject != "user:unknown" || failed[0].Actor != actorAnonymous {
			t.Fatalf("failure events %+v", failed)
		}
		e.noSecrets(t, adminPassword, "Wrong-pass-2026")
	})
}

func TestLoginLockout(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.admin(t)
		bad := LoginRequest{Username: "root", Password: "Wrong-pass-2026"}
		for i := 1; i <= 4; i++ {
			_, err := e.svc.Login(e.ctx, bad)
			wantKind(t, err, apperr.Unauthenticated, "bad_credentials")
		}
		// A success resets the counter: four more failures do not lock.
		e.login(t, "root", adminPassword)
		for i := 1; i <= 4; i++ {
			_, err := e.svc.Login(e.ctx, bad)
			wantKind(t, err, apperr.Unauthenticated, "bad_credentials")
		}
		_, err := e.svc.Login(e.ctx, bad)
		until := start.Add(15 * time.Minute)
		if ae := wantKind(t, err, apperr.Locked, "account_locked"); !ae.Until.Equal(until) {
			t.Fatalf("Until = %v, want %v", ae.Until, until)
		}
		if n := len(e.eventsOf(t, EventLocked)); n != 1 {
			t.Fatalf("%d lock events", n)
		}
		e.clk.Advance(15*time.Minute - time.Second)
		_, err = e.svc.Login(e.ctx, LoginRequest{Username: "root", Password: adminPassword})
		if ae := wantKind(t, err, apperr.Locked, "account_locked"); !ae.Until.Equal(until) {
			t.Fatalf("locked with right password: Until = %v", ae.Until)
		}
		e.clk.Advance(time.Second)
		e.login(t, "root", adminPassword)
		u, _ := e.svc.GetUser(e.ctx, 1)
		if !u.LockedUntil.IsZero() {
			t.Fatalf("lock not cleared: %v", u.LockedUntil)
		}
	})
}

// TestConcurrentFailures: ten wrong passwords at once lock the account
// exactly once, after exactly five counted failures.
func TestConcurrentFailures(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		e.admin(t)
		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.svc.Login(e.ctx, LoginRequest{Username: "root", Password: "Wrong-pass-2026"})
			}()
		}
		wg.Wait()
		kinds := map[apperr.Kind]int{}
		for _, err := range errs {
			kinds[apperr.KindOf(err)]++
			if k := apperr.KindOf(err); k != apperr.Locked && k != apperr.Unauthenticated {
				t.Errorf("unexpected error %v", err)
			}
		}
		if kinds[apperr.Unauthenticated] != 4 || kinds[apperr.Locked] != 6 {
			t.Fatalf("results %v, want 4 unauthenticated and 6 locked", kinds)
		}
		if n := len(e.eventsOf(t, EventLocked)); n != 1 {
			t.Fatalf("%d lock events, want 1", n)
		}
		if got := e.scalar(t, "SELECT failed_logins FROM users WHERE username = 'root'"); got != "0" {
			t.Fatalf("failed_logins = %s after the lock, want 0", got)
		}
		_, err := e.svc.Login(e.ctx, LoginRequest{Username: "root", Password: adminPassword})
		wantKind(t, err, apperr.Locked, "")
	})
}

func TestTOTP(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		admin := e.admin(t)
		agency := e.org(t, admin, OrgAgency, "91350102MA31B4C717")
		u := e.user(t, admin, "agent1", agency.ID, RoleAgent)
		pw := "agent1-pw-12345"
		if p := e.login(t, "agent1", pw).Principal; !p.TOTPMissing {
			t.Fatal("staff without TOTP not flagged")
		}
		enr, err := e.svc.EnrollTOTP(e.ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(enr.URL, "otpauth://totp/TenderHall:agent1?") || !strings.Contains(enr.URL, "secret="+enr.Secret) {
			t.Fatalf("otpauth URL %s", enr.URL)
		}
		stored := e.scalar(t, "SELECT totp_secret FROM users WHERE id = ?", u.ID)
		if !strings.HasPrefix(stored, "sm4gcm1:") || strings.Contains(stored, enr.Secret) {
			t.Fatalf("secret stored as %q", stored)
		}
		// Not enforced until confirmed.
		e.login(t, "agent1", pw)
		wantKind(t, e.svc.ConfirmTOTP(e.ctx, u.ID, "000000"), apperr.Invalid, "bad_totp")
		confirmCode := e.code(t, enr.Secret)
		if err := e.svc.ConfirmTOTP(e.ctx, u.ID, confirmCode); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.EnrollTOTP(e.ctx, u.ID)
		wantKind(t, err, apperr.Conflict, "totp_enabled")

		req := LoginRequest{Username: "agent1", Password: pw}
		_, err = e.svc.Login(e.ctx, req)
		wantKind(t, err, apperr.Unauthenticated, "totp_required")
		req.TOTP = confirmCode // used by ConfirmTOTP: a replay
		_, err = e.svc.Login(e.ctx, req)
		wantKind(t, err, apperr.Unauthenticated, "bad_totp")

		e.clk.Advance(30 * time.Second)
		req.TOTP = e.code(t, enr.Secret)
		if _, err := e.svc.Login(e.ctx, req); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Login(e.ctx, req)
		wantKind(t, err, apperr.Unauthenticated, "bad_totp") // replayed

		// Wrong codes count as failures: with the replay above, four more lock.
		req.TOTP = "123456"
		if req.TOTP == e.code(t, enr.Secret) {
			req.TOTP = "654321"
		}
		for i := 0; i < 3; i++ {
			_, err = e.svc.Login(e.ctx, req)
			wantKind(t, err, apperr.Unauthenticated, "bad_totp")
		}
		_, err = e.svc.Login(e.ctx, req)
		wantKind(t, err, apperr.Locked, "account_locked")

		if n := len(e.eventsOf(t, EventTOTPEnrolled)) + len(e.eventsOf(t, EventTOTPEnabled)); n != 2 {
			t.Fatalf("%d TOTP events, want 2", n)
		}
		e.noSecrets(t, enr.Secret, confirmCode, pw)

		if err := e.svc.ResetTOTP(e.ctx, admin, u.ID); err != nil {
			t.Fatal(err)
		}
		e.clk.Advance(15 * time.Minute)
		e.login(t, "agent1", pw)
	})
}
