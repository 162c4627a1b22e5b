package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/evaluation"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

func (s *Server) getReviews(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.Reviews(c.Request.Context(), caller(c), id, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) putReview(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req ReviewRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.SaveReview(c.Request.Context(), caller(c), id, req.Entries, req.Submit, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) postConclusions(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req ConclusionsRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.Conclude(c.Request.Context(), caller(c), id, req.Conclusions, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) postCompetition(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req CompetitionRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.DecideCompetition(c.Request.Context(), caller(c), id, req.Effective, req.Reason, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) getScores(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.Scores(c.Request.Context(), caller(c), id, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) putScores(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req ScoresRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.SaveScores(c.Request.Context(), caller(c), id, req.Entries, req.Submit, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) getFlags(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.Flags(c.Request.Context(), caller(c), id, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) resolveFlag(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		flag, err := pathID(c, "flag")
		if err != nil {
			return err
		}
		var req evaluation.ResolveRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.ResolveFlag(c.Request.Context(), caller(c), id, flag, req, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) askBidder(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req evaluation.AskRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.Ask(c.Request.Context(), caller(c), id, req, c.ClientIP())
		return reply(c, v, err, true)
	})
}

func (s *Server) getClarifications(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.Clarifications(c.Request.Context(), caller(c), id, c.ClientIP())
		return reply(c, v, err, false)
	})
}

func (s *Server) myEvalClarifications(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.MyClarifications(c.Request.Context(), caller(c), id)
		return reply(c, v, err, false)
	})
}

func (s *Server) answerEvalClarification(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req AnswerRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.Answer(c.Request.Context(), caller(c), id, req.Answer)
		return reply(c, v, err, false)
	})
}

func (s *Server) draftReport(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		v, err := svc.DraftReport(c.Request.Context(), caller(c), id, c.ClientIP())
		return reply(c, v, err, true)
	})
}

// getReport serves the drafted report with its state as JSON, or once
// final the stored signed JSON or PDF (?format=signed|pdf).
func (s *Server) getReport(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		switch format := c.DefaultQuery("format", "json"); format {
		case "json":
			v, err := svc.ReportOf(c.Request.Context(), caller(c), id, c.ClientIP())
			return reply(c, v, err, false)
		case "signed", "pdf":
			doc, err := svc.ReportFile(c.Request.Context(), caller(c), id, format == "pdf", c.ClientIP())
			if err != nil {
				return err
			}
			ct := "application/json"
			if format == "pdf" {
				ct = "application/pdf"
				c.Header("Content-Disposition", contentDisposition("评标报告-"+strconv.FormatInt(id, 10)+".pdf"))
			}
			c.Header("Cache-Control", "private, no-store")
			c.Data(http.StatusOK, ct, doc)
			return nil
		default:
			return apperr.New(apperr.Invalid, "format 应为 json、signed 或 pdf", "format must be json, signed or pdf").WithField("format", "json, signed or pdf")
		}
	})
}

func (s *Server) signReport(c *gin.Context) error {
	return s.withEval(c, func(svc *evaluation.Service, id int64) error {
		var req evaluation.SignRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		v, err := svc.SignReport(c.Request.Context(), caller(c), id, req, c.ClientIP())
		return reply(c, v, err, false)
	})
}
