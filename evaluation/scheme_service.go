package evaluation

import (
	"context"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// SchemeOf returns a section's evaluation scheme: the one its agent kept,
// or the rulebook's default. It is part of the tender documents, so anyone
// may read it once the announcement is published; before that only the
// project's agents, administrators and supervisors. Errors:
// apperr.NotFound; apperr.Forbidden.
func (s *Service) SchemeOf(ctx context.Context, actor accounts.Principal, sectionID int64) (Scheme, error) {
	f, err := s.facts(ctx, actor, sectionID)
	if err != nil {
		return Scheme{}, err
	}
	if f.State == bidding.StateDraft && !f.RunsProject && !isSupervisor(actor) {
		return Scheme{}, apperr.New(apperr.NotFound, "评标办法尚未公布", "the evaluation scheme is not published yet")
	}
	return s.schemeFor(ctx, f)
}

func (s *Service) schemeFor(ctx context.Context, f bidding.EvaluationFacts) (Scheme, error) {
	sc, ok, err := s.st.scheme(ctx, f.SectionID)
	if err != nil || !ok {
		return DefaultScheme(f.SectionID, f.Rulebook), err
	}
	sc.SectionID = f.SectionID
	return sc, nil
}

// SetScheme keeps a draft section's evaluation scheme; it freezes with the
// announcement, like the rulebook. The rulebook's method decides; the
// price formula, marks and criteria are the agent's. Errors:
// apperr.Forbidden (not_project_agent); apperr.Conflict (scheme_frozen)
// once the section is announced; apperr.Invalid naming the bad fields.
func (s *Service) SetScheme(ctx context.Context, actor accounts.Principal, sectionID int64, in Scheme) (Scheme, error) {
	in.SectionID, in.Default = sectionID, false
	if in.DeviationPct == 0 {
		in.DeviationPct = DefaultDeviationPct
	}
	if err := in.validate(); err != nil {
		return Scheme{}, err
	}
	err := s.agentTx(ctx, actor, sectionID, func(ctx context.Context, f bidding.EvaluationFacts) error {
		if f.State != bidding.StateDraft {
			return apperr.New(apperr.Conflict, "公告发布后评标办法已冻结，只能通过澄清修改", "the scheme froze with the announcement; change it through a clarification").
				WithCode("scheme_frozen")
		}
		if err := s.st.upsert(ctx, &schemeRow{SectionID: sectionID, Scheme: in, UpdatedBy: actor.UserID, UpdatedAt: s.now()}); err != nil {
			return err
		}
		return s.log(ctx, "evaluation.scheme_saved", sectionRef(sectionID), actor.Actor(),
			map[string]any{"method": in.Method, "priceFormula": in.PriceFormula, "criteria": len(in.Criteria)})
	})
	return in, err
}
