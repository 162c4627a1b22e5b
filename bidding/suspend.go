package bidding

import (
	"context"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Suspend holds a section's procedure (暂停) for the complaint ref, in
// ctx's transaction (supervision calls it when the supervising department
// accepts a complaint with a suspension). Before the deadline the section
// pauses as under an objection: the deadline does not pass and moves
// later by the pause when it is resumed. After it, the award waits (see
// EvaluationFacts.Suspended). Event "section.suspended". Errors:
// apperr.NotFound; apperr.Conflict (already_suspended, section_closed).
func (s *Service) Suspend(ctx context.Context, sectionID int64, ref, actor string) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		sec, err := s.st.section(ctx, sectionID, true)
		if err != nil {
			return err
		}
		switch {
		case sec.Suspended():
			return apperr.Newf(apperr.Conflict, "该标段已因 %s 暂停", "the section is suspended already by %s", sec.SuspendedBy).WithCode("already_suspended")
		case sec.State == StateContracted || sec.State == StateFailed || sec.State == StateCancelled:
			return apperr.Newf(apperr.Conflict, "标段状态为「%s」，无可暂停的程序", "the section is %s: nothing left to suspend", stateNames[sec.State]).WithCode("section_closed")
		}
		now := s.now()
		sec.SuspendedBy, sec.UpdatedAt = ref, now
		if sec.State == StateAnnounced && !sec.Paused() && sec.Deadline != nil && now.Before(*sec.Deadline) {
			sec.PausedSince = &now
		}
		if err := s.st.save(ctx, &sec); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "section.suspended", Subject: sectionRef(sec.ID), Actor: actor,
			Payload: map[string]any{"by": ref, "pausedSince": sec.PausedSince}})
		return err
	})
}

// Resume ends the suspension by ref, in ctx's transaction: a section
// paused before its deadline (and held by no unanswered objection) gets
// its deadline moved later by the pause. Event "section.resumed". Errors:
// apperr.NotFound; apperr.Conflict (not_suspended_by).
func (s *Service) Resume(ctx context.Context, sectionID int64, ref, actor string) error {
	var sec Section
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if sec, err = s.st.section(ctx, sectionID, true); err != nil {
			return err
		}
		if sec.SuspendedBy != ref {
			return apperr.Newf(apperr.Conflict, "该标段并未因 %s 暂停", "the section is not suspended by %s", ref).WithCode("not_suspended_by")
		}
		now := s.now()
		sec.SuspendedBy, sec.UpdatedAt = "", now
		open, err := s.st.openObjections(ctx, sec.ID)
		if err != nil {
			return err
		}
		if _, err := s.events.Append(ctx, eventlog.Entry{Type: "section.resumed", Subject: sectionRef(sec.ID), Actor: actor,
			Payload: map[string]any{"by": ref}}); err != nil {
			return err
		}
		if open > 0 || !sec.Paused() || sec.Deadline == nil {
			return s.st.save(ctx, &sec)
		}
		pause := now.Sub(*sec.PausedSince)
		sec.PausedSince = nil
		cal, err := s.calendar(ctx)
		if err != nil {
			return err
		}
		return s.setDeadline(ctx, &sec, resumedDeadline(cal, *sec.Deadline, pause), "complaint", 0)
	})
	if err == nil {
		s.scheduleClose(ctx, sec)
	}
	return err
}
