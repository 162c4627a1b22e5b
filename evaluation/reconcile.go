package evaluation

import (
	"context"
	"encoding/json"
	"math/big"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// matrix is every member's score of every item: item → seat → points.
type matrix struct {
	seats  []int
	scores map[string]map[int]Points
}

func (x matrix) column(item string) []Points {
	out := make([]Points, len(x.seats))
	for i, seat := range x.seats {
		out[i] = x.scores[item][seat]
	}
	return out
}

func (s *Service) scoreMatrix(ctx context.Context, sessionID int64, ms []member) (matrix, error) {
	x := matrix{scores: map[string]map[int]Points{}}
	in := map[int]bool{}
	for _, m := range ms {
		if m.Role == RoleMember {
			x.seats = append(x.seats, m.Seat)
			in[m.Seat] = true
		}
	}
	var rows []scoreRow
	if err := s.st.find(ctx, &rows, "", "session_id = ?", sessionID); err != nil {
		return x, err
	}
	for _, r := range rows {
		if !in[r.Seat] {
			continue
		}
		k := itemKey(r.BidID, r.Criterion)
		if x.scores[k] == nil {
			x.scores[k] = map[int]Points{}
		}
		x.scores[k][r.Seat] = r.Points
	}
	return x, nil
}

// afterSubmit runs once every member has submitted for good: objective
// items on which the members differ go back to every member for
// reconciliation; once they agree, subjective scores far from the mean are
// flagged to their experts, the chair and the supervisor (畸高畸低).
// Without flags the report may be drafted. valid holds the bids that
// passed the review.
func (s *Service) afterSubmit(ctx context.Context, sess *Session, valid map[int64]bool) error {
	ms, err := s.st.members(ctx, sess.ID)
	if err != nil {
		return err
	}
	if !allSubmitted(ms, func(m member) bool { return m.ScoresSubmittedAt != nil && m.Returned == nil }) {
		return nil
	}
	x, err := s.scoreMatrix(ctx, sess.ID, ms)
	if err != nil {
		return err
	}
	var disagree []string
	for _, b := range sess.Bids {
		for _, c := range sess.Scheme.scored() {
			if k := itemKey(b.BidID, c.Code); valid[b.BidID] && c.Kind == Objective && !Agree(x.column(k)) {
				disagree = append(disagree, k)
			}
		}
	}
	if len(disagree) > 0 {
		raw, _ := json.Marshal(disagree)
		if _, err := s.st.update(ctx, &member{}, map[string]any{"returned": string(raw)}, "session_id = ? AND role = ?", sess.ID, RoleMember); err != nil {
			return err
		}
		return s.log(ctx, "evaluation.reconciliation", sessionRef(sess.ID), "system", map[string]any{"items": disagree})
	}
	flags, err := s.raiseFlags(ctx, sess, x, valid)
	if err != nil {
		return err
	}
	if err := s.log(ctx, "evaluation.scoring_complete", sessionRef(sess.ID), "system", map[string]any{"flags": flags}); err != nil {
		return err
	}
	if flags == 0 {
		return s.toReport(ctx, sess)
	}
	return nil
}

// raiseFlags records every subjective score beyond the scheme's deviation
// from its item's mean and returns how many.
func (s *Service) raiseFlags(ctx context.Context, sess *Session, x matrix, valid map[int64]bool) (int, error) {
	n := 0
	for _, b := range sess.Bids {
		if !valid[b.BidID] {
			continue
		}
		for _, c := range sess.Scheme.scored() {
			if c.Kind != Subjective {
				continue
			}
			col := x.column(itemKey(b.BidID, c.Code))
			mean := meanOf(col)
			for i, off := range Deviating(col, c.FullMarks, sess.Scheme.DeviationPct) {
				if !off {
					continue
				}
				f := Flag{SessionID: sess.ID, Seat: x.seats[i], BidID: b.BidID, Criterion: c.Code, Points: col[i], Mean: mean, Status: FlagOpen, RaisedAt: s.now()}
				if err := s.st.insert(ctx, &f); err != nil {
					return n, err
				}
				n++
				if err := s.log(ctx, "evaluation.deviation_flagged", sessionRef(sess.ID), "system", map[string]any{"flagId": f.ID,
					"seat": f.Seat, "bidId": f.BidID, "criterion": f.Criterion, "points": f.Points, "mean": mean,
					"sectionId": sess.SectionID, "notify": []string{"chair", "supervisor"}}); err != nil {
					return n, err
				}
			}
		}
	}
	return n, nil
}

func meanOf(col []Points) string {
	sum := int64(0)
	for _, p := range col {
		sum += int64(p)
	}
	return ratString(big.NewRat(sum, int64(len(col))*100), 2)
}

func (s *Service) toReport(ctx context.Context, sess *Session) error {
	sess.Phase = PhaseReport
	_, err := s.st.update(ctx, &Session{}, map[string]any{"phase": PhaseReport, "updated_at": s.now()}, "id = ?", sess.ID)
	return err
}

// ResolveRequest settles a flag: keep the score (Keep) or change it to
// Points, with a reason either way.
type ResolveRequest struct {
	Keep   bool    `json:"keep"`
	Points *Points `json:"points,omitempty"`
	Reason string  `json:"reason"`
}

// ResolveFlag lets the flagged score's expert confirm or change it with a
// reason; when no flag is left open the report may be drafted. Errors:
// apperr.Forbidden (not_your_flag); apperr.NotFound; apperr.Conflict
// (flag_resolved, wrong_phase); apperr.Invalid (reason_required,
// out_of_range).
func (s *Service) ResolveFlag(ctx context.Context, actor accounts.Principal, sessionID, flagID int64, in ResolveRequest, ip string) (Flag, error) {
	if strings.TrimSpace(in.Reason) == "" {
		return Flag{}, apperr.New(apperr.Invalid, "请说明确认或修改的理由", "give the reason for keeping or changing the score").WithCode("reason_required").WithField("reason", "required")
	}
	var f Flag
	_, err := s.memberTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, m member) error {
		if err := s.st.take(ctx, true, &f, "偏离提示不存在", "flag not found", "id = ? AND session_id = ?", flagID, sessionID); err != nil {
			return err
		}
		switch {
		case f.Seat != m.Seat:
			return apperr.New(apperr.Forbidden, "只能处理自己评分的偏离提示", "only the flagged score's expert may settle it").WithCode("not_your_flag")
		case f.Status != FlagOpen:
			return apperr.New(apperr.Conflict, "该偏离提示已处理", "this flag is settled already").WithCode("flag_resolved")
		case sess.Phase != PhaseScoring:
			return wrongPhase(sess.Phase)
		}
		if err := s.settleFlag(ctx, *sess, &f, in); err != nil {
			return err
		}
		if err := s.log(ctx, "evaluation.flag_resolved", sessionRef(sessionID), actor.Actor(), map[string]any{"flagId": f.ID,
			"seat": f.Seat, "status": f.Status, "points": f.Points, "newPoints": f.NewPoints, "reason": f.Reason}); err != nil {
			return err
		}
		open, err := s.st.openFlags(ctx, sessionID)
		if err != nil {
			return err
		}
		if open == 0 {
			return s.toReport(ctx, sess)
		}
		return nil
	})
	return f, err
}

