package evaluation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// ScoreEntry is one member's score of one criterion of one bid.
type ScoreEntry struct {
	BidID     int64  `json:"bidId"`
	Criterion string `json:"criterion"`
	Points    Points `json:"points"`
}

// ScoreSheet is a member's scores.
type ScoreSheet struct {
	Seat      int          `json:"seat"`
	Entries   []ScoreEntry `json:"entries"`
	Submitted bool         `json:"submitted"`
	Returned  []string     `json:"returned,omitempty"` // items to reconsider ("bidId/criterion")
}

func itemKey(bidID int64, criterion string) string { return fmt.Sprintf("%d/%s", bidID, criterion) }

// SaveScores keeps the calling member's scores of the valid bids; with
// submit they must be complete and become final. Each member scores alone:
// nobody sees another's scores before submitting. After a reconciliation
// only the returned objective items may change. Errors: apperr.Forbidden;
// apperr.Conflict (wrong_phase, scores_submitted, not_returned,
// not_a_member); apperr.Invalid naming the entries (out_of_range,
// incomplete).
func (s *Service) SaveScores(ctx context.Context, actor accounts.Principal, sessionID int64, entries []ScoreEntry, submit bool, ip string) (ScoreSheet, error) {
	m, err := s.memberTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, m member) error {
		if sess.Phase != PhaseScoring {
			return wrongPhase(sess.Phase)
		}
		if m.Role != RoleMember {
			return apperr.New(apperr.Conflict, "候补专家不参加评分", "reserves do not score").WithCode("not_a_member")
		}
		returned := returnedItems(m)
		if m.ScoresSubmittedAt != nil && len(returned) == 0 {
			return apperr.New(apperr.Conflict, "评分已提交，不能重复提交或修改", "your scores are submitted and final").WithCode("scores_submitted")
		}
		valid, err := s.validBids(ctx, sessionID)
		if err != nil {
			return err
		}
		if err := checkScores(*sess, valid, entries, returned); err != nil {
			return err
		}
		now := s.now()
		for _, e := range entries {
			if err := s.st.upsert(ctx, &scoreRow{SessionID: sessionID, Seat: m.Seat, BidID: e.BidID, Criterion: e.Criterion, Points: e.Points, UpdatedAt: now}); err != nil {
				return err
			}
		}
		if !submit {
			return nil
		}
		if err := s.scoresComplete(ctx, *sess, valid, m.Seat); err != nil {
			return err
		}
		if _, err := s.st.update(ctx, &member{}, map[string]any{"scores_submitted_at": now, "returned": nil}, "id = ?", m.ID); err != nil {
			return err
		}
		if err := s.log(ctx, "evaluation.scores_submitted", sessionRef(sessionID), actor.Actor(),
			map[string]any{"seat": m.Seat, "reconciled": len(returned) > 0}); err != nil {
			return err
		}
		return s.afterSubmit(ctx, sess, valid)
	})
	if err != nil {
		return ScoreSheet{}, err
	}
	return s.scoreSheet(ctx, sessionID, m.Seat)
}

func returnedItems(m member) []string {
	var out []string
	if m.Returned != nil {
		_ = json.Unmarshal([]byte(*m.Returned), &out)
	}
	return out
}

