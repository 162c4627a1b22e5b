package accounts

import (
	"context"
	"strings"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// UserKey is a staff member's own SM2 public key: a supervisor's holds a
// share of a section escrow key (issue Opening, escrow remedy).
type UserKey struct {
	UserID int64  `json:"userId"`
	PEM    string `json:"publicKey"`
	KeyID  string `json:"keyId"`
}

// SetUserPublicKey registers or replaces the caller's own SM2 public key
// (a PUBLIC KEY or CERTIFICATE PEM, stored normalised) and audits the old
// and new key ids. Supervisors register one (escrow shares are wrapped to
// it) and experts (they sign avoidance declarations and the evaluation
// report with it). Errors: apperr.Forbidden (neither), apperr.Invalid
// for a key notary.ParsePublicKeyPEM rejects, apperr.NotFound.
func (s *Service) SetUserPublicKey(ctx context.Context, actor Principal, pemText string) (UserKey, error) {
	if !(actor.Has(RoleSupervisor) || actor.Has(RoleExpert)) || actor.UserID == 0 {
		return UserKey{}, apperr.New(apperr.Forbidden, "只有监督人员（托管密钥份额）和评标专家（签署评标报告）登记个人 SM2 公钥",
			"only supervisors (escrow key shares) and experts (signing the evaluation report) register a personal SM2 key")
	}
	key, err := notary.ParsePublicKeyPEM(strings.TrimSpace(pemText))
	if err != nil {
		return UserKey{}, err
	}
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		old, err := s.UserPublicKey(ctx, actor.UserID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if _, err := s.exec(ctx, "UPDATE users SET sm2_public_key = ?, updated_at = ? WHERE id = ?", key.PEM, s.now(), actor.UserID); err != nil {
			return err
		}
		return s.audit(ctx, EventUserKeyRegistered, userRef(actor.UserID), actor.Actor(),
			map[string]any{"keyId": key.ID, "previousKeyId": old.KeyID, "replaced": old.KeyID != ""})
	})
	return UserKey{UserID: actor.UserID, PEM: key.PEM, KeyID: key.ID}, err
}

// UserPublicKey returns a user's registered SM2 public key. Errors:
// apperr.NotFound (no such user, or no key registered).
func (s *Service) UserPublicKey(ctx context.Context, userID int64) (UserKey, error) {
	var rows []struct {
		PEM *string `gorm:"column:sm2_public_key"`
	}
	if err := s.conn(ctx).Raw("SELECT sm2_public_key FROM users WHERE id = ?", userID).Scan(&rows).Error; err != nil {
		return UserKey{}, storage.Translate(err)
	}
	if len(rows) == 0 || rows[0].PEM == nil || *rows[0].PEM == "" {
		return UserKey{}, apperr.Newf(apperr.NotFound, "用户 %d 未登记 SM2 公钥", "user %d has no registered SM2 key", userID).WithCode("no_user_key")
	}
	key, err := notary.ParsePublicKeyPEM(*rows[0].PEM)
	if err != nil {
		return UserKey{}, err
	}
	return UserKey{UserID: userID, PEM: key.PEM, KeyID: key.ID}, nil
}
