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

// ClarificationInput is a clarification or amendment of the tender documents.
type ClarificationInput struct {
	Title              string
	Body               string
	AffectsPreparation bool // may affect bid preparation: moves deadlines closer than the rulebook's push
}

// Clarify publishes a clarification on a project (event
// "project.clarified"). For every announced section of the project whose
// deadline is fewer than ClarificationDays (PrequalClarifyDays for
// prequalification) calendar days away, a clarification that may affect
// preparation moves the deadline to that many days after today, at the old
// deadline's time of day (a day off moves to the next working day), and
// reschedules the close. Errors: apperr.Invalid for a missing title or body,
// apperr.Forbidden unless the actor runs the project, apperr.NotFound,
// apperr.Conflict when no section of the project is announced.
func (s *Service) Clarify(ctx context.Context, actor accounts.Principal, projectID int64, in ClarificationInput) (Clarification, error) {
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 300 || strings.TrimSpace(in.Body) == "" {
		return Clarification{}, apperr.New(apperr.Invalid, "澄清须有标题（不超过 300 字）和内容", "a clarification needs a title (at most 300 characters) and a body").
			WithField("title", "required").WithField("body", "required")
	}
	cal, err := s.calendar(ctx)
	if err != nil {
		return Clarification{}, err
	}
	var c Clarification
	var moved []Section
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		moved = nil
		p, err := s.st.project(ctx, projectID)
		if err != nil {
			return err
		}
		if err := requireAgent(actor, p); err != nil {
			return err
		}
		secs, err := s.st.sections(ctx, projectID)
		if err != nil {
			return err
		}
		now := s.now()
		c = Clarification{ProjectID: projectID, Title: in.Title, Body: in.Body, AffectsPreparation: in.AffectsPreparation, IssuedBy: actor.UserID, IssuedAt: now}
		if err := s.st.insert(ctx, &c); err != nil {
			return err
		}
		// Lock every announced section before the first event append takes
		// the log's counter row, so lock order is always sections → counter.
		var locked []Section
		for _, sec := range secs {
			if sec.State != StateAnnounced {
				continue
			}
			if sec, err = s.st.section(ctx, sec.ID, true); err != nil {
				return err
			}
			if sec.State == StateAnnounced {
				locked = append(locked, sec)
			}
		}
		announced := len(locked)
		for _, sec := range locked {
			days := sec.Rulebook.clarifyDays(sec.Prequalification)
			if !in.AffectsPreparation || sec.Deadline == nil || cal.DaysBetween(now, *sec.Deadline) >= days {
				continue
			}
			next := pushedDeadline(cal, now, *sec.Deadline, days)
			if !next.After(*sec.Deadline) {
				continue
			}
			if err := s.setDeadline(ctx, &sec, next, "clarification", c.ID); err != nil {
				return err
			}
			moved = append(moved, sec)
		}
		if announced == 0 {
			return apperr.New(apperr.Conflict, "项目没有已发布公告的标段，无法澄清", "no section of the project is announced; nothing to clarify").WithCode("nothing_announced")
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "project.clarified", Subject: projectRef(projectID), Actor: actor.Actor(),
			Payload: map[string]any{"clarificationId": c.ID, "title": c.Title, "movedSections": len(moved)}})
		return err
	})
	if err != nil {
		return Clarification{}, err
	}
	for _, sec := range moved {
		s.scheduleClose(ctx, sec)
	}
	return c, nil
}

// pushedDeadline is the day `days` after issued (a day off moving to the
// next working day), at old's Shanghai time of day.
func pushedDeadline(cal *clock.Calendar, issued, old time.Time, days int) time.Time {
	day := cal.AddDays(issued, days).In(clock.Shanghai)
	o := old.In(clock.Shanghai)
	return time.Date(day.Year(), day.Month(), day.Day(), o.Hour(), o.Minute(), o.Second(), o.Nanosecond(), clock.Shanghai).UTC()
}

// Ask records a bidder's question on an announced section (event
// "question.asked"; the asker is kept for the audit trail and never shown).
// Errors: apperr.Invalid for an empty question, apperr.Forbidden for a
// non-bidder, apperr.NotFound, apperr.Conflict unless the section is announced.
func (s *Service) Ask(ctx context.Context, actor accounts.Principal, sectionID int64, text string) (Question, error) {
	if strings.TrimSpace(text) == "" || utf8.RuneCountInString(text) > 5000 {
		return Question{}, apperr.New(apperr.Invalid, "问题不能为空（不超过 5000 字）", "the question is required (at most 5000 characters)").WithField("question", "required")
	}
	if err := requireBidder(actor); err != nil {
		return Question{}, err
	}
	var q Question
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		sec, err := s.st.section(ctx, sectionID, false)
		if err != nil {
			return err
		}
		if sec.State != StateAnnounced {
			return apperr.Newf(apperr.Conflict, "标段状态为「%s」，不接受提问", "the section is %s and takes no questions", stateNames[sec.State]).WithCode("not_announced")
		}
		q = Question{SectionID: sectionID, AskerUserID: actor.UserID, AskerOrgID: actor.OrgID, Question: text, AskedAt: s.now()}
		if err := s.st.insert(ctx, &q); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "question.asked", Subject: sectionRef(sectionID), Actor: actor.Actor(),
			Payload: map[string]any{"questionId": q.ID}})
		return err
	})
	return q, err
}

// AnswerQuestion records the agent's answer (event "question.answered").
// Errors: apperr.Invalid for an empty answer, apperr.Forbidden unless the
// actor runs the project, apperr.NotFound, apperr.Conflict when answered already.
func (s *Service) AnswerQuestion(ctx context.Context, actor accounts.Principal, questionID int64, answer string) (Question, error) {
	if strings.TrimSpace(answer) == "" {
		return Question{}, apperr.New(apperr.Invalid, "回答不能为空", "the answer is required").WithField("answer", "required")
	}
	var q Question
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if q, err = s.st.question(ctx, questionID); err != nil {
			return err
		}
		_, p, err := s.sectionAndProject(ctx, q.SectionID, false)
		if err != nil {
			return err
		}
		if err := requireAgent(actor, p); err != nil {
			return err
		}
		if q.Answer != nil {
			return apperr.New(apperr.Conflict, "该问题已回答", "the question is answered already")
		}
		now, uid := s.now(), actor.UserID
		q.Answer, q.AnsweredBy, q.AnsweredAt = &answer, &uid, &now
		if err := s.st.save(ctx, &q); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "question.answered", Subject: sectionRef(q.SectionID), Actor: actor.Actor(),
			Payload: map[string]any{"questionId": q.ID}})
		return err
	})
	return q, err
}

// Questions lists a section's questions and answers with askers hidden.
// Errors: apperr.NotFound for an unknown section.
func (s *Service) Questions(ctx context.Context, sectionID int64) ([]Question, error) {
	if _, err := s.st.section(ctx, sectionID, false); err != nil {
		return nil, err
	}
	return s.st.questions(ctx, sectionID)
}
