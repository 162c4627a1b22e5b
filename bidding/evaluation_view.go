package bidding

import (
	"context"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/storage"
)

// EvaluationFacts is what the evaluation (package evaluation) reads of a
// section: identity, state, rulebook, the parties and whether the reader
// runs the project.
type EvaluationFacts struct {
	SectionID     int64
	ProjectID     int64
	ProjectName   string
	SectionCode   string
	SectionName   string
	Kind          Kind
	State         State
	Rulebook      Rulebook
	BudgetFen     int64
	TendererOrgID int64
	AgencyOrgID   int64
	RunsProject   bool       // actor may act as the project's agent
	RoomClosed    bool       // the opening room closed and its signed record is published
	OpenedAt      *time.Time // when the room opened (the deadline passed)
	Sandbox       bool       // made by a sandbox server: a test
	Suspended     bool       // the supervising department suspended the procedure (a complaint)
}

// EvaluationFacts returns the facts of section sectionID as seen by actor,
// on the connection (and transaction) carried by ctx. Errors:
// apperr.NotFound for an unknown section, otherwise those of storage.
func (s *Service) EvaluationFacts(ctx context.Context, actor accounts.Principal, sectionID int64) (EvaluationFacts, error) {
	sec, p, err := s.sectionAndProject(ctx, sectionID, false)
	if err != nil {
		return EvaluationFacts{}, err
	}
	f := EvaluationFacts{SectionID: sec.ID, ProjectID: p.ID, ProjectName: p.Name, SectionCode: sec.Code, SectionName: sec.Name,
		Kind: sec.Kind, State: sec.State, Rulebook: sec.Rulebook, BudgetFen: sec.BudgetFen, TendererOrgID: p.TendererOrgID,
		AgencyOrgID: p.AgencyOrgID, RunsProject: runsProject(actor, p), Sandbox: s.sandbox, Suspended: sec.Suspended()}
	var rooms []Room
	if err := s.db.Conn(ctx).Where("section_id = ?", sectionID).Limit(1).Find(&rooms).Error; err != nil {
		return f, storage.Translate(err)
	}
	if len(rooms) == 1 {
		f.RoomClosed = rooms[0].Phase == PhaseClosed && rooms[0].RecordKey != ""
		f.OpenedAt = &rooms[0].OpenedAt
	}
	return f, nil
}

// DecryptedBid is a bid the opening decrypted, with its form: what the
// committee evaluates.
type DecryptedBid struct {
	BidID        int64             `json:"bidId"`
	BidderOrgID  int64             `json:"bidderOrgId"`
	BidderName   string            `json:"bidderName"`
	USCC         string            `json:"uscc,omitempty"`
	PriceFen     int64             `json:"priceFen"`
	DurationDays int               `json:"durationDays"`
	Quality      string            `json:"quality,omitempty"`
	Commitments  map[string]string `json:"commitments,omitempty"`
	Digest       string            `json:"digest"`
	PlainSize    int64             `json:"plainSize"`
}

// DecryptedBids lists a section's decrypted bids, in bid order, once the
// decryption window has closed and the figures are published. Errors:
// apperr.Conflict (results_not_published) before that; those of storage.
func (s *Service) DecryptedBids(ctx context.Context, sectionID int64) ([]DecryptedBid, error) {
	r, err := s.room(ctx, sectionID)
	if err != nil {
		return nil, err
	}
	if r.ResultsAt == nil {
		return nil, apperr.New(apperr.Conflict, "开标结果尚未公布", "the opening results are not published yet").WithCode("results_not_published")
	}
	rows, err := s.results(ctx, sectionID)
	if err != nil {
		return nil, err
	}
	var out []DecryptedBid
	for _, row := range rows {
		if row.Status != OpeningDecrypted || row.PriceFen == nil {
			continue
		}
		var ob OpenedBid
		if err := s.db.Conn(ctx).Where("bid_id = ?", row.BidID).Take(&ob).Error; err != nil {
			return nil, storage.Translate(err)
		}
		form, err := s.openForm(ob)
		if err != nil {
			return nil, err
		}
		out = append(out, DecryptedBid{BidID: row.BidID, BidderOrgID: row.BidderOrgID, BidderName: row.BidderName, USCC: row.USCC,
			PriceFen: form.PriceFen, DurationDays: form.DurationDays, Quality: form.Quality, Commitments: form.Commitments,
			Digest: row.Digest, PlainSize: ob.PlainSize})
	}
	return out, nil
}

// MoveSection moves a section through the evaluation and award states
// (evaluating, candidates, awarded, contracted), in ctx's transaction,
// with the section row locked and the transition logged with payload.
// Errors: apperr.Conflict (invalid_transition) naming the current state;
// apperr.Invalid for a target outside those; apperr.NotFound.
func (s *Service) MoveSection(ctx context.Context, sectionID int64, to State, actor string, payload map[string]any) error {
	switch to {
	case StateEvaluating, StateCandidates, StateAwarded, StateContracted:
	default:
		return apperr.Newf(apperr.Invalid, "评标不能把标段变为「%s」", "the evaluation cannot move a section to %s", to)
	}
	return s.db.InTx(ctx, func(ctx context.Context) error {
		sec, err := s.st.section(ctx, sectionID, true)
		if err != nil {
			return err
		}
		return s.transition(ctx, &sec, to, actor, payload)
	})
}

// FailAtEvaluation ends a section under evaluation as failed (流标) with
// the committee's reason (every bid rejected, or competition no longer
// effective), in ctx's transaction. Errors: as MoveSection.
func (s *Service) FailAtEvaluation(ctx context.Context, sectionID int64, actor, code, zh, en string, payload map[string]any) error {
	return s.db.InTx(ctx, func(ctx context.Context) error {
		sec, err := s.st.section(ctx, sectionID, true)
		if err != nil {
			return err
		}
		if sec.State != StateEvaluating {
			return checkTransition(sec.State, StateFailed)
		}
		if payload == nil {
			payload = map[string]any{}
		}
		payload["by"] = actor
		return s.failSection(ctx, &sec, code, zh, en, payload)
	})
}

// OrgName returns an organisation's name. Errors: apperr.NotFound.
func (s *Service) OrgName(ctx context.Context, orgID int64) (string, error) {
	var names []string
	if err := s.db.Conn(ctx).Raw("SELECT name FROM organizations WHERE id = ?", orgID).Scan(&names).Error; err != nil {
		return "", storage.Translate(err)
	}
	if len(names) == 0 {
		return "", apperr.New(apperr.NotFound, "单位不存在", "organisation not found")
	}
	return names[0], nil
}

// LockSection takes the section row's lock in ctx's transaction, so that
// a change decided on the section's state (the evaluation scheme, which
// freezes with the announcement) cannot interleave with a transition.
// Errors: apperr.NotFound.
func (s *Service) LockSection(ctx context.Context, sectionID int64) error {
	_, err := s.st.section(ctx, sectionID, true)
	return err
}
