package api

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/notary"
)

// TestCertificatesOverHTTP: the officer issues the certificate of an
// approved case; its applicant downloads a PDF that verifies with the key
// the department publishes; anyone reads its status by number, which
// turns revoked when the issuing department — and only it — revokes.
func TestCertificatesOverHTTP(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		a := newApprovalEnv(t, e)
		applicant, officer := e.tokens[accounts.RoleApplicant], e.tokens[accounts.RoleOfficer]
		c := a.apply(t, applicant)
		base := fmt.Sprintf("/api/v1/approval/cases/%d", c.ID)
		wantStatus(t, e.do("PUT", base+"/materials/application?name=a.pdf", applicant, "申请书"), http.StatusCreated)
		a.act(t, applicant, base+"/submit", nil, http.StatusOK)
		a.act(t, officer, base+"/accept", nil, http.StatusOK)
		in := approval.IssueInput{Scope: "游泳场所", ValidMonths: 48}
		wantStatus(t, e.do("POST", base+"/certificate", officer, in), http.StatusConflict) // not yet approved
		a.act(t, officer, base+"/decision", CaseDecisionRequest{Decision: "approve"}, http.StatusOK)
		wantStatus(t, e.do("POST", base+"/certificate", a.officer2, in), http.StatusNotFound)
		wantStatus(t, e.do("POST", base+"/certificate", applicant, in), http.StatusForbidden)
		wantStatus(t, e.do("POST", base+"/certificate", officer, `{"scope": "x", "validMonths": "12"}`), http.StatusBadRequest)
		resp := e.do("POST", base+"/certificate", officer, in)
		wantStatus(t, resp, http.StatusCreated)
		var cert approval.Certificate
		decode(t, resp, &cert)

		wantStatus(t, e.do("GET", base+"/certificate/pdf", a.applicant2, nil), http.StatusNotFound)
		resp = e.do("GET", base+"/certificate/pdf", applicant, nil)
		wantStatus(t, resp, http.StatusOK)
		file, err := io.ReadAll(resp.Body)
		if err != nil || resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get(SM3Header) != notary.SM3Hex(file) {
			t.Fatalf("pdf: %v %s", err, resp.Header)
		}
		var key DepartmentKey
		decode(t, e.do("GET", fmt.Sprintf("/api/v1/public/approval/departments/%d/certificate-key", a.dept), "", nil), &key)
		pub, err := notary.ParsePublicKeyPEM(key.PublicKeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		if body, err := approval.VerifyCertificatePDF(file, pub); err != nil || body.No != cert.No || body.Holder != "张三" {
			t.Fatalf("verify: %+v %v", body, err)
		}

		status := "/api/v1/public/approval/certificates/" + cert.No
		var st approval.Certificate
		decode(t, e.do("GET", status, "", nil), &st)
		if st.Status != approval.CertValid || st.PDFSM3 != notary.SM3Hex(file) {
			t.Fatalf("status %+v", st)
		}
		wantStatus(t, e.do("POST", "/api/v1/approval/certificates/"+cert.No+"/revoke", a.officer2, ReasonRequest{Reason: "x"}), http.StatusForbidden)
		wantStatus(t, e.do("POST", "/api/v1/approval/certificates/"+cert.No+"/revoke", officer, ReasonRequest{Reason: "以欺骗手段取得"}), http.StatusOK)
		decode(t, e.do("GET", status, "", nil), &st)
		if st.Status != approval.CertRevoked || st.RevokedReason != "以欺骗手段取得" {
			t.Fatalf("status after revocation %+v", st)
		}
		wantStatus(t, e.do("GET", "/api/v1/public/approval/certificates/ZZ9-2026-000404", "", nil), http.StatusNotFound)
	})
}
