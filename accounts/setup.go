package accounts

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// HasAdmin reports whether any active user holds the admin role. serve
// prints a setup token (CreateSetupToken) at start when there is none.
func (s *Service) HasAdmin(ctx context.Context) (bool, error) {
	n, err := s.countAdmins(ctx)
	return n > 0, err
}

// CreateSetupToken returns a random one-time token, valid for ttl, with
// which CompleteSetup creates the first administrator. Only its hash is
// stored. It returns apperr.Invalid for a non-positive ttl and
// apperr.Conflict when an administrator exists already.
func (s *Service) CreateSetupToken(ctx context.Context, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", apperr.New(apperr.Invalid, "有效期必须大于 0", "the lifetime must be positive").WithField("ttl", "range")
	}
	token, id := newToken()
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.refuseIfAdmin(ctx); err != nil {
			return err
		}
		now := s.now()
		if err := s.insert(ctx, &setupRow{ID: id, CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
			return err
		}
		return s.audit(ctx, EventSetupToken, "setup", actorSystem, map[string]any{"expiresAt": now.Add(ttl)})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// CompleteSetup creates the first administrator with a setup token from
// CreateSetupToken. Using a token consumes it and every other outstanding
// setup token. It returns apperr.Invalid (with field errors) for a bad
// username, display name or password, in which case the token is not
// consumed; apperr.Unauthenticated for an unknown or used token;
// apperr.TooLate for an expired one; and apperr.Conflict when an
// administrator exists already (made by SeedDemo, say).
func (s *Service) CompleteSetup(ctx context.Context, token, username, displayName, password string) (User, error) {
	row, roles, err := s.prepareUser(ctx, NewUser{Username: username, DisplayName: displayName,
		Password: password, Roles: []Role{RoleAdmin}})
	if err != nil {
		return User{}, err
	}
	var user User
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		tok, err := s.getSetup(ctx, tokenID(token))
		if apperr.Is(err, apperr.NotFound) || (err == nil && tok.UsedAt != nil) {
			return errSetupToken()
		}
		if err != nil {
			return err
		}
		now := s.now()
		if !now.Before(tok.ExpiresAt) {
			return apperr.New(apperr.TooLate, "初始化令牌已过期，请重启服务获取新令牌", "the setup token has expired; restart the server for a new one").
				WithCode("setup_token_expired")
		}
		if err := s.refuseIfAdmin(ctx); err != nil {
			return err
		}
		if ok, err := s.consumeSetups(ctx, tok.ID, now); err != nil {
			return err
		} else if !ok {
			return errSetupToken()
		}
		if user, err = s.storeUser(ctx, actorSystem, nil, row, roles); err != nil {
			return err
		}
		return s.audit(ctx, EventSetupCompleted, userRef(user.ID), userRef(user.ID), map[string]any{"username": user.Username})
	})
	return user, err
}

func (s *Service) refuseIfAdmin(ctx context.Context) error {
	n, err := s.countAdmins(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return apperr.New(apperr.Conflict, "平台已有管理员", "the platform already has an administrator").WithCode("admin_exists")
	}
	return nil
}

func errSetupToken() *apperr.Error {
	return apperr.New(apperr.Unauthenticated, "初始化令牌无效或已使用", "the setup token is unknown or was used already").
		WithCode("setup_token_invalid")
}
