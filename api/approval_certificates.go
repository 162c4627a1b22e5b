package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/notary"
)

// DepartmentKey is the SM2 public key a department signs its electronic
// certificates with, for offline verification.
type DepartmentKey struct {
	DepartmentOrgID int64  `json:"departmentOrgId"`
	KeyID           string `json:"keyId"`
	PublicKeyPEM    string `json:"publicKeyPem"`
}

func (s *Server) issueCertificate(c *gin.Context) error {
	var req approval.IssueInput
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cert, err := svc.IssueCertificate(c.Request.Context(), caller(c), id, req)
	return reply(c, cert, err, true)
}

func (s *Server) caseCertificate(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.CaseCertificate(c.Request.Context(), caller(c), id)
	})
}

// certificatePDF serves the signed certificate file; X-Content-SM3 is the
// digest the public verification page shows.
func (s *Server) certificatePDF(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	cert, err := svc.CaseCertificate(ctx, caller(c), id)
	if err != nil {
		return err
	}
	file, err := svc.CertificatePDF(ctx, caller(c), id)
	if err != nil {
		return err
	}
	h := c.Writer.Header()
	h.Set("Content-Disposition", contentDisposition(cert.No+".pdf"))
	h.Set(SM3Header, cert.PDFSM3)
	h.Set("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", file)
	return nil
}

func (s *Server) revokeCertificate(c *gin.Context) error {
	var req ReasonRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	cert, err := svc.RevokeCertificate(c.Request.Context(), caller(c), c.Param("no"), req.Reason)
	return reply(c, cert, err, false)
}

func (s *Server) certificateStatus(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	cert, err := svc.CertificateStatus(c.Request.Context(), c.Param("no"))
	return reply(c, cert, err, false)
}

func (s *Server) departmentKey(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pem, err := svc.DepartmentPublicKey(c.Request.Context(), id)
	if err != nil {
		return err
	}
	pub, err := notary.ParsePublicKeyPEM(pem)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "public, max-age=300")
	return ok(c, DepartmentKey{DepartmentOrgID: id, KeyID: pub.ID, PublicKeyPEM: pub.PEM})
}
