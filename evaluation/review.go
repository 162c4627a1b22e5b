package evaluation

import (
	"context"
	"fmt"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// ReviewEntry is one member's finding on one qualification criterion of
// one bid: pass, or fail with a written reason.
type ReviewEntry struct {
	BidID     int64  `json:"bidId"`
	Criterion string `json:"criterion"`
	Pass      bool   `json:"pass"`
	Reason    string `json:"reason,omitempty"`
}

// ReviewSheet is a member's qualification review.
type ReviewSheet struct {
	Seat      int           `json:"seat"`
	Entries   []ReviewEntry `json:"entries"`
	Submitted bool          `json:"submitted"`
}

// SaveReview keeps the calling member's qualification review; with submit
// it must be complete (every bid, every pass/fail criterion, a reason for
// each fail) and becomes final. Errors: apperr.Forbidden; apperr.Conflict
// (wrong_phase, review_submitted, not_a_member); apperr.Invalid naming
// the bad entries (unknown bid or criterion, reason_required, incomplete).
func (s *Service) SaveReview(ctx context.Context, actor accounts.Principal, sessionID int64, entries []ReviewEntry, submit bool, ip string) (ReviewSheet, error) {
	m, err := s.memberTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, m member) error {
		switch {
		case sess.Phase != PhaseReview:
			return wrongPhase(sess.Phase)
		case m.Role != RoleMember:
			return apperr.New(apperr.Conflict, "候补专家不参加评审", "reserves do not review").WithCode("not_a_member")
		case m.ReviewSubmittedAt != nil:
			return apperr.New(apperr.Conflict, "评审结果已提交，不能再修改", "your review is submitted and final").WithCode("review_submitted")
		}
		if err := checkReview(*sess, entries); err != nil {
			return err
		}
		now := s.now()
		for _, e := range entries {
			row := reviewRow{SessionID: sessionID, Seat: m.Seat, BidID: e.BidID, Criterion: e.Criterion, Pass: e.Pass, UpdatedAt: now}
			if !e.Pass {
				r := strings.TrimSpace(e.Reason)
				row.Reason = &r
			}
			if err := s.st.upsert(ctx, &row); err != nil {
				return err
			}
		}
		if !submit {
			return nil
		}
		if err := s.reviewComplete(ctx, *sess, m.Seat); err != nil {
			return err
		}
		if _, err := s.st.update(ctx, &member{}, map[string]any{"review_submitted_at": now}, "id = ?", m.ID); err != nil {
			return err
		}
		return s.log(ctx, "evaluation.review_submitted", sessionRef(sessionID), actor.Actor(), map[string]any{"seat": m.Seat})
	})
	if err != nil {
		return ReviewSheet{}, err
	}
	return s.reviewSheet(ctx, sessionID, m.Seat)
}

// checkReview validates entries against the session's bids and scheme.
func checkReview(sess Session, entries []ReviewEntry) error {
	bad := apperr.New(apperr.Invalid, "评审内容有误", "the review has errors")
	for i, e := range entries {
		f := fmt.Sprintf("entries[%d]", i)
		c, ok := sess.Scheme.criterion(e.Criterion)
		switch {
		case !hasBid(sess, e.BidID):
			bad.WithField(f+".bidId", "not a bid of this evaluation")
		case !ok || c.Kind != PassFail:
			bad.WithField(f+".criterion", "not a qualification criterion of the scheme")
		case !e.Pass && strings.TrimSpace(e.Reason) == "":
			bad.WithField(f+".reason", "a fail needs a written reason").WithCode("reason_required")
		case len([]rune(e.Reason)) > 2000:
			bad.WithField(f+".reason", "at most 2000 characters")
		}
	}
	if len(entries) > 5000 {
		bad.WithField("entries", "at most 5000")
	}
	if len(bad.Fields) > 0 {
		return bad
	}
	return nil
}

func hasBid(sess Session, bidID int64) bool {
	_, ok := sess.bid(bidID)
	return ok
}

// reviewComplete checks that seat reviewed every bid on every criterion.
func (s *Service) reviewComplete(ctx context.Context, sess Session, seat int) error {
	var rows []reviewRow
	if err := s.st.find(ctx, &rows, "", "session_id = ? AND seat = ?", sess.ID, seat); err != nil {
		return err
	}
	have := map[string]bool{}
	for _, r := range rows {
		have[fmt.Sprintf("%d/%s", r.BidID, r.Criterion)] = true
	}
	var missing []string
	for _, b := range sess.Bids {
		for _, c := range sess.Scheme.qualifications() {
			if k := fmt.Sprintf("%d/%s", b.BidID, c.Code); !have[k] {
				missing = append(missing, k)
			}
		}
	}
	if len(missing) > 0 {
		return apperr.Newf(apperr.Invalid, "评审未完成，缺少 %d 项：%s", "the review is incomplete: %d items missing: %s", len(missing), short(missing)).
			WithCode("incomplete")
	}
	return nil
}

func short(items []string) string {
	if len(items) > 10 {
		return strings.Join(items[:10], ", ") + ", …"
	}
	return strings.Join(items, ", ")
}

func (s *Service) reviewSheet(ctx context.Context, sessionID int64, seat int) (ReviewSheet, error) {
	var rows []reviewRow
	if err := s.st.find(ctx, &rows, "bid_id, criterion", "session_id = ? AND seat = ?", sessionID, seat); err != nil {
		return ReviewSheet{}, err
	}
	var m member
	if err := s.st.take(ctx, false, &m, "席位不存在", "seat not found", "session_id = ? AND seat = ?", sessionID, seat); err != nil {
		return ReviewSheet{}, err
	}
	sh := ReviewSheet{Seat: seat, Entries: []ReviewEntry{}, Submitted: m.ReviewSubmittedAt != nil}
	for _, r := range rows {
		e := ReviewEntry{BidID: r.BidID, Criterion: r.Criterion, Pass: r.Pass}
		if r.Reason != nil {
			e.Reason = *r.Reason
		}
		sh.Entries = append(sh.Entries, e)
	}
	return sh, nil
}

// Reviews returns review sheets: a member sees their own until every
// member has submitted, then all of them (as supervisors always do).
// Errors: apperr.NotFound; apperr.Forbidden.
func (s *Service) Reviews(ctx context.Context, actor accounts.Principal, sessionID int64, ip string) ([]ReviewSheet, error) {
	_, ms, rd, err := s.committeeRead(ctx, actor, sessionID, ip, "评审明细", "the review details")
	if err != nil {
		return nil, err
	}
	all := isSupervisor(actor) || allSubmitted(ms, func(m member) bool { return m.ReviewSubmittedAt != nil })
	out := []ReviewSheet{}
	for _, m := range ms {
		if m.Role != RoleMember || !all && m.ID != rd.member.ID {
			continue
		}
		sh, err := s.reviewSheet(ctx, sessionID, m.Seat)
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, nil
}

func allSubmitted(ms []member, done func(member) bool) bool {
	for _, m := range ms {
		if m.Role == RoleMember && !done(m) {
			return false
		}
	}
	return true
}
