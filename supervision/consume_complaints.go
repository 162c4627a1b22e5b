package supervision

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// objectionStages maps the domains' objection events to the stage and
// whether the event raises (true) or answers the objection.
var objectionStages = map[string]struct {
	stage string
	raise bool
}{
	"objection.raised": {StageDocuments, true}, "objection.answered": {StageDocuments, false},
	"opening.objection": {StageOpening, true}, "opening.objection_answered": {StageOpening, false},
	"award.objection_raised": {StageAward, true}, "award.objection_answered": {StageAward, false},
}

// applyComplaintSide follows objections (what complaints are checked
// against) and complaints (their acceptance and decision clocks, and the
// section's clocks stopped while a complaint suspends it). It reports
// whether ev was one of those.
func (s *Service) applyComplaintSide(ctx context.Context, cal *clock.Calendar, ev eventlog.Event) (bool, error) {
	if st, ok := objectionStages[ev.Type]; ok {
		var p struct {
			ObjectionID int64      `json:"objectionId"`
			BidderOrgID int64      `json:"bidderOrgId"`
			AnswerDue   *time.Time `json:"answerDue"`
			DueAt       *time.Time `json:"dueAt"`
		}
		if !jsonInto(ev.Payload, &p) || p.ObjectionID == 0 {
			return true, nil
		}
		if !st.raise {
			return true, s.st.answerObjection(ctx, st.stage, p.ObjectionID, ev.OccurredAt)
		}
		due := ev.OccurredAt // an opening objection is answered on the spot (第四十四条)
		for _, d := range []*time.Time{p.AnswerDue, p.DueAt} {
			if d != nil {
				due = *d
			}
		}
		return true, s.st.putObjection(ctx, &Objection{Stage: st.stage, ObjectionID: p.ObjectionID, Subject: ev.Subject,
			BidderOrgID: p.BidderOrgID, RaisedAt: ev.OccurredAt, DueAt: due})
	}
	switch ev.Type {
	case "complaint.filed", "complaint.accepted", "complaint.refused", "complaint.decided":
	default:
		return false, nil
	}
	var c struct {
		SectionID       int64      `json:"sectionId"`
		DepartmentOrgID int64      `json:"departmentOrgId"`
		AcceptDue       time.Time  `json:"acceptDue"`
		DecideDue       *time.Time `json:"decideDue"`
		Suspended       bool       `json:"suspended"`
		AcceptedAt      *time.Time `json:"acceptedAt"`
	}
	if !jsonInto(ev.Payload, &c) {
		return true, nil
	}
	return true, s.applyComplaint(ctx, cal, ev, c.SectionID, c.DepartmentOrgID, c.AcceptDue, c.DecideDue, c.Suspended, c.AcceptedAt)
}

// sectionClocks are the section's limits a suspension stops.
var sectionClocks = []string{RuleOpeningLate, RulePublicityLate, RuleContractLate}

func (s *Service) applyComplaint(ctx context.Context, cal *clock.Calendar, ev eventlog.Event, section, dept int64,
	acceptDue time.Time, decideDue *time.Time, suspended bool, acceptedAt *time.Time) error {
	subj, at := ev.Subject, ev.OccurredAt
	switch ev.Type {
	case "complaint.filed":
		if err := s.st.putSubject(ctx, Subject{Subject: subj, Kind: "complaint", Title: "投诉 · 标段 " + itoa(section),
			OfficeOrgID: dept, DepartmentOrgID: dept, Light: Green, UpdatedAt: at}); err != nil {
			return err
		}
		n := s.rules.Rule[RuleComplaintAcc].Limit
		return s.startTimer(ctx, subj, RuleComplaintAcc, s.rules.WorkdayWindow(cal, at, acceptDue, n), n, ev.Seq, at)
	case "complaint.accepted":
		if err := s.stopTimer(ctx, subj, RuleComplaintAcc, at); err != nil {
			return err
		}
		if decideDue != nil {
			n := s.rules.Rule[RuleComplaintDec].Limit
			if err := s.startTimer(ctx, subj, RuleComplaintDec, s.rules.WorkdayWindow(cal, at, *decideDue, n), n, ev.Seq, at); err != nil {
				return err
			}
		}
		if suspended {
			for _, r := range sectionClocks {
				if err := s.pauseTimer(ctx, sectionRef(section), r); err != nil {
					return err
				}
			}
		}
		return nil
	case "complaint.refused":
		if err := s.stopTimer(ctx, subj, RuleComplaintAcc, at); err != nil {
			return err
		}
		return s.closeSubject(ctx, subj)
	}
	if err := s.stopTimer(ctx, subj, RuleComplaintDec, at); err != nil { // decided
		return err
	}
	if err := s.closeSubject(ctx, subj); err != nil {
		return err
	}
	if !suspended || acceptedAt == nil {
		return nil
	}
	for _, r := range sectionClocks {
		if err := s.shiftTimer(ctx, sectionRef(section), r, at.Sub(*acceptedAt), ev.Seq, at); err != nil {
			return err
		}
	}
	return nil
}

// shiftTimer resumes a timer paused by a suspension, its yellow moment and
// due moved later by the time it was held.
func (s *Service) shiftTimer(ctx context.Context, subj, rule string, held time.Duration, seq int64, at time.Time) error {
	t, err := s.st.timer(ctx, subj, rule)
	if err != nil || !t.Paused {
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		return nil
	}
	return s.resumeOver(ctx, t, Window{Start: t.StartedAt, YellowAt: t.YellowAt.Add(held), Due: t.DueAt.Add(held)}, seq, at)
}
