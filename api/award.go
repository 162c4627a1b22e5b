package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/evaluation"
)

func (s *Server) publishCandidates(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req PublicityRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.PublishCandidates(c.Request.Context(), caller(c), id, req.Days)
		return reply(c, v, err, true)
	})
}

func (s *Server) publicCandidates(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.PublicityOf(c.Request.Context(), id)
		return reply(c, v, err, false)
	})
}

func (s *Server) raiseAwardObjection(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req ObjectionRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.RaiseObjection(c.Request.Context(), caller(c), id, req.Body)
		return reply(c, v, err, true)
	})
}

func (s *Server) listAwardObjections(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.Objections(c.Request.Context(), caller(c), id)
		return reply(c, v, err, false)
	})
}

func (s *Server) answerAwardObjection(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req AnswerRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.AnswerObjection(c.Request.Context(), caller(c), id, req.Answer)
		return reply(c, v, err, false)
	})
}

func (s *Server) issueAward(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req evaluation.AwardRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.IssueAward(c.Request.Context(), caller(c), id, req)
		return reply(c, v, err, true)
	})
}

func (s *Server) publicResult(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.AwardOf(c.Request.Context(), id)
		return reply(c, v, err, false)
	})
}

func (s *Server) listNotices(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.Notices(c.Request.Context(), caller(c), id)
		return reply(c, v, err, false)
	})
}

func (s *Server) noticePDF(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		doc, err := svc.NoticePDF(c.Request.Context(), caller(c), id)
		if err != nil {
			return err
		}
		c.Header("Content-Disposition", contentDisposition("通知书-"+strconv.FormatInt(id, 10)+".pdf"))
		c.Header("Cache-Control", "private, no-store")
		c.Data(http.StatusOK, "application/pdf", doc)
		return nil
	})
}

func (s *Server) recordContract(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req evaluation.ContractRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.RecordContract(c.Request.Context(), caller(c), id, req)
		return reply(c, v, err, false)
	})
}
