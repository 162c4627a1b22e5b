package evaluation

import (
	"context"
	"encoding/json"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/notary"
)

// ReportType names the report's format.
const ReportType = "tenderhall.evaluation-report.v1"

// ReportLabel prefixes what a member signs: ReportLabel ‖ the report's
// SM3 digest in hex.
const ReportLabel = "TenderHall evaluation report v1\n"

// Report (评标报告) is generated from the session's data. Members appear by
// seat: their names are joined to seats only once the result is final.
type Report struct {
	Type           string            `json:"type"`
	SessionID      int64             `json:"sessionId"`
	SectionID      int64             `json:"sectionId"`
	ProjectID      int64             `json:"projectId"`
	ProjectName    string            `json:"projectName"`
	SectionCode    string            `json:"sectionCode"`
	SectionName    string            `json:"sectionName"`
	Sandbox        bool              `json:"sandbox,omitempty"`
	EvaluationAt   string            `json:"evaluationAt"`
	Place          string            `json:"place"`
	Room           string            `json:"room"`
	Scheme         Scheme            `json:"scheme"`
	Committee      []ReportSeat      `json:"committee"`
	Withdrawn      []int             `json:"withdrawn"` // seats that declared a relationship (回避)
	Bids           []ReportBid       `json:"bids"`
	Reviews        []ReviewSheet     `json:"reviews"`
	Conclusions    []ReportFinding   `json:"conclusions"`
	Competition    *Competition      `json:"competition,omitempty"`
	Clarifications []Clarification   `json:"clarifications"`
	Scores         []ScoreSheet      `json:"scores"`
	Reconciled     []string          `json:"reconciled"` // objective items sent back for reconciliation
	Items          []ItemResult      `json:"items"`
	Price          *PriceComputation `json:"price,omitempty"`
	Flags          []Flag            `json:"flags"`
	Ranking        []Standing        `json:"ranking"`
	Candidates     []Standing        `json:"candidates"`
	DraftedAt      string            `json:"draftedAt"`
}

// ReportSeat is a member of the committee.
type ReportSeat struct {
	Seat     int    `json:"seat"`
	Category string `json:"category"`
	Chair    bool   `json:"chair"`
}

// ReportBid is a bid as the report lists it.
type ReportBid struct {
	BidID        int64  `json:"bidId"`
	BidderName   string `json:"bidderName"`
	PriceFen     int64  `json:"priceFen"`
	DurationDays int    `json:"durationDays"`
	Digest       string `json:"digest"`
}

// ReportFinding is a conclusion with its statute spelled out.
type ReportFinding struct {
	Conclusion
	StatuteText string `json:"statuteText,omitempty"`
}

// Competition is the committee's decision when fewer than three bids
// remained valid.
type Competition struct {
	Effective bool   `json:"effective"`
	Reason    string `json:"reason"`
}

// DraftReport generates the report from the session's data, once scoring
// is complete and every flag settled; the chair asks for it. The bytes are
// fixed from then on: members sign their SM3 digest. Errors:
// apperr.Forbidden (not_chair); apperr.Conflict (wrong_phase,
// flags_unresolved, report_exists).
func (s *Service) DraftReport(ctx context.Context, actor accounts.Principal, sessionID int64, ip string) (SessionView, error) {
	err := s.chairTx(ctx, actor, sessionID, ip, func(ctx context.Context, sess *Session, _ member) error {
		open, err := s.st.openFlags(ctx, sessionID)
		if err != nil {
			return err
		}
		if open > 0 {
			return apperr.Newf(apperr.Conflict, "还有 %d 个偏离提示未处理", "%d deviation flags are unresolved", open).WithCode("flags_unresolved")
		}
		if sess.Phase != PhaseReport {
			return wrongPhase(sess.Phase)
		}
		if st, err := s.reportState(ctx, sessionID); err != nil {
			return err
		} else if st != nil {
			return apperr.New(apperr.Conflict, "评标报告已生成", "the report is drafted already").WithCode("report_exists")
		}
		rep, err := s.buildReport(ctx, *sess)
		if err != nil {
			return err
		}
		body, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		digest := notary.SM3Hex(body)
		if err := s.st.insert(ctx, &reportRow{SessionID: sessionID, Body: body, Digest: digest, CreatedAt: s.now()}); err != nil {
			return err
		}
		return s.log(ctx, "evaluation.report_drafted", sessionRef(sessionID), actor.Actor(), map[string]any{"digest": digest,
			"candidates": len(rep.Candidates)})
	})
	if err != nil {
		return SessionView{}, err
	}
	return s.View(ctx, actor, sessionID, ip)
}

// reportState returns the session's report state, nil before the draft.
func (s *Service) reportState(ctx context.Context, sessionID int64) (*ReportState, error) {
	var rows []reportRow
	if err := s.st.find(ctx, &rows, "", "session_id = ?", sessionID); err != nil || len(rows) == 0 {
		return nil, err
	}
	return s.stateOf(ctx, rows[0])
}

func (s *Service) stateOf(ctx context.Context, row reportRow) (*ReportState, error) {
	st := &ReportState{Digest: row.Digest, DraftedAt: row.CreatedAt, FinalAt: row.FinalAt, Signatures: []Signature{}}
	err := s.st.find(ctx, &st.Signatures, "seat", "session_id = ?", row.SessionID)
	return st, err
}

// ReportDocument is the report's exact bytes and its state.
type ReportDocument struct {
	Body  json.RawMessage `json:"report"`
	State ReportState     `json:"state"`
}

// ReportOf returns the drafted report to the committee, supervisors and
// the project's agent (it names no expert). Errors: apperr.NotFound
// (no_report); apperr.Forbidden.
func (s *Service) ReportOf(ctx context.Context, actor accounts.Principal, sessionID int64, ip string) (ReportDocument, error) {
	if _, _, _, err := s.readable(ctx, actor, sessionID, ip); err != nil {
		return ReportDocument{}, err
	}
	var rows []reportRow
	if err := s.st.find(ctx, &rows, "", "session_id = ?", sessionID); err != nil {
		return ReportDocument{}, err
	}
	if len(rows) == 0 {
		return ReportDocument{}, apperr.New(apperr.NotFound, "评标报告尚未生成", "the report has not been drafted").WithCode("no_report")
	}
	st, err := s.stateOf(ctx, rows[0])
	if err != nil {
		return ReportDocument{}, err
	}
	return ReportDocument{Body: rows[0].Body, State: *st}, nil
}