func (s *Service) settleFlag(ctx context.Context, sess Session, f *Flag, in ResolveRequest) error {
	now := s.now()
	reason := strings.TrimSpace(in.Reason)
	f.Reason, f.ResolvedAt, f.Status = &reason, &now, FlagConfirmed
	if !in.Keep {
		c, _ := sess.Scheme.criterion(f.Criterion)
		if in.Points == nil || !c.allows(*in.Points) {
			return apperr.New(apperr.Invalid, "修改后的分值超出范围", "the new score is out of range").WithCode("out_of_range").WithField("points", "0 to full marks")
		}
		f.Status, f.NewPoints = FlagChanged, in.Points
		if _, err := s.st.update(ctx, &scoreRow{}, map[string]any{"points": *in.Points, "updated_at": now},
			"session_id = ? AND seat = ? AND bid_id = ? AND criterion = ?", f.SessionID, f.Seat, f.BidID, f.Criterion); err != nil {
			return err
		}
	}
	return s.st.save(ctx, f)
}

// Flags lists a session's deviation flags to the committee and
// supervisors. Errors: apperr.NotFound; apperr.Forbidden.
func (s *Service) Flags(ctx context.Context, actor accounts.Principal, sessionID int64, ip string) ([]Flag, error) {
	if _, _, _, err := s.committeeRead(ctx, actor, sessionID, ip, "偏离提示", "flags"); err != nil {
		return nil, err
	}
	out := []Flag{}
	return out, s.st.find(ctx, &out, "id", "session_id = ?", sessionID)
}
