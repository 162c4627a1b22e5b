// Package bidding runs the procurement lifecycle up to the bid deadline
// (DESIGN.md §5 "Bidding and opening"): projects and their sections, each
// section's rulebook and state machine, announcements, clarifications that
// move the deadline, bidder questions and objections that pause it, and the
// deadline job that closes bidding.
package bidding

import "github.com/tenderhall/tenderhall/internal/apperr"

// Kind is what a section procures.
type Kind string

// The procurement kinds.
const (
	Engineering Kind = "engineering" // 工程
	Goods       Kind = "goods"       // 货物
	Services    Kind = "services"    // 服务
)

func (k Kind) valid() bool { return k == Engineering || k == Goods || k == Services }

// RulebookName selects the law a section is tendered under.
type RulebookName string

// The rulebooks.
const (
	RulebookEngineering RulebookName = "engineering" // 招标投标法实施条例
	RulebookProcurement RulebookName = "procurement" // 政府采购 财政部87号令
)

// Rulebook holds a section's time limits and evaluation parameters as data.
// It is chosen at creation and frozen when the announcement is published;
// later changes go through a clarification. Days are calendar days counted
// per DESIGN.md §5 (start day not counted, a last day off moves to the next
// working day).
type Rulebook struct {
	Name                  RulebookName `json:"name"`
	MinDocDays            int          `json:"minDocDays"`                // documents available at least this long (5)
	MinDaysToDeadline     int          `json:"minDaysToDeadline"`         // from documents' first availability to the deadline (20)
	ClarificationDays     int          `json:"clarificationDays"`         // a clarification closer than this pushes the deadline to this many days after it (15)
	PrequalClarifyDays    int          `json:"prequalClarifyDays"`        // the same for prequalification documents (3)
	ObjectionCutoffDays   int          `json:"objectionCutoffDays"`       // objections up to this many days before the deadline (10)
	ObjectionAnswerDays   int          `json:"objectionAnswerDays"`       // the agent answers within (3)
	DecryptWindowMinutes  int          `json:"decryptWindowMinutes"`      // bidders decrypt within (30)
	CommitteeSize         int          `json:"committeeSize"`             // odd, at least 5
	EvaluationMethod      string       `json:"evaluationMethod"`          // e.g. "comprehensive", "lowest_price"
	PriceFormula          string       `json:"priceFormula"`              // "average_deviation" (engineering) or "lowest_base" (procurement)
	MaxBidBytes           int64        `json:"maxBidBytes"`               // upper bound of one sealed bid
	DropExtremeSubjective bool         `json:"dropExtremeSubjective"`     // drop highest and lowest subjective scores in committees over 5
	EscrowThreshold       int          `json:"escrowThreshold,omitempty"` // k of the escrow key's k-of-n split; 0 = no escrow (the default)
	EscrowHolders         int          `json:"escrowHolders,omitempty"`   // n: supervisors granted on the project, one share each
}

// DefaultRulebook returns the defaults of the named rulebook, or
// apperr.Invalid for an unknown name. Government procurement under 87号令
// also requires 20 days from the documents' first availability to the
// deadline for public tendering, so both rulebooks share that limit; they
// differ in the evaluation method and price formula.
func DefaultRulebook(name RulebookName) (Rulebook, error) {
	r := Rulebook{Name: name, MinDocDays: 5, MinDaysToDeadline: 20, ClarificationDays: 15, PrequalClarifyDays: 3,
		ObjectionCutoffDays: 10, ObjectionAnswerDays: 3, DecryptWindowMinutes: 30, CommitteeSize: 5,
		MaxBidBytes: 2 << 30, DropExtremeSubjective: true}
	switch name {
	case RulebookEngineering:
		r.EvaluationMethod, r.PriceFormula = "comprehensive", "average_deviation"
	case RulebookProcurement:
		r.EvaluationMethod, r.PriceFormula = "comprehensive", "lowest_base"
	default:
		return Rulebook{}, apperr.Newf(apperr.Invalid, "未知规则集 %q（应为 engineering 或 procurement）",
			"unknown rulebook %q (want engineering or procurement)", name).WithField("rulebook", "unknown")
	}
	return r, nil
}

// clarifyDays is the push a clarification gives the deadline.
func (r Rulebook) clarifyDays(prequal bool) int {
	if prequal {
		return r.PrequalClarifyDays
	}
	return r.ClarificationDays
}
