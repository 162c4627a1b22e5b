package bidding

import (
	"context"
	"strconv"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// Retender (重新招标) starts a new round of a failed section: a new draft
// section of the same project with the same code, kind, budget and
// rulebook (unfrozen again, for a new announcement), pointing back to the
// failed one, whose history stays as it is. A section is re-tendered once.
// Errors: apperr.Forbidden (not the project's agent), apperr.NotFound,
// apperr.Conflict (not_failed, already_retendered).
func (s *Service) Retender(ctx context.Context, actor accounts.Principal, sectionID int64) (Section, error) {
	var next Section
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		old, p, err := s.sectionAndProject(ctx, sectionID, true)
		if err != nil {
			return err
		}
		if err := requireAgent(actor, p); err != nil {
			return err
		}
		if old.State != StateFailed {
			return apperr.Newf(apperr.Conflict, "只有流标的标段可以重新招标（当前：%s）", "only a failed section can be re-tendered (it is %s)",
				stateNames[old.State]).WithCode("not_failed")
		}
		var n int64
		if err := s.db.Conn(ctx).Model(&Section{}).Where("previous_section_id = ?", old.ID).Count(&n).Error; err != nil {
			return storage.Translate(err)
		}
		if n > 0 {
			return apperr.New(apperr.Conflict, "该标段已重新招标", "this section was already re-tendered").WithCode("already_retendered")
		}
		rb, err := DefaultRulebook(old.RulebookName)
		if err != nil {
			return err
		}
		rb.DecryptWindowMinutes, rb.MaxBidBytes = old.Rulebook.DecryptWindowMinutes, old.Rulebook.MaxBidBytes
		next = Section{ProjectID: old.ProjectID, Code: old.Code, Name: old.Name, Kind: old.Kind, BudgetFen: old.BudgetFen,
			RulebookName: old.RulebookName, Rulebook: rb, Prequalification: old.Prequalification, State: StateDraft,
			PreviousID: &old.ID, CreatedAt: s.now(), UpdatedAt: s.now()}
		if err := s.st.insert(ctx, &next); err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "section.created", Subject: sectionRef(next.ID), Actor: actor.Actor(),
			Payload: map[string]any{"projectId": next.ProjectID, "code": next.Code, "kind": next.Kind, "budgetFen": next.BudgetFen,
				"rulebook": rb.Name, "previousSectionId": old.ID}})
		if err != nil {
			return err
		}
		_, err = s.events.Append(ctx, eventlog.Entry{Type: "section.retendered", Subject: sectionRef(old.ID), Actor: actor.Actor(),
			Payload: map[string]any{"newSectionId": next.ID, "round": strconv.FormatInt(next.ID, 10)}})
		return err
	})
	return next, err
}
