package bidding

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// RaiseObjection records a bidder's objection (异议) to a section's tender
// documents and pauses the section until every objection is answered:
// events "objection.raised" and "supervision.objection_pending" (with the
// answer due date, ObjectionAnswerDays later). Errors: apperr.Invalid for
// an empty text, apperr.Forbidden for a non-bidder, apperr.NotFound,
// apperr.Conflict unless the section is announced, apperr.TooLate fewer
// than ObjectionCutoffDays calendar days before the deadline.
func (s *Service) RaiseObjection(ctx context.Context, actor accounts.Principal, sectionID int64, body string) (Objection, error) {
	if strings.TrimSpace(body) == "" || utf8.RuneCountInString(body) > 10000 {
		return Objection{}, apperr.New(apperr.Invalid, "异议内容不能为空（不超过 10000 字）", "the objection is required (at most 10000 characters)").WithField("body", "required")
	}
	if err := requireBidder(actor); err != nil {
		return Objection{}, err
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return Objection{}, err
	}
	var o Objection
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		sec, err := s.st.section(ctx, sectionID, true)
		if err != nil {
			return err
		}
		if sec.State != StateAnnounced || sec.Deadline == nil {
			return apperr.Newf(apperr.Conflict, "标段状态为「%s」，不接受异议", "the section is %s and takes no objections", stateNames[sec.State]).WithCode("not_announced")
		}
		now := s.now()
		if cal.DaysBetween(now, *sec.Deadline) < sec.Rulebook.ObjectionCutoffDays {
			return apperr.Newf(apperr.TooLate, "投标截止前 %d 日内不再受理对招标文件的异议", "objections to the tender documents close %d days before the deadline",
				sec.Rulebook.ObjectionCutoffDays).WithCode("objection_too_late")
		}
		o = Objection{SectionID: sectionID, RaiserUserID: actor.UserID, RaiserOrgID: actor.OrgID, Body: body,
			RaisedAt: now, AnswerDue: cal.AddDays(now, sec.Rulebook.ObjectionAnswerDays)}
		if err := s.st.insert(ctx, &o); err != nil {
			return err
		}
		if !sec.Paused() {
			sec.PausedSince, sec.UpdatedAt = &now, now
			if err := s.st.save(ctx, &sec); err != nil {
				return err
			}
		}
		ref := sectionRef(sectionID)
		if _, err := s.events.Append(ctx, eventlog.Entry{Type: "objection.raised", Subject: ref, Actor: actor.Actor(),
			Payload: map[string]any{"objectionId": o.ID, "pausedSince": sec.PausedSince, "bidderOrgId": actor.OrgID, "answerDue": o.AnswerDue}}); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "supervision.objection_pending", Subject: ref, Actor: "system",
			Payload: map[string]any{"objectionId": o.ID, "projectId": sec.ProjectID, "answerDue": o.AnswerDue}})
		return err
	})
	return o, err
}

// AnswerObjection records the agent's answer (event "objection.answered").
// When it was the section's last unanswered objection the pause ends: the
// deadline moves by the pause's length (event "section.deadline_moved") and
// the close is rescheduled. Errors: apperr.Invalid for an empty answer,
// apperr.Forbidden unless the actor runs the project, apperr.NotFound,
// apperr.Conflict when answered already.
func (s *Service) AnswerObjection(ctx context.Context, actor accounts.Principal, objectionID int64, answer string) (Objection, error) {
	if strings.TrimSpace(answer) == "" {
		return Objection{}, apperr.New(apperr.Invalid, "答复不能为空", "the answer is required").WithField("answer", "required")
	}
	var o Objection
	var sec Section
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if o, err = s.st.objection(ctx, objectionID); err != nil {
			return err
		}
		var p Project
		if sec, p, err = s.sectionAndProject(ctx, o.SectionID, true); err != nil {
			return err
		}
		if err := requireAgent(actor, p); err != nil {
			return err
		}
		if o.AnsweredAt != nil {
			return apperr.New(apperr.Conflict, "该异议已答复", "the objection is answered already")
		}
		now, uid := s.now(), actor.UserID
		o.Answer, o.AnsweredBy, o.AnsweredAt = &answer, &uid, &now
		if err := s.st.save(ctx, &o); err != nil {
			return err
		}
		if _, err := s.events.Append(ctx, eventlog.Entry{Type: "objection.answered", Subject: sectionRef(sec.ID), Actor: actor.Actor(),
			Payload: map[string]any{"objectionId": o.ID, "late": now.After(o.AnswerDue)}}); err != nil {
			return err
		}
		open, err := s.st.openObjections(ctx, sec.ID)
		if err != nil || open > 0 || !sec.Paused() || sec.Suspended() {
			return err
		}
		pause := now.Sub(*sec.PausedSince)
		sec.PausedSince = nil
		if sec.Deadline == nil {
			return s.st.save(ctx, &sec)
		}
		cal, err := s.calendar(ctx)
		if err != nil {
			return err
		}
		return s.setDeadline(ctx, &sec, resumedDeadline(cal, *sec.Deadline, pause), "objection", o.ID)
	})
	if err != nil {
		return Objection{}, err
	}
	s.scheduleClose(ctx, sec)
	return o, nil
}

// resumedDeadline is a paused section's deadline once the pause of length
// pause ended: later by the pause, rounded up to a whole minute (the pause
// is measured to the millisecond; rounding up never shortens the bidders'
// time), and on a working day — a deadline that would fall on a day off
// moves to the next working day at the same time, as clarifications do.
func resumedDeadline(cal *clock.Calendar, old time.Time, pause time.Duration) time.Time {
	d := old.Add(pause)
	if r := d.Truncate(time.Minute); !r.Equal(d) {
		d = r.Add(time.Minute)
	}
	d = d.In(clock.Shanghai)
	for !cal.IsWorkday(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d.UTC()
}
