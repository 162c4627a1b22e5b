package evaluation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// ContractDays is how long after the award notice the contract is due.
const ContractDays = 30

// Skip passes over a candidate before the award: it declined (放弃中标)
// or was disqualified (不符合中标条件), with the reason.
type Skip struct {
	Rank   int    `json:"rank"`
	Kind   string `json:"kind"` // declined or disqualified
	Reason string `json:"reason"`
}

// AwardRequest issues the award.
type AwardRequest struct {
	Skip []Skip `json:"skip,omitempty"`
}

// Award is a section's award (定标) and its contract record.
type Award struct {
	SectionID          int64      `json:"sectionId" gorm:"column:section_id;primaryKey"`
	WinnerBidID        int64      `json:"winnerBidId" gorm:"column:winner_bid_id"`
	WinnerOrgID        int64      `json:"winnerOrgId" gorm:"column:winner_org_id"`
	WinnerRank         int        `json:"winnerRank" gorm:"column:winner_rank"`
	PriceFen           int64      `json:"priceFen" gorm:"column:price_fen"`
	Skipped            []Skip     `json:"skipped" gorm:"column:skipped;serializer:json"`
	Announcement       string     `json:"announcement" gorm:"column:announcement"` // 中标结果公告
	IssuedAt           time.Time  `json:"issuedAt" gorm:"column:issued_at"`
	IssuedBy           int64      `json:"-" gorm:"column:issued_by"`
	ContractDue        time.Time  `json:"contractDue" gorm:"column:contract_due"`
	ContractSignedOn   *string    `json:"contractSignedOn,omitempty" gorm:"column:contract_signed_on"`
	ContractAmountFen  *int64     `json:"contractAmountFen,omitempty" gorm:"column:contract_amount_fen"`
	ContractRecordedAt *time.Time `json:"contractRecordedAt,omitempty" gorm:"column:contract_recorded_at"`
	OverdueWarned      bool       `json:"-" gorm:"column:overdue_warned"`
	Sandbox            bool       `json:"sandbox,omitempty" gorm:"-"`
}

// TableName maps Award to its table.
func (Award) TableName() string { return "awards" }

// IssueAward decides the winner after the publicity: the first-ranked
// candidate unless it is skipped (declined or disqualified, with a
// reason), then the next. It signs an award notice (中标通知书) to the
// winner and a result notice to every other bidder whose bid was opened,
// publishes the result announcement and starts the contract's 30 days.
// Errors: apperr.Forbidden (not_project_agent); apperr.Conflict
// (publicity_running, objection_pending, complaint_pause,
// no_candidate_left, invalid_transition); apperr.Invalid (skip).
func (s *Service) IssueAward(ctx context.Context, actor accounts.Principal, sectionID int64, req AwardRequest) (Award, error) {
	var a Award
	var notices []noticeDraft
	err := s.agentTx(ctx, actor, sectionID, func(ctx context.Context, f bidding.EvaluationFacts) error {
		p, err := s.PublicityOf(ctx, sectionID)
		if err != nil {
			return err
		}
		if err := s.awardAllowed(ctx, p, f); err != nil {
			return err
		}
		winner, err := pickWinner(p.Candidates, req.Skip)
		if err != nil {
			return err
		}
		cal, err := s.calendar(ctx)
		if err != nil {
			return err
		}
		now := s.now()
		a = Award{SectionID: sectionID, WinnerBidID: winner.BidID, WinnerOrgID: winner.BidderOrgID, WinnerRank: winner.Rank, PriceFen: winner.PriceFen,
			Skipped: req.Skip, IssuedAt: now, IssuedBy: actor.UserID, ContractDue: cal.AddDays(now, ContractDays)}
		if a.Skipped == nil {
			a.Skipped = []Skip{}
		}
		a.Announcement = announcement(f, winner, now)
		if err := s.st.insert(ctx, &a); err != nil {
			return err
		}
		if err := s.bidding.MoveSection(ctx, sectionID, bidding.StateAwarded, actor.Actor(),
			map[string]any{"winnerBidId": winner.BidID, "winnerOrgId": winner.BidderOrgID, "rank": winner.Rank}); err != nil {
			return err
		}
		if notices, err = s.issueNotices(ctx, f, a, winner); err != nil {
			return err
		}
		return s.log(ctx, "award.issued", sectionRef(sectionID), actor.Actor(), map[string]any{"winnerBidId": winner.BidID,
			"winner": winner.BidderName, "priceFen": winner.PriceFen, "rank": winner.Rank, "skipped": a.Skipped, "contractDue": a.ContractDue,
			"notices": len(notices)})
	})
	if err != nil {
		return Award{}, err
	}
	a.Sandbox = s.bidding.Sandbox()
	return a, s.storeNoticePDFs(context.WithoutCancel(ctx), sectionID)
}

