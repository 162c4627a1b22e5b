package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// keyChallengeTTL is how long a key sign-in challenge may be answered.
const keyChallengeTTL = 2 * time.Minute

// KeyChallenge is a one-time value a bidder signs with its organisation's
// SM2 key to sign in without a password.
type KeyChallenge struct {
	ID        string    `json:"challengeId"`
	Nonce     string    `json:"nonce"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// KeyLoginMessage is what the bidder signs: a label (so no other signature
// of the same key, on a bid or a room check-in, is ever a login), the
// username and the nonce.
func KeyLoginMessage(username, nonce string) []byte {
	return []byte("TenderHall login v1\nuser:" + normalizeUsername(username) + "\nnonce:" + nonce)
}

// NewKeyChallenge issues a challenge for username. Unknown usernames get one
// too, so the answer tells nobody which accounts exist.
func (s *Service) NewKeyChallenge(ctx context.Context, username string) (KeyChallenge, error) {
	name := normalizeUsername(username)
	if name == "" || len(name) > 64 {
		return KeyChallenge{}, apperr.New(apperr.Invalid, "请输入用户名", "enter a username").WithField("username", "required")
	}
	id, nonce := make([]byte, 16), make([]byte, 32)
	rand.Read(id)
	rand.Read(nonce)
	c := KeyChallenge{ID: hex.EncodeToString(id), Nonce: hex.EncodeToString(nonce), ExpiresAt: s.now().Add(keyChallengeTTL)}
	err := s.insert(ctx, &loginChallengeRow{ID: c.ID, Username: name, Nonce: c.Nonce, ExpiresAt: c.ExpiresAt})
	return c, err
}

// KeyLoginRequest answers a challenge with an SM2 signature (ASN.1 DER) of
// KeyLoginMessage.
type KeyLoginRequest struct {
	ChallengeID string
	Signature   []byte
	IP          string
	UserAgent   string
	Kind        SessionKind
}

// LoginWithKey checks the signature against the key registered for the
// user's organisation and starts a session. Only bidders sign in this way.
// A wrong signature counts as a failed login towards the lockout. Errors:
// apperr.Unauthenticated "challenge_invalid" (unknown, expired or used
// challenge), "bad_credentials" (unknown user), "bad_signature",
// "no_registered_key"; apperr.Forbidden "key_login_bidders_only";
// apperr.Locked as Login.
func (s *Service) LoginWithKey(ctx context.Context, req KeyLoginRequest) (LoginResult, error) {
	if req.Kind == "" {
		req.Kind = KindBrowser
	}
	if req.Kind != KindBrowser && req.Kind != KindBearer {
		return LoginResult{}, apperr.New(apperr.Invalid, "会话类型应为 browser 或 bearer", "kind must be browser or bearer").WithField("kind", "unknown")
	}
	lr := LoginRequest{IP: clip(req.IP, 64), UserAgent: clip(req.UserAgent, 300), Kind: req.Kind}
	ch, err := s.useKeyChallenge(ctx, req.ChallengeID)
	if err != nil {
		return LoginResult{}, err
	}
	u, err := s.userByName(ctx, ch.Username)
	if apperr.Is(err, apperr.NotFound) {
		return LoginResult{}, s.refuse(ctx, "user:unknown", actorAnonymous, "unknown_user", lr, errBadCredentials())
	}
	if err != nil {
		return LoginResult{}, err
	}
	if until := u.LockedUntil; until != nil && s.now().Before(*until) {
		return LoginResult{}, s.refuse(ctx, userRef(u.ID), actorAnonymous, "locked", lr, errLocked(*until))
	}
	key, err := s.bidderKeyOf(ctx, u)
	if err != nil {
		return LoginResult{}, s.refuse(ctx, userRef(u.ID), actorAnonymous, "key_login_refused", lr, err)
	}
	if !key.Verify(KeyLoginMessage(ch.Username, ch.Nonce), req.Signature) {
		return LoginResult{}, s.fail(ctx, u.ID, "bad_signature", lr, apperr.New(apperr.Unauthenticated,
			"签名验证失败：所用密钥不是本单位登记的公钥对应的私钥", "the signature does not match the key registered for your organisation").WithCode("bad_signature"))
	}
	if u.Status != statusActive {
		return LoginResult{}, s.refuse(ctx, userRef(u.ID), actorAnonymous, "disabled", lr,
			apperr.New(apperr.Forbidden, "账户已停用，请联系管理员", "the account is disabled; contact an administrator").WithCode("account_disabled"))
	}
	lr.Username = u.Username
	return s.succeed(ctx, u, 0, "", lr)
}

// useKeyChallenge claims a challenge once, before it expires.
func (s *Service) useKeyChallenge(ctx context.Context, id string) (loginChallengeRow, error) {
	invalid := apperr.New(apperr.Unauthenticated, "登录挑战无效或已过期，请重试", "the sign-in challenge is unknown, used or expired; try again").WithCode("challenge_invalid")
	var ch loginChallengeRow
	if err := s.first(ctx, &ch, "id = ?", id); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return ch, invalid
		}
		return ch, err
	}
	now := s.now()
	if !now.Before(ch.ExpiresAt) {
		return ch, invalid
	}
	n, err := s.exec(ctx, "UPDATE login_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL", now, id)
	if err != nil {
		return ch, err
	}
	if n != 1 {
		return ch, invalid
	}
	return ch, nil
}

// bidderKeyOf is the registered key of a bidder user's organisation.
func (s *Service) bidderKeyOf(ctx context.Context, u userRow) (*notary.PublicKey, error) {
	roles, err := s.rolesOf(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	bidder := false
	for _, r := range roles {
		bidder = bidder || r == RoleBidder
	}
	if !bidder || u.OrgID == nil {
		return nil, apperr.New(apperr.Forbidden, "只有投标人可以用密钥登录，其他用户请使用密码和动态验证码",
			"only bidders sign in with a key; others use their password and authenticator code").WithCode("key_login_bidders_only")
	}
	org, err := s.getOrg(ctx, *u.OrgID)
	if err != nil {
		return nil, err
	}
	if org.PublicKey == nil || *org.PublicKey == "" {
		return nil, apperr.New(apperr.Unauthenticated, "本单位尚未登记 SM2 公钥，请先用密码登录并登记",
			"your organisation has no registered SM2 key; sign in with your password and register one").WithCode("no_registered_key")
	}
	return notary.ParsePublicKeyPEM(*org.PublicKey)
}
