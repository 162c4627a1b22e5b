package evaluation

import (
	"context"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// AskRequest is a question from the committee to one bidder.
type AskRequest struct {
	BidID      int64  `json:"bidId"`
	Question   string `json:"question"`
	AboutPrice bool   `json:"aboutPrice,omitempty"` // the price may be below cost: the bidder must justify it
	DueMinutes int    `json:"dueMinutes"`           // how long the bidder has, 10 minutes to 3 days
}

// Ask puts a question to a bid's bidder through the platform (澄清). Any
// member may ask while the review or the scoring runs; the bidder sees
// only "the evaluation committee". Errors: apperr.Forbidden;
// apperr.Conflict (wrong_phase); apperr.Invalid naming the field.
func (s *Service) Ask(ctx context.Context, actor accounts.Principal, sessionID int64, in AskRequest, ip string) (Clarification, error) {
	q := strings.TrimSpace(in.Question)
	bad := apperr.New(apperr.Invalid, "澄清问题有误", "the clarification request is invalid")
	if n := len([]rune(q)); n == 0 || n > 2000 {
		bad.WithField("question", "1 to 2000 characters")
	}
	if in.DueMinutes < 10 || in.DueMinutes > 3*24*60 {
		bad.WithField("dueMinutes", "10 minutes to 3 days")
	}
	if len(bad.Fields) > 0 {
		return Clarification{}, bad
	}
	var c Clarification
	_, err := s.memberTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, m member) error {
		if sess.Phase != PhaseReview && sess.Phase != PhaseScoring {
			return wrongPhase(sess.Phase)
		}
		b, ok := sess.bid(in.BidID)
		if !ok {
			return apperr.New(apperr.Invalid, "不是本次评标的投标", "not a bid of this evaluation").WithField("bidId", "unknown")
		}
		now := s.now()
		c = Clarification{SessionID: sessionID, BidID: b.BidID, BidderOrgID: b.BidderOrgID, Question: q, AboutPrice: in.AboutPrice,
			DueAt: now.Add(time.Duration(in.DueMinutes) * time.Minute), AskedAt: now}
		if err := s.st.insert(ctx, &c); err != nil {
			return err
		}
		return s.log(ctx, "evaluation.clarification_asked", sessionRef(sessionID), actor.Actor(),
			map[string]any{"clarificationId": c.ID, "bidId": b.BidID, "aboutPrice": in.AboutPrice, "dueAt": c.DueAt, "seat": m.Seat})
	})
	return c, err
}

// Clarifications lists a session's questions and answers, to the
// committee and supervisors. Errors: apperr.NotFound; apperr.Forbidden.
func (s *Service) Clarifications(ctx context.Context, actor accounts.Principal, sessionID int64, ip string) ([]Clarification, error) {
	if _, _, _, err := s.committeeRead(ctx, actor, sessionID, ip, "澄清记录", "clarifications"); err != nil {
		return nil, err
	}
	out := []Clarification{}
	return out, s.st.find(ctx, &out, "id", "session_id = ?", sessionID)
}

// MyClarifications lists the questions put to the calling bidder's
// organisation on a section.
func (s *Service) MyClarifications(ctx context.Context, actor accounts.Principal, sectionID int64) ([]Clarification, error) {
	if !actor.Has(accounts.RoleBidder) || actor.OrgID == 0 {
		return nil, apperr.New(apperr.Forbidden, "只有投标人可以查看澄清要求", "only bidders receive clarification requests").WithCode("not_a_bidder")
	}
	out := []Clarification{}
	sess, err := s.st.sessionOfSection(ctx, sectionID, false)
	if apperr.Is(err, apperr.NotFound) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	return out, s.st.find(ctx, &out, "id", "session_id = ? AND bidder_org_id = ?", sess.ID, actor.OrgID)
}

// Answer records the bidder's answer to a clarification before its
// deadline. Errors: apperr.Forbidden (not the asked bidder);
// apperr.NotFound; apperr.Conflict (already_answered); apperr.TooLate
// (clarification_closed); apperr.Invalid.
func (s *Service) Answer(ctx context.Context, actor accounts.Principal, clarificationID int64, answer string) (Clarification, error) {
	answer = strings.TrimSpace(answer)
	if n := len([]rune(answer)); n == 0 || n > 5000 {
		return Clarification{}, apperr.New(apperr.Invalid, "请填写答复（不超过5000字）", "write an answer of at most 5000 characters").WithField("answer", "1 to 5000 characters")
	}
	var c Clarification
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if err := s.st.take(ctx, true, &c, "澄清要求不存在", "clarification not found", "id = ?", clarificationID); err != nil {
			return err
		}
		if !actor.Has(accounts.RoleBidder) || actor.OrgID != c.BidderOrgID {
			return apperr.New(apperr.NotFound, "澄清要求不存在", "clarification not found")
		}
		now := s.now()
		switch {
		case c.Answer != nil:
			return apperr.New(apperr.Conflict, "已答复", "answered already").WithCode("already_answered")
		case !now.Before(c.DueAt):
			return apperr.New(apperr.TooLate, "答复期限已过", "the time to answer has passed").WithCode("clarification_closed")
		}
		c.Answer, c.AnsweredAt, c.AnsweredBy = &answer, &now, &actor.UserID
		if err := s.st.save(ctx, &c); err != nil {
			return err
		}
		return s.log(ctx, "evaluation.clarification_answered", sessionRef(c.SessionID), actor.Actor(),
			map[string]any{"clarificationId": c.ID, "bidId": c.BidID})
	})
	return c, err
}
