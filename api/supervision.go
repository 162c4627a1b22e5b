package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/supervision"
)

// WarningAnswer is an office's explanation or correction of a warning.
type WarningAnswer struct {
	Answer string `json:"answer" required:"true"`
}

// WarningReview is a supervisor's verdict on an answered warning; a
// rejection needs a note.
type WarningReview struct {
	Accept bool   `json:"accept"`
	Note   string `json:"note"`
}

// SupervisionRules is the rules in force with their shared thresholds.
type SupervisionRules struct {
	YellowUsedPercent int                `json:"yellowUsedPercent"`
	YellowDaysLeft    int                `json:"yellowDaysLeft"`
	AnswerWorkdays    int                `json:"answerWorkdays"`
	Rules             []supervision.Rule `json:"rules"`
}

func (s *Server) supervisionService() (*supervision.Service, error) {
	if s.deps.Supervision == nil {
		return nil, apperr.New(apperr.Unavailable, "电子监察服务未启用", "the supervision service is not configured").WithCode("no_supervision")
	}
	return s.deps.Supervision, nil
}

func (s *Server) supervisionRules(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	r := svc.Rules()
	return ok(c, SupervisionRules{YellowUsedPercent: r.YellowUsedPercent, YellowDaysLeft: r.YellowDaysLeft,
		AnswerWorkdays: r.AnswerWorkdays, Rules: r.List()})
}

func (s *Server) supervisionBoard(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", supervision.MaxList)
	if err != nil {
		return err
	}
	b, err := svc.Board(c.Request.Context(), caller(c), supervision.SubjectFilter{Kind: c.Query("kind"),
		Light: supervision.Light(c.Query("light")), Limit: int(limit)})
	return reply(c, b, err, false)
}

func (s *Server) supervisionWarnings(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	limit, err := queryInt(c, "limit", 500)
	if err != nil {
		return err
	}
	ws, err := svc.Warnings(c.Request.Context(), caller(c), supervision.WarningFilter{Subject: c.Query("subject"),
		State: supervision.WarningState(c.Query("state")), Limit: int(limit)})
	return reply(c, ws, err, false)
}

func (s *Server) answerWarning(c *gin.Context) error {
	var req WarningAnswer
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.withWarning(c, func(svc *supervision.Service, id int64) (any, error) {
		return svc.Answer(c.Request.Context(), caller(c), id, req.Answer)
	})
}

func (s *Server) reviewWarning(c *gin.Context) error {
	var req WarningReview
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	return s.withWarning(c, func(svc *supervision.Service, id int64) (any, error) {
		return svc.Review(c.Request.Context(), caller(c), id, req.Accept, req.Note)
	})
}

func (s *Server) withWarning(c *gin.Context, fn func(svc *supervision.Service, id int64) (any, error)) error {
	svc, err := s.supervisionService()
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

func (s *Server) trajectory(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	kind := c.Param("kind")
	if kind != "case" && kind != "section" {
		return apperr.Newf(apperr.NotFound, "未知监察对象类型 %q", "unknown subject kind %q", kind)
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tr, err := svc.Trajectory(c.Request.Context(), caller(c), kind+":"+strconv.FormatInt(id, 10))
	return reply(c, tr, err, false)
}
