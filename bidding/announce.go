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

// AnnouncementInput is the editable content of an announcement.
type AnnouncementInput struct {
	Title     string
	Body      string
	DocsFrom  time.Time // tender documents first available
	DocsUntil time.Time // tender documents available until
	Deadline  time.Time // bid deadline
}

// SaveAnnouncement creates or edits the draft announcement of a draft
// section. Editing an approved draft sends it back to review. Errors:
// apperr.Invalid for missing or disordered fields, apperr.Forbidden unless
// the actor runs the project, apperr.NotFound, apperr.Conflict once the
// section is no longer a draft.
func (s *Service) SaveAnnouncement(ctx context.Context, actor accounts.Principal, sectionID int64, in AnnouncementInput) (Announcement, error) {
	in.Title = strings.TrimSpace(in.Title)
	bad := apperr.New(apperr.Invalid, "公告信息不完整或有误", "the announcement is incomplete or wrong")
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 300 {
		bad.WithField("title", "required, at most 300 characters")
	}
	if strings.TrimSpace(in.Body) == "" {
		bad.WithField("body", "required")
	}
	if in.DocsFrom.IsZero() || in.DocsUntil.IsZero() || in.Deadline.IsZero() {
		bad.WithField("deadline", "docsFrom, docsUntil and deadline are required")
	} else if !in.DocsUntil.After(in.DocsFrom) || !in.Deadline.After(in.DocsFrom) {
		bad.WithField("deadline", "docsUntil and deadline must be after docsFrom")
	}
	if len(bad.Fields) > 0 {
		return Announcement{}, bad
	}
	var a Announcement
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		sec, p, err := s.sectionAndProject(ctx, sectionID, true)
		if err != nil {
			return err
		}
		if err := requireAgent(actor, p); err != nil {
			return err
		}
		if sec.State != StateDraft {
			return checkTransition(sec.State, StateAnnounced)
		}
		a, err = s.st.announcementOf(ctx, sectionID)
		isNew := apperr.Is(err, apperr.NotFound)
		if err != nil && !isNew {
			return err
		}
		now := s.now()
		if isNew {
			a = Announcement{SectionID: sectionID, CreatedAt: now}
		}
		a.Title, a.Body, a.Region, a.Kind = in.Title, in.Body, p.Region, sec.Kind
		ms := time.Millisecond // the database keeps milliseconds; MySQL would round the rest
		a.DocsFrom, a.DocsUntil, a.Deadline = in.DocsFrom.UTC().Truncate(ms), in.DocsUntil.UTC().Truncate(ms), in.Deadline.UTC().Truncate(ms)
		a.Status, a.ApprovedBy, a.ApprovedAt, a.UpdatedAt = AnnouncementDraft, nil, nil, now
		if isNew {
			err = s.st.insert(ctx, &a)
		} else {
			err = s.st.save(ctx, &a)
		}
		if err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "announcement.saved", Subject: sectionRef(sectionID), Actor: actor.Actor(),
			Payload: map[string]any{"announcementId": a.ID, "deadline": a.Deadline}})
		return err
	})
	return a, err
}

// ApproveAnnouncement records the tenderer's review of the draft. Errors:
// apperr.Forbidden unless the actor speaks for the tenderer (see Service),
// apperr.NotFound, apperr.Conflict unless the announcement is a draft.
func (s *Service) ApproveAnnouncement(ctx context.Context, actor accounts.Principal, sectionID int64) (Announcement, error) {
	var a Announcement
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		_, p, err := s.sectionAndProject(ctx, sectionID, true)
		if err != nil {
			return err
		}
		if err := requireTenderer(actor, p); err != nil {
			return err
		}
		if a, err = s.st.announcementOf(ctx, sectionID); err != nil {
			return err
		}
		if a.Status != AnnouncementDraft {
			return apperr.Newf(apperr.Conflict, "公告状态为 %s，不能审核", "the announcement is %s and cannot be approved", a.Status)
		}
		now, uid := s.now(), actor.UserID
		a.Status, a.ApprovedBy, a.ApprovedAt, a.UpdatedAt = AnnouncementApproved, &uid, &now, now
		if err := s.st.save(ctx, &a); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "announcement.approved", Subject: sectionRef(sectionID), Actor: actor.Actor(),
			Payload: map[string]any{"announcementId": a.ID}})
		return err
	})
	return a, err
}

