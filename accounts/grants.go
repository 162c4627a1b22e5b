package accounts

import (
	"context"
	"strings"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// GrantRole gives a user a platform role, on behalf of an administrator, and
// audits it (actor, target user, role). It returns apperr.Forbidden if actor
// is not an admin, apperr.NotFound for an unknown user, apperr.Invalid for an
// unknown role or one the user's organisation cannot hold, and
// apperr.Conflict when the user holds the role already.
func (s *Service) GrantRole(ctx context.Context, actor Principal, userID int64, role Role) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		u, err := s.getUser(ctx, userID)
		if err != nil {
			return userNotFound(err, userID)
		}
		var kind OrgKind
		if u.OrgID != nil {
			org, err := s.getOrg(ctx, *u.OrgID)
			if err != nil {
				return err
			}
			kind = OrgKind(org.Kind)
		}
		if err := checkRoleOrg(role, kind); err != nil {
			return err
		}
		by := actor.UserID
		err = s.insert(ctx, &roleRow{UserID: userID, Role: string(role), GrantedBy: &by, GrantedAt: s.now()})
		if storage.IsDuplicate(err) {
			return apperr.Newf(apperr.Conflict, "该用户已拥有角色 %s", "the user already has the role %s", role).WithCode("role_held")
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, EventRoleGranted, userRef(userID), actor.Actor(), map[string]any{"role": role})
	})
}

// RevokeRole takes a platform role from a user, on behalf of an
// administrator, and audits it. It returns apperr.Forbidden if actor is not
// an admin, apperr.NotFound when the user does not hold the role, and
// apperr.Conflict when it would remove the last active administrator.
func (s *Service) RevokeRole(ctx context.Context, actor Principal, userID int64, role Role) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		n, err := s.deleteRole(ctx, userID, role)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.Newf(apperr.NotFound, "该用户没有角色 %s", "the user does not have the role %s", role)
		}
		if role == RoleAdmin {
			left, err := s.countAdmins(ctx)
			if err != nil {
				return err
			}
			if left == 0 {
				return apperr.New(apperr.Conflict, "不能撤销最后一位管理员的管理员角色", "cannot revoke the admin role of the last administrator").
					WithCode("last_admin")
			}
		}
		return s.audit(ctx, EventRoleRevoked, userRef(userID), actor.Actor(), map[string]any{"role": role})
	})
}

// GrantProject gives a user a role on one project, on behalf of an
// administrator, and audits it. It returns apperr.Forbidden if actor is not
// an admin, apperr.NotFound for an unknown user, apperr.Invalid for a bad
// project id or role, and apperr.Conflict when the grant exists already.
func (s *Service) GrantProject(ctx context.Context, actor Principal, userID int64, projectID string, role Role) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	projectID, err := checkGrant(projectID, role)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.getUser(ctx, userID); err != nil {
			return userNotFound(err, userID)
		}
		by := actor.UserID
		err := s.insert(ctx, &grantRow{UserID: userID, ProjectID: projectID, Role: string(role), GrantedBy: &by, GrantedAt: s.now()})
		if storage.IsDuplicate(err) {
			return apperr.New(apperr.Conflict, "该项目授权已存在", "the user already has this role on the project").WithCode("grant_exists")
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, EventProjectGranted, userRef(userID), actor.Actor(),
			map[string]any{"projectId": projectID, "role": role})
	})
}

// RevokeProject takes a user's role on one project, on behalf of an
// administrator, and audits it. It returns apperr.Forbidden if actor is not
// an admin and apperr.NotFound when there is no such grant.
func (s *Service) RevokeProject(ctx context.Context, actor Principal, userID int64, projectID string, role Role) error {
	if err := requireAdmin(actor); err != nil {
		return err
	}
	projectID = strings.TrimSpace(projectID)
	return s.db.InTx(ctx, func(ctx context.Context) error {
		n, err := s.deleteGrant(ctx, userID, projectID, role)
		if err != nil {
			return err
		}
		if n == 0 {
			return apperr.New(apperr.NotFound, "没有该项目授权", "there is no such project grant")
		}
		return s.audit(ctx, EventProjectRevoked, userRef(userID), actor.Actor(),
			map[string]any{"projectId": projectID, "role": role})
	})
}

// ProjectGrants returns the user's per-project roles, ordered by project.
func (s *Service) ProjectGrants(ctx context.Context, userID int64) ([]ProjectGrant, error) {
	return s.grantsOf(ctx, userID)
}

func checkGrant(projectID string, role Role) (string, error) {
	projectID = strings.TrimSpace(projectID)
	if projectID == "" || len(projectID) > 64 {
		return "", apperr.New(apperr.Invalid, "项目编号应为 1–64 个字符", "the project id must be 1–64 characters").WithField("projectId", "length")
	}
	_, err := ParseRole(string(role))
	return projectID, err
}
