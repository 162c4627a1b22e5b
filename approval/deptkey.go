package approval

import (
	"context"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

type deptKeyRow struct {
	DepartmentOrgID int64     `gorm:"column:department_org_id;primaryKey"`
	KeyID           string    `gorm:"column:key_id"`
	PublicPEM       string    `gorm:"column:public_pem"`
	PrivateSealed   string    `gorm:"column:private_sealed"`
	CreatedAt       time.Time `gorm:"column:created_at"`
}

// TableName maps deptKeyRow to approval_dept_keys.
func (deptKeyRow) TableName() string { return "approval_dept_keys" }

func deptKeyLabel(dept int64) string { return "approval.dept_key:" + strconv.FormatInt(dept, 10) }

// deptKey returns department dept's signing key, creating it on first use
// in ctx's transaction; the private half never leaves the database
// unsealed.
func (s *Service) deptKey(ctx context.Context, dept int64, now time.Time) (*notary.PrivateKey, error) {
	var row deptKeyRow
	err := s.st.conn(ctx).Where("department_org_id = ?", dept).Take(&row).Error
	if err == nil {
		plain, err := s.fields.Open(row.PrivateSealed, deptKeyLabel(dept))
		if err != nil {
			return nil, apperr.Wrap(err, apperr.Internal, "部门签名密钥无法解封", "the department's signing key cannot be unsealed")
		}
		return notary.ParsePrivateKeyPEM(plain, nil)
	}
	if err := notFound(err, "", ""); !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	k, err := notary.GenerateKey()
	if err != nil {
		return nil, err
	}
	pemText, err := k.MarshalPEM(nil)
	if err != nil {
		return nil, err
	}
	row = deptKeyRow{DepartmentOrgID: dept, KeyID: k.Public().ID, PublicPEM: k.Public().PEM,
		PrivateSealed: s.fields.Seal(pemText, deptKeyLabel(dept)), CreatedAt: now}
	added, err := s.st.insertNew(ctx, &row)
	if err != nil {
		return nil, err
	}
	if !added { // a concurrent first issuance made the key; this one retries
		return nil, apperr.New(apperr.Conflict, "部门签名密钥正在生成，请重试", "the department's signing key was being created; try again").WithCode("retry")
	}
	return k, nil
}

// DepartmentPublicKey returns the PEM of the key department dept signs
// certificates with, for inspectors and `tenderhall verify certificate`.
// Errors: NotFound when the department has issued none yet.
func (s *Service) DepartmentPublicKey(ctx context.Context, dept int64) (string, error) {
	var row deptKeyRow
	if err := s.st.conn(ctx).Where("department_org_id = ?", dept).Take(&row).Error; err != nil {
		return "", notFound(err, "该部门尚未签发电子证照", "the department has not issued a certificate yet")
	}
	return row.PublicPEM, nil
}
