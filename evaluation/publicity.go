package evaluation

import (
	"context"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// PublicityDays is the shortest candidate publicity, and how many days
// after the report the candidates must be published.
const PublicityDays = 3

// ObjectionAnswerDays is how long the agent has to answer an objection
// during publicity.
const ObjectionAnswerDays = 3

// Candidate is a published candidate (中标候选人): what the public sees,
// never an individual expert's scores.
type Candidate struct {
	Rank         int               `json:"rank"`
	BidID        int64             `json:"bidId"`
	BidderOrgID  int64             `json:"bidderOrgId"`
	BidderName   string            `json:"bidderName"`
	PriceFen     int64             `json:"priceFen"`
	DurationDays int               `json:"durationDays"`
	Quality      string            `json:"quality,omitempty"`
	Commitments  map[string]string `json:"commitments,omitempty"`
	Total        Points            `json:"total"`
}

// Publicity is a section's candidate publicity (中标候选人公示).
type Publicity struct {
	SectionID   int64       `json:"sectionId" gorm:"column:section_id;primaryKey"`
	SessionID   int64       `json:"-" gorm:"column:session_id"`
	StartsAt    time.Time   `json:"startsAt" gorm:"column:starts_at"`
	EndsAt      time.Time   `json:"endsAt" gorm:"column:ends_at"`
	Candidates  []Candidate `json:"candidates" gorm:"column:candidates;serializer:json"`
	Late        bool        `json:"late" gorm:"column:late"` // published more than PublicityDays after the report
	PublishedBy int64       `json:"-" gorm:"column:published_by"`
	CreatedAt   time.Time   `json:"-" gorm:"column:created_at"`
	Sandbox     bool        `json:"sandbox,omitempty" gorm:"-"`
}

// TableName maps Publicity to its table.
func (Publicity) TableName() string { return "award_publicity" }

// PublishCandidates publishes the report's candidates (at most three) for
// days (at least PublicityDays; the publicity ends at the end of the last
// day, a holiday last day moving to the next working day). Publishing
// later than PublicityDays after the report is allowed and recorded as
// late for the supervisor. Errors: apperr.Forbidden (not_project_agent);
// apperr.Conflict (report_not_final, invalid_transition);
// apperr.Invalid (days).
func (s *Service) PublishCandidates(ctx context.Context, actor accounts.Principal, sectionID int64, days int) (Publicity, error) {
	if days == 0 {
		days = PublicityDays
	}
	if days < PublicityDays || days > 30 {
		return Publicity{}, apperr.New(apperr.Invalid, "公示期为 3 到 30 日", "the publicity lasts 3 to 30 days").WithField("days", "3 to 30")
	}
	var p Publicity
	err := s.agentTx(ctx, actor, sectionID, func(ctx context.Context, _ bidding.EvaluationFacts) error {
		sess, rep, final, err := s.finalReport(ctx, sectionID)
		if err != nil {
			return err
		}
		cal, err := s.calendar(ctx)
		if err != nil {
			return err
		}
		now := s.now()
		p = Publicity{SectionID: sectionID, SessionID: sess.ID, StartsAt: now, EndsAt: clock.EndOfDay(cal.AddDays(now, days)),
			Candidates: candidateList(sess, rep), Late: publicityLate(cal, final, now), PublishedBy: actor.UserID, CreatedAt: now}
		if err := s.st.insert(ctx, &p); err != nil {
			return err
		}
		if err := s.bidding.MoveSection(ctx, sectionID, bidding.StateCandidates, actor.Actor(),
			map[string]any{"endsAt": p.EndsAt, "candidates": len(p.Candidates), "late": p.Late}); err != nil {
			return err
		}
		return s.log(ctx, "award.candidates_published", sectionRef(sectionID), actor.Actor(),
			map[string]any{"startsAt": p.StartsAt, "endsAt": p.EndsAt, "candidates": p.Candidates, "late": p.Late})
	})
	p.Sandbox = s.bidding.Sandbox()
	return p, err
}

// publicityLate reports whether candidates published at now come later
// than PublicityDays after the report became final.
func publicityLate(cal *clock.Calendar, final, now time.Time) bool {
	return now.After(cal.AddDays(final, PublicityDays))
}

// finalReport returns the section's session, its report and when the
// report became final; apperr.Conflict (report_not_final) before that.
func (s *Service) finalReport(ctx context.Context, sectionID int64) (Session, Report, time.Time, error) {
	sess, err := s.st.sessionOfSection(ctx, sectionID, false)
	if err != nil {
		return sess, Report{}, time.Time{}, err
	}
	var rows []reportRow
	if err := s.st.find(ctx, &rows, "", "session_id = ?", sess.ID); err != nil {
		return sess, Report{}, time.Time{}, err
	}
	if len(rows) == 0 || rows[0].FinalAt == nil {
		return sess, Report{}, time.Time{}, apperr.New(apperr.Conflict, "评标报告尚未由全体成员签署", "the report is not signed by every member yet").WithCode("report_not_final")
	}
	var rep Report
	if err := jsonUnmarshal(rows[0].Body, &rep); err != nil {
		return sess, rep, time.Time{}, err
	}
	return sess, rep, *rows[0].FinalAt, nil
}

func candidateList(sess Session, rep Report) []Candidate {
	out := []Candidate{}
	for _, st := range rep.Candidates {
		b, _ := sess.bid(st.BidID)
		out = append(out, Candidate{Rank: st.Rank, BidID: st.BidID, BidderOrgID: st.BidderOrgID, BidderName: st.BidderName, PriceFen: st.PriceFen,
			DurationDays: b.DurationDays, Quality: b.Quality, Commitments: b.Commitments, Total: st.Total})
	}
	return out
}

// PublicityOf returns a section's candidate publicity, to anyone.
// Errors: apperr.NotFound (no_publicity).
func (s *Service) PublicityOf(ctx context.Context, sectionID int64) (Publicity, error) {
	var p Publicity
	err := s.st.take(ctx, false, &p, "中标候选人尚未公示", "the candidates are not published", "section_id = ?", sectionID)
	p.Sandbox = s.bidding.Sandbox()
	return p, err
}

// AwardObjection is a bidder's objection during the publicity (异议).
type AwardObjection struct {
	ID            int64      `json:"id" gorm:"column:id;primaryKey"`
	SectionID     int64      `json:"sectionId" gorm:"column:section_id"`
	BidderOrgID   int64      `json:"bidderOrgId" gorm:"column:bidder_org_id"`
	UserID        int64      `json:"-" gorm:"column:user_id"`
	Body          string     `json:"body" gorm:"column:body"`
	RaisedAt      time.Time  `json:"raisedAt" gorm:"column:raised_at"`
	DueAt         time.Time  `json:"dueAt" gorm:"column:due_at"`
	Answer        *string    `json:"answer,omitempty" gorm:"column:answer"`
	AnsweredAt    *time.Time `json:"answeredAt,omitempty" gorm:"column:answered_at"`
	AnsweredBy    *int64     `json:"-" gorm:"column:answered_by"`
	OverdueWarned bool       `json:"-" gorm:"column:overdue_warned"`
}

// TableName maps AwardObjection to its table.
func (AwardObjection) TableName() string { return "award_objections" }

// RaiseObjection lets a bidder of the section object during the
// publicity; the award waits until it is answered. Errors:
// apperr.Forbidden (not_a_bidder of the section); apperr.NotFound
// (no_publicity); apperr.TooLate (publicity_over); apperr.Invalid.
func (s *Service) RaiseObjection(ctx context.Context, actor accounts.Principal, sectionID int64, body string) (AwardObjection, error) {
	body = strings.TrimSpace(body)
	if n := len([]rune(body)); n == 0 || n > 5000 {
		return AwardObjection{}, apperr.New(apperr.Invalid, "请填写异议内容（不超过5000字）", "write the objection, at most 5000 characters").WithField("body", "1 to 5000 characters")
	}
	var o AwardObjection
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		p, err := s.PublicityOf(ctx, sectionID)
		if err != nil {
			return err
		}
		if err := s.requireBidderOf(ctx, actor, sectionID); err != nil {
			return err
		}
		now := s.now()
		if !now.Before(p.EndsAt) {
			return apperr.New(apperr.TooLate, "公示期已结束，不能再提出异议", "the publicity is over; objections are closed").WithCode("publicity_over")
		}
		cal, err := s.calendar(ctx)
		if err != nil {
			return err
		}
		o = AwardObjection{SectionID: sectionID, BidderOrgID: actor.OrgID, UserID: actor.UserID, Body: body, RaisedAt: now, DueAt: cal.AddDays(now, ObjectionAnswerDays)}
		if err := s.st.insert(ctx, &o); err != nil {
			return err
		}
		return s.log(ctx, "award.objection_raised", sectionRef(sectionID), actor.Actor(), map[string]any{"objectionId": o.ID, "dueAt": o.DueAt, "bidderOrgId": o.BidderOrgID})
	})
	return o, err
}

