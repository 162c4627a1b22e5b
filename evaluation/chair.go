package evaluation

import (
	"context"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Vote casts the calling member's vote for the chair (组长). Voting opens
// once every member has signed in and declared; when the last vote is in,
// the seat with the most votes chairs, ties broken by draw order, and the
// qualification review begins. Errors: apperr.Forbidden; apperr.Conflict
// (wrong_phase, committee_not_ready, already_voted, not_a_member);
// apperr.Invalid (seat not a member's).
func (s *Service) Vote(ctx context.Context, actor accounts.Principal, sessionID int64, seat int, ip string) (SessionView, error) {
	_, err := s.memberTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, m member) error {
		if sess.Phase != PhaseSignIn {
			return wrongPhase(sess.Phase)
		}
		if m.Role != RoleMember {
			return apperr.New(apperr.Conflict, "候补专家不参加投票", "reserves do not vote").WithCode("not_a_member")
		}
		if m.VoteSeat != nil {
			return apperr.New(apperr.Conflict, "您已投票", "you have voted already").WithCode("already_voted")
		}
		ms, err := s.st.members(ctx, sessionID)
		if err != nil {
			return err
		}
		if !committeeReady(*sess, ms) {
			return apperr.New(apperr.Conflict, "全体成员签到并签署回避声明后才能推选组长", "the chair is elected once every member has signed in and declared").
				WithCode("committee_not_ready")
		}
		if !isMemberSeat(ms, seat) {
			return apperr.New(apperr.Invalid, "只能推选评标委员会成员", "vote for a member of the committee").WithField("seat", "not a member's seat")
		}
		if _, err := s.st.update(ctx, &member{}, map[string]any{"vote_seat": seat}, "id = ?", m.ID); err != nil {
			return err
		}
		if err := s.log(ctx, "evaluation.voted", sessionRef(sessionID), actor.Actor(), map[string]any{"seat": m.Seat}); err != nil {
			return err
		}
		for i := range ms {
			if ms[i].ID == m.ID {
				ms[i].VoteSeat = &seat
			}
		}
		return s.electIfDone(ctx, sess, ms)
	})
	if err != nil {
		return SessionView{}, err
	}
	return s.View(ctx, actor, sessionID, ip)
}

// committeeReady reports whether every place is taken by a member who
// signed in and declared.
func committeeReady(sess Session, ms []member) bool {
	need := 0
	for _, n := range sess.Seats {
		need += n
	}
	have := 0
	for _, m := range ms {
		if m.Role == RoleMember {
			if !m.ready() {
				return false
			}
			have++
		}
	}
	return have == need
}

func isMemberSeat(ms []member, seat int) bool {
	for _, m := range ms {
		if m.Seat == seat && m.Role == RoleMember {
			return true
		}
	}
	return false
}

// electIfDone picks the chair once every member voted.
func (s *Service) electIfDone(ctx context.Context, sess *Session, ms []member) error {
	votes := map[int]int{}
	for _, m := range ms {
		if m.Role != RoleMember {
			continue
		}
		if m.VoteSeat == nil {
			return nil
		}
		votes[*m.VoteSeat]++
	}
	var chair *member
	for i := range ms {
		m := &ms[i]
		if m.Role != RoleMember {
			continue
		}
		if chair == nil || votes[m.Seat] > votes[chair.Seat] || votes[m.Seat] == votes[chair.Seat] && drawsEarlier(*m, *chair) {
			chair = m
		}
	}
	if _, err := s.st.update(ctx, &Session{}, map[string]any{"chair_seat": chair.Seat, "phase": PhaseReview, "updated_at": s.now()},
		"id = ?", sess.ID); err != nil {
		return err
	}
	return s.log(ctx, "evaluation.chair_elected", sessionRef(sess.ID), "system",
		map[string]any{"seat": chair.Seat, "votes": votes[chair.Seat], "tally": votes})
}

// drawsEarlier reports whether a comes before b in draw order.
func drawsEarlier(a, b member) bool {
	if a.DrawID != b.DrawID {
		return a.DrawID < b.DrawID
	}
	if a.GroupIdx != b.GroupIdx {
		return a.GroupIdx < b.GroupIdx
	}
	return a.Position < b.Position
}

// chairOf returns the chair's member row, or apperr.Forbidden (not_chair)
// unless m chairs.
func chairOnly(sess Session, m member) error {
	if sess.ChairSeat == nil || *sess.ChairSeat != m.Seat || m.Role != RoleMember {
		return apperr.New(apperr.Forbidden, "只有评标委员会组长可以执行此操作", "only the committee's chair may do this").WithCode("not_chair")
	}
	return nil
}

// ChairSection admits the committee's chair, in the room, to what the
// chair alone is shown of the section (supervision's collusion signals)
// and returns the section's ID. Errors: apperr.NotFound;
// apperr.Forbidden (not_on_committee, outside_room, not_chair).
func (s *Service) ChairSection(ctx context.Context, actor accounts.Principal, sessionID int64, ip string) (int64, error) {
	sess, m, err := s.enter(ctx, actor, sessionID, ip)
	if err != nil {
		return 0, err
	}
	if err := chairOnly(sess, m); err != nil {
		return 0, err
	}
	return sess.SectionID, nil
}
