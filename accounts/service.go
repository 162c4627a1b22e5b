// Package accounts holds the platform's organisations, users, roles and
// per-project grants, and authenticates people: argon2id passwords, TOTP
// second factor for staff, account lockout, browser sessions with CSRF
// tokens, bearer tokens for the CLI, and the one-time setup of the first
// administrator. Every change and every login attempt is appended to the
// event log in the same transaction as the change.
//
// Besides the kinds each method documents, any method may return
// apperr.Unavailable (database down or busy, safe to retry) or
// apperr.Internal (a fault on the server's side).
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"sync"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// Options tunes authentication. Zero fields take the DefaultOptions value.
type Options struct {
	Argon2          Argon2Params  // password hashing cost
	MaxFailures     int           // consecutive failed logins that lock an account (5)
	LockDuration    time.Duration // how long a locked account stays locked (15 min)
	BrowserIdle     time.Duration // a browser session ends after this long unused (12 h)
	BrowserLifetime time.Duration // and in any case this long after login (7 days)
	BearerLoginTTL  time.Duration // lifetime of a bearer token from Login (24 h)
	MaxTokenTTL     time.Duration // longest lifetime CreateToken accepts (366 days)
	TOTPIssuer      string        // issuer shown by authenticator apps ("TenderHall")
}

// DefaultOptions returns the production settings: argon2id m=64 MiB, t=1,
// p=2; lock for 15 minutes after 5 consecutive failures; browser sessions
// end after 12 hours idle or 7 days after login, whichever comes first;
// bearer tokens from Login last 24 hours, CreateToken tokens at most 366 days.
func DefaultOptions() Options {
	return Options{
		Argon2:          Argon2Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2},
		MaxFailures:     5,
		LockDuration:    15 * time.Minute,
		BrowserIdle:     12 * time.Hour,
		BrowserLifetime: 7 * 24 * time.Hour,
		BearerLoginTTL:  24 * time.Hour,
		MaxTokenTTL:     366 * 24 * time.Hour,
		TOTPIssuer:      "TenderHall",
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.Argon2.Memory == 0 || o.Argon2.Iterations == 0 || o.Argon2.Parallelism == 0 {
		o.Argon2 = d.Argon2
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = d.MaxFailures
	}
	setDur(&o.LockDuration, d.LockDuration)
	setDur(&o.BrowserIdle, d.BrowserIdle)
	setDur(&o.BrowserLifetime, d.BrowserLifetime)
	setDur(&o.BearerLoginTTL, d.BearerLoginTTL)
	setDur(&o.MaxTokenTTL, d.MaxTokenTTL)
	if o.TOTPIssuer == "" {
		o.TOTPIssuer = d.TOTPIssuer
	}
	return o
}

func setDur(p *time.Duration, def time.Duration) {
	if *p <= 0 {
		*p = def
	}
}

// Service manages accounts and authenticates users. It is safe for
// concurrent use and keeps no state between calls but a dummy password hash.
type Service struct {
	db     *storage.DB
	log    *eventlog.Service
	clk    clock.Clock
	fields *notary.FieldCipher
	opts   Options

	dummyOnce sync.Once
	dummy     string // a hash of a random password, verified for unknown users
}

// New returns the accounts service. fields encrypts TOTP secrets at rest.
func New(db *storage.DB, log *eventlog.Service, clk clock.Clock, fields *notary.FieldCipher, opts Options) *Service {
	return &Service{db: db, log: log, clk: clk, fields: fields, opts: opts.withDefaults()}
}

// now is the service's clock in UTC, at the millisecond precision the
// database keeps, so a value read back equals the value written.
func (s *Service) now() time.Time { return s.clk.Now().UTC().Truncate(time.Millisecond) }

// Event types appended by this package.
const (
	EventOrgCreated        = "account.org_created"
	EventOrgKeyRegistered  = "account.org_key_registered"
	EventUserKeyRegistered = "account.user_key_registered"
	EventUserCreated       = "account.user_created"
	EventPasswordChanged   = "account.password_changed"
	EventLoginSucceeded    = "account.login_succeeded"
	EventLoginFailed       = "account.login_failed"
	EventLocked            = "account.locked"
	EventLogout            = "account.logout"
	EventTOTPEnrolled      = "account.totp_enrolled"
	EventTOTPEnabled       = "account.totp_enabled"
	EventTOTPReset         = "account.totp_reset"
	EventRoleGranted       = "account.role_granted"
	EventRoleRevoked       = "account.role_revoked"
	EventProjectGranted    = "account.project_granted"
	EventProjectRevoked    = "account.project_revoked"
	EventTokenCreated      = "account.token_created"
	EventTokenRevoked      = "account.token_revoked"
	EventSetupToken        = "account.setup_token_created"
	EventSetupCompleted    = "account.setup_completed"
)

// Actors that are not users.
const (
	actorSystem    = "system"
	actorAnonymous = "anonymous"
)

// audit appends an event within the transaction carried by ctx. Payloads
// never hold passwords, codes, secrets or tokens.
func (s *Service) audit(ctx context.Context, typ, subject, actor string, payload any) error {
	if payload == nil {
		payload = map[string]any{}
	}
	_, err := s.log.Append(ctx, eventlog.Entry{Type: typ, Subject: subject, Actor: actor, Payload: payload})
	return err
}

func userRef(id int64) string { return "user:" + strconv.FormatInt(id, 10) }
func orgRef(id int64) string  { return "org:" + strconv.FormatInt(id, 10) }

// newToken returns a random 256-bit token in base64url and its storage id,
// the hex SHA-256 of the token. Only the id is ever stored.
func newToken() (token, id string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("accounts: no randomness: " + err.Error())
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, tokenID(token)
}

// tokenID is the hex SHA-256 of a token: the key it is stored under.
func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// clip shortens s to at most n bytes without splitting a UTF-8 character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
