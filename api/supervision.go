package api

import (
	"strconv"
	"time"

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
	return withServiceID(c, s.supervisionService, fn)
}

func (s *Server) trajectory(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	kind := c.Param("kind")
	if kind != "case" && kind != "section" && kind != "complaint" {
		return apperr.Newf(apperr.NotFound, "未知监察对象类型 %q", "unknown subject kind %q", kind)
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tr, err := svc.Trajectory(c.Request.Context(), caller(c), kind+":"+strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	if kind == "section" {
		// A section's log holds secrets (who bid, who downloaded) released
		// later: the same screen as the event routes. A case's events have
		// none from a supervisor of its department, whom Trajectory checked.
		evs, err := s.screenEvents(c.Request.Context(), caller(c), tr.Events)
		if err != nil {
			return err
		}
		tr.Steps = tr.Steps[:0]
		for _, e := range evs {
			tr.Steps = append(tr.Steps, supervision.StepOf(e))
		}
		tr.Bidders = s.bidderNames(c.Request.Context(), tr.Signals)
	}
	return ok(c, tr)
}

// EfficiencyRow is a department's efficiency index with its name.
type EfficiencyRow struct {
	supervision.DeptScore
	DepartmentName string `json:"departmentName"`
}

// EfficiencyView is the efficiency index of a period, best first.
type EfficiencyView struct {
	Period  string                 `json:"period"`
	From    string                 `json:"from"`
	To      string                 `json:"to"`
	Weights supervision.Efficiency `json:"weights"`
	Rows    []EfficiencyRow        `json:"rows"`
}

func (s *Server) efficiency(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	rep, err := svc.Efficiency(c.Request.Context(), caller(c), c.Query("period"))
	if err != nil {
		return err
	}
	return ok(c, s.efficiencyView(c, rep))
}

func (s *Server) publicEfficiency(c *gin.Context) error {
	svc, err := s.supervisionService()
	if err != nil {
		return err
	}
	rep, err := svc.PublicEfficiency(c.Request.Context(), c.Query("period"))
	if err != nil {
		return err
	}
	return ok(c, s.efficiencyView(c, rep))
}

// efficiencyView names each department; a department that cannot be read
// keeps its number.
func (s *Server) efficiencyView(c *gin.Context, rep supervision.EfficiencyReport) EfficiencyView {
	v := EfficiencyView{Period: rep.Period, From: rep.From.Format(time.RFC3339), To: rep.To.Format(time.RFC3339),
		Weights: rep.Weights, Rows: make([]EfficiencyRow, 0, len(rep.Rows))}
	names := map[int64]string{}
	for _, r := range rep.Rows {
		row := EfficiencyRow{DeptScore: r, DepartmentName: "#" + strconv.FormatInt(r.DepartmentOrgID, 10)}
		if name, ok := s.orgName(c.Request.Context(), r.DepartmentOrgID, names); ok {
			row.DepartmentName = name
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}
