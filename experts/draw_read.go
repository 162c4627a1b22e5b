package experts

import (
	"context"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

func sealedErr() error {
	return apperr.New(apperr.Forbidden, "抽取结果在定标前保密，仅监督人员可见", "the draw result is sealed until the award; only the supervisor of record sees it").
		WithCode("draw_sealed")
}

// isRecordSupervisor reports whether actor is the draw's supervisor of record.
func isRecordSupervisor(actor accounts.Principal, d drawRow) bool {
	return actor.UserID != 0 && actor.Has(accounts.RoleSupervisor) && d.SupervisorUserID != nil && *d.SupervisorUserID == actor.UserID
}

// drawAndFacts reads a draw and its section's facts for actor.
func (s *Service) drawAndFacts(ctx context.Context, actor accounts.Principal, id int64) (drawRow, bidding.DrawFacts, error) {
	d, err := s.st.draw(ctx, id, false)
	if err != nil {
		return d, bidding.DrawFacts{}, err
	}
	f, err := s.sectionFacts(ctx, actor, d.SectionID)
	return d, f, err
}

// GetDraw returns a draw's public part (request, commitments, counts) to
// the project's agents and to supervisors. Errors: apperr.NotFound,
// apperr.Forbidden.
func (s *Service) GetDraw(ctx context.Context, actor accounts.Principal, id int64) (Draw, error) {
	d, f, err := s.drawAndFacts(ctx, actor, id)
	if err != nil {
		return Draw{}, err
	}
	if !f.RunsProject && !actor.Has(accounts.RoleSupervisor) {
		return Draw{}, apperr.New(apperr.Forbidden, "无权查看该抽取", "you may not see this draw").WithCode("draw_forbidden")
	}
	return d.view(), nil
}

// SectionDraws lists the public part of a section's draws, to the same
// readers as GetDraw. Errors: apperr.NotFound, apperr.Forbidden.
func (s *Service) SectionDraws(ctx context.Context, actor accounts.Principal, sectionID int64) ([]Draw, error) {
	f, err := s.sectionFacts(ctx, actor, sectionID)
	if err != nil {
		return nil, err
	}
	if !f.RunsProject && !actor.Has(accounts.RoleSupervisor) {
		return nil, apperr.New(apperr.Forbidden, "无权查看该标段的抽取", "you may not see this section's draws").WithCode("draw_forbidden")
	}
	rows, err := s.st.drawsOf(ctx, sectionID)
	out := make([]Draw, len(rows))
	for i, d := range rows {
		out[i] = d.view()
	}
	return out, err
}

// Result returns the drawn list with names. Before the section's result is
// final only the supervisor of record may read it; afterwards also the
// project's agents and every supervisor. Errors: apperr.NotFound;
// apperr.Forbidden (code "draw_sealed"); apperr.Conflict (code
// "draw_not_drawn") before the supervisor's value.
func (s *Service) Result(ctx context.Context, actor accounts.Principal, id int64) (DrawResult, error) {
	d, f, err := s.drawAndFacts(ctx, actor, id)
	if err != nil {
		return DrawResult{}, err
	}
	if !isRecordSupervisor(actor, d) && !(f.Final() && (f.RunsProject || actor.Has(accounts.RoleSupervisor))) {
		return DrawResult{}, sealedErr()
	}
	res, err := s.openResult(d)
	if err != nil {
		return DrawResult{}, err
	}
	return s.resultView(ctx, d, res)
}

// Exclusions lists who was kept out of a draw and why, to supervisors (and
// to anyone in the proof once the result is final). Errors:
// apperr.NotFound, apperr.Forbidden.
func (s *Service) Exclusions(ctx context.Context, actor accounts.Principal, id int64) ([]Exclusion, error) {
	if err := requireSupervisor(actor); err != nil {
		return nil, err
	}
	d, err := s.st.draw(ctx, id, false)
	if d.Exclusions == nil {
		d.Exclusions = []Exclusion{}
	}
	return d.Exclusions, err
}
