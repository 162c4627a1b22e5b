package accounts

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// SessionKind tells a browser session (cookie plus CSRF token, sliding
// expiry) from a bearer token (Authorization header, fixed expiry).
type SessionKind string

// The kinds of session.
const (
	KindBrowser SessionKind = "browser"
	KindBearer  SessionKind = "bearer"
)

// ProjectGrant gives a user a role on one project only.
type ProjectGrant struct {
	ProjectID string `json:"projectId"`
	Role      Role   `json:"role"`
}

// Principal is the authenticated user behind a request, as Authenticate
// found it: identity, organisation, platform roles and project grants, and
// the session it came with.
type Principal struct {
	UserID      int64
	Username    string
	DisplayName string
	OrgID       int64   // 0 when the user belongs to no organisation
	OrgKind     OrgKind // empty when OrgID is 0
	Roles       []Role
	Grants      []ProjectGrant
	SessionID   string // hex SHA-256 of the session token: names the session, cannot be used as one
	Kind        SessionKind
	ExpiresAt   time.Time // absolute end of the session (a browser one may end sooner when idle)
	// TOTPMissing is true for a staff user who has not enrolled TOTP yet;
	// the web app asks them to enrol.
	TOTPMissing bool

	csrfHash string
}

// Has reports whether the principal holds role platform-wide.
func (p Principal) Has(role Role) bool {
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// HasProject reports whether the principal was granted role on projectID.
// Platform-wide roles do not count: callers that let, say, every supervisor
// watch every project check Has as well.
func (p Principal) HasProject(projectID string, role Role) bool {
	for _, g := range p.Grants {
		if g.ProjectID == projectID && g.Role == role {
			return true
		}
	}
	return false
}

// Staff reports whether the principal holds any staff role.
func (p Principal) Staff() bool {
	for _, r := range p.Roles {
		if r.Staff() {
			return true
		}
	}
	return false
}

// CheckCSRF reports, in constant time, whether token is the CSRF token
// issued with this browser session. Bearer sessions have none and always
// fail: the HTTP layer checks CSRF for cookie-authenticated requests only.
func (p Principal) CheckCSRF(token string) bool {
	if p.csrfHash == "" || token == "" {
		return false
	}
	sum := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(p.csrfHash)) == 1
}

// Actor names the principal in the event log ("user:ID").
func (p Principal) Actor() string { return userRef(p.UserID) }

// requireAdmin returns apperr.Forbidden unless the actor is an administrator.
func requireAdmin(actor Principal) error {
	if actor.UserID == 0 || !actor.Has(RoleAdmin) {
		return apperr.New(apperr.Forbidden, "只有平台管理员可以执行此操作", "only a platform administrator may do this").
			WithCode("admin_required")
	}
	return nil
}
