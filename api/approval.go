package api

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/approval"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Role rules of the approval routes (行政审批): the guides are public;
// administrators keep the catalogue; applicants file and follow cases;
// window officers act on them. approval.Service narrows every case route
// to the case's applicant, the officers of its department, supervisors
// and administrators, answering 404 to anyone else.

// MaterialUploadLimit is the request body limit of the material upload
// route: the largest material file.
const MaterialUploadLimit = approval.MaxMaterialBytes

// ItemGuide is an item as its public guide (办事指南) shows it.
type ItemGuide struct {
	approval.Item
	Stars          int    `json:"stars"`          // 5★ zero visits, 4★ one, 3★ two or more
	DepartmentName string `json:"departmentName"` // the deciding department (审批部门)
}

// ReasonRequest carries the reason of a refusal.
type ReasonRequest struct {
	Reason string `json:"reason" required:"true"`
}

// MissingRequest is the one notice of missing materials (一次性告知).
type MissingRequest struct {
	Missing []string `json:"missing" required:"true"` // material keys
	Note    string   `json:"note,omitempty"`
}

// SuspendRequest stops a case's clock.
type SuspendRequest struct {
	Kind   string `json:"kind" required:"true"` // hearing, inspection, experts, correction
	Reason string `json:"reason" required:"true"`
}

// CaseDecisionRequest decides an accepted case.
type CaseDecisionRequest struct {
	Decision string `json:"decision" required:"true"` // approve or deny
	Reason   string `json:"reason,omitempty"`         // required for deny
}

func (s *Server) approvalService() (*approval.Service, error) {
	if s.deps.Approval == nil {
		return nil, apperr.New(apperr.Unavailable, "行政审批服务未启用", "the approval service is not configured").WithCode("no_approval")
	}
	return s.deps.Approval, nil
}

// withCase runs fn with the approval service and the :id path parameter.
func (s *Server) withCase(c *gin.Context, fn func(svc *approval.Service, id int64) (any, error)) error {
	return withServiceID(c, s.approvalService, fn)
}

// withServiceID runs fn with the service get returns (an error when it is
// not configured) and the :id path parameter, and replies 200 with its
// result.
func withServiceID[S any](c *gin.Context, get func() (S, error), fn func(svc S, id int64) (any, error)) error {
	svc, err := get()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := fn(svc, id)
	return reply(c, v, err, false)
}

// guideOf adds what the guide shows beside the item; names are looked up
// once per department (a list has few departments and many items).
func (s *Server) guideOf(ctx context.Context, it approval.Item, names map[int64]string) ItemGuide {
	name, _ := s.orgName(ctx, it.DepartmentOrgID, names)
	return ItemGuide{Item: it, Stars: it.Stars(), DepartmentName: name}
}

// orgName is an organisation's name, looked up once per id in names
// ("" and false when it cannot be read; the caller shows what it can).
func (s *Server) orgName(ctx context.Context, id int64, names map[int64]string) (string, bool) {
	if name, seen := names[id]; seen {
		return name, name != ""
	}
	name := ""
	if o, err := s.deps.Accounts.GetOrg(ctx, id); err == nil {
		name = o.Name
	}
	names[id] = name
	return name, name != ""
}

func (s *Server) publicItems(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	items, err := svc.Items(c.Request.Context(), c.Query("q"), false)
	if err != nil {
		return err
	}
	out := make([]ItemGuide, len(items))
	names := map[int64]string{}
	for i, it := range items {
		out[i] = s.guideOf(c.Request.Context(), it, names)
	}
	return ok(c, out)
}

func (s *Server) publicItem(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	it, err := svc.Item(c.Request.Context(), c.Param("code"))
	if err != nil {
		return err
	}
	return ok(c, s.guideOf(c.Request.Context(), it, map[int64]string{}))
}

func (s *Server) importItems(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	body, err := readImportFile(c)
	if err != nil {
		return err
	}
	rep, err := svc.ImportItems(c.Request.Context(), caller(c), body)
	return reply(c, rep, err, true)
}

