package supervision

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// cursorRules names the rules consumer's cursor.
const cursorRules = "rules"

// ConsumeBatch is how many events one consumer transaction reads.
const ConsumeBatch = 500

// Consume applies the events after the consumer's cursor, a batch per
// transaction, until it has caught up, then (when it read any) sweeps the
// timers to the present, and returns how many it read. The
// cursor moves in the same transaction as everything the batch wrote, so
// a crash or a restart at any point neither loses nor repeats a warning.
// Errors: those of storage and the event log.
func (s *Service) Consume(ctx context.Context) (int, error) {
	total := 0
	for {
		n, swept, err := s.consumeBatch(ctx)
		total += n
		if err != nil {
			return total, err
		}
		if swept {
			if err := s.Sweep(ctx); err != nil {
				return total, err
			}
		}
		if n < s.batchSize() {
			if total > 0 {
				return total, s.Sweep(ctx)
			}
			return total, nil
		}
	}
}

func (s *Service) batchSize() int {
	if s.batch > 0 {
		return s.batch
	}
	return ConsumeBatch
}

// Lag returns how many events the consumer has still to read.
func (s *Service) Lag(ctx context.Context) (int64, error) {
	at, err := s.st.cursor(ctx, cursorRules)
	if err != nil {
		return 0, err
	}
	evs, err := s.events.Range(ctx, at+1, eventlog.MaxPage)
	return int64(len(evs)), err
}

func (s *Service) consumeBatch(ctx context.Context) (n int, clockMoved bool, err error) {
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		at, err := s.st.lockCursor(ctx, cursorRules)
		if err != nil {
			return err
		}
		evs, err := s.events.Range(ctx, at+1, s.batchSize())
		if err != nil {
			return err
		}
		cal, err := s.calendar(ctx)
		if err != nil {
			return err
		}
		for _, ev := range evs {
			if ev.Type == "sandbox.clock_advanced" {
				clockMoved = true
			}
			if s.beforeApply != nil {
				if err := s.beforeApply(ev); err != nil {
					return err
				}
			}
			if err := s.apply(ctx, cal, ev); err != nil {
				return err
			}
		}
		n = len(evs)
		if n == 0 {
			return nil
		}
		return s.st.setCursor(ctx, cursorRules, evs[n-1].Seq)
	})
	return n, clockMoved, err
}

// breachTypes are the events the breach and count rules read.
var breachTypes = map[string]bool{"evaluation.deviation_flagged": true, "experts.draw_committed": true, "approval.case_refused": true,
	"approval.materials_requested": true, "approval.case_rated": true, "section.opened": true, "section.failed": true,
	"evaluation.started": true, "evaluation.report_final": true, "video.camera_offline": true, "video.coverage_gap": true}

// payload is the subset of event payload fields the rules read.
type payload struct {
	CaseNo          string     `json:"caseNo"`
	Item            string     `json:"item"`
	DepartmentOrgID int64      `json:"departmentOrgId"`
	PromisedDays    int        `json:"promisedDays"`
	DueAt           *time.Time `json:"dueAt"`
	Name            string     `json:"name"`
	AgencyOrgID     int64      `json:"agencyOrgId"`
	SupervisingOrg  *int64     `json:"supervisingOrgId"`
	ProjectID       int64      `json:"projectId"`
	Code            string     `json:"code"`
	Deadline        *time.Time `json:"deadline"`
	New             *time.Time `json:"new"`
	SectionID       int64      `json:"sectionId"`
	At              *time.Time `json:"at"`
}

// apply is one event's effect on the subjects and timers.
func (s *Service) apply(ctx context.Context, cal *clock.Calendar, ev eventlog.Event) error {
	if breachTypes[ev.Type] {
		if err := s.applyBreach(ctx, ev); err != nil {
			return err
		}
	}
	if done, err := s.applyComplaintSide(ctx, cal, ev); done || err != nil {
		return err
	}
	if !strings.HasPrefix(ev.Type, "approval.") && !strings.HasPrefix(ev.Type, "section.") &&
		ev.Type != "project.created" && ev.Type != "evaluation.report_final" && ev.Type != "award.issued" {
		return nil
	}
	var p payload
	if err := json.Unmarshal([]byte(ev.Payload), &p); err != nil {
		return nil // not a payload the rules read: nothing to watch
	}
	if strings.HasPrefix(ev.Type, "approval.") {
		return s.applyCase(ctx, cal, ev, p)
	}
	return s.applyBidding(ctx, cal, ev, p)
}

func (s *Service) applyCase(ctx context.Context, cal *clock.Calendar, ev eventlog.Event, p payload) error {
	subj := ev.Subject
	switch ev.Type {
	case "approval.case_applied":
		return s.st.putSubject(ctx, Subject{Subject: subj, Kind: "case", Title: p.CaseNo + " " + p.Item,
			OfficeOrgID: p.DepartmentOrgID, DepartmentOrgID: p.DepartmentOrgID, Light: Green, UpdatedAt: ev.OccurredAt})
	case "approval.case_submitted":
		n := s.rules.Rule[RuleCasePreReview].Limit
		due := clock.EndOfDay(cal.AddWorkdays(ev.OccurredAt, n))
		return s.startTimer(ctx, subj, RuleCasePreReview, s.rules.WorkdayWindow(cal, ev.OccurredAt, due, n), n, ev.Seq, ev.OccurredAt)
	case "approval.case_accepted":
		if err := s.stopTimer(ctx, subj, RuleCasePreReview, ev.OccurredAt); err != nil {
			return err
		}
		if p.DueAt == nil {
			return nil
		}
		return s.startTimer(ctx, subj, RuleCasePromised, s.rules.WorkdayWindow(cal, ev.OccurredAt, *p.DueAt, p.PromisedDays), p.PromisedDays, ev.Seq, ev.OccurredAt)
	case "approval.case_suspended":
		return s.pauseTimer(ctx, subj, RuleCasePromised)
	case "approval.case_resumed":
		if p.DueAt == nil {
			return nil
		}
		return s.resumeTimer(ctx, cal, subj, RuleCasePromised, *p.DueAt, ev.Seq, ev.OccurredAt)
	case "approval.materials_requested":
		return s.stopTimer(ctx, subj, RuleCasePreReview, ev.OccurredAt)
	case "approval.case_decided":
		return s.stopTimer(ctx, subj, RuleCasePromised, ev.OccurredAt)
	case "approval.case_finished", "approval.case_refused", "approval.case_withdrawn":
		for _, r := range []string{RuleCasePreReview, RuleCasePromised} {
			if err := s.stopTimer(ctx, subj, r, ev.OccurredAt); err != nil {
				return err
			}
		}
		return s.closeSubject(ctx, subj)
	}
	return nil
}