// awardAllowed checks the publicity is over and nothing holds the award:
// no unanswered objection, no suspension by the supervising department
// (a complaint, handled by supervision).
func (s *Service) awardAllowed(ctx context.Context, p Publicity, f bidding.EvaluationFacts) error {
	if s.now().Before(p.EndsAt) {
		return apperr.Newf(apperr.Conflict, "公示期至 %s 结束，之后才能定标", "the publicity runs until %s; the award comes after it",
			p.EndsAt.Format(time.RFC3339)).WithCode("publicity_running")
	}
	n, err := s.st.count(ctx, &AwardObjection{}, "section_id = ? AND answer IS NULL", p.SectionID)
	if err != nil {
		return err
	}
	if n > 0 {
		return apperr.Newf(apperr.Conflict, "有 %d 个异议尚未答复，定标暂停", "%d objections are unanswered; the award waits", n).WithCode("objection_pending")
	}
	if f.Suspended {
		return apperr.New(apperr.Conflict, "监督部门已暂停本标段程序，投诉处理完毕前不能定标", "the supervising department suspended the procedure: no award until the complaint is decided").WithCode("complaint_pause")
	}
	return nil
}

func pickWinner(cands []Candidate, skip []Skip) (Candidate, error) {
	skipped := map[int]bool{}
	for i, sk := range skip {
		found := false
		for _, c := range cands {
			found = found || c.Rank == sk.Rank
		}
		if !found || skipped[sk.Rank] || (sk.Kind != "declined" && sk.Kind != "disqualified") || strings.TrimSpace(sk.Reason) == "" {
			return Candidate{}, apperr.New(apperr.Invalid, "放弃或取消资格的候选人须写明名次、类型和理由", "a skipped candidate needs its rank, kind (declined or disqualified) and reason").
				WithField(fmt.Sprintf("skip[%d]", i), "rank of a candidate, kind declined|disqualified, reason")
		}
		skipped[sk.Rank] = true
	}
	for _, c := range cands {
		if !skipped[c.Rank] {
			return c, nil
		}
	}
	return Candidate{}, apperr.New(apperr.Conflict, "没有可以中标的候选人，须重新招标", "no candidate is left; the section must be tendered again").WithCode("no_candidate_left")
}

func announcement(f bidding.EvaluationFacts, w Candidate, at time.Time) string {
	text := fmt.Sprintf("%s（标段 %s %s）中标结果公告：经评标委员会评审、中标候选人公示，确定中标人为%s，中标价 %s 元，工期 %d 天。公告日期：%s。",
		f.ProjectName, f.SectionCode, f.SectionName, w.BidderName, yuan(w.PriceFen), w.DurationDays, at.In(shanghai).Format("2006年1月2日"))
	if f.Sandbox {
		return bidding.SandboxTitle(text)
	}
	return text
}

// AwardOf returns a section's award and result announcement, to anyone
// once issued. Errors: apperr.NotFound (no_award).
func (s *Service) AwardOf(ctx context.Context, sectionID int64) (Award, error) {
	var a Award
	err := s.st.take(ctx, false, &a, "尚未定标", "no award yet", "section_id = ?", sectionID)
	a.Sandbox = s.bidding.Sandbox()
	return a, err
}

// ContractRequest records the signed contract.
type ContractRequest struct {
	SignedOn  string `json:"signedOn"` // YYYY-MM-DD
	AmountFen int64  `json:"amountFen"`
}

// RecordContract records the contract's signing date and amount; the
// section becomes "contracted". Errors: apperr.Forbidden; apperr.NotFound
// (no_award); apperr.Conflict (invalid_transition); apperr.Invalid (a date
// before the notice or in the future, an amount that is not positive).
func (s *Service) RecordContract(ctx context.Context, actor accounts.Principal, sectionID int64, in ContractRequest) (Award, error) {
	var a Award
	err := s.agentTx(ctx, actor, sectionID, func(ctx context.Context, _ bidding.EvaluationFacts) error {
		if err := s.st.take(ctx, true, &a, "尚未定标", "no award yet", "section_id = ?", sectionID); err != nil {
			return err
		}
		day, err := time.ParseInLocation(time.DateOnly, in.SignedOn, shanghai)
		now := s.now()
		if err != nil || clock.EndOfDay(day).Before(a.IssuedAt) || day.After(now) || in.AmountFen <= 0 {
			return apperr.New(apperr.Invalid, "合同签订日期应在中标通知书之后、今天之前，金额应为正数（分）", "the signing date must be between the notice and today, and the amount positive (fen)").
				WithField("signedOn", "YYYY-MM-DD between the notice and today").WithField("amountFen", "positive")
		}
		a.ContractSignedOn, a.ContractAmountFen, a.ContractRecordedAt = &in.SignedOn, &in.AmountFen, &now
		if err := s.st.save(ctx, &a); err != nil {
			return err
		}
		if err := s.bidding.MoveSection(ctx, sectionID, bidding.StateContracted, actor.Actor(),
			map[string]any{"signedOn": in.SignedOn, "amountFen": in.AmountFen}); err != nil {
			return err
		}
		return s.log(ctx, "award.contract_recorded", sectionRef(sectionID), actor.Actor(), map[string]any{"signedOn": in.SignedOn,
			"amountFen": in.AmountFen, "late": day.After(clock.EndOfDay(a.ContractDue))})
	})
	return a, err
}
