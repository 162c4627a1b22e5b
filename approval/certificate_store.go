package approval

import (
	"context"
	"time"
)

type certRow struct {
	ID              int64      `gorm:"column:id;primaryKey"`
	CertNo          string     `gorm:"column:cert_no"`
	CaseID          int64      `gorm:"column:case_id"`
	DepartmentOrgID int64      `gorm:"column:department_org_id"`
	ApplicantUserID int64      `gorm:"column:applicant_user_id"`
	Body            string     `gorm:"column:body"`
	KeyID           string     `gorm:"column:key_id"`
	Signature       string     `gorm:"column:signature"`
	PDFKey          string     `gorm:"column:pdf_key"`
	PDFSM3          string     `gorm:"column:pdf_sm3"`
	ValidUntil      time.Time  `gorm:"column:valid_until"`
	State           string     `gorm:"column:state"`
	RevokedReason   string     `gorm:"column:revoked_reason"`
	RevokedAt       *time.Time `gorm:"column:revoked_at"`
	CreatedAt       time.Time  `gorm:"column:created_at"`
}

// TableName maps certRow to approval_certificates.
func (certRow) TableName() string { return "approval_certificates" }

func (c certRow) view(now time.Time) Certificate {
	status := c.State
	if status == CertValid && !now.Before(c.ValidUntil) {
		status = CertExpired
	}
	return Certificate{ID: c.ID, No: c.CertNo, CaseID: c.CaseID, Body: parseBody(c.Body), KeyID: c.KeyID, PDFSM3: c.PDFSM3,
		State: c.State, Status: status, RevokedReason: c.RevokedReason, RevokedAt: c.RevokedAt}
}

func (st store) certByCase(ctx context.Context, caseID int64) (certRow, error) {
	var c certRow
	err := st.conn(ctx).Where("case_id = ?", caseID).Take(&c).Error
	return c, notFound(err, "该办件没有电子证照", "the case has no certificate")
}

func (st store) certByNo(ctx context.Context, no string, lock bool) (certRow, error) {
	var c certRow
	q := st.conn(ctx).Where("cert_no = ?", no)
	if lock {
		q = st.locked(q)
	}
	err := q.Take(&c).Error
	return c, notFound(err, "电子证照不存在", "certificate not found")
}

func (st store) insertCert(ctx context.Context, c *certRow) error {
	return notFound(st.conn(ctx).Create(c).Error, "", "")
}

func (st store) revokeCert(ctx context.Context, id int64, reason string, at time.Time) error {
	return notFound(st.conn(ctx).Model(&certRow{}).Where("id = ?", id).
		Updates(map[string]any{"state": CertRevoked, "revoked_reason": reason, "revoked_at": at}).Error, "", "")
}

// orgName reads an organisation's name for printing on a certificate.
func (st store) orgName(ctx context.Context, id int64) (string, error) {
	var name string
	err := st.conn(ctx).Table("organizations").Select("name").Where("id = ?", id).Row().Scan(&name)
	return name, notFound(err, "部门不存在", "department not found")
}
