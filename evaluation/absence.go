package evaluation

import (
	"context"
	"strings"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// MarkAbsent records, for a supervisor, that a member did not come to the
// room: the seat is withdrawn, the first reserve of its group takes it and
// the call campaign calls the next candidate. Only while the committee
// signs in, and only for a member who has not declared. Errors:
// apperr.Forbidden (supervisor_required); apperr.NotFound;
// apperr.Conflict (wrong_phase, already_declared); apperr.Invalid
// (reason_required).
func (s *Service) MarkAbsent(ctx context.Context, actor accounts.Principal, sessionID int64, seat int, reason string) (SessionView, error) {
	if !isSupervisor(actor) {
		return SessionView{}, apperr.New(apperr.Forbidden, "只有监督人员可以登记专家缺席", "only a supervisor records an absent expert").WithCode("supervisor_required")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return SessionView{}, apperr.New(apperr.Invalid, "请说明缺席情况", "say why the expert is recorded absent").WithCode("reason_required").WithField("reason", "required")
	}
	var after func(context.Context)
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		sess, err := s.st.session(ctx, sessionID, true)
		if err != nil {
			return err
		}
		if sess.Phase != PhaseSignIn {
			return wrongPhase(sess.Phase)
		}
		var m member
		if err := s.st.take(ctx, true, &m, "席位不存在", "seat not found", "session_id = ? AND seat = ? AND role <> ?", sessionID, seat, RoleWithdrawn); err != nil {
			return err
		}
		if m.DeclaredAt != nil {
			return apperr.New(apperr.Conflict, "该专家已到场并签署回避声明", "this expert came and declared").WithCode("already_declared")
		}
		if _, err := s.st.update(ctx, &member{}, map[string]any{"role": RoleWithdrawn}, "id = ?", m.ID); err != nil {
			return err
		}
		if err := s.log(ctx, "evaluation.absent", sessionRef(sessionID), actor.Actor(), map[string]any{"seat": seat, "reason": reason}); err != nil {
			return err
		}
		if after, err = s.experts.WithdrawAttendance(ctx, m.DrawID, m.ExpertID, "缺席 / absent: "+reason); err != nil {
			return err
		}
		return s.seat(ctx, &sess)
	})
	if err != nil {
		return SessionView{}, err
	}
	after(ctx)
	return s.View(ctx, actor, sessionID, "")
}
