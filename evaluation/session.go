package evaluation

import (
	"context"
	"fmt"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/experts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// StartRequest starts a section's evaluation with a draw's committee in a
// room.
type StartRequest struct {
	DrawID int64 `json:"drawId"`
	RoomID int64 `json:"roomId"`
}

// EarlyStart is how long before the drawn evaluation time the agent may
// open the session, so the experts can sign in as they arrive.
const EarlyStart = time.Hour

// Start opens the evaluation of an opened section whose room has closed:
// the committee is the draw's confirmed experts (members by draw order,
// the rest reserves), the scheme and the decrypted bids are copied into
// the session, and the section becomes "evaluating". Errors:
// apperr.Forbidden (not_project_agent); apperr.NotFound; apperr.Conflict
// (invalid_transition, opening_not_closed, draw_not_drawn,
// committee_incomplete naming the short groups, expert_without_account
// naming seats, evaluation_exists); apperr.TooLate is never returned, but
// apperr.Conflict (too_early) before EarlyStart.
func (s *Service) Start(ctx context.Context, actor accounts.Principal, sectionID int64, req StartRequest) (SessionView, error) {
	var id int64
	err := s.agentTx(ctx, actor, sectionID, func(ctx context.Context, f bidding.EvaluationFacts) error {
		if _, err := s.st.sessionOfSection(ctx, sectionID, false); err == nil {
			return apperr.New(apperr.Conflict, "该标段已开始评标", "the section's evaluation has started already").WithCode("evaluation_exists")
		}
		if f.State != bidding.StateOpened {
			return apperr.Newf(apperr.Conflict, "标段状态为 %s，不能开始评标（须已开标）", "the section is %s; evaluation starts after the opening", f.State).
				WithCode("invalid_transition")
		}
		if !f.RoomClosed {
			return apperr.New(apperr.Conflict, "开标室尚未关闭，开标记录未公布", "the opening room has not closed and published its record").WithCode("opening_not_closed")
		}
		sess, err := s.newSession(ctx, actor, f, req)
		if err != nil {
			return err
		}
		if err := s.st.insert(ctx, &sess); err != nil {
			return err
		}
		id = sess.ID
		if err := s.seat(ctx, &sess); err != nil {
			return err
		}
		if err := s.bidding.MoveSection(ctx, sectionID, bidding.StateEvaluating, actor.Actor(),
			map[string]any{"sessionId": sess.ID, "drawId": sess.DrawID, "roomId": sess.RoomID}); err != nil {
			return err
		}
		return s.log(ctx, "evaluation.started", sessionRef(sess.ID), actor.Actor(), map[string]any{"sectionId": sectionID,
			"drawId": sess.DrawID, "roomId": sess.RoomID, "bids": len(sess.Bids), "seats": sess.Seats, "method": sess.Scheme.Method})
	})
	if err != nil {
		return SessionView{}, err
	}
	return s.View(ctx, actor, id, "")
}

// newSession checks the draw and the room and copies the scheme and bids.
func (s *Service) newSession(ctx context.Context, actor accounts.Principal, f bidding.EvaluationFacts, req StartRequest) (Session, error) {
	d, err := s.experts.GetDraw(ctx, actor, req.DrawID)
	if err != nil {
		return Session{}, err
	}
	if d.SectionID != f.SectionID || d.Request.SupplementOf != 0 {
		return Session{}, apperr.New(apperr.Invalid, "抽取不属于该标段或为补充抽取", "the draw is not this section's committee draw").WithField("drawId", "another section's or a supplementary draw")
	}
	if d.State != experts.DrawDone {
		return Session{}, apperr.New(apperr.Conflict, "该次抽取尚未完成", "the draw has not been made").WithCode("draw_not_drawn")
	}
	if s.now().Before(d.Request.EvaluationAt.Add(-EarlyStart)) {
		return Session{}, apperr.Newf(apperr.Conflict, "评标时间为 %s，最早提前 1 小时开始", "the evaluation is at %s; it may start at most an hour early",
			d.Request.EvaluationAt.Format(time.RFC3339)).WithCode("too_early")
	}
	if _, err := s.st.room(ctx, req.RoomID); err != nil {
		return Session{}, apperr.New(apperr.Invalid, "评标室不存在", "no such evaluation room").WithField("roomId", "unknown")
	}
	sc, err := s.schemeFor(ctx, f)
	if err != nil {
		return Session{}, err
	}
	bids, err := s.bidding.DecryptedBids(ctx, f.SectionID)
	if err != nil {
		return Session{}, err
	}
	seats := make([]int, len(d.Request.Groups))
	for i, g := range d.Request.Groups {
		seats[i] = g.Count
	}
	now := s.now()
	return Session{SectionID: f.SectionID, DrawID: d.ID, RoomID: req.RoomID, Phase: PhaseSignIn, Scheme: sc, Bids: bids, Seats: seats,
		EvaluationAt: d.Request.EvaluationAt, Place: d.Request.Place, StartedBy: actor.UserID, StartedAt: now, UpdatedAt: now}, nil
}

// seat adds the draw's confirmed experts not yet seated (as reserves) and
// fills every group's places from its reserves in draw order. Members
// without a platform account cannot sign in, so they stop the start.
func (s *Service) seat(ctx context.Context, sess *Session) error {
	ms, err := s.st.members(ctx, sess.ID)
	if err != nil {
		return err
	}
	att, err := s.experts.Attendees(ctx, sess.DrawID)
	if err != nil {
		return err
	}
	known := map[int64]bool{}
	next := 1
	for _, m := range ms {
		known[m.ExpertID] = true
		next = max(next, m.Seat+1)
	}
	for _, a := range att {
		if known[a.ExpertID] || a.Status != experts.InvAccepted {
			continue
		}
		m := member{SessionID: sess.ID, Seat: next, ExpertID: a.ExpertID, UserID: a.UserID, DrawID: a.DrawID,
			GroupIdx: groupOf(sess, a), Position: a.Position, Category: string(a.Category), Role: RoleReserve}
		if err := s.st.insert(ctx, &m); err != nil {
			return err
		}
		ms = append(ms, m)
		next++
	}
	return s.promote(ctx, sess, ms)
}

// groupOf maps an attendee to a group of the session's draw: a
// supplementary draw's groups follow the original's, and one beyond them
// joins the last.
func groupOf(sess *Session, a experts.Attendee) int { return min(a.GroupIdx, len(sess.Seats)-1) }

// promote makes reserves members, in draw order, until every group has
// its places, and checks the start's conditions while in sign-in.
func (s *Service) promote(ctx context.Context, sess *Session, ms []member) error {
	count := make([]int, len(sess.Seats))
	for _, m := range ms {
		if m.Role == RoleMember {
			count[m.GroupIdx]++
		}
	}
	for g := range sess.Seats {
		for count[g] < sess.Seats[g] {
			r := nextReserve(ms, g)
			if r < 0 {
				break
			}
			ms[r].Role = RoleMember
			if _, err := s.st.update(ctx, &member{}, map[string]any{"role": RoleMember}, "id = ?", ms[r].ID); err != nil {
				return err
			}
			count[g]++
		}
	}
	var short []string
	var noAccount []int
	for g, need := range sess.Seats {
		if count[g] < need {
			short = append(short, fmt.Sprintf("第%d组缺%d人", g+1, need-count[g]))
		}
	}
	for _, m := range ms {
		if m.Role == RoleMember && m.UserID == nil {
			noAccount = append(noAccount, m.Seat)
		}
	}
	if len(short) > 0 && !s.started(ms) {
		return apperr.Newf(apperr.Conflict, "评标委员会人数不足：%v；请等待语音通知补足或补充抽取", "the committee is short: %v; wait for the call campaign or a supplementary draw", short).
			WithCode("committee_incomplete")
	}
	if len(noAccount) > 0 {
		return apperr.Newf(apperr.Conflict, "席位 %v 的专家没有平台账号，无法登录评标室；请管理员关联账号", "the experts in seats %v have no platform account to sign in with; an administrator must link one", noAccount).
			WithCode("expert_without_account")
	}
	return nil
}

// started reports whether anyone has signed in: after that a short group
// waits for a reserve instead of refusing.
func (s *Service) started(ms []member) bool {
	for _, m := range ms {
		if m.SignedInAt != nil {
			return true
		}
	}
	return false
}

// nextReserve returns the index of group g's first reserve in draw order, or -1.
func nextReserve(ms []member, g int) int {
	best := -1
	for i, m := range ms {
		if m.Role == RoleReserve && m.GroupIdx == g && (best < 0 || drawsEarlier(m, ms[best])) {
			best = i
		}
	}
	return best
}
