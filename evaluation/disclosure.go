package evaluation

import (
	"context"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/storage"
)

// expertActed lists the evaluation events whose actor is a committee
// member: each names, through its actor, who sits on the committee.
var expertActed = []string{
	"evaluation.signed_in", "evaluation.declared", "evaluation.voted", "evaluation.review_submitted",
	"evaluation.concluded", "evaluation.competition_decided", "evaluation.scores_submitted",
	"evaluation.flag_resolved", "evaluation.clarification_asked", "evaluation.report_drafted",
	"evaluation.report_answered", "evaluation.access_refused", "evaluation.failed",
}

// SecretEvents are the evaluation events that identify committee members
// before the section's result is final (eventlog.Secret). The project's
// supervisors read them before, as the evaluation routes show them the
// seats with names; the administrator and the agent do not.
var SecretEvents = secretEvents()

func secretEvents() []eventlog.Secret {
	out := make([]eventlog.Secret, 0, len(expertActed)+1)
	for _, t := range expertActed {
		out = append(out, eventlog.Secret{Type: t, Release: eventlog.AtFinal, ProjectSupervisors: true,
			Why: "which user sits on the committee (the actor is the member)"})
	}
	return append(out, eventlog.Secret{Type: "evaluation.absent", Release: eventlog.AtFinal, ProjectSupervisors: true,
		Why: "which seat's member did not come, with the supervisor's reason"})
}

// SessionSections maps evaluation session ids (the "evaluation:<id>"
// subjects) to their sections; unknown ids are left out. Errors are those
// of storage.
func (s *Service) SessionSections(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Session
	if err := s.db.Conn(ctx).Select("id", "section_id").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, storage.Translate(err)
	}
	for _, r := range rows {
		out[r.ID] = r.SectionID
	}
	return out, nil
}
