package supervision

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// WarningState is where a warning stands.
type WarningState string

// The warning states.
const (
	WarningOpen      WarningState = "open"      // waiting for the office's answer
	WarningAnswered  WarningState = "answered"  // waiting for the supervisor's review
	WarningAccepted  WarningState = "accepted"  // corrected or explained: closed
	WarningEscalated WarningState = "escalated" // not answered in time: up to the department head
)

// Warning is a warning (预警) to the responsible office.
type Warning struct {
	ID              int64        `json:"id" gorm:"column:id;primaryKey"`
	Dedupe          string       `json:"-" gorm:"column:dedupe"`
	RuleID          string       `json:"ruleId" gorm:"column:rule_id"`
	Subject         string       `json:"subject" gorm:"column:subject"`
	Light           Light        `json:"light" gorm:"column:light"`
	OfficeOrgID     int64        `json:"officeOrgId" gorm:"column:office_org_id"`
	DepartmentOrgID int64        `json:"departmentOrgId" gorm:"column:department_org_id"`
	Detail          string       `json:"detail" gorm:"column:detail"`
	SourceSeq       int64        `json:"sourceSeq" gorm:"column:source_seq"`
	State           WarningState `json:"state" gorm:"column:state"`
	RaisedAt        time.Time    `json:"raisedAt" gorm:"column:raised_at"`
	AnswerDue       time.Time    `json:"answerDue" gorm:"column:answer_due"`
	Answer          string       `json:"answer" gorm:"column:answer"`
	AnsweredBy      int64        `json:"answeredBy" gorm:"column:answered_by"`
	AnsweredAt      *time.Time   `json:"answeredAt,omitempty" gorm:"column:answered_at"`
	ReviewNote      string       `json:"reviewNote" gorm:"column:review_note"`
	ReviewedBy      int64        `json:"reviewedBy" gorm:"column:reviewed_by"`
	ReviewedAt      *time.Time   `json:"reviewedAt,omitempty" gorm:"column:reviewed_at"`
	EscalatedAt     *time.Time   `json:"escalatedAt,omitempty" gorm:"column:escalated_at"`
}

// TableName maps Warning to supervision_warnings.
func (Warning) TableName() string { return "supervision_warnings" }

// MaxAnswerRunes bounds an answer or a review note.
const MaxAnswerRunes = 2000

// raise sends the warning of timer t at its light, once: the dedupe key
// names the timer's start and the light, so a replayed event or a second
// sweep finds it there.
func (s *Service) raise(ctx context.Context, t Timer, seq int64, now time.Time) error {
	cal, err := s.calendar(ctx)
	if err != nil {
		return err
	}
	rule := s.rules.Rule[t.RuleID]
	due := beijingTime(t.DueAt)
	zh, en := usedText(t, now, cal, rule.Unit == "workdays")
	w := Warning{Dedupe: fmt.Sprintf("%s|%s|%d|%s", t.Subject, t.RuleID, t.StartedAt.UnixMilli(), t.Light),
		RuleID: t.RuleID, Subject: t.Subject, Light: t.Light, SourceSeq: seq, RaisedAt: now,
		Detail: fmt.Sprintf("%s：时限 %s，%s / %s: due %s, %s", rule.TitleZh, due, zh, rule.TitleEn, due, en)}
	_, err = s.warn(ctx, cal, &w, func(w *Warning) map[string]any { return map[string]any{"dueAt": t.DueAt, "answerDue": w.AnswerDue} })
	return err
}

// warn sends w (its rule, subject, light, detail, source and time set) to
// the subject's office: it fills the offices, the open state and the
// answer deadline, stores it unless it was raised before (false then),
// and logs it with the payload fields extra adds. Errors: apperr.NotFound
// for a subject not watched; those of storage.
func (s *Service) warn(ctx context.Context, cal *clock.Calendar, w *Warning, extra func(*Warning) map[string]any) (bool, error) {
	sub, err := s.st.subject(ctx, w.Subject)
	if err != nil {
		return false, err
	}
	w.OfficeOrgID, w.DepartmentOrgID, w.State = sub.OfficeOrgID, sub.DepartmentOrgID, WarningOpen
	w.AnswerDue = clock.EndOfDay(cal.AddWorkdays(w.RaisedAt, s.rules.AnswerWorkdays))
	created, err := s.st.insertWarning(ctx, w)
	if err != nil || !created {
		return false, err
	}
	payload := map[string]any{"warningId": w.ID, "rule": w.RuleID, "light": w.Light, "officeOrgId": w.OfficeOrgID}
	for k, v := range extra(w) {
		payload[k] = v
	}
	return true, s.append(ctx, EventWarningRaised, w.Subject, "system", payload)
}

