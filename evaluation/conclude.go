package evaluation

import (
	"context"
	"fmt"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Statutes are the grounds on which a bid may be rejected (否决投标), per
// 《招标投标法实施条例》第五十一条.
var Statutes = map[string]string{
	"unsigned":           "投标文件未经投标单位盖章和单位负责人签字（第五十一条第一项）",
	"no_joint_agreement": "投标联合体没有提交共同投标协议（第五十一条第二项）",
	"unqualified":        "投标人不符合国家或者招标文件规定的资格条件（第五十一条第三项）",
	"multiple_bids":      "同一投标人提交两个以上不同的投标文件或者投标报价（第五十一条第四项）",
	"below_cost":         "投标报价低于成本（第五十一条第五项）",
	"above_ceiling":      "投标报价高于招标文件设定的最高投标限价（第五十一条第五项）",
	"not_responsive":     "投标文件没有对招标文件的实质性要求和条件作出响应（第五十一条第六项）",
	"collusion":          "投标人有串通投标、弄虚作假、行贿等违法行为（第五十一条第七项）",
}

// MinValidBids is how many valid bids keep competition effective without
// the committee saying so.
const MinValidBids = 3

// ConclusionInput is the chair's conclusion on one bid.
type ConclusionInput struct {
	BidID   int64  `json:"bidId"`
	Valid   bool   `json:"valid"`
	Statute string `json:"statute,omitempty"` // a key of Statutes, for a rejection
	Reason  string `json:"reason,omitempty"`
}

// Conclude records the committee's conclusion on every bid, entered by the
// chair once every member submitted a review. Each must follow the
// members' majority (a bid passes when more than half passed it on every
// criterion); a rejection cites a statute and a reason, and a rejection as
// below cost needs a settled price clarification first. With no valid bid
// the section fails; with fewer than MinValidBids the committee must then
// decide on competition (DecideCompetition). Errors: apperr.Forbidden
// (not_chair); apperr.Conflict (wrong_phase, reviews_pending,
// against_majority, clarification_required, already_concluded);
// apperr.Invalid naming the entries.
func (s *Service) Conclude(ctx context.Context, actor accounts.Principal, sessionID int64, in []ConclusionInput, ip string) (SessionView, error) {
	err := s.chairTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, _ member) error {
		if sess.Phase != PhaseReview {
			return wrongPhase(sess.Phase)
		}
		if _, concluded, err := s.validCount(ctx, sessionID); err != nil {
			return err
		} else if concluded {
			return apperr.New(apperr.Conflict, "结论已记录", "the conclusions are recorded already").WithCode("already_concluded")
		}
		majority, err := s.majority(ctx, *sess)
		if err != nil {
			return err
		}
		if err := s.checkConclusions(ctx, *sess, in, majority); err != nil {
			return err
		}
		return s.recordConclusions(ctx, actor, sess, in)
	})
	if err != nil {
		return SessionView{}, err
	}
	return s.View(ctx, actor, sessionID, ip)
}

// majority returns, per bid, whether a majority of members passed it on
// every criterion; apperr.Conflict (reviews_pending) while a member has
// not submitted.
func (s *Service) majority(ctx context.Context, sess Session) (map[int64]bool, error) {
	ms, err := s.st.members(ctx, sess.ID)
	if err != nil {
		return nil, err
	}
	if !allSubmitted(ms, func(m member) bool { return m.ReviewSubmittedAt != nil }) {
		return nil, apperr.New(apperr.Conflict, "仍有成员未提交评审", "some members have not submitted their review").WithCode("reviews_pending")
	}
	seats := map[int]bool{}
	for _, m := range ms {
		if m.Role == RoleMember {
			seats[m.Seat] = true
		}
	}
	var rows []reviewRow
	if err := s.st.find(ctx, &rows, "", "session_id = ?", sess.ID); err != nil {
		return nil, err
	}
	passes := map[string]int{}
	for _, r := range rows {
		if seats[r.Seat] && r.Pass {
			passes[fmt.Sprintf("%d/%s", r.BidID, r.Criterion)]++
		}
	}
	out := map[int64]bool{}
	for _, b := range sess.Bids {
		ok := true
		for _, c := range sess.Scheme.qualifications() {
			if passes[fmt.Sprintf("%d/%s", b.BidID, c.Code)]*2 <= len(seats) {
				ok = false
			}
		}
		out[b.BidID] = ok
	}
	return out, nil
}

func (s *Service) checkConclusions(ctx context.Context, sess Session, in []ConclusionInput, majority map[int64]bool) error {
	bad := apperr.New(apperr.Invalid, "评审结论有误", "the conclusions have errors")
	seen := map[int64]bool{}
	for i, c := range in {
		f := fmt.Sprintf("conclusions[%d]", i)
		switch {
		case !hasBid(sess, c.BidID) || seen[c.BidID]:
			bad.WithField(f+".bidId", "each bid of the evaluation once")
		case !c.Valid && Statutes[c.Statute] == "":
			bad.WithField(f+".statute", "a rejection cites one of the statutory grounds")
		case !c.Valid && strings.TrimSpace(c.Reason) == "":
			bad.WithField(f+".reason", "a rejection needs a written reason")
		}
		seen[c.BidID] = true
	}
	if len(seen) != len(sess.Bids) {
		bad.WithField("conclusions", "one conclusion for every bid")
	}
	if len(bad.Fields) > 0 {
		return bad
	}
	for _, c := range in {
		if c.Valid != majority[c.BidID] {
			return apperr.Newf(apperr.Conflict, "投标 %d 的结论与多数成员的评审意见不一致", "the conclusion on bid %d departs from the members' majority", c.BidID).
				WithCode("against_majority")
		}
		if !c.Valid && c.Statute == "below_cost" {
			if err := s.requirePriceClarification(ctx, sess.ID, c.BidID); err != nil {
				return err
			}
		}
	}
	return nil
}

