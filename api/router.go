package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/accounts"
)

// route is one line of the route table: who may call it, what it does, and
// the request/response types the OpenAPI document describes.
type route struct {
	method  string
	path    string
	access  access
	summary string
	tag     string
	request any // JSON request body type, nil for none
	respond any // JSON response type
	handler handlerFunc
}

// routeTable is the whole HTTP surface of the platform, in one place.
// Every route names its access rule; TestEveryRouteAgainstEveryRole checks
// each one against every role.
func (s *Server) routeTable() []route {
	return []route{
		// Operations.
		{http.MethodGet, "/healthz", public, "Process is up", "ops", nil, gin.H{}, s.healthz},
		{http.MethodGet, "/readyz", public, "Database, blob store and queue reachable", "ops", nil, gin.H{}, s.readyz},
		{http.MethodGet, "/metrics", internal, "Prometheus metrics (loopback or admin)", "ops", nil, nil, s.serveMetrics},
		{http.MethodGet, "/api/v1/openapi.json", public, "This API description", "ops", nil, gin.H{}, s.openAPI},
		{http.MethodGet, "/api/v1/time", public, "Server time in milliseconds", "ops", nil, TimeResponse{}, s.serverTime},
		{http.MethodGet, "/api/v1/blobs/*key", public, "Download through a presigned link", "ops", nil, nil, s.presignedBlob},

		// Setup and sessions.
		{http.MethodGet, "/api/v1/setup", public, "Whether the first administrator still has to be created", "auth", nil, SetupStatus{}, s.setupStatus},
		{http.MethodPost, "/api/v1/setup", public, "Create the first administrator with the one-time setup token", "auth", SetupRequest{}, UserView{}, s.completeSetup},
		{http.MethodPost, "/api/v1/auth/login", public, "Sign in with password (and TOTP for staff)", "auth", LoginRequest{}, LoginResponse{}, s.login},
		{http.MethodPost, "/api/v1/auth/logout", anyone, "End the current session", "auth", nil, gin.H{}, s.logout},
		{http.MethodGet, "/api/v1/auth/me", anyone, "The signed-in user, organisation and roles", "auth", nil, MeResponse{}, s.me},
		{http.MethodPost, "/api/v1/auth/totp/enroll", anyone, "Start TOTP enrolment", "auth", nil, TOTPEnrollResponse{}, s.totpEnroll},
		{http.MethodPost, "/api/v1/auth/totp/confirm", anyone, "Confirm TOTP enrolment with a code", "auth", TOTPConfirmRequest{}, gin.H{}, s.totpConfirm},
		{http.MethodPost, "/api/v1/auth/tokens", anyone, "Create a bearer token for the CLI", "auth", TokenRequest{}, TokenResponse{}, s.createToken},

		// Organisations and users.
		{http.MethodPost, "/api/v1/organizations", roles(accounts.RoleAdmin), "Create an organisation", "accounts", OrgRequest{}, OrgView{}, s.createOrg},
		{http.MethodGet, "/api/v1/organizations/:id", anyone, "Read an organisation (own, or any for staff)", "accounts", nil, OrgView{}, s.getOrg},
		{http.MethodPut, "/api/v1/organizations/:id/public-key", roles(accounts.RoleAdmin, accounts.RoleBidder), "Register the organisation's SM2 public key", "accounts", PublicKeyRequest{}, OrgView{}, s.setOrgKey},
		{http.MethodPost, "/api/v1/users", roles(accounts.RoleAdmin), "Create a user", "accounts", UserRequest{}, UserView{}, s.createUser},
		{http.MethodPost, "/api/v1/users/:id/roles", roles(accounts.RoleAdmin), "Grant a role", "accounts", RoleRequest{}, UserView{}, s.grantRole},
		{http.MethodDelete, "/api/v1/users/:id/roles/:role", roles(accounts.RoleAdmin), "Revoke a role", "accounts", nil, UserView{}, s.revokeRole},
		{http.MethodPost, "/api/v1/users/:id/grants", roles(accounts.RoleAdmin), "Grant a role on one project", "accounts", GrantRequest{}, gin.H{}, s.grantProject},

		// Transparency log (eventlog/LOG.md): public, checkable offline against signed heads.
		// Event contents name people, addresses and bids: auditors only. Heads,
		// proofs and the key stay public, so anyone can check consistency.
		{http.MethodGet, "/api/v1/log/events", roles(accounts.RoleAdmin, accounts.RoleSupervisor), "Logged events by sequence, with leaf hashes", "log", nil, LogEventPage{}, s.logEvents},
		{http.MethodGet, "/api/v1/log/head", public, "The latest signed tree head", "log", nil, LogHead{}, s.logHead},
		{http.MethodGet, "/api/v1/log/heads", public, "Signed tree heads in signing order", "log", nil, LogHeadPage{}, s.logHeads},
		{http.MethodPost, "/api/v1/log/heads", roles(accounts.RoleAdmin, accounts.RoleSupervisor), "Sign a tree head of the current log now", "log", nil, LogHead{}, s.signLogHead},
		{http.MethodGet, "/api/v1/log/proof/inclusion", public, "Inclusion proof of an event in a tree size", "log", nil, LogInclusionProof{}, s.logInclusion},
		{http.MethodGet, "/api/v1/log/proof/consistency", public, "Consistency proof between two tree sizes", "log", nil, LogConsistencyProof{}, s.logConsistency},
		{http.MethodGet, "/api/v1/log/key", public, "The platform public key that signs tree heads", "log", nil, LogKey{}, s.logKey},

		// Audit trail.
		{http.MethodGet, "/api/v1/audit/events", roles(accounts.RoleAdmin, accounts.RoleSupervisor), "Read the event log by sequence", "audit", nil, EventPage{}, s.auditEvents},
	}
}
