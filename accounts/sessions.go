package accounts

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// touchEvery is how stale a session's last-seen time may get before
// Authenticate writes it again; it bounds the writes to one a minute per
// session.
const touchEvery = time.Minute

// TokenInfo describes a session without its secret, for listing and
// revoking. ID is the hex SHA-256 of the token.
type TokenInfo struct {
	ID         string
	Name       string
	Kind       SessionKind
	IP         string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// startSession stores a new session for the user (its token's hash, and for
// a browser session its CSRF token's hash) and returns the tokens.
func (s *Service) startSession(ctx context.Context, userID int64, kind SessionKind, name, ip, ua string, expires time.Time) (LoginResult, error) {
	now := s.now()
	token, id := newToken()
	var csrf, csrfHash string
	if kind == KindBrowser {
		csrf, csrfHash = newToken()
	}
	row := sessionRow{ID: id, UserID: userID, Kind: string(kind), Name: name, CSRFHash: csrfHash,
		IP: ip, UserAgent: ua, CreatedAt: now, ExpiresAt: expires, LastSeenAt: now}
	if err := s.insert(ctx, &row); err != nil {
		return LoginResult{}, err
	}
	p, err := s.principalFor(ctx, row)
	return LoginResult{Token: token, CSRFToken: csrf, ExpiresAt: expires, Principal: p}, err
}

// Authenticate returns the principal behind a session or bearer token. A
// browser session ends BrowserIdle after it was last used or
// BrowserLifetime after login, whichever is first; each use slides the idle
// deadline. A bearer token lasts until its expiry. It returns
// apperr.Unauthenticated for an unknown, revoked or expired token or a
// disabled user.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" || len(token) > 128 {
		return Principal{}, errNoSession()
	}
	row, err := s.getSession(ctx, tokenID(token))
	if apperr.Is(err, apperr.NotFound) {
		return Principal{}, errNoSession()
	}
	if err != nil {
		return Principal{}, err
	}
	now := s.now()
	switch {
	case row.RevokedAt != nil:
		return Principal{}, errNoSession()
	case !now.Before(row.ExpiresAt),
		SessionKind(row.Kind) == KindBrowser && !now.Before(row.LastSeenAt.Add(s.opts.BrowserIdle)):
		return Principal{}, errNoSession().WithCode("session_expired")
	}
	if now.Sub(row.LastSeenAt) >= touchEvery {
		if err := s.touchSession(ctx, row.ID, now); err != nil {
			return Principal{}, err
		}
	}
	return s.principalFor(ctx, row)
}

// principalFor loads the user, organisation, roles and grants behind a
// session.
func (s *Service) principalFor(ctx context.Context, row sessionRow) (Principal, error) {
	u, err := s.getUser(ctx, row.UserID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && u.Status != statusActive) {
		return Principal{}, errNoSession()
	}
	if err != nil {
		return Principal{}, err
	}
	p := Principal{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, SessionID: row.ID,
		Kind: SessionKind(row.Kind), ExpiresAt: row.ExpiresAt, csrfHash: row.CSRFHash}
	if u.OrgID != nil {
		org, err := s.getOrg(ctx, *u.OrgID)
		if err != nil {
			return Principal{}, err
		}
		p.OrgID, p.OrgKind = org.ID, OrgKind(org.Kind)
	}
	if p.Roles, err = s.rolesOf(ctx, u.ID); err != nil {
		return Principal{}, err
	}
	if p.Grants, err = s.grantsOf(ctx, u.ID); err != nil {
		return Principal{}, err
	}
	p.TOTPMissing = p.Staff() && !u.TOTPEnabled
	return p, nil
}

// CreateToken issues a named bearer token for the user's CLI, valid for ttl
// (at most MaxTokenTTL), and audits it. The token is returned once; only its
// hash is kept. It returns apperr.Invalid for a bad name or ttl and
// apperr.NotFound for an unknown or disabled user.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string, ttl time.Duration) (string, TokenInfo, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", TokenInfo{}, apperr.New(apperr.Invalid, "令牌名称应为 1–100 个字符", "the token name must be 1–100 characters").WithField("name", "length")
	}
	if ttl <= 0 || ttl > s.opts.MaxTokenTTL {
		return "", TokenInfo{}, apperr.Newf(apperr.Invalid, "有效期应大于 0 且不超过 %d 天", "the lifetime must be positive and at most %d days",
			int(s.opts.MaxTokenTTL/(24*time.Hour))).WithField("ttl", "range")
	}
	if u, err := s.getUser(ctx, userID); err != nil || u.Status != statusActive {
		return "", TokenInfo{}, userNotFound(orNotFound(err), userID)
	}
	var res LoginResult
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if res, err = s.startSession(ctx, userID, KindBearer, name, "", "", s.now().Add(ttl)); err != nil {
			return err
		}
		return s.audit(ctx, EventTokenCreated, userRef(userID), userRef(userID), map[string]any{"name": name, "expiresAt": res.ExpiresAt})
	})
	if err != nil {
		return "", TokenInfo{}, err
	}
	now := s.now()
	return res.Token, TokenInfo{ID: res.Principal.SessionID, Name: name, Kind: KindBearer,
		CreatedAt: now, ExpiresAt: res.ExpiresAt, LastSeenAt: now}, nil
}

// ListTokens returns the user's live bearer tokens, newest first.
func (s *Service) ListTokens(ctx context.Context, userID int64) ([]TokenInfo, error) {
	rows, err := s.sessionsOf(ctx, userID, KindBearer)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := []TokenInfo{}
	for _, r := range rows {
		if now.Before(r.ExpiresAt) {
			out = append(out, TokenInfo{ID: r.ID, Name: r.Name, Kind: SessionKind(r.Kind), IP: r.IP,
				CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, LastSeenAt: r.LastSeenAt})
		}
	}
	return out, nil
}

// RevokeToken ends one of the user's sessions or bearer tokens by its ID and
// audits it. Revoking one already revoked does nothing. It returns
// apperr.NotFound when the user has no such token.
func (s *Service) RevokeToken(ctx context.Context, userID int64, id string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		row, err := s.getSession(ctx, id)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err != nil || row.UserID != userID {
			return apperr.New(apperr.NotFound, "令牌不存在", "no such token")
		}
		return s.revoke(ctx, row, EventTokenRevoked)
	})
}

// Logout ends the session or bearer token given and audits it. An unknown
// or already ended token is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		row, err := s.getSession(ctx, tokenID(token))
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.revoke(ctx, row, EventLogout)
	})
}

func (s *Service) revoke(ctx context.Context, row sessionRow, event string) error {
	live, err := s.revokeSession(ctx, row.ID, s.now())
	if err != nil || !live {
		return err
	}
	return s.audit(ctx, event, userRef(row.UserID), userRef(row.UserID), map[string]any{"kind": row.Kind, "name": row.Name})
}

func errNoSession() *apperr.Error {
	return apperr.New(apperr.Unauthenticated, "登录已失效，请重新登录", "your session has ended; please sign in again").WithCode("session_invalid")
}

// orNotFound stands in for a missing error where a row was found but is not
// usable, so callers can wrap it as NotFound.
func orNotFound(err error) error {
	if err == nil {
		return apperr.New(apperr.NotFound, "记录不存在", "record not found")
	}
	return err
}
