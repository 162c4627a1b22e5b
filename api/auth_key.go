package api

import (
	"encoding/base64"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Bidders may sign in with their organisation's SM2 key instead of a
// password: the browser opens the key file locally (WebAssembly), signs
// accounts.KeyLoginMessage and sends only the signature.

// KeyChallengeRequest asks for a sign-in challenge for a username.
type KeyChallengeRequest struct {
	Username string `json:"username" required:"true"`
}

// KeyLoginRequest answers the challenge.
type KeyLoginRequest struct {
	ChallengeID string `json:"challengeId" required:"true"`
	Signature   string `json:"signature" required:"true"` // base64 of the ASN.1 DER SM2 signature
	Kind        string `json:"kind,omitempty"`
}

func (s *Server) keyChallenge(c *gin.Context) error {
	var req KeyChallengeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ch, err := s.deps.Accounts.NewKeyChallenge(c.Request.Context(), req.Username)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	return created(c, ch)
}

func (s *Server) keyLogin(c *gin.Context) error {
	var req KeyLoginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := required("challengeId", req.ChallengeID, "signature", req.Signature); err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(req.Signature)
	if err != nil {
		return apperr.New(apperr.Invalid, "签名应为 base64 编码", "the signature must be base64").WithField("signature", "not base64")
	}
	res, err := s.deps.Accounts.LoginWithKey(c.Request.Context(), accounts.KeyLoginRequest{ChallengeID: req.ChallengeID,
		Signature: sig, IP: c.ClientIP(), UserAgent: c.Request.UserAgent(), Kind: accounts.SessionKind(req.Kind)})
	if err != nil {
		return err
	}
	return s.startedSession(c, res)
}