// checkScores validates entries: valid bids, scored criteria, allowed
// values, and after a reconciliation only the returned items.
func checkScores(sess Session, valid map[int64]bool, entries []ScoreEntry, returned []string) error {
	back := map[string]bool{}
	for _, k := range returned {
		back[k] = true
	}
	bad := apperr.New(apperr.Invalid, "评分有误", "the scores have errors")
	for i, e := range entries {
		f := fmt.Sprintf("entries[%d]", i)
		c, ok := sess.Scheme.criterion(e.Criterion)
		switch {
		case !valid[e.BidID]:
			bad.WithField(f+".bidId", "not a valid bid of this evaluation")
		case !ok || c.Kind == PassFail:
			bad.WithField(f+".criterion", "not a scored criterion of the scheme")
		case !c.allows(e.Points):
			bad.WithField(f+".points", fmt.Sprintf("out of range for %s (0 to %s%s)", c.Code, c.FullMarks, valuesNote(c))).WithCode("out_of_range")
		case len(returned) > 0 && !back[itemKey(e.BidID, e.Criterion)]:
			return apperr.Newf(apperr.Conflict, "只能修改退回复核的项目，%s 不在其中", "only the items returned for reconciliation may change; %s is not one",
				itemKey(e.BidID, e.Criterion)).WithCode("not_returned")
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

func valuesNote(c Criterion) string {
	if c.Kind != Objective {
		return ""
	}
	return fmt.Sprintf("; one of %v", c.Values)
}

// validBids returns the bids the committee found valid.
func (s *Service) validBids(ctx context.Context, sessionID int64) (map[int64]bool, error) {
	var cs []Conclusion
	if err := s.st.find(ctx, &cs, "", "session_id = ? AND valid = ?", sessionID, true); err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for _, c := range cs {
		out[c.BidID] = true
	}
	return out, nil
}

func (s *Service) scoresComplete(ctx context.Context, sess Session, valid map[int64]bool, seat int) error {
	rows, err := s.seatScores(ctx, sess.ID, seat)
	if err != nil {
		return err
	}
	var missing []string
	for _, b := range sess.Bids {
		if !valid[b.BidID] {
			continue
		}
		for _, c := range sess.Scheme.scored() {
			if _, ok := rows[itemKey(b.BidID, c.Code)]; !ok {
				missing = append(missing, itemKey(b.BidID, c.Code))
			}
		}
	}
	if len(missing) > 0 {
		return apperr.Newf(apperr.Invalid, "评分未完成，缺少 %d 项：%s", "the scores are incomplete: %d items missing: %s", len(missing), short(missing)).
			WithCode("incomplete")
	}
	return nil
}

// seatScores returns one seat's scores by item.
func (s *Service) seatScores(ctx context.Context, sessionID int64, seat int) (map[string]Points, error) {
	var rows []scoreRow
	if err := s.st.find(ctx, &rows, "", "session_id = ? AND seat = ?", sessionID, seat); err != nil {
		return nil, err
	}
	out := map[string]Points{}
	for _, r := range rows {
		out[itemKey(r.BidID, r.Criterion)] = r.Points
	}
	return out, nil
}

func (s *Service) scoreSheet(ctx context.Context, sessionID int64, seat int) (ScoreSheet, error) {
	var rows []scoreRow
	if err := s.st.find(ctx, &rows, "bid_id, criterion", "session_id = ? AND seat = ?", sessionID, seat); err != nil {
		return ScoreSheet{}, err
	}
	var m member
	if err := s.st.take(ctx, false, &m, "席位不存在", "seat not found", "session_id = ? AND seat = ?", sessionID, seat); err != nil {
		return ScoreSheet{}, err
	}
	sh := ScoreSheet{Seat: seat, Entries: []ScoreEntry{}, Returned: returnedItems(m)}
	sh.Submitted = m.ScoresSubmittedAt != nil && len(sh.Returned) == 0
	for _, r := range rows {
		sh.Entries = append(sh.Entries, ScoreEntry{BidID: r.BidID, Criterion: r.Criterion, Points: r.Points})
	}
	return sh, nil
}

// Scores returns score sheets: a member sees their own, and everyone's
// once all members have submitted for good; supervisors see all. Errors:
// apperr.NotFound; apperr.Forbidden.
func (s *Service) Scores(ctx context.Context, actor accounts.Principal, sessionID int64, ip string) ([]ScoreSheet, error) {
	_, ms, rd, err := s.committeeRead(ctx, actor, sessionID, ip, "评分明细", "the scores")
	if err != nil {
		return nil, err
	}
	all := isSupervisor(actor) || allSubmitted(ms, func(m member) bool { return m.ScoresSubmittedAt != nil && m.Returned == nil })
	out := []ScoreSheet{}
	for _, m := range ms {
		if m.Role != RoleMember || !all && m.ID != rd.member.ID {
			continue
		}
		sh, err := s.scoreSheet(ctx, sessionID, m.Seat)
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, nil
}
