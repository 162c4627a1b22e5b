package api

import (
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// access is a route's rule: public, any signed-in user, one of some roles,
// or internal (loopback callers, or an administrator).
type access struct {
	public   bool
	internal bool
	roles    []accounts.Role
}

var (
	public   = access{public: true}
	anyone   = access{}
	internal = access{internal: true}
)

func roles(r ...accounts.Role) access { return access{roles: r} }

// String describes the rule for the OpenAPI document.
func (a access) String() string {
	switch {
	case a.public:
		return "public"
	case a.internal:
		return "loopback or admin"
	case len(a.roles) == 0:
		return "any signed-in user"
	}
	names := make([]string, len(a.roles))
	for i, r := range a.roles {
		names[i] = string(r)
	}
	return "roles: " + strings.Join(names, ", ")
}

// allows reports whether p may call a route with this rule.
func (a access) allows(p accounts.Principal) bool {
	if len(a.roles) == 0 {
		return !a.internal || p.Has(accounts.RoleAdmin)
	}
	for _, r := range a.roles {
		if p.Has(r) {
			return true
		}
	}
	return false
}

const (
	sessionCookie = "th_session"
	csrfHeader    = "X-CSRF-Token"
)

// authorize resolves the caller from a bearer token or the session cookie
// and enforces the route's rule: 401 without a valid session, 403 when the
// role does not fit, 403 for a cookie request without its CSRF token on an
// unsafe method.
func (s *Server) authorize(a access) gin.HandlerFunc {
	return func(c *gin.Context) {
		if a.public || (a.internal && isLoopback(c)) {
			c.Next()
			return
		}
		p, err := s.authenticate(c)
		if err != nil {
			serveError(c, s.log, err)
			return
		}
		if !a.allows(p) {
			serveError(c, s.log, apperr.New(apperr.Forbidden, "您的角色无权执行此操作", "your role may not do this").WithCode("forbidden_role"))
			return
		}
		c.Set(ctxPrincipal, p)
		c.Next()
	}
}

func (s *Server) authenticate(c *gin.Context) (accounts.Principal, error) {
	if h := c.GetHeader("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return accounts.Principal{}, apperr.New(apperr.Unauthenticated, "Authorization 头格式应为 Bearer 令牌", "the Authorization header must be a Bearer token")
		}
		token = strings.TrimSpace(token)
		c.Set(ctxToken, token)
		return s.deps.Accounts.Authenticate(c.Request.Context(), token)
	}
	cookie, err := c.Cookie(sessionCookie)
	if err != nil || cookie == "" {
		return accounts.Principal{}, apperr.New(apperr.Unauthenticated, "请先登录", "please sign in").WithCode("no_session")
	}
	c.Set(ctxToken, cookie)
	p, err := s.deps.Accounts.Authenticate(c.Request.Context(), cookie)
	if err != nil {
		return p, err
	}
	if p.Kind != accounts.KindBrowser {
		return accounts.Principal{}, apperr.New(apperr.Unauthenticated, "会话无效", "invalid session")
	}
	if !safeMethod(c.Request.Method) && !p.CheckCSRF(c.GetHeader(csrfHeader)) {
		return accounts.Principal{}, apperr.New(apperr.Forbidden, "缺少或错误的 CSRF 令牌", "missing or wrong CSRF token").WithCode("csrf")
	}
	return p, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// isLoopback reports whether the TCP peer (not a forwarded header) is local.
func isLoopback(c *gin.Context) bool {
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback() && c.GetHeader("X-Forwarded-For") == ""
}

// principalOf returns the caller set by authorize.
func principalOf(c *gin.Context) (accounts.Principal, bool) {
	v, ok := c.Get(ctxPrincipal)
	if !ok {
		return accounts.Principal{}, false
	}
	p, ok := v.(accounts.Principal)
	return p, ok
}

// caller returns the authenticated principal; routes with a non-public rule
// always have one.
func caller(c *gin.Context) accounts.Principal {
	p, _ := principalOf(c)
	return p
}
