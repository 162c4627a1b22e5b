package experts

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// Group asks for Count experts (and Reserve reserves) of one category
// whose specialties start with Specialty (A, A04, A0403 or A040303).
type Group struct {
	Specialty string   `json:"specialty"`
	Category  Category `json:"category"`
	Count     int      `json:"count"`
	Reserve   int      `json:"reserve"`
}

// Avoidance holds the draw-frequency and employment rules. Zero values
// take the defaults: at most 3 draws in 30 days, employers of the last
// 3 years.
type Avoidance struct {
	MaxDraws        int `json:"maxDraws"`
	WithinDays      int `json:"withinDays"`
	EmploymentYears int `json:"employmentYears"`
}

func (a Avoidance) withDefaults() Avoidance {
	if a.MaxDraws == 0 {
		a.MaxDraws = 3
	}
	if a.WithinDays == 0 {
		a.WithinDays = 30
	}
	if a.EmploymentYears == 0 {
		a.EmploymentYears = 3
	}
	return a
}

// Request is an agent's draw request for one section.
type Request struct {
	EvaluationAt      time.Time `json:"evaluationAt"`
	Place             string    `json:"place"`
	Groups            []Group   `json:"groups"`
	RegionsInclude    []string  `json:"regionsInclude,omitempty"` // region code prefixes; empty: everywhere
	RegionsExclude    []string  `json:"regionsExclude,omitempty"`
	TendererReps      int       `json:"tendererReps"`                // the tenderer's own representatives on the committee (not drawn)
	SupervisingOrgIDs []int64   `json:"supervisingOrgIds,omitempty"` // the supervising departments, whose staff are avoided
	Avoidance         Avoidance `json:"avoidance"`
	// SupplementOf names a draw whose call campaign ended unfilled: this
	// supplementary draw adds experts to that committee, so its groups need
	// not form a committee alone. The same verifiable rules apply, and
	// everyone already drawn for the project is avoided.
	SupplementOf int64 `json:"supplementOf,omitempty"`
}

// BigProcurementFen is the budget from which a procurement committee needs
// at least seven members (10 million yuan).
const BigProcurementFen = 1_000_000_000

// Drawn returns the number of committee members drawn from the pool.
func (r Request) Drawn() int {
	n := 0
	for _, g := range r.Groups {
		n += g.Count
	}
	return n
}

// validate checks the request against the section's rulebook and budget
// at time now: apperr.Invalid with one field error per problem.
func (r *Request) validate(f bidding.DrawFacts, now time.Time) error {
	bad := apperr.New(apperr.Invalid, "抽取申请不符合规则", "the draw request breaks the rules").WithCode("invalid_draw_request")
	r.Place = strings.TrimSpace(r.Place)
	r.Avoidance = r.Avoidance.withDefaults()
	if !r.EvaluationAt.After(now) {
		bad.WithField("evaluationAt", "must be in the future")
	}
	if r.Place == "" || utf8.RuneCountInString(r.Place) > 200 {
		bad.WithField("place", "required, at most 200 characters")
	}
	if len(r.Groups) == 0 || len(r.Groups) > 10 {
		bad.WithField("groups", "one to ten groups")
	}
	for i := range r.Groups {
		g := &r.Groups[i]
		g.Specialty = strings.ToUpper(strings.TrimSpace(g.Specialty))
		key := fmt.Sprintf("groups[%d]", i)
		switch {
		case !ValidSpecialtyPrefix(g.Specialty):
			bad.WithField(key+".specialty", "a specialty code or prefix such as A04 or B010203")
		case !g.Category.valid():
			bad.WithField(key+".category", "technical or economic")
		case g.Count < 1 || g.Count > 20 || g.Reserve < 0 || g.Reserve > 20:
			bad.WithField(key+".count", "count 1–20, reserve 0–20")
		}
	}
	for _, codes := range [][]string{r.RegionsInclude, r.RegionsExclude} {
		for _, c := range codes {
			if len(c) < 2 || len(c) > 6 || strings.Trim(c, "0123456789") != "" {
				bad.WithField("regions", "region code prefixes of 2 to 6 digits")
			}
		}
	}
	a := r.Avoidance
	if a.MaxDraws < 1 || a.WithinDays < 1 || a.WithinDays > 366 || a.EmploymentYears < 1 || a.EmploymentYears > 10 {
		bad.WithField("avoidance", "maxDraws ≥ 1, withinDays 1–366, employmentYears 1–10")
	}
	if r.TendererReps < 0 {
		bad.WithField("tendererReps", "not negative")
	}
	if len(bad.Fields) > 0 {
		return bad
	}
	if r.SupplementOf != 0 {
		return nil
	}
	return r.checkCommittee(f)
}

// checkCommittee enforces DESIGN.md §5: an odd committee of at least 5
// (7 for procurement from BigProcurementFen), experts at least two thirds.
func (r Request) checkCommittee(f bidding.DrawFacts) error {
	total := r.Drawn() + r.TendererReps
	least := 5
	if f.Rulebook == bidding.RulebookProcurement && f.BudgetFen >= BigProcurementFen {
		least = 7
	}
	if total < least || total%2 == 0 {
		return apperr.Newf(apperr.Invalid, "评标委员会人数须为不少于 %d 的单数（现为 %d）",
			"the committee must have an odd number of members, at least %d (it has %d)", least, total).
			WithCode("committee_size").WithField("groups", fmt.Sprintf("odd total ≥ %d", least))
	}
	if 3*r.Drawn() < 2*total {
		return apperr.Newf(apperr.Invalid, "技术、经济专家不得少于成员总数的三分之二（%d/%d）",
			"technical and economic experts must be at least two thirds of the committee (%d/%d)", r.Drawn(), total).
			WithCode("committee_experts").WithField("tendererReps", "too many")
	}
	return nil
}