// usedText says how far the limit is used: working days left or overdue
// for a limit in working days, the share of the time otherwise.
func usedText(t Timer, now time.Time, cal *clock.Calendar, workdays bool) (zh, en string) {
	if now.After(t.DueAt) {
		if workdays {
			n := cal.WorkdaysAfter(t.DueAt, now)
			return fmt.Sprintf("已超期 %d 个工作日", n), fmt.Sprintf("%d working day(s) overdue", n)
		}
		return "已超时", "overdue"
	}
	if workdays {
		n := cal.WorkdaysAfter(now, t.DueAt)
		return fmt.Sprintf("剩余 %d 个工作日", n), fmt.Sprintf("%d working day(s) left", n)
	}
	total := t.DueAt.Sub(t.StartedAt)
	p := 100
	if total > 0 {
		p = int(now.Sub(t.StartedAt) * 100 / total)
	}
	return fmt.Sprintf("已用 %d%%", p), fmt.Sprintf("%d%% used", p)
}

// Answer records the office's explanation or correction (纠错) of an open
// or escalated warning. Errors: apperr.Forbidden (not_your_office) unless
// the actor is an officer or agent of the warning's office; apperr.Invalid
// for an empty or too long answer; apperr.NotFound; apperr.Conflict when
// the warning is not waiting for an answer.
func (s *Service) Answer(ctx context.Context, actor accounts.Principal, id int64, text string) (Warning, error) {
	text = strings.TrimSpace(text)
	if err := needText(text, "answer"); err != nil {
		return Warning{}, err
	}
	var out Warning
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w, err := s.st.warning(ctx, id, true)
		if err != nil {
			return err
		}
		if !inOffice(actor, w.OfficeOrgID) {
			return apperr.New(apperr.Forbidden, "只有被预警单位的工作人员可以答复该预警", "only staff of the warned office may answer this warning").
				WithCode("not_your_office")
		}
		if w.State != WarningOpen && w.State != WarningEscalated {
			return apperr.Newf(apperr.Conflict, "该预警已答复（%s），等待监察审核", "the warning was answered already (%s)", w.State).
				WithCode("warning_answered")
		}
		now := s.now()
		if err := s.st.updateWarning(ctx, id, map[string]any{"state": WarningAnswered, "answer": text,
			"answered_by": actor.UserID, "answered_at": now}); err != nil {
			return err
		}
		if err := s.append(ctx, EventWarningAnswered, w.Subject, actor.Actor(), map[string]any{"warningId": id,
			"late": now.After(w.AnswerDue)}); err != nil {
			return err
		}
		out, err = s.st.warning(ctx, id, false)
		return err
	})
	return out, err
}

// Review is the supervisor's verdict on an answered warning: accepted
// closes it (and may turn the subject's light back to green, recorded as
// a change); rejected sends it back to the office with the note and a new
// answer deadline. Errors: apperr.Forbidden (not_supervising) unless the
// actor supervises the subject; apperr.Invalid without a note when
// rejecting; apperr.NotFound; apperr.Conflict unless it was answered.
func (s *Service) Review(ctx context.Context, actor accounts.Principal, id int64, accept bool, note string) (Warning, error) {
	note = strings.TrimSpace(note)
	if !accept {
		if err := needText(note, "note"); err != nil {
			return Warning{}, err
		}
	}
	if len([]rune(note)) > MaxAnswerRunes {
		return Warning{}, needText(note, "note")
	}
	var out Warning
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		w, err := s.st.warning(ctx, id, true)
		if err != nil {
			return err
		}
		subj, err := s.st.subject(ctx, w.Subject)
		if err != nil {
			return err
		}
		if !supervises(actor, subj) {
			return errNotSupervising()
		}
		if w.State != WarningAnswered {
			return apperr.New(apperr.Conflict, "该预警尚未答复，不能审核", "the warning has not been answered yet").WithCode("warning_unanswered")
		}
		if err := s.review(ctx, actor, w, accept, note); err != nil {
			return err
		}
		out, err = s.st.warning(ctx, id, false)
		return err
	})
	return out, err
}

func (s *Service) review(ctx context.Context, actor accounts.Principal, w Warning, accept bool, note string) error {
	now := s.now()
	fields := map[string]any{"review_note": note, "reviewed_by": actor.UserID, "reviewed_at": now}
	typ := EventWarningAccepted
	if accept {
		fields["state"] = WarningAccepted
	} else {
		cal, err := s.calendar(ctx)
		if err != nil {
			return err
		}
		typ = EventWarningRejected
		fields["state"] = WarningOpen
		fields["answer_due"] = clock.EndOfDay(cal.AddWorkdays(now, s.rules.AnswerWorkdays))
		fields["escalated_at"] = nil
	}
	if err := s.st.updateWarning(ctx, w.ID, fields); err != nil {
		return err
	}
	if err := s.append(ctx, typ, w.Subject, actor.Actor(), map[string]any{"warningId": w.ID, "note": note}); err != nil {
		return err
	}
	return s.relight(ctx, w.Subject, "warning:"+typ, now)
}

func needText(text, field string) error {
	if text == "" {
		return apperr.New(apperr.Invalid, "请填写说明", "please write an explanation").WithField(field, "required")
	}
	if len([]rune(text)) > MaxAnswerRunes {
		return apperr.Newf(apperr.Invalid, "说明不能超过 %d 字", "the text may not exceed %d characters", MaxAnswerRunes).WithField(field, "too_long")
	}
	return nil
}

func errNotSupervising() error {
	return apperr.New(apperr.Forbidden, "您不监督该事项", "you do not supervise this subject").WithCode("not_supervising")
}