// requirePriceClarification refuses a below-cost rejection until the
// bidder was asked about its price and answered (or let the time pass).
func (s *Service) requirePriceClarification(ctx context.Context, sessionID, bidID int64) error {
	var cs []Clarification
	if err := s.st.find(ctx, &cs, "", "session_id = ? AND bid_id = ? AND about_price = ?", sessionID, bidID, true); err != nil {
		return err
	}
	for _, c := range cs {
		if c.settled(s.now()) {
			return nil
		}
	}
	return apperr.Newf(apperr.Conflict, "以低于成本否决投标 %d 前，须先要求其澄清报价并等待答复或答复期满", "before rejecting bid %d as below cost, ask the bidder to clarify its price and wait for the answer or its deadline", bidID).
		WithCode("clarification_required")
}

func (s *Service) recordConclusions(ctx context.Context, actor accounts.Principal, sess *Session, in []ConclusionInput) error {
	now := s.now()
	valid := 0
	for _, c := range in {
		row := Conclusion{SessionID: sess.ID, BidID: c.BidID, Valid: c.Valid, DecidedAt: now}
		if !c.Valid {
			st, r := c.Statute, strings.TrimSpace(c.Reason)
			row.Statute, row.Reason = &st, &r
		} else {
			valid++
		}
		if err := s.st.insert(ctx, &row); err != nil {
			return err
		}
	}
	if err := s.log(ctx, "evaluation.concluded", sessionRef(sess.ID), actor.Actor(), map[string]any{"valid": valid, "rejected": len(in) - valid}); err != nil {
		return err
	}
	switch {
	case valid == 0:
		return s.fail(ctx, actor, sess, "all_rejected", "所有投标均被否决", "every bid was rejected")
	case valid < MinValidBids:
		return nil // the committee decides on competition
	}
	return s.afterReview(ctx, sess)
}

// afterReview moves on to scoring, or straight to the report for the
// lowest-price method, which scores nothing.
func (s *Service) afterReview(ctx context.Context, sess *Session) error {
	next := PhaseScoring
	if len(sess.Scheme.scored()) == 0 {
		next = PhaseReport
	}
	sess.Phase = next
	_, err := s.st.update(ctx, &Session{}, map[string]any{"phase": next, "updated_at": s.now()}, "id = ?", sess.ID)
	return err
}

// DecideCompetition records, when fewer than MinValidBids bids remain
// valid, whether competition is still effective (the evaluation goes on)
// or not (every bid is rejected and the section fails). Only the chair
// enters it, with a reason. Errors: apperr.Forbidden (not_chair);
// apperr.Conflict (wrong_phase, not_needed); apperr.Invalid
// (reason_required).
func (s *Service) DecideCompetition(ctx context.Context, actor accounts.Principal, sessionID int64, effective bool, reason, ip string) (SessionView, error) {
	if strings.TrimSpace(reason) == "" {
		return SessionView{}, apperr.New(apperr.Invalid, "请说明理由", "give the reason").WithField("reason", "required")
	}
	err := s.chairTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, _ member) error {
		valid, concluded, err := s.validCount(ctx, sessionID)
		if err != nil {
			return err
		}
		if sess.Phase != PhaseReview || !concluded || valid >= MinValidBids || sess.Competitive != nil {
			return apperr.New(apperr.Conflict, "目前无需判断竞争性", "no decision on competition is needed now").WithCode("not_needed")
		}
		if _, err := s.st.update(ctx, &Session{}, map[string]any{"competitive": effective, "competition_reason": reason}, "id = ?", sessionID); err != nil {
			return err
		}
		if err := s.log(ctx, "evaluation.competition_decided", sessionRef(sessionID), actor.Actor(),
			map[string]any{"effective": effective, "valid": valid, "reason": reason}); err != nil {
			return err
		}
		if !effective {
			return s.fail(ctx, actor, sess, "no_competition", "有效投标不足三个且缺乏竞争性，评标委员会否决全部投标", "fewer than three valid bids and no effective competition: the committee rejected every bid")
		}
		return s.afterReview(ctx, sess)
	})
	if err != nil {
		return SessionView{}, err
	}
	return s.View(ctx, actor, sessionID, ip)
}

func (s *Service) validCount(ctx context.Context, sessionID int64) (int, bool, error) {
	var cs []Conclusion
	if err := s.st.find(ctx, &cs, "", "session_id = ?", sessionID); err != nil {
		return 0, false, err
	}
	n := 0
	for _, c := range cs {
		if c.Valid {
			n++
		}
	}
	return n, len(cs) > 0, nil
}

// fail ends the session and the section (流标).
func (s *Service) fail(ctx context.Context, actor accounts.Principal, sess *Session, code, zh, en string) error {
	sess.Phase = PhaseFailed
	if _, err := s.st.update(ctx, &Session{}, map[string]any{"phase": PhaseFailed, "updated_at": s.now()}, "id = ?", sess.ID); err != nil {
		return err
	}
	if err := s.log(ctx, "evaluation.failed", sessionRef(sess.ID), actor.Actor(), map[string]any{"code": code, "reason": zh}); err != nil {
		return err
	}
	return s.bidding.FailAtEvaluation(ctx, sess.SectionID, actor.Actor(), code, zh, en, map[string]any{"sessionId": sess.ID})
}
