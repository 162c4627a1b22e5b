package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// LoginRequest signs in. Kind "bearer" returns a token for the CLI instead of
// setting a cookie.
type LoginRequest struct {
	Username string `json:"username" required:"true"`
	Password string `json:"password" required:"true"`
	TOTP     string `json:"totp,omitempty"`
	Kind     string `json:"kind,omitempty"`
}

// LoginResponse is the new session. Token is present for bearer logins only;
// browser logins get it as an HttpOnly cookie.
type LoginResponse struct {
	Token     string     `json:"token,omitempty"`
	CSRFToken string     `json:"csrfToken,omitempty"`
	ExpiresAt time.Time  `json:"expiresAt"`
	User      MeResponse `json:"user"`
}

// MeResponse describes the signed-in user.
type MeResponse struct {
	UserID      int64                   `json:"userId"`
	Username    string                  `json:"username"`
	DisplayName string                  `json:"displayName"`
	OrgID       int64                   `json:"orgId,omitempty"`
	OrgKind     string                  `json:"orgKind,omitempty"`
	Roles       []accounts.Role         `json:"roles"`
	Grants      []accounts.ProjectGrant `json:"grants"`
	TOTPMissing bool                    `json:"totpMissing"`
}

func meOf(p accounts.Principal) MeResponse {
	roles, grants := p.Roles, p.Grants
	if roles == nil {
		roles = []accounts.Role{}
	}
	if grants == nil {
		grants = []accounts.ProjectGrant{}
	}
	return MeResponse{UserID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, OrgID: p.OrgID,
		OrgKind: string(p.OrgKind), Roles: roles, Grants: grants, TOTPMissing: p.TOTPMissing}
}

func (s *Server) login(c *gin.Context) error {
	var req LoginRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := required("username", req.Username, "password", req.Password); err != nil {
		return err
	}
	res, err := s.deps.Accounts.Login(c.Request.Context(), accounts.LoginRequest{
		Username: req.Username, Password: req.Password, TOTP: req.TOTP,
		IP: c.ClientIP(), UserAgent: c.Request.UserAgent(), Kind: accounts.SessionKind(req.Kind),
	})
	if err != nil {
		return err
	}
	return s.startedSession(c, res)
}

// startedSession answers a sign-in: the token for a bearer login, the
// session cookie and CSRF token for a browser.
func (s *Server) startedSession(c *gin.Context, res accounts.LoginResult) error {
	out := LoginResponse{ExpiresAt: res.ExpiresAt, User: meOf(res.Principal)}
	if res.Principal.Kind == accounts.KindBearer {
		out.Token = res.Token
	} else {
		s.setSessionCookie(c, res.Token, res.ExpiresAt)
		out.CSRFToken = res.CSRFToken
	}
	c.Header("Cache-Control", "no-store")
	return ok(c, out)
}

func (s *Server) setSessionCookie(c *gin.Context, token string, expires time.Time) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.deps.SecureCookies, SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) logout(c *gin.Context) error {
	if err := s.deps.Accounts.Logout(c.Request.Context(), c.GetString(ctxToken)); err != nil {
		return err
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.deps.SecureCookies, SameSite: http.SameSiteStrictMode})
	return ok(c, gin.H{"signedOut": true})
}

func (s *Server) me(c *gin.Context) error { return ok(c, meOf(caller(c))) }

// TOTPEnrollResponse is the secret to put into an authenticator app.
type TOTPEnrollResponse struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauthUrl"`
}

// TOTPConfirmRequest turns TOTP on with a first code.
type TOTPConfirmRequest struct {
	Code string `json:"code" required:"true"`
}

func (s *Server) totpEnroll(c *gin.Context) error {
	e, err := s.deps.Accounts.EnrollTOTP(c.Request.Context(), caller(c).UserID)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	return ok(c, TOTPEnrollResponse{Secret: e.Secret, URL: e.URL})
}

func (s *Server) totpConfirm(c *gin.Context) error {
	var req TOTPConfirmRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := required("code", req.Code); err != nil {
		return err
	}
	if err := s.deps.Accounts.ConfirmTOTP(c.Request.Context(), caller(c).UserID, req.Code); err != nil {
		return err
	}
	return ok(c, gin.H{"totpEnabled": true})
}

// TokenRequest asks for a named bearer token for the CLI.
type TokenRequest struct {
	Name     string `json:"name" required:"true"`
	TTLHours int    `json:"ttlHours" required:"true"`
}

// TokenResponse is the token, shown once.
type TokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func (s *Server) createToken(c *gin.Context) error {
	var req TokenRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := required("name", req.Name); err != nil {
		return err
	}
	if req.TTLHours <= 0 {
		return apperr.New(apperr.Invalid, "有效期必须为正数小时", "ttlHours must be positive").WithField("ttlHours", "must be > 0")
	}
	token, info, err := s.deps.Accounts.CreateToken(c.Request.Context(), caller(c).UserID, req.Name, time.Duration(req.TTLHours)*time.Hour)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	return created(c, TokenResponse{Token: token, ExpiresAt: info.ExpiresAt})
}

// SetupStatus tells whether the first administrator is still to be created.
type SetupStatus struct {
	NeedsSetup bool `json:"needsSetup"`
}

// SetupRequest creates the first administrator with the printed token.
type SetupRequest struct {
	Token       string `json:"token" required:"true"`
	Username    string `json:"username" required:"true"`
	DisplayName string `json:"displayName" required:"true"`
	Password    string `json:"password" required:"true"`
}

func (s *Server) setupStatus(c *gin.Context) error {
	has, err := s.deps.Accounts.HasAdmin(c.Request.Context())
	if err != nil {
		return err
	}
	return ok(c, SetupStatus{NeedsSetup: !has})
}

func (s *Server) completeSetup(c *gin.Context) error {
	var req SetupRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := required("token", req.Token, "username", req.Username, "displayName", req.DisplayName, "password", req.Password); err != nil {
		return err
	}
	u, err := s.deps.Accounts.CompleteSetup(c.Request.Context(), req.Token, req.Username, req.DisplayName, req.Password)
	if err != nil {
		return err
	}
	return created(c, userView(u))
}
