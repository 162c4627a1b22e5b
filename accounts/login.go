package accounts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// LoginRequest is a sign-in attempt.
type LoginRequest struct {
	Username  string
	Password  string
	TOTP      string // the authenticator code, required once the user has turned TOTP on
	IP        string
	UserAgent string
	Kind      SessionKind // browser (default) or bearer
}

// LoginResult is a new session. Token and CSRFToken are shown only here:
// the database keeps their SHA-256.
type LoginResult struct {
	Token     string    // 256-bit random, base64url
	CSRFToken string    // browser sessions only
	ExpiresAt time.Time // absolute end; a browser session also ends when idle
	Principal Principal
}

// Login checks a username and password (and TOTP code when the user has
// turned TOTP on) and starts a session. It returns:
//   - apperr.Unauthenticated "bad_credentials" for an unknown user or a wrong
//     password alike (an unknown user costs the same hashing time);
//   - apperr.Unauthenticated "totp_required" when the code is missing, and
//     "bad_totp" when it is wrong or replayed (which counts as a failure);
//   - apperr.Locked with Until once MaxFailures consecutive failures lock the
//     account for LockDuration, and for every attempt, right or wrong, until then;
//   - apperr.Forbidden for a disabled account, apperr.Invalid for a bad Kind.
//
// Successes, failures and lockouts are appended to the event log; payloads
// hold the address and user agent, never the password or code.
func (s *Service) Login(ctx context.Context, req LoginRequest) (LoginResult, error) {
	if req.Kind == "" {
		req.Kind = KindBrowser
	}
	if req.Kind != KindBrowser && req.Kind != KindBearer {
		return LoginResult{}, apperr.New(apperr.Invalid, "会话类型应为 browser 或 bearer", "kind must be browser or bearer").WithField("kind", "unknown")
	}
	req.IP, req.UserAgent = clip(req.IP, 64), clip(req.UserAgent, 300)
	u, err := s.userByName(ctx, normalizeUsername(req.Username))
	if apperr.Is(err, apperr.NotFound) {
		verifyPassword(req.Password, s.dummyHash(), s.opts.Argon2)
		return LoginResult{}, s.refuse(ctx, "user:unknown", actorAnonymous, "unknown_user", req, errBadCredentials())
	}
	if err != nil {
		return LoginResult{}, err
	}
	if until := u.LockedUntil; until != nil && s.now().Before(*until) {
		return LoginResult{}, s.refuse(ctx, userRef(u.ID), actorAnonymous, "locked", req, errLocked(*until))
	}
	ok, stale := verifyPassword(req.Password, u.PasswordHash, s.opts.Argon2)
	if !ok {
		return LoginResult{}, s.fail(ctx, u.ID, "bad_password", req, errBadCredentials())
	}
	if u.Status != statusActive {
		return LoginResult{}, s.refuse(ctx, userRef(u.ID), actorAnonymous, "disabled", req,
			apperr.New(apperr.Forbidden, "账户已停用，请联系管理员", "the account is disabled; contact an administrator").WithCode("account_disabled"))
	}
	var step int64
	if u.TOTPEnabled {
		if strings.TrimSpace(req.TOTP) == "" {
			return LoginResult{}, s.refuse(ctx, userRef(u.ID), actorAnonymous, "totp_required", req, errTOTPRequired())
		}
		if step, err = s.matchTOTP(u, req.TOTP, s.now()); err != nil {
			return LoginResult{}, err
		}
		if step == 0 {
			return LoginResult{}, s.fail(ctx, u.ID, "bad_totp", req, errBadTOTP())
		}
	}
	rehash := ""
	if stale {
		rehash = hashPassword(req.Password, s.opts.Argon2)
	}
	res, err := s.succeed(ctx, u, step, rehash, req)
	var locked *apperr.Error
	switch {
	case errors.Is(err, errReplayed):
		return LoginResult{}, s.fail(ctx, u.ID, "totp_replayed", req, errBadTOTP())
	case errors.As(err, &locked) && locked.Kind == apperr.Locked:
		return LoginResult{}, s.refuse(ctx, userRef(u.ID), actorAnonymous, "locked", req, err)
	}
	return res, err
}

var errReplayed = errors.New("accounts: TOTP step already used")

