package supervision

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// DeptScore is one department's efficiency index (效能指数) for a period:
// its figures, each part scored 0..100, the weighted score, its rank and
// grade.
type DeptScore struct {
	DepartmentOrgID int64   `json:"departmentOrgId"`
	Finished        int     `json:"finished"`     // cases whose promised limit ended in the period
	OnTime          int     `json:"onTime"`       // of them, by their promised date
	AvgUsed         float64 `json:"avgUsed"`      // average share of the promised limit used, 0..1+
	Warnings        int     `json:"warnings"`     // warnings raised in the period
	Red             int     `json:"red"`          // of them, red
	Ratings         int     `json:"ratings"`      // ratings given in the period
	Satisfaction    float64 `json:"satisfaction"` // their average level, 1..5 (0 without ratings)
	Complaints      int     `json:"complaints"`
	Parts           Parts   `json:"parts"`
	Score           float64 `json:"score"` // 0..100, two decimals, half up
	Rank            int     `json:"rank"`
	Grade           string  `json:"grade"` // 优秀, 良好, 合格 or 不合格
}

// Parts are the index's parts, each 0..100.
type Parts struct {
	OnTime, TimeUsed, Warnings, Red, Satisfaction, Complaints float64
}

// EfficiencyReport is the index of every department for one period.
type EfficiencyReport struct {
	Period  string      `json:"period"` // "2026-11" or "2026-Q4"
	From    time.Time   `json:"from"`
	To      time.Time   `json:"to"`
	Weights Efficiency  `json:"weights"`
	Rows    []DeptScore `json:"rows"` // best first
}

// ParsePeriod reads "YYYY-MM" (a month) or "YYYY-Qn" (a quarter), Beijing
// time, and returns its bounds [from, to) and the months in it.
// Errors: apperr.Invalid naming the period.
func ParsePeriod(p string) (from, to time.Time, months []string, err error) {
	bad := apperr.Newf(apperr.Invalid, "期间 %q 应为 2026-11 或 2026-Q4", "period %q must look like 2026-11 or 2026-Q4", p).WithField("period", "invalid")
	y, rest, ok := strings.Cut(p, "-")
	year, yerr := strconv.Atoi(y)
	if !ok || yerr != nil || len(y) != 4 {
		return from, to, nil, bad
	}
	first, n := 0, 1
	if q, isQ := strings.CutPrefix(rest, "Q"); isQ {
		k, e := strconv.Atoi(q)
		if e != nil || k < 1 || k > 4 || len(q) != 1 {
			return from, to, nil, bad
		}
		first, n = (k-1)*3+1, 3
	} else {
		m, e := strconv.Atoi(rest)
		if e != nil || m < 1 || m > 12 || len(rest) != 2 {
			return from, to, nil, bad
		}
		first = m
	}
	from = time.Date(year, time.Month(first), 1, 0, 0, 0, 0, clock.Shanghai)
	to = from.AddDate(0, n, 0)
	for i := 0; i < n; i++ {
		months = append(months, "rated:"+from.AddDate(0, i, 0).Format("2006-01"))
	}
	return from.UTC(), to.UTC(), months, nil
}

// Efficiency computes the index of every approval department for period,
// from the timers, warnings and ratings supervision holds (all derived
// from the event log, so the same data always gives the same report).
// Errors: apperr.Forbidden unless the actor is a supervisor or an
// administrator; apperr.Invalid for a malformed period.
func (s *Service) Efficiency(ctx context.Context, actor accounts.Principal, period string) (EfficiencyReport, error) {
	if actor.UserID == 0 || !(actor.Has(accounts.RoleSupervisor) || actor.Has(accounts.RoleAdmin)) {
		return EfficiencyReport{}, apperr.New(apperr.Forbidden, "只有监察人员可以查看效能指数", "only supervisors may see the efficiency index").WithCode("supervisor_required")
	}
	return s.efficiency(ctx, period, false)
}

