package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// OrgRequest registers an organisation.
type OrgRequest struct {
	Kind   string `json:"kind" required:"true"`
	Name   string `json:"name" required:"true"`
	USCC   string `json:"uscc,omitempty"`
	Region string `json:"region,omitempty"`
}

// OrgView is an organisation as the API shows it.
type OrgView struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	USCC        string    `json:"uscc,omitempty"`
	Region      string    `json:"region,omitempty"`
	PublicKey   string    `json:"publicKey,omitempty"`
	PublicKeyID string    `json:"publicKeyId,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

func orgView(o accounts.Org) OrgView {
	return OrgView{ID: o.ID, Kind: string(o.Kind), Name: o.Name, USCC: o.USCC, Region: o.Region,
		PublicKey: o.PublicKey, PublicKeyID: o.PublicKeyID, CreatedAt: o.CreatedAt}
}

// PublicKeyRequest registers an SM2 public key or certificate (PEM).
type PublicKeyRequest struct {
	PEM string `json:"pem" required:"true"`
}

// UserRequest creates a user.
type UserRequest struct {
	Username    string          `json:"username" required:"true"`
	DisplayName string          `json:"displayName" required:"true"`
	Password    string          `json:"password" required:"true"`
	OrgID       int64           `json:"orgId,omitempty"`
	Roles       []accounts.Role `json:"roles" required:"true"`
}

// UserView is a user as the API shows it; never a hash or secret.
type UserView struct {
	ID          int64           `json:"id"`
	OrgID       int64           `json:"orgId,omitempty"`
	Username    string          `json:"username"`
	DisplayName string          `json:"displayName"`
	Status      string          `json:"status"`
	Roles       []accounts.Role `json:"roles"`
	TOTPEnabled bool            `json:"totpEnabled"`
	CreatedAt   time.Time       `json:"createdAt"`
}

func userView(u accounts.User) UserView {
	return UserView{ID: u.ID, OrgID: u.OrgID, Username: u.Username, DisplayName: u.DisplayName,
		Status: u.Status, Roles: u.Roles, TOTPEnabled: u.TOTPEnabled, CreatedAt: u.CreatedAt}
}

// RoleRequest grants a platform role.
type RoleRequest struct {
	Role string `json:"role" required:"true"`
}

// GrantRequest grants a role on one project.
type GrantRequest struct {
	ProjectID string `json:"projectId" required:"true"`
	Role      string `json:"role" required:"true"`
}

func pathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Newf(apperr.Invalid, "路径参数 %s 应为正整数", "path parameter %s must be a positive integer", name).WithField(name, "not a positive integer")
	}
	return id, nil
}

func (s *Server) createOrg(c *gin.Context) error {
	var req OrgRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := s.deps.Accounts.CreateOrg(c.Request.Context(), caller(c), accounts.NewOrg{
		Kind: accounts.OrgKind(req.Kind), Name: req.Name, USCC: req.USCC, Region: req.Region})
	if err != nil {
		return err
	}
	return created(c, orgView(o))
}

// getOrg shows an organisation to its own members and to staff.
func (s *Server) listOrgs(c *gin.Context) error {
	orgs, err := s.deps.Accounts.ListOrgs(c.Request.Context(), caller(c), accounts.OrgKind(c.Query("kind")))
	if err != nil {
		return err
	}
	out := make([]OrgView, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, orgView(o))
	}
	return ok(c, out)
}

func (s *Server) getOrg(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p := caller(c)
	if p.OrgID != id && !p.Staff() {
		return apperr.New(apperr.Forbidden, "只能查看本单位信息", "you may only view your own organisation")
	}
	o, err := s.deps.Accounts.GetOrg(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return ok(c, orgView(o))
}

func (s *Server) setOrgKey(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req PublicKeyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := s.deps.Accounts.SetOrgPublicKey(c.Request.Context(), caller(c), id, req.PEM)
	if err != nil {
		return err
	}
	return ok(c, orgView(o))
}

func (s *Server) createUser(c *gin.Context) error {
	var req UserRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.deps.Accounts.CreateUser(c.Request.Context(), caller(c), accounts.NewUser{
		Username: req.Username, DisplayName: req.DisplayName, Password: req.Password, OrgID: req.OrgID, Roles: req.Roles})
	if err != nil {
		return err
	}
	return created(c, userView(u))
}

func (s *Server) grantRole(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req RoleRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	role, err := accounts.ParseRole(req.Role)
	if err != nil {
		return err
	}
	return s.afterUserChange(c, id, s.deps.Accounts.GrantRole(c.Request.Context(), caller(c), id, role))
}

func (s *Server) revokeRole(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	role, err := accounts.ParseRole(c.Param("role"))
	if err != nil {
		return err
	}
	return s.afterUserChange(c, id, s.deps.Accounts.RevokeRole(c.Request.Context(), caller(c), id, role))
}

func (s *Server) afterUserChange(c *gin.Context, id int64, err error) error {
	if err != nil {
		return err
	}
	u, err := s.deps.Accounts.GetUser(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return ok(c, userView(u))
}

func (s *Server) grantProject(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req GrantRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	role, err := accounts.ParseRole(req.Role)
	if err != nil {
		return err
	}
	if err := s.deps.Accounts.GrantProject(c.Request.Context(), caller(c), id, req.ProjectID, role); err != nil {
		return err
	}
	return created(c, gin.H{"userId": id, "projectId": req.ProjectID, "role": role})
}
