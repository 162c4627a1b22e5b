package accounts

import (
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// TestLoginWithKey: a bidder signs the challenge with its organisation's
// registered key and gets a session; the challenge works once; another
// key's signature fails and counts towards the lockout; an expired
// challenge, a staff user and an organisation without a key are refused.
func TestLoginWithKey(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		admin := e.admin(t)
		org := e.org(t, admin, OrgBidder, "91350104MA2Y8K3N07")
		bidder := e.user(t, admin, "bidder-one", org.ID, RoleBidder)
		key, _ := notary.GenerateKey()
		stranger, _ := notary.GenerateKey()
		sign := func(k *notary.PrivateKey, user string) KeyLoginRequest {
			ch, err := e.svc.NewKeyChallenge(e.ctx, user)
			if err != nil {
				t.Fatal(err)
			}
			sig, _ := k.Sign(KeyLoginMessage(user, ch.Nonce))
			return KeyLoginRequest{ChallengeID: ch.ID, Signature: sig, IP: "127.0.0.1"}
		}
		_, err := e.svc.LoginWithKey(e.ctx, sign(key, "bidder-one"))
		wantKind(t, err, apperr.Unauthenticated, "no_registered_key")
		if _, err := e.svc.SetOrgPublicKey(e.ctx, admin, org.ID, key.Public().PEM); err != nil {
			t.Fatal(err)
		}
		req := sign(key, "Bidder-One") // usernames are case-insensitive, as with passwords
		res, err := e.svc.LoginWithKey(e.ctx, req)
		if err != nil || res.Principal.UserID != bidder.ID || res.CSRFToken == "" {
			t.Fatalf("key login: %+v %v", res.Principal, err)
		}
		if p, err := e.svc.Authenticate(e.ctx, res.Token); err != nil || p.UserID != bidder.ID {
			t.Fatalf("session: %v", err)
		}
		_, err = e.svc.LoginWithKey(e.ctx, req)
		wantKind(t, err, apperr.Unauthenticated, "challenge_invalid")

		late := sign(key, "bidder-one")
		e.clk.Advance(keyChallengeTTL)
		_, err = e.svc.LoginWithKey(e.ctx, late)
		wantKind(t, err, apperr.Unauthenticated, "challenge_invalid")

		for i := 1; i <= testOptions.withDefaults().MaxFailures; i++ {
			_, err = e.svc.LoginWithKey(e.ctx, sign(stranger, "bidder-one"))
			if i < testOptions.withDefaults().MaxFailures {
				wantKind(t, err, apperr.Unauthenticated, "bad_signature")
			}
		}
		locked := wantKind(t, err, apperr.Locked, "account_locked")
		if !locked.Until.After(e.clk.Now()) {
			t.Fatalf("locked until %v", locked.Until)
		}
		_, err = e.svc.LoginWithKey(e.ctx, sign(key, "bidder-one"))
		wantKind(t, err, apperr.Locked, "account_locked")
		e.clk.Advance(16 * time.Minute)
		if _, err := e.svc.LoginWithKey(e.ctx, sign(key, "bidder-one")); err != nil {
			t.Fatalf("after the lock: %v", err)
		}

		agencyOrg := e.org(t, admin, OrgAgency, "91350102MA31B4C717")
		e.user(t, admin, "agent-one", agencyOrg.ID, RoleAgent)
		_, err = e.svc.LoginWithKey(e.ctx, sign(key, "agent-one"))
		wantKind(t, err, apperr.Forbidden, "key_login_bidders_only")
		_, err = e.svc.LoginWithKey(e.ctx, sign(key, "nobody"))
		wantKind(t, err, apperr.Unauthenticated, "bad_credentials")
		if len(e.eventsOf(t, EventLoginFailed)) < 5 {
			t.Fatal("failed key logins not logged")
		}
	})
}

// TestListOrgs: staff list organisations of a kind; a bidder may not.
func TestListOrgs(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		admin := e.admin(t)
		e.org(t, admin, OrgTenderer, "913501001581429716")
		e.org(t, admin, OrgBidder, "91350104MA2Y8K3N07")
		got, err := e.svc.ListOrgs(e.ctx, admin, OrgTenderer)
		if err != nil || len(got) != 1 || got[0].Kind != OrgTenderer {
			t.Fatalf("tenderers: %+v %v", got, err)
		}
		_, err = e.svc.ListOrgs(e.ctx, admin, "nonsense")
		wantKind(t, err, apperr.Invalid, "")
		_, err = e.svc.ListOrgs(e.ctx, Principal{UserID: 9, Roles: []Role{RoleBidder}}, OrgTenderer)
		wantKind(t, err, apperr.Forbidden, "")
	})
}