// PublishAnnouncement publishes the approved announcement: it checks the
// schedule against the rulebook with the working-day calendar, freezes the
// rulebook, sets the section's documents date and effective deadline, moves
// it to announced (event "section.announced") and schedules the deadline
// job. Errors: apperr.Forbidden unless the actor runs the project;
// apperr.NotFound; apperr.Conflict unless the announcement is approved and
// the section a draft; apperr.Invalid for a schedule breaking the rulebook.
func (s *Service) PublishAnnouncement(ctx context.Context, actor accounts.Principal, sectionID int64) (Announcement, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return Announcement{}, err
	}
	var a Announcement
	var sec Section
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		var p Project
		if sec, p, err = s.sectionAndProject(ctx, sectionID, true); err != nil {
			return err
		}
		if err := requireAgent(actor, p); err != nil {
			return err
		}
		if err := checkTransition(sec.State, StateAnnounced); err != nil {
			return err
		}
		if a, err = s.st.announcementOf(ctx, sectionID); err != nil {
			return err
		}
		if a.Status != AnnouncementApproved {
			return apperr.New(apperr.Conflict, "公告须先经招标人审核", "the tenderer must approve the announcement first").WithCode("not_approved")
		}
		now := s.now()
		if a.DocsFrom.Before(now) {
			a.DocsFrom = now // documents cannot have been available before publication
		}
		if err := CheckSchedule(cal, sec.Rulebook, a.DocsFrom, a.DocsUntil, a.Deadline); err != nil {
			return err
		}
		a.Status, a.PublishedAt, a.PublishedDate, a.UpdatedAt = AnnouncementPublished, &now, now.In(clock.Shanghai).Format(time.DateOnly), now
		if err := s.st.save(ctx, &a); err != nil {
			return err
		}
		sec.DocsFrom, sec.RulebookFrozenAt = &a.DocsFrom, &now
		if err := s.setupEscrow(ctx, sec, actor.Actor()); err != nil {
			return err
		}
		if err := s.setDeadline(ctx, &sec, a.Deadline, "announcement", a.ID); err != nil {
			return err
		}
		return s.transition(ctx, &sec, StateAnnounced, actor.Actor(), map[string]any{"announcementId": a.ID,
			"deadline": a.Deadline, "docsFrom": a.DocsFrom, "rulebook": sec.Rulebook})
	})
	if err != nil {
		return Announcement{}, err
	}
	s.scheduleClose(ctx, sec)
	return a, nil
}

// CheckSchedule reports, as apperr.Invalid with field errors, whether the
// documents' availability and the deadline keep rb's limits: documents
// available at least MinDocDays and the deadline at least MinDaysToDeadline
// days after their first availability, counted with cal (start day not
// counted; a last day off moves to the next working day; dates compared in
// Asia/Shanghai).
func CheckSchedule(cal *clock.Calendar, rb Rulebook, docsFrom, docsUntil, deadline time.Time) error {
	bad := apperr.New(apperr.Invalid, "公告时间不符合规则", "the announcement's schedule breaks the rulebook").WithCode("schedule_breaks_rulebook")
	if min := cal.AddDays(docsFrom, rb.MinDocDays); cal.DaysBetween(min, docsUntil) < 0 {
		bad.WithField("docsUntil", "documents must be available at least "+itoa(rb.MinDocDays)+" days, until "+min.In(clock.Shanghai).Format(time.DateOnly)+" or later")
		bad.Zh += "；招标文件发售期不得少于" + itoa(rb.MinDocDays) + "日"
	}
	if min := cal.AddDays(docsFrom, rb.MinDaysToDeadline); cal.DaysBetween(min, deadline) < 0 {
		bad.WithField("deadline", "the deadline must be at least "+itoa(rb.MinDaysToDeadline)+" days after the documents are first available, on "+min.In(clock.Shanghai).Format(time.DateOnly)+" or later")
		bad.Zh += "；自招标文件发出之日起至投标截止不得少于" + itoa(rb.MinDaysToDeadline) + "日"
	}
	if len(bad.Fields) > 0 {
		return bad
	}
	return nil
}
