package approval

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// The certificate events.
const (
	EventCertificateIssued  = "approval.certificate_issued"
	EventCertificateRevoked = "approval.certificate_revoked"
)

// CertificateType names the signed content's format.
const CertificateType = "tenderhall.certificate.v1"

// CertificateLabel prefixes what a department signs: CertificateLabel ‖
// body ‖ "\n" ‖ the hex SM3 of the PDF without its signature trailer.
const CertificateLabel = "TenderHall electronic certificate v1\n"

// The certificate statuses a verification shows.
const (
	CertValid   = "valid"
	CertRevoked = "revoked"
	CertExpired = "expired"
)

// CertificateBody is the signed content of an electronic certificate.
type CertificateBody struct {
	Type         string `json:"type"`
	No           string `json:"no"`
	CaseNo       string `json:"caseNo"`
	ItemCode     string `json:"itemCode"`
	Title        string `json:"title"` // the item name, e.g. 食品经营许可
	Holder       string `json:"holder"`
	HolderID     string `json:"holderIdMasked"`
	Scope        string `json:"scope"`
	Department   string `json:"department"`
	DepartmentID int64  `json:"departmentOrgId"`
	IssuedAt     string `json:"issuedAt"`
	ValidUntil   string `json:"validUntil"`
	VerifyURL    string `json:"verifyUrl"`
}

// Certificate is an issued certificate as the platform serves it.
type Certificate struct {
	ID            int64           `json:"id"`
	No            string          `json:"no"`
	CaseID        int64           `json:"caseId"`
	Body          CertificateBody `json:"certificate"`
	KeyID         string          `json:"keyId"`
	PDFSM3        string          `json:"pdfSm3"`
	State         string          `json:"state"` // valid or revoked as stored
	Status        string          `json:"status"`
	RevokedReason string          `json:"revokedReason,omitempty"`
	RevokedAt     *time.Time      `json:"revokedAt,omitempty"`
}

// IssueInput is what the officer fills in for a certificate.
type IssueInput struct {
	Scope       string `json:"scope"`       // 许可范围 / 经营项目, printed on the certificate
	ValidMonths int    `json:"validMonths"` // 1–120
}

// certNumber is the certificate number: department, year and case id,
// unique because one case has at most one certificate.
func certNumber(r caseRow, now time.Time) string {
	return fmt.Sprintf("ZZ%d-%d-%06d", r.DepartmentOrgID, now.In(clock.Shanghai).Year(), r.ID)
}

func (in IssueInput) validate() error {
	if strings.TrimSpace(in.Scope) == "" || len([]rune(in.Scope)) > 500 {
		return apperr.New(apperr.Invalid, "请填写许可范围（至多 500 字）", "give the certificate's scope (at most 500 characters)").
			WithField("scope", "required, at most 500 characters").WithCode("scope_required")
	}
	if in.ValidMonths < 1 || in.ValidMonths > 120 {
		return apperr.Newf(apperr.Invalid, "有效期应为 1 至 120 个月，不是 %d", "the validity must be 1 to 120 months, not %d", in.ValidMonths).
			WithField("validMonths", "1 to 120").WithCode("bad_validity")
	}
	return nil
}

// IssueCertificate signs and stores the electronic certificate of an
// approved case with its department's key, puts it in the applicant's
// library and logs approval.certificate_issued, all in one transaction;
// the PDF is stored before the commit so a certificate never exists
// without its file. Errors: NotFound; Forbidden (officer_required,
// other_department); Conflict (wrong_state unless decided to approve or
// finished after approval, certificate_exists); Invalid (scope_required,
// bad_validity).
func (s *Service) IssueCertificate(ctx context.Context, actor accounts.Principal, caseID int64, in IssueInput) (Certificate, error) {
	if err := in.validate(); err != nil {
		return Certificate{}, err
	}
	var out certRow
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		r, err := s.forOfficer(ctx, actor, caseID)
		if err != nil {
			return err
		}
		if r.Decision != DecisionApprove || (r.State != string(CaseDecided) && r.State != string(CaseFinished)) {
			return stateError(r, "只有准予许可的办件才能签发电子证照", "only an approved case gets a certificate")
		}
		if _, err := s.st.certByCase(ctx, r.ID); err == nil {
			return apperr.New(apperr.Conflict, "该办件已签发电子证照", "the case already has a certificate").WithCode("certificate_exists")
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		out, err = s.issue(ctx, actor, r, in)
		return err
	})
	if err != nil {
		return Certificate{}, err
	}
	return out.view(s.clock.Now()), nil
}

// CaseCertificate returns the certificate of case caseID to those who may read
// the case. Errors: NotFound.
func (s *Service) CaseCertificate(ctx context.Context, actor accounts.Principal, caseID int64) (Certificate, error) {
	r, err := s.readable(ctx, actor, caseID, false)
	if err != nil {
		return Certificate{}, err
	}
	c, err := s.st.certByCase(ctx, r.ID)
	if err != nil {
		return Certificate{}, err
	}
	return c.view(s.clock.Now()), nil
}

// RevokeCertificate revokes certificate no (吊销/注销) with the reason the
// verification page shows, logging approval.certificate_revoked. Errors:
// NotFound; Forbidden (officer_required, other_department); Invalid
// reason_required; Conflict already_revoked.
func (s *Service) RevokeCertificate(ctx context.Context, actor accounts.Principal, no, reason string) (Certificate, error) {
	reason = strings.TrimSpace(reason)
	if err := needReason(reason); err != nil {
		return Certificate{}, err
	}
	var out certRow
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		c, err := s.st.certByNo(ctx, no, true)
		if err != nil {
			return err
		}
		if !actor.Has(accounts.RoleOfficer) || actor.OrgID != c.DepartmentOrgID {
			return apperr.New(apperr.Forbidden, "只有签发部门的工作人员可以吊销电子证照", "only an officer of the issuing department may revoke the certificate").
				WithCode("other_department")
		}
		if c.State == CertRevoked {
			return apperr.New(apperr.Conflict, "电子证照已吊销", "the certificate is revoked already").WithCode("already_revoked")
		}
		now := s.clock.Now()
		if err := s.st.revokeCert(ctx, c.ID, reason, now); err != nil {
			return err
		}
		c.State, c.RevokedReason, c.RevokedAt = CertRevoked, reason, &now
		out = c
		return s.append(ctx, EventCertificateRevoked, caseSubject(c.CaseID), actor, map[string]any{"no": c.CertNo, "reason": reason})
	})
	if err != nil {
		return Certificate{}, err
	}
	return out.view(s.clock.Now()), nil
}

// CertificateStatus is what the public verification page (the QR code's
// target) shows: holder, scope, validity and status, with the digest of
// the genuine PDF to compare. Errors: NotFound.
func (s *Service) CertificateStatus(ctx context.Context, no string) (Certificate, error) {
	c, err := s.st.certByNo(ctx, no, false)
	if err != nil {
		return Certificate{}, err
	}
	return c.view(s.clock.Now()), nil
}

func parseBody(raw string) CertificateBody {
	var b CertificateBody
	_ = json.Unmarshal([]byte(raw), &b) // written by issue from a CertificateBody
	return b
}
