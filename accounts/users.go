package accounts

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// statusActive is the status of a user who may sign in; any other status
// ("disabled") refuses sign-in and ends sessions.
const statusActive = "active"

// User is a person who signs in to the platform.
type User struct {
	ID          int64
	OrgID       int64 // 0 when the user belongs to no organisation
	Username    string
	DisplayName string
	Status      string // "active" or "disabled"
	Roles       []Role
	TOTPEnabled bool
	LockedUntil time.Time // zero when not locked
	CreatedAt   time.Time
}

// NewUser is what CreateUser needs. OrgID is required unless every role is
// admin, expert or applicant; bidders must belong to a bidder organisation,
// agents to an agency or tenderer, supervisors and officers to a department
// or the platform.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	OrgID       int64
	Roles       []Role
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// normalizeUsername trims and lower-cases a username: usernames are
// case-insensitive.
func normalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CreateUser creates a user with a password and platform roles, on behalf of
// an administrator. It returns apperr.Forbidden if actor is not an admin,
// apperr.Invalid (with field errors) for a bad username, display name, role,
// organisation or a password that breaks the policy (CheckPassword), and
// apperr.Conflict when the username is taken.
func (s *Service) CreateUser(ctx context.Context, actor Principal, in NewUser) (User, error) {
	if err := requireAdmin(actor); err != nil {
		return User{}, err
	}
	by := actor.UserID
	return s.createUser(ctx, actor.Actor(), &by, in)
}

func (s *Service) createUser(ctx context.Context, actor string, grantedBy *int64, in NewUser) (User, error) {
	row, roles, err := s.prepareUser(ctx, in)
	if err != nil {
		return User{}, err
	}
	return s.storeUser(ctx, actor, grantedBy, row, roles)
}

// prepareUser validates in and hashes the password, outside any transaction.
func (s *Service) prepareUser(ctx context.Context, in NewUser) (userRow, []Role, error) {
	row, roles, err := s.userRowFor(ctx, in)
	if err == nil {
		row.PasswordHash = hashPassword(in.Password, s.opts.Argon2)
	}
	return row, roles, err
}

// storeUser inserts a prepared user and its roles and audits it.
func (s *Service) storeUser(ctx context.Context, actor string, grantedBy *int64, row userRow, roles []Role) (User, error) {
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.insert(ctx, &row); err != nil {
			if storage.IsDuplicate(err) {
				return apperr.Newf(apperr.Conflict, "用户名 %s 已被使用", "the username %s is taken", row.Username).
					WithField("username", "taken").WithCode("username_taken")
			}
			return err
		}
		for _, r := range roles {
			if err := s.insert(ctx, &roleRow{UserID: row.ID, Role: string(r), GrantedBy: grantedBy, GrantedAt: row.CreatedAt}); err != nil {
				return err
			}
		}
		return s.audit(ctx, EventUserCreated, userRef(row.ID), actor, map[string]any{
			"username": row.Username, "displayName": row.DisplayName, "orgId": row.OrgID, "roles": roles})
	})
	if err != nil {
		return User{}, err
	}
	return userFromRow(row, roles), nil
}

// userRowFor validates in and returns the row to insert (without the
// password hash) and the deduplicated roles.
func (s *Service) userRowFor(ctx context.Context, in NewUser) (userRow, []Role, error) {
	name := normalizeUsername(in.Username)
	if !usernamePattern.MatchString(name) {
		return userRow{}, nil, apperr.New(apperr.Invalid, "用户名应为 3–64 位小写字母、数字、点、下划线或连字符，以字母或数字开头",
			"the username must be 3–64 lower-case letters, digits, dots, underscores or hyphens, starting with a letter or digit").
			WithField("username", "format")
	}
	display := strings.TrimSpace(in.DisplayName)
	if display == "" || utf8.RuneCountInString(display) > 100 {
		return userRow{}, nil, apperr.New(apperr.Invalid, "姓名应为 1–100 个字符", "the display name must be 1–100 characters").WithField("displayName", "length")
	}
	if err := CheckPassword(name, in.Password); err != nil {
		return userRow{}, nil, err
	}
	roles, err := dedupRoles(in.Roles)
	if err != nil {
		return userRow{}, nil, err
	}
	now := s.now()
	row := userRow{Username: name, DisplayName: display, Status: statusActive, CreatedAt: now, UpdatedAt: now}
	var kind OrgKind
	if in.OrgID != 0 {
		org, err := s.getOrg(ctx, in.OrgID)
		if err != nil {
			return userRow{}, nil, apperr.Wrap(err, apperr.Invalid, "所属机构不存在", "the organisation does not exist").WithField("orgId", "not found")
		}
		kind, row.OrgID = OrgKind(org.Kind), &org.ID
	}
	for _, r := range roles {
		if err := checkRoleOrg(r, kind); err != nil {
			return userRow{}, nil, err
		}
	}
	return row, roles, nil
}

func dedupRoles(in []Role) ([]Role, error) {
	var out []Role
	seen := map[Role]bool{}
	for _, r := range in {
		if _, err := ParseRole(string(r)); err != nil {
			return nil, err
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, apperr.New(apperr.Invalid, "至少需要一个角色", "at least one role is needed").WithField("roles", "empty")
	}
	return out, nil
}

// GetUser returns the user with id and their platform roles, or
// apperr.NotFound.
func (s *Service) GetUser(ctx context.Context, id int64) (User, error) {
	row, err := s.getUser(ctx, id)
	if err != nil {
		return User{}, userNotFound(err, id)
	}
	roles, err := s.rolesOf(ctx, id)
	return userFromRow(row, roles), err
}

// ChangePassword replaces the principal's password after checking the
// current one, and ends the user's other sessions. It returns
// apperr.Unauthenticated when current is wrong and apperr.Invalid when the
// new password breaks the policy (CheckPassword).
func (s *Service) ChangePassword(ctx context.Context, p Principal, current, next string) error {
	row, err := s.getUser(ctx, p.UserID)
	if err != nil {
		return userNotFound(err, p.UserID)
	}
	if ok, _ := verifyPassword(current, row.PasswordHash, s.opts.Argon2); !ok {
		return apperr.New(apperr.Unauthenticated, "当前密码错误", "the current password is wrong").WithField("currentPassword", "wrong")
	}
	if err := CheckPassword(row.Username, next); err != nil {
		return err
	}
	hash := hashPassword(next, s.opts.Argon2)
	return s.db.InTx(ctx, func(ctx context.Context) error {
		now := s.now()
		if err := s.setPassword(ctx, row.ID, hash, now); err != nil {
			return err
		}
		ended, err := s.revokeUserSessions(ctx, row.ID, p.SessionID, now)
		if err != nil {
			return err
		}
		return s.audit(ctx, EventPasswordChanged, userRef(row.ID), p.Actor(), map[string]any{"sessionsEnded": ended})
	})
}

func userNotFound(err error, id int64) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Newf(apperr.NotFound, "用户 %d 不存在", "user %d does not exist", id)
	}
	return err
}

func userFromRow(r userRow, roles []Role) User {
	u := User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Status: r.Status,
		Roles: roles, TOTPEnabled: r.TOTPEnabled, CreatedAt: r.CreatedAt}
	if r.OrgID != nil {
		u.OrgID = *r.OrgID
	}
	if r.LockedUntil != nil {
		u.LockedUntil = *r.LockedUntil
	}
	return u
}
