package bidding

import (
	"context"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/storage"
)

// DrawFacts is what the expert draw (package experts) reads of a section:
// its state, rulebook and budget, the organisations that avoidance rules
// name, and whether the reader runs the project.
type DrawFacts struct {
	SectionID     int64
	ProjectID     int64
	State         State
	Rulebook      RulebookName
	BudgetFen     int64
	TendererOrgID int64
	AgencyOrgID   int64
	BidderOrgIDs  []int64 // every organisation that stored a bid on the section, in any status
	RunsProject   bool    // actor may act as the project's agent
}

// Final reports whether the section's result is final (awarded or
// contracted): from then on a draw may be revealed.
func (f DrawFacts) Final() bool { return f.State.Final() }

// DrawOpen reports whether an expert draw may be requested: the section
// has been opened and is not yet past evaluation.
func (f DrawFacts) DrawOpen() bool { return f.State == StateOpened || f.State == StateEvaluating }

// DrawFacts returns the facts of section sectionID as seen by actor, read
// on the connection (and transaction) carried by ctx. It checks no access
// beyond computing RunsProject. Errors: apperr.NotFound for an unknown
// section, otherwise those of storage.
func (s *Service) DrawFacts(ctx context.Context, actor accounts.Principal, sectionID int64) (DrawFacts, error) {
	sec, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return DrawFacts{}, err
	}
	var orgs []int64
	if err := s.db.Conn(ctx).Raw("SELECT DISTINCT bidder_org_id FROM bids WHERE section_id = ? ORDER BY bidder_org_id", sectionID).
		Scan(&orgs).Error; err != nil {
		return DrawFacts{}, storage.Translate(err)
	}
	return DrawFacts{SectionID: sec.ID, ProjectID: p.ID, State: sec.State, Rulebook: sec.RulebookName, BudgetFen: sec.BudgetFen,
		TendererOrgID: p.TendererOrgID, AgencyOrgID: p.AgencyOrgID, BidderOrgIDs: orgs, RunsProject: runsProject(actor, p)}, nil
}