// PublicEfficiency is the index of a period that has ended, as the portal
// publishes it for public scrutiny; a running period is not published.
// Errors: apperr.Invalid for a malformed period; apperr.Conflict
// (period_running) for one not yet over.
func (s *Service) PublicEfficiency(ctx context.Context, period string) (EfficiencyReport, error) {
	return s.efficiency(ctx, period, true)
}

func (s *Service) efficiency(ctx context.Context, period string, ended bool) (EfficiencyReport, error) {
	from, to, months, err := ParsePeriod(period)
	if err != nil {
		return EfficiencyReport{}, err
	}
	if ended && s.now().Before(to) {
		return EfficiencyReport{}, apperr.Newf(apperr.Conflict, "期间 %s 尚未结束，结束后公布", "period %s has not ended; it is published when it has", period).WithCode("period_running")
	}
	stats, err := s.st.efficiencyStats(ctx, from, to, months)
	if err != nil {
		return EfficiencyReport{}, err
	}
	rep := EfficiencyReport{Period: period, From: from, To: to, Weights: s.rules.Efficiency, Rows: []DeptScore{}}
	for _, d := range stats {
		rep.Rows = append(rep.Rows, s.rules.Efficiency.score(*d))
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i], rep.Rows[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.DepartmentOrgID < b.DepartmentOrgID
	})
	for i := range rep.Rows {
		rep.Rows[i].Rank = i + 1
		if i > 0 && rep.Rows[i].Score == rep.Rows[i-1].Score {
			rep.Rows[i].Rank = rep.Rows[i-1].Rank // equal scores share a rank
		}
	}
	return rep, nil
}

// score weighs a department's figures. Each part is 0..100: the on-time
// rate; 100 × (1 − the average share of the limit used); 100 × (1 −
// warnings per finished case), the same for red lights and complaints;
// (average rating − 1) / 4 × 100. A part without data (no finished case,
// no rating) scores 100: nothing counted against the department.
func (e Efficiency) score(d deptStats) DeptScore {
	out := DeptScore{DepartmentOrgID: d.Dept, Finished: d.Finished, OnTime: d.OnTime, Warnings: d.Warnings, Red: d.Red, Ratings: d.Ratings}
	per := func(n int) float64 {
		if d.Finished == 0 {
			return clamp(100 - 100*float64(n))
		}
		return clamp(100 * (1 - float64(n)/float64(d.Finished)))
	}
	p := Parts{OnTime: 100, TimeUsed: 100, Warnings: per(d.Warnings), Red: per(d.Red), Satisfaction: 100, Complaints: per(0)}
	if d.Finished > 0 {
		out.AvgUsed = d.UsedSum / float64(d.Finished)
		p.OnTime = 100 * float64(d.OnTime) / float64(d.Finished)
		p.TimeUsed = clamp(100 * (1 - out.AvgUsed))
	}
	if d.Ratings > 0 {
		out.Satisfaction = float64(d.LevelSum) / float64(d.Ratings)
		p.Satisfaction = (out.Satisfaction - 1) / 4 * 100
	}
	out.Parts = p
	w := float64(e.OnTime + e.TimeUsed + e.Warnings + e.Red + e.Satisfaction + e.Complaints)
	sum := float64(e.OnTime)*p.OnTime + float64(e.TimeUsed)*p.TimeUsed + float64(e.Warnings)*p.Warnings +
		float64(e.Red)*p.Red + float64(e.Satisfaction)*p.Satisfaction + float64(e.Complaints)*p.Complaints
	out.Score = math.Floor(sum/w*100+0.5+1e-9) / 100
	switch {
	case out.Score >= float64(e.Excellent):
		out.Grade = "优秀"
	case out.Score >= float64(e.Good):
		out.Grade = "良好"
	case out.Score >= float64(e.Pass):
		out.Grade = "合格"
	default:
		out.Grade = "不合格"
	}
	return out
}

func clamp(x float64) float64 { return math.Max(0, math.Min(100, x)) }
