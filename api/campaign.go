package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// The call campaign (issue 6 part 5): the project's agent starts calling a
// draw's experts and watches counts, never names; the supervisor of record
// enters an expert's cancellation; the carrier reports calls and messages
// through a signed callback, which is public but refused unless its
// HMAC signature and timestamp verify.

// maxCallbackBytes bounds a carrier callback's body.
const maxCallbackBytes = 64 << 10

// CancellationRequest records that an accepted expert will not come.
type CancellationRequest struct {
	ExpertID int64  `json:"expertId" required:"true"`
	Reason   string `json:"reason" required:"true"`
}

func (s *Server) startCampaign(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		var req experts.CampaignRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		p, err := svc.StartCampaign(c.Request.Context(), caller(c), id, req)
		return reply(c, p, err, true)
	})
}

func (s *Server) campaignProgress(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		p, err := svc.CampaignProgress(c.Request.Context(), caller(c), id)
		return reply(c, p, err, false)
	})
}

func (s *Server) cancelAttendance(c *gin.Context) error {
	return s.withExperts(c, func(svc *experts.Service, id int64) error {
		var req CancellationRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		p, err := svc.CancelAttendance(c.Request.Context(), caller(c), id, req.ExpertID, req.Reason)
		return reply(c, p, err, false)
	})
}

// carrierCallback takes a carrier's signed call or SMS report. Refusals
// are logged without the body (it names a phone call, not a secret, but
// nothing in it helps an operator more than the code does).
func (s *Server) carrierCallback(c *gin.Context) error {
	svc, err := s.expertsService()
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, maxCallbackBytes+1))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || len(body) > maxCallbackBytes:
		return apperr.Newf(apperr.TooLarge, "回调超过 %d 字节", "the callback exceeds %d bytes", maxCallbackBytes).WithCode("callback_too_large")
	case err != nil:
		return apperr.Wrap(err, apperr.Invalid, "读取回调失败", "could not read the callback")
	}
	if err := svc.HandleCallback(c.Request.Context(), c.Request.Header, body); err != nil {
		s.log.InfoContext(c.Request.Context(), "carrier callback refused", "request_id", requestID(c), "code", errCode(err))
		return err
	}
	return ok(c, gin.H{"ok": true})
}