// succeed records a successful login and starts the session, in one
// transaction. It re-reads the user under the row lock, so an account
// locked by a concurrent failure stays locked (apperr.Locked), and claims the
// TOTP step atomically, so a code used by a concurrent login fails with
// errReplayed.
func (s *Service) succeed(ctx context.Context, u userRow, step int64, rehash string, req LoginRequest) (LoginResult, error) {
	var res LoginResult
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		now := s.now()
		cur, err := s.lockedUser(ctx, u.ID)
		if err != nil {
			return err
		}
		if cur.LockedUntil != nil && now.Before(*cur.LockedUntil) {
			return errLocked(*cur.LockedUntil)
		}
		if step != 0 {
			if ok, err := s.useTOTPStep(ctx, u.ID, step); err != nil {
				return err
			} else if !ok {
				return errReplayed
			}
		}
		if err := s.loginOK(ctx, u.ID, rehash, now); err != nil {
			return err
		}
		ttl := s.opts.BrowserLifetime
		if req.Kind == KindBearer {
			ttl = s.opts.BearerLoginTTL
		}
		if res, err = s.startSession(ctx, u.ID, req.Kind, "login", req.IP, req.UserAgent, now.Add(ttl)); err != nil {
			return err
		}
		return s.audit(ctx, EventLoginSucceeded, userRef(u.ID), userRef(u.ID), loginPayload(req, "", 0))
	})
	return res, err
}

// fail counts a failed attempt and locks the account when it is the
// MaxFailures-th in a row. The counter is incremented by one UPDATE in the
// transaction, so concurrent failures lock the account exactly once.
func (s *Service) fail(ctx context.Context, userID int64, reason string, req LoginRequest, failure error) error {
	var result error
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		now := s.now()
		u, err := s.countFailure(ctx, userID)
		if err != nil {
			return err
		}
		if u.LockedUntil != nil && now.Before(*u.LockedUntil) {
			// Locked by a concurrent attempt: do not count this one.
			result = errLocked(*u.LockedUntil)
			return errLockedMeanwhile
		}
		result = failure
		if err := s.audit(ctx, EventLoginFailed, userRef(userID), actorAnonymous, loginPayload(req, reason, u.FailedLogins)); err != nil {
			return err
		}
		if u.FailedLogins < s.opts.MaxFailures {
			return nil
		}
		until := now.Add(s.opts.LockDuration)
		result = errLocked(until)
		if err := s.lockUser(ctx, userID, until, now); err != nil {
			return err
		}
		return s.audit(ctx, EventLocked, userRef(userID), actorSystem, map[string]any{"until": until, "failures": u.FailedLogins})
	})
	if errors.Is(err, errLockedMeanwhile) {
		return s.refuse(ctx, userRef(userID), actorAnonymous, "locked", req, result)
	}
	if err != nil {
		return err
	}
	return result
}

var errLockedMeanwhile = errors.New("accounts: locked by a concurrent attempt")

// refuse logs an attempt that is turned away without counting as a failure
// and returns result.
func (s *Service) refuse(ctx context.Context, subject, actor, reason string, req LoginRequest, result error) error {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		return s.audit(ctx, EventLoginFailed, subject, actor, loginPayload(req, reason, 0))
	})
	if err != nil {
		return err
	}
	return result
}

func loginPayload(req LoginRequest, reason string, failures int) map[string]any {
	p := map[string]any{"ip": req.IP, "userAgent": req.UserAgent, "kind": req.Kind}
	if reason != "" {
		p["reason"] = reason
	}
	if failures > 0 {
		p["failures"] = failures
	}
	return p
}

func errBadCredentials() error {
	return apperr.New(apperr.Unauthenticated, "用户名或密码错误", "wrong username or password").WithCode("bad_credentials")
}

func errTOTPRequired() error {
	return apperr.New(apperr.Unauthenticated, "请输入身份验证器中的动态验证码", "enter the code from your authenticator app").
		WithField("totp", "required").WithCode("totp_required")
}

func errBadTOTP() error {
	return apperr.New(apperr.Unauthenticated, "动态验证码错误或已使用", "the authenticator code is wrong or was used already").
		WithField("totp", "wrong").WithCode("bad_totp")
}

func errLocked(until time.Time) error {
	e := &apperr.Error{Kind: apperr.Locked, Until: until,
		Zh: "连续登录失败次数过多，账户已锁定至北京时间 " + until.In(clock.Shanghai).Format("2006-01-02 15:04:05"),
		En: "too many failed sign-ins; the account is locked until " + until.UTC().Format(time.RFC3339)}
	return e.WithCode("account_locked")
}
