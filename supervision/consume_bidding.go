package supervision

import (
	"context"
	"strconv"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

func projectRef(id int64) string { return "project:" + strconv.FormatInt(id, 10) }
func sectionRef(id int64) string { return "section:" + strconv.FormatInt(id, 10) }

// applyBidding follows a section from its announcement to its contract:
// the opening after the deadline, the publicity after the report, the
// contract after the award notice.
func (s *Service) applyBidding(ctx context.Context, cal *clock.Calendar, ev eventlog.Event, p payload) error {
	subj := ev.Subject
	switch ev.Type {
	case "project.created":
		dept := int64(0)
		if p.SupervisingOrg != nil {
			dept = *p.SupervisingOrg
		}
		return s.st.putSubject(ctx, Subject{Subject: subj, Kind: "project", Title: p.Name, OfficeOrgID: p.AgencyOrgID,
			DepartmentOrgID: dept, Light: Green, Closed: true, UpdatedAt: ev.OccurredAt})
	case "section.created":
		proj, err := s.st.subject(ctx, projectRef(p.ProjectID))
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		return s.st.putSubject(ctx, Subject{Subject: subj, Kind: "section", Title: joinTitle(proj.Title, p.Code),
			OfficeOrgID: proj.OfficeOrgID, DepartmentOrgID: proj.DepartmentOrgID, Light: Green, UpdatedAt: ev.OccurredAt})
	case "section.announced":
		if p.Deadline != nil {
			return s.startOpening(ctx, subj, *p.Deadline, ev.Seq, ev.OccurredAt)
		}
	case "section.deadline_moved":
		if p.New != nil {
			return s.startOpening(ctx, subj, *p.New, ev.Seq, ev.OccurredAt)
		}
	case "section.opening":
		return s.stopTimer(ctx, subj, RuleOpeningLate, ev.OccurredAt)
	case "evaluation.report_final":
		if p.SectionID == 0 {
			return nil
		}
		at := ev.OccurredAt
		if p.At != nil {
			at = *p.At
		}
		n := s.rules.Rule[RulePublicityLate].Limit
		due := clock.EndOfDay(cal.AddDays(at, n))
		return s.startTimer(ctx, sectionRef(p.SectionID), RulePublicityLate, s.rules.DurationWindow(at, due, true), n, ev.Seq, ev.OccurredAt)
	case "section.awarded":
		return s.atAward(ctx, ev)
	case "section.candidates":
		return s.stopTimer(ctx, subj, RulePublicityLate, ev.OccurredAt)
	case "award.issued":
		n := s.rules.Rule[RuleContractLate].Limit
		due := clock.EndOfDay(cal.AddDays(ev.OccurredAt, n))
		return s.startTimer(ctx, subj, RuleContractLate, s.rules.DurationWindow(ev.OccurredAt, due, true), n, ev.Seq, ev.OccurredAt)
	case "section.contracted", "section.failed", "section.cancelled":
		for _, r := range []string{RuleOpeningLate, RulePublicityLate, RuleContractLate} {
			if err := s.stopTimer(ctx, subj, r, ev.OccurredAt); err != nil {
				return err
			}
		}
		return s.closeSubject(ctx, subj)
	}
	return nil
}

func (s *Service) startOpening(ctx context.Context, subj string, deadline time.Time, seq int64, at time.Time) error {
	n := s.rules.Rule[RuleOpeningLate].Limit
	due := deadline.Add(time.Duration(n) * time.Minute)
	return s.startTimer(ctx, subj, RuleOpeningLate, s.rules.DurationWindow(deadline, due, false), n, seq, at)
}

func joinTitle(project, code string) string {
	if project == "" {
		return code
	}
	return project + " · " + code
}
