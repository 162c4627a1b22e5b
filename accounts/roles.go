package accounts

import (
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Role is what a user may do on the platform. A user holds any number of
// roles platform-wide and may hold roles per project (see ProjectGrant).
type Role string

// The platform's roles.
const (
	RoleAdmin      Role = "admin"      // platform administrator
	RoleAgent      Role = "agent"      // procurement agent (招标代理 / 招标人)
	RoleBidder     Role = "bidder"     // bidder (投标人)
	RoleExpert     Role = "expert"     // evaluation expert (评标专家)
	RoleSupervisor Role = "supervisor" // supervisor (监督 / 监察)
	RoleOfficer    Role = "officer"    // approval officer (窗口)
	RoleApplicant  Role = "applicant"  // approval applicant (申请人)
)

// Roles lists every role, in a stable order.
func Roles() []Role {
	return []Role{RoleAdmin, RoleAgent, RoleBidder, RoleExpert, RoleSupervisor, RoleOfficer, RoleApplicant}
}

// Staff reports whether r is a staff role (admin, agent, supervisor,
// officer): staff act on other people's projects and cases.
func (r Role) Staff() bool {
	switch r {
	case RoleAdmin, RoleAgent, RoleSupervisor, RoleOfficer:
		return true
	}
	return false
}

// Valid reports whether r is one of the platform's roles.
func (r Role) Valid() bool {
	for _, x := range Roles() {
		if r == x {
			return true
		}
	}
	return false
}

// ParseRole returns the role named s, or apperr.Invalid with a "role" field
// error.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", apperr.Newf(apperr.Invalid, "未知角色 %q", "unknown role %q", s).WithField("role", "unknown")
	}
	return r, nil
}

// OrgKind is the kind of an organisation.
type OrgKind string

// The kinds of organisation.
const (
	OrgBidder     OrgKind = "bidder"     // a company that bids (投标人)
	OrgAgency     OrgKind = "agency"     // a procurement agency (招标代理机构)
	OrgTenderer   OrgKind = "tenderer"   // a tendering entity (招标人 / 采购人)
	OrgDepartment OrgKind = "department" // a government department (行政监督部门 / 审批部门)
	OrgPlatform   OrgKind = "platform"   // the trading centre running the platform
)

// NeedsUSCC reports whether organisations of kind k are identified by their
// 统一社会信用代码 (bidders, agencies and tenderers must give one).
func (k OrgKind) NeedsUSCC() bool { return k == OrgBidder || k == OrgAgency || k == OrgTenderer }

// Valid reports whether k is one of the organisation kinds.
func (k OrgKind) Valid() bool {
	switch k {
	case OrgBidder, OrgAgency, OrgTenderer, OrgDepartment, OrgPlatform:
		return true
	}
	return false
}

// roleOrgKinds says which organisation kinds a user holding the role must
// belong to; a role absent here needs no organisation.
var roleOrgKinds = map[Role][]OrgKind{
	RoleBidder:     {OrgBidder},
	RoleAgent:      {OrgAgency, OrgTenderer},
	RoleSupervisor: {OrgDepartment, OrgPlatform},
	RoleOfficer:    {OrgDepartment, OrgPlatform},
}

// checkRoleOrg returns apperr.Invalid when a user in an organisation of kind
// k (empty for none) may not hold role r.
func checkRoleOrg(r Role, k OrgKind) error {
	kinds, ok := roleOrgKinds[r]
	if !ok {
		return nil
	}
	for _, x := range kinds {
		if x == k {
			return nil
		}
	}
	return apperr.Newf(apperr.Invalid, "角色 %s 的用户必须属于以下类型的机构：%v",
		"a user with role %s must belong to an organisation of kind %v", r, kinds).WithField("orgId", "wrong organisation kind")
}
