package accounts

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/tenderhall/tenderhall/storage"
)

// This file is the package's only user of gorm. Every function runs on the
// connection carried by ctx, so it joins the caller's transaction if any.
// Times are compared in Go rather than in SQL, because SQLite stores them as
// text.

type orgRow struct {
	ID        int64     `gorm:"column:id;primaryKey"`
	Kind      string    `gorm:"column:kind"`
	Name      string    `gorm:"column:name"`
	USCC      *string   `gorm:"column:uscc"`
	Region    string    `gorm:"column:region"`
	PublicKey *string   `gorm:"column:sm2_public_key"`
	CreatedAt time.Time `gorm:"column:created_at"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
}

// TableName maps orgRow to the organizations table.
func (orgRow) TableName() string { return "organizations" }

type userRow struct {
	ID           int64      `gorm:"column:id;primaryKey"`
	OrgID        *int64     `gorm:"column:org_id"`
	Username     string     `gorm:"column:username"`
	DisplayName  string     `gorm:"column:display_name"`
	PasswordHash string     `gorm:"column:password_hash"`
	Status       string     `gorm:"column:status"`
	FailedLogins int        `gorm:"column:failed_logins"`
	LockedUntil  *time.Time `gorm:"column:locked_until"`
	TOTPSecret   string     `gorm:"column:totp_secret"`
	TOTPEnabled  bool       `gorm:"column:totp_enabled"`
	TOTPLastStep int64      `gorm:"column:totp_last_step"`
	CreatedAt    time.Time  `gorm:"column:created_at"`
	UpdatedAt    time.Time  `gorm:"column:updated_at"`
}

// TableName maps userRow to the users table.
func (userRow) TableName() string { return "users" }

type roleRow struct {
	UserID    int64     `gorm:"column:user_id;primaryKey"`
	Role      string    `gorm:"column:role;primaryKey"`
	GrantedBy *int64    `gorm:"column:granted_by"`
	GrantedAt time.Time `gorm:"column:granted_at"`
}

// TableName maps roleRow to the user_roles table.
func (roleRow) TableName() string { return "user_roles" }

type grantRow struct {
	UserID    int64     `gorm:"column:user_id;primaryKey"`
	ProjectID string    `gorm:"column:project_id;primaryKey"`
	Role      string    `gorm:"column:role;primaryKey"`
	GrantedBy *int64    `gorm:"column:granted_by"`
	GrantedAt time.Time `gorm:"column:granted_at"`
}

// TableName maps grantRow to the project_grants table.
func (grantRow) TableName() string { return "project_grants" }

type sessionRow struct {
	ID         string     `gorm:"column:id;primaryKey"` // hex SHA-256 of the token
	UserID     int64      `gorm:"column:user_id"`
	Kind       string     `gorm:"column:kind"`
	Name       string     `gorm:"column:name"`
	CSRFHash   string     `gorm:"column:csrf_token"` // hex SHA-256 of the CSRF token
	IP         string     `gorm:"column:ip"`
	UserAgent  string     `gorm:"column:user_agent"`
	CreatedAt  time.Time  `gorm:"column:created_at"`
	ExpiresAt  time.Time  `gorm:"column:expires_at"`
	LastSeenAt time.Time  `gorm:"column:last_seen_at"`
	RevokedAt  *time.Time `gorm:"column:revoked_at"`
}

// TableName maps sessionRow to the sessions table.
func (sessionRow) TableName() string { return "sessions" }

type setupRow struct {
	ID        string     `gorm:"column:id;primaryKey"` // hex SHA-256 of the token
	CreatedAt time.Time  `gorm:"column:created_at"`
	ExpiresAt time.Time  `gorm:"column:expires_at"`
	UsedAt    *time.Time `gorm:"column:used_at"`
}

// TableName maps setupRow to the setup_tokens table.
func (setupRow) TableName() string { return "setup_tokens" }

// loginChallengeRow is a key sign-in challenge (login_key.go).
type loginChallengeRow struct {
	ID        string     `gorm:"column:id;primaryKey"`
	Username  string     `gorm:"column:username"`
	Nonce     string     `gorm:"column:nonce"`
	ExpiresAt time.Time  `gorm:"column:expires_at"`
	UsedAt    *time.Time `gorm:"column:used_at"`
}

func (loginChallengeRow) TableName() string { return "login_challenges" }

func (s *Service) conn(ctx context.Context) *gorm.DB { return s.db.Conn(ctx) }

// insert creates row; a duplicate key comes back as apperr.Conflict.
func (s *Service) insert(ctx context.Context, row any) error {
	return storage.Translate(s.conn(ctx).Create(row).Error)
}

// exec runs a write and returns the number of rows it changed.
func (s *Service) exec(ctx context.Context, q string, args ...any) (int64, error) {
	res := s.conn(ctx).Exec(q, args...)
	return res.RowsAffected, storage.Translate(res.Error)
}

// first loads the one row matching where into dst, or apperr.NotFound.
func (s *Service) first(ctx context.Context, dst any, where string, args ...any) error {
	return storage.Translate(s.conn(ctx).Where(where, args...).Take(dst).Error)
}

// find loads up to 500 rows matching where, ordered by name.
func (s *Service) find(ctx context.Context, dst any, where string, args ...any) error {
	return storage.Translate(s.conn(ctx).Where(where, args...).Order("name").Limit(500).Find(dst).Error)
}

func (s *Service) getOrg(ctx context.Context, id int64) (o orgRow, err error) {
	return o, s.first(ctx, &o, "id = ?", id)
}

func (s *Service) setOrgKey(ctx context.Context, id int64, pem string, now time.Time) error {
	_, err := s.exec(ctx, "UPDATE organizations SET sm2_public_key = ?, updated_at = ? WHERE id = ?", pem, now, id)
	return err
}

func (s *Service) getUser(ctx context.Context, id int64) (u userRow, err error) {
	return u, s.first(ctx, &u, "id = ?", id)
}

func (s *Service) userByName(ctx context.Context, name string) (u userRow, err error) {
	return u, s.first(ctx, &u, "username = ?", name)
}

// countFailure adds one to the user's failed logins atomically and returns
// the row as it now is. The UPDATE holds the row lock until the transaction
// ends, so concurrent failures are counted one by one.
func (s *Service) countFailure(ctx context.Context, id int64) (userRow, error) {
	if _, err := s.exec(ctx, "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?", id); err != nil {
		return userRow{}, err
	}
	return s.getUser(ctx, id)
}

// lockedUser takes the user's row lock for the rest of the transaction (an
// UPDATE that changes nothing) and returns the row as it now is.
func (s *Service) lockedUser(ctx context.Context, id int64) (userRow, error) {
	if _, err := s.exec(ctx, "UPDATE users SET failed_logins = failed_logins WHERE id = ?", id); err != nil {
		return userRow{}, err
	}
	return s.getUser(ctx, id)
}

func (s *Service) lockUser(ctx context.Context, id int64, until, now time.Time) error {
	_, err := s.exec(ctx, "UPDATE users SET failed_logins = 0, locked_until = ?, updated_at = ? WHERE id = ?", until, now, id)
	return err
}

// loginOK clears the failure count and lock, and replaces the password hash
// when rehash is not empty.
func (s *Service) loginOK(ctx context.Context, id int64, rehash string, now time.Time) error {
	q, args := "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?", []any{id}
	if rehash != "" {
		q, args = "UPDATE users SET failed_logins = 0, locked_until = NULL, password_hash = ?, updated_at = ? WHERE id = ?",
			[]any{rehash, now, id}
	}
	_, err := s.exec(ctx, q, args...)
	return err
}

func (s *Service) setPassword(ctx context.Context, id int64, hash string, now time.Time) error {
	_, err := s.exec(ctx, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now, id)
	return err
}

// useTOTPStep records step as the last used one unless it (or a later one)
// was used already; it reports whether it did.
func (s *Service) useTOTPStep(ctx context.Context, id, step int64) (bool, error) {
	n, err := s.exec(ctx, "UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?", step, id, step)
	return n == 1, err
}

func (s *Service) setTOTP(ctx context.Context, id int64, sealed string, now time.Time) error {
	_, err := s.exec(ctx, "UPDATE users SET totp_secret = ?, totp_enabled = ?, totp_last_step = 0, updated_at = ? WHERE id = ?",
		sealed, false, now, id)
	return err
}

// enableTOTP turns on an enrolled, not yet enabled TOTP; it reports whether
// it did.
func (s *Service) enableTOTP(ctx context.Context, id, step int64, now time.Time) (bool, error) {
	n, err := s.exec(ctx, "UPDATE users SET totp_enabled = ?, totp_last_step = ?, updated_at = ? "+
		"WHERE id = ? AND totp_enabled = ? AND totp_secret <> ''", true, step, now, id, false)
	return n == 1, err
}

func (s *Service) deleteRole(ctx context.Context, userID int64, role Role) (int64, error) {
	return s.exec(ctx, "DELETE FROM user_roles WHERE user_id = ? AND role = ?", userID, string(role))
}

func (s *Service) rolesOf(ctx context.Context, userID int64) ([]Role, error) {
	var out []Role
	err := s.conn(ctx).Raw("SELECT role FROM user_roles WHERE user_id = ? ORDER BY role", userID).Scan(&out).Error
	return out, storage.Translate(err)
}

// countAdmins counts the active users holding the admin role.
func (s *Service) countAdmins(ctx context.Context) (n int64, err error) {
	err = s.conn(ctx).Raw("SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id "+
		"WHERE r.role = ? AND u.status = ?", string(RoleAdmin), statusActive).Scan(&n).Error
	return n, storage.Translate(err)
}

func (s *Service) deleteGrant(ctx context.Context, userID int64, projectID string, role Role) (int64, error) {
	return s.exec(ctx, "DELETE FROM project_grants WHERE user_id = ? AND project_id = ? AND role = ?",
		userID, projectID, string(role))
}

func (s *Service) grantsOf(ctx context.Context, userID int64) ([]ProjectGrant, error) {
	var rows []grantRow
	err := s.conn(ctx).Where("user_id = ?", userID).Order("project_id, role").Find(&rows).Error
	out := make([]ProjectGrant, len(rows))
	for i, r := range rows {
		out[i] = ProjectGrant{ProjectID: r.ProjectID, Role: Role(r.Role)}
	}
	return out, storage.Translate(err)
}

func (s *Service) getSession(ctx context.Context, id string) (r sessionRow, err error) {
	return r, s.first(ctx, &r, "id = ?", id)
}

func (s *Service) sessionsOf(ctx context.Context, userID int64, kind SessionKind) ([]sessionRow, error) {
	var rows []sessionRow
	err := s.conn(ctx).Where("user_id = ? AND kind = ? AND revoked_at IS NULL", userID, string(kind)).
		Order("created_at DESC").Find(&rows).Error
	return rows, storage.Translate(err)
}

func (s *Service) touchSession(ctx context.Context, id string, now time.Time) error {
	_, err := s.exec(ctx, "UPDATE sessions SET last_seen_at = ? WHERE id = ?", now, id)
	return err
}

// revokeSession ends one session; it reports whether it was still live.
func (s *Service) revokeSession(ctx context.Context, id string, now time.Time) (bool, error) {
	n, err := s.exec(ctx, "UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now, id)
	return n == 1, err
}

// revokeUserSessions ends every live session of the user but keep.
func (s *Service) revokeUserSessions(ctx context.Context, userID int64, keep string, now time.Time) (int64, error) {
	return s.exec(ctx, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at IS NULL",
		now, userID, keep)
}

func (s *Service) getSetup(ctx context.Context, id string) (r setupRow, err error) {
	return r, s.first(ctx, &r, "id = ?", id)
}

// consumeSetups marks the setup token id used, and with it every other
// unused one; it reports whether id itself was still unused.
func (s *Service) consumeSetups(ctx context.Context, id string, now time.Time) (bool, error) {
	n, err := s.exec(ctx, "UPDATE setup_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL", now, id)
	if err != nil || n != 1 {
		return false, err
	}
	_, err = s.exec(ctx, "UPDATE setup_tokens SET used_at = ? WHERE used_at IS NULL", now)
	return true, err
}