// requireBidderOf checks that actor's organisation bid on the section.
func (s *Service) requireBidderOf(ctx context.Context, actor accounts.Principal, sectionID int64) error {
	if actor.Has(accounts.RoleBidder) && actor.OrgID != 0 {
		f, err := s.bidding.DrawFacts(ctx, actor, sectionID)
		if err != nil {
			return err
		}
		for _, id := range f.BidderOrgIDs {
			if id == actor.OrgID {
				return nil
			}
		}
	}
	return apperr.New(apperr.Forbidden, "只有该标段的投标人可以执行此操作", "only a bidder of this section may do this").WithCode("not_a_bidder")
}

// AnswerObjection records the agent's answer to an objection. Errors:
// apperr.Forbidden; apperr.NotFound; apperr.Conflict (already_answered);
// apperr.Invalid.
func (s *Service) AnswerObjection(ctx context.Context, actor accounts.Principal, objectionID int64, answer string) (AwardObjection, error) {
	answer = strings.TrimSpace(answer)
	if n := len([]rune(answer)); n == 0 || n > 5000 {
		return AwardObjection{}, apperr.New(apperr.Invalid, "请填写答复（不超过5000字）", "write the answer, at most 5000 characters").WithField("answer", "1 to 5000 characters")
	}
	var o AwardObjection
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.take(ctx, true, &o, "异议不存在", "objection not found", "id = ?", objectionID); err != nil {
			return err
		}
		f, err := s.facts(ctx, actor, o.SectionID)
		if err != nil {
			return err
		}
		if !f.RunsProject {
			return notAgent()
		}
		if o.Answer != nil {
			return apperr.New(apperr.Conflict, "该异议已答复", "this objection is answered already").WithCode("already_answered")
		}
		now := s.now()
		o.Answer, o.AnsweredAt, o.AnsweredBy = &answer, &now, &actor.UserID
		if err := s.st.save(ctx, &o); err != nil {
			return err
		}
		return s.log(ctx, "award.objection_answered", sectionRef(o.SectionID), actor.Actor(),
			map[string]any{"objectionId": o.ID, "late": now.After(o.DueAt)})
	})
	return o, err
}

// Objections lists a section's publicity objections: all of them to the
// agent and supervisors, a bidder's own to a bidder.
func (s *Service) Objections(ctx context.Context, actor accounts.Principal, sectionID int64) ([]AwardObjection, error) {
	out := []AwardObjection{}
	if err := s.sectionRows(ctx, actor, sectionID, &out, "无权查看异议", "you may not see these objections"); err != nil {
		return nil, err
	}
	return out, nil
}