func (s *Server) saveItem(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	var it approval.Item
	if err := decodeJSON(c, &it); err != nil {
		return err
	}
	saved, err := svc.SaveItem(c.Request.Context(), caller(c), it)
	return reply(c, saved, err, true)
}

func (s *Server) retireItem(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	if err := svc.RetireItem(c.Request.Context(), caller(c), c.Param("code")); err != nil {
		return err
	}
	it, err := svc.Item(c.Request.Context(), c.Param("code"))
	return reply(c, it, err, false)
}

func (s *Server) applyCase(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	var a approval.Application
	if err := decodeJSON(c, &a); err != nil {
		return err
	}
	cs, err := svc.Apply(c.Request.Context(), caller(c), a)
	return reply(c, cs, err, true)
}

func (s *Server) listCases(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	cs, err := svc.Cases(c.Request.Context(), caller(c), approval.CaseState(c.Query("state")))
	return reply(c, cs, err, false)
}

func (s *Server) getCase(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Case(c.Request.Context(), caller(c), id)
	})
}

// putMaterial streams the raw request body as one material's file
// (?name= its file name), never buffering it whole.
func (s *Server) putMaterial(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := svc.PutMaterial(c.Request.Context(), caller(c), id, approval.MaterialUpload{Material: c.Param("material"),
		FileName: c.Query("name"), Size: c.Request.ContentLength, Body: c.Request.Body})
	return reply(c, m, err, true)
}

func (s *Server) caseMaterials(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Materials(c.Request.Context(), caller(c), id)
	})
}

// downloadMaterial streams one material's file with its SM3 digest.
func (s *Server) downloadMaterial(c *gin.Context) error {
	svc, err := s.approvalService()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, body, err := svc.OpenMaterial(c.Request.Context(), caller(c), id, c.Param("material"))
	if err != nil {
		return err
	}
	defer body.Close()
	h := c.Writer.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(m.Size, 10))
	h.Set("Content-Disposition", contentDisposition(m.FileName))
	h.Set(SM3Header, m.SM3)
	h.Set("Cache-Control", "private, no-store")
	c.Status(http.StatusOK)
	if _, err := io.Copy(c.Writer, body); err != nil {
		s.log.WarnContext(c.Request.Context(), "material download interrupted", "request_id", requestID(c), "case", id, "err", err)
	}
	return nil
}

func (s *Server) submitCase(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Submit(c.Request.Context(), caller(c), id)
	})
}

func (s *Server) acceptCase(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Accept(c.Request.Context(), caller(c), id)
	})
}

func (s *Server) refuseCase(c *gin.Context) error {
	var req ReasonRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Refuse(c.Request.Context(), caller(c), id, req.Reason)
	})
}

func (s *Server) requestMissing(c *gin.Context) error {
	var req MissingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.RequestMaterials(c.Request.Context(), caller(c), id, req.Missing, req.Note)
	})
}

func (s *Server) suspendCase(c *gin.Context) error {
	var req SuspendRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Suspend(c.Request.Context(), caller(c), id, approval.SuspensionKind(req.Kind), req.Reason)
	})
}

func (s *Server) resumeCase(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Resume(c.Request.Context(), caller(c), id)
	})
}

func (s *Server) caseSuspensions(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Suspensions(c.Request.Context(), caller(c), id)
	})
}

func (s *Server) decideCase(c *gin.Context) error {
	var req CaseDecisionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Decide(c.Request.Context(), caller(c), id, req.Decision, req.Reason)
	})
}

func (s *Server) finishCase(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Finish(c.Request.Context(), caller(c), id)
	})
}

func (s *Server) withdrawCase(c *gin.Context) error {
	return s.withCase(c, func(svc *approval.Service, id int64) (any, error) {
		return svc.Withdraw(c.Request.Context(), caller(c), id)
	})
}
