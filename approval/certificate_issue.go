package approval

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
)

// SetPublicURL sets the external base URL the certificates' QR codes and
// verification links point to; without it they are relative paths.
func (s *Service) SetPublicURL(u string) { s.publicURL = u }

// VerifyPath is the public verification page of certificate no.
func VerifyPath(no string) string { return "/verify/certificates/" + no }

// issue builds, renders, signs and stores the certificate of approved
// case r, in ctx's transaction.
func (s *Service) issue(ctx context.Context, actor accounts.Principal, r caseRow, in IssueInput) (certRow, error) {
	now := s.clock.Now()
	it, err := s.st.itemByID(ctx, r.ItemID)
	if err != nil {
		return certRow{}, err
	}
	dept, err := s.st.orgName(ctx, r.DepartmentOrgID)
	if err != nil {
		return certRow{}, err
	}
	view, err := s.view(ctx, r)
	if err != nil {
		return certRow{}, err
	}
	key, err := s.deptKey(ctx, r.DepartmentOrgID, now)
	if err != nil {
		return certRow{}, err
	}
	no := certNumber(r, now)
	until := now.AddDate(0, in.ValidMonths, 0)
	body, err := json.Marshal(CertificateBody{Type: CertificateType, No: no, CaseNo: view.CaseNo, ItemCode: it.Code, Title: it.Name,
		Holder: r.ApplicantName, HolderID: view.ApplicantIDMasked, Scope: in.Scope, Department: dept, DepartmentID: r.DepartmentOrgID,
		IssuedAt: clock.Stamp(now), ValidUntil: clock.Stamp(until), VerifyURL: s.publicURL + VerifyPath(no)})
	if err != nil {
		return certRow{}, err
	}
	doc, err := signedCertificatePDF(body, key, now)
	if err != nil {
		return certRow{}, err
	}
	c := certRow{CertNo: no, CaseID: r.ID, DepartmentOrgID: r.DepartmentOrgID, ApplicantUserID: r.ApplicantUserID, Body: string(body),
		KeyID: key.Public().ID, Signature: doc.signature, PDFKey: "approval/certificates/" + no + ".pdf", PDFSM3: notary.SM3Hex(doc.file),
		ValidUntil: until, State: CertValid, CreatedAt: now}
	if _, err := s.blobs.Save(ctx, c.PDFKey, bytes.NewReader(doc.file), int64(len(doc.file))); err != nil {
		return certRow{}, err
	}
	if err := s.st.insertCert(ctx, &c); err != nil {
		return certRow{}, err
	}
	lib := libraryRow{ApplicantUserID: r.ApplicantUserID, Kind: LibraryCertificate, MaterialKey: "cert:" + it.Code, Name: it.Name,
		FileName: no + ".pdf", BlobKey: c.PDFKey, SM3: c.PDFSM3, Size: int64(len(doc.file)), SourceCaseID: r.ID, ExpiresAt: until, CreatedAt: now}
	if _, err := s.st.insertNew(ctx, &lib); err != nil {
		return certRow{}, err
	}
	return c, s.append(ctx, EventCertificateIssued, caseSubject(r.ID), actor, map[string]any{"no": no, "keyId": c.KeyID,
		"bodySm3": notary.SM3Hex(body), "pdfSm3": c.PDFSM3, "validUntil": clock.Stamp(until)})
}

// CertificatePDF returns the signed PDF of case caseID's certificate
// to those who may read the case. Errors: NotFound.
func (s *Service) CertificatePDF(ctx context.Context, actor accounts.Principal, caseID int64) ([]byte, error) {
	c, err := s.CaseCertificate(ctx, actor, caseID)
	if err != nil {
		return nil, err
	}
	row, err := s.st.certByNo(ctx, c.No, false)
	if err != nil {
		return nil, err
	}
	return s.readBlob(ctx, row.PDFKey)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func (s *Service) readBlob(ctx context.Context, key string) ([]byte, error) {
	r, err := s.blobs.Open(ctx, key, 0, -1)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
