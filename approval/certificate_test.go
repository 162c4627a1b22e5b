package approval

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// TestCertificateIsSignedVerifiableAndRevocable: an approved case gets a
// PDF certificate signed with its department's key that verifies offline,
// fails on any change, is filed in the applicant's library, shows as
// revoked once revoked and as expired after its validity.
func TestCertificateIsSignedVerifiableAndRevocable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.svc.SetPublicURL("https://ggzy.example.gov.cn")
		it := e.saveItem(t, e.permitItem())
		c := e.finished(t, applicant, it.Code)
		in := IssueInput{Scope: "福州市鼓楼区某住宅项目 1#–3# 楼施工", ValidMonths: 12}

		_, err := e.svc.IssueCertificate(ctx, e.otherOfficer(), c.ID, in)
		wantErr(t, err, apperr.NotFound, "") // another department does not see the case at all
		_, err = e.svc.IssueCertificate(ctx, e.officer(), c.ID, IssueInput{ValidMonths: 12})
		wantErr(t, err, apperr.Invalid, "scope_required")
		_, err = e.svc.IssueCertificate(ctx, e.officer(), c.ID, IssueInput{Scope: "x", ValidMonths: 121})
		wantErr(t, err, apperr.Invalid, "bad_validity")

		cert, err := e.svc.IssueCertificate(ctx, e.officer(), c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		if cert.Status != CertValid || cert.Body.Holder != "福建榕城建设工程有限公司" || cert.Body.Scope != in.Scope ||
			cert.Body.Department != "福州市住房和城乡建设局" || !strings.HasPrefix(cert.Body.VerifyURL, "https://ggzy.example.gov.cn/verify/certificates/ZZ") {
			t.Fatalf("certificate %+v", cert)
		}
		if strings.Contains(cert.Body.HolderID, orgUSCC[4:14]) {
			t.Fatalf("the certificate prints the full USCC %q", cert.Body.HolderID)
		}
		_, err = e.svc.IssueCertificate(ctx, e.officer(), c.ID, in)
		wantErr(t, err, apperr.Conflict, "certificate_exists")

		file, err := e.svc.CertificatePDF(ctx, applicant, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CertificatePDF(ctx, applicant2, c.ID); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("another applicant read the certificate: %v", err)
		}
		if !bytes.HasPrefix(file, []byte("%PDF-")) || !bytes.Contains(file, []byte("%%EOF\n"+certTrailer)) || notary.SM3Hex(file) != cert.PDFSM3 {
			t.Fatalf("the file is not the PDF published with a signature trailer after %%%%EOF")
		}
		pem, err := e.svc.DepartmentPublicKey(ctx, e.dept)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := notary.ParsePublicKeyPEM(pem)
		if err != nil {
			t.Fatal(err)
		}
		body, err := VerifyCertificatePDF(file, pub)
		if err != nil {
			t.Fatalf("genuine certificate: %v", err)
		}
		if body != cert.Body || pub.ID != cert.KeyID {
			t.Fatalf("verified body %+v, want %+v", body, cert.Body)
		}
		e.wantCertRejected(t, file, pub)

		lib, err := e.svc.Library(ctx, applicant)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(lib, func(l LibraryEntry) bool {
			return l.Kind == LibraryCertificate && l.MaterialKey == "cert:"+it.Code && l.SM3 == notary.SM3Hex(file)
		}) {
			t.Fatalf("the certificate is not in the applicant's library: %+v", lib)
		}

		_, err = e.svc.RevokeCertificate(ctx, e.otherOfficer(), cert.No, "违法转包")
		wantErr(t, err, apperr.Forbidden, "other_department")
		_, err = e.svc.RevokeCertificate(ctx, e.officer(), cert.No, " ")
		wantErr(t, err, apperr.Invalid, "")
		e.clock.Advance(24 * time.Hour)
		if _, err := e.svc.RevokeCertificate(ctx, e.officer(), cert.No, "违法转包，依法吊销"); err != nil {
			t.Fatal(err)
		}
		st, err := e.svc.CertificateStatus(ctx, cert.No)
		if err != nil || st.Status != CertRevoked || st.RevokedReason != "违法转包，依法吊销" {
			t.Fatalf("status after revocation %+v, %v", st, err)
		}
		_, err = e.svc.RevokeCertificate(ctx, e.officer(), cert.No, "again")
		wantErr(t, err, apperr.Conflict, "already_revoked")
		if _, err := e.svc.CertificateStatus(ctx, "ZZ0-2026-999999"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown number: %v", err)
		}
		types := e.eventTypes(t, caseSubject(c.ID))
		if countOf(types, EventCertificateIssued) != 1 || countOf(types, EventCertificateRevoked) != 1 {
			t.Fatalf("events %v", types)
		}
	})
}

// wantCertRejected checks that a changed byte, a cut file, another key and
// a forged trailer each fail verification with their own code.
func (e *env) wantCertRejected(t *testing.T, file []byte, pub *notary.PublicKey) {
	t.Helper()
	flipped := bytes.Clone(file)
	flipped[len(flipped)/3] ^= 0x01
	other, err := notary.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.LastIndex(file, []byte("\n"+certTrailer))
	cases := []struct {
		name string
		file []byte
		pub  *notary.PublicKey
		code string
	}{
		{"changed byte", flipped, pub, "certificate_tampered"},
		{"trailer cut", file[:i], pub, "certificate_malformed"},
		{"trailer garbled", append(bytes.Clone(file[:i+1+len(certTrailer)]), "!!!"...), pub, "certificate_malformed"},
		{"other key", file, other.Public(), "wrong_key"},
		{"empty", nil, pub, "certificate_malformed"},
	}
	for _, c := range cases {
		_, err := VerifyCertificatePDF(c.file, c.pub)
		if ae, ok := apperr.As(err); !ok || ae.MachineCode() != c.code {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
}

// TestCertificateOnlyForApprovedCases: a refused case gets none, and a
// certificate past its validity reads expired.
func TestCertificateOnlyForApprovedCases(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		it := e.saveItem(t, e.permitItem())
		c := e.apply(t, applicant, it.Code)
		_, err := e.svc.IssueCertificate(ctx, e.officer(), c.ID, IssueInput{Scope: "x", ValidMonths: 1})
		wantErr(t, err, apperr.Conflict, "wrong_state")

		ok := e.finished(t, applicant2, it.Code)
		cert, err := e.svc.IssueCertificate(ctx, e.officer(), ok.ID, IssueInput{Scope: "x", ValidMonths: 1})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(32 * 24 * time.Hour)
		st, err := e.svc.CertificateStatus(ctx, cert.No)
		if err != nil || st.Status != CertExpired || st.State != CertValid {
			t.Fatalf("a month and a day later: %+v, %v", st, err)
		}
	})
}
