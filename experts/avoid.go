package experts

import (
	"slices"
	"strings"
	"time"

	"github.com/tenderhall/tenderhall/notary"
)

// The reasons an expert is kept out of a draw (回避), as recorded.
const (
	ReasonSuspended   = "suspended"              // suspended at the evaluation time
	ReasonBlacklisted = "blacklisted"            // on the blacklist
	ReasonOnLeave     = "on_leave"               // on leave at the evaluation time
	ReasonTenderer    = "employer_tenderer"      // works or worked (within the years) for the tenderer
	ReasonAgency      = "employer_agency"        // … for the agency
	ReasonBidder      = "employer_bidder"        // … for a bidder of the section
	ReasonSupervising = "supervising_department" // … for the supervising department
	ReasonProject     = "drawn_for_project"      // already drawn for this project
	ReasonFrequency   = "drawn_too_often"        // drawn more than MaxDraws times in WithinDays
	ReasonRegion      = "region"                 // outside the regions asked for, or in an excluded one
)

// Exclusion is one expert kept out of a draw with every reason that applies.
type Exclusion struct {
	ExpertID int64    `json:"expertId"`
	Reasons  []string `json:"reasons"`
}

// poolEntry is an expert with what the rules read about it.
type poolEntry struct {
	Expert
	jobs           []Employment
	leaves         []Leave
	recentDraws    int
	drawnOnProject bool
}

// filterEnv is the context the rules are applied in.
type filterEnv struct {
	at        time.Time         // evaluation time
	cutoff    time.Time         // employment within [cutoff, now] counts
	conflicts map[string]string // employer credit code → reason
	include   []string
	exclude   []string
	maxDraws  int
}

// rule is one avoidance filter: the reason it records and its test.
type rule struct {
	reason   string
	excludes func(e *poolEntry, env *filterEnv) bool
}

// rules are the avoidance filters, applied in this order; each one that
// holds adds its reason. Employer conflicts are one rule whose reason
// depends on whom the employer is (see employerConflicts).
var rules = []rule{
	{ReasonBlacklisted, func(e *poolEntry, _ *filterEnv) bool { return e.Status == Blacklisted }},
	{ReasonSuspended, func(e *poolEntry, env *filterEnv) bool {
		return e.Status == Suspended && (e.SuspendedUntil == nil || e.SuspendedUntil.After(env.at))
	}},
	{ReasonOnLeave, func(e *poolEntry, env *filterEnv) bool {
		for _, l := range e.leaves {
			if !env.at.Before(l.From) && env.at.Before(l.Until) {
				return true
			}
		}
		return false
	}},
	{ReasonProject, func(e *poolEntry, _ *filterEnv) bool { return e.drawnOnProject }},
	{ReasonFrequency, func(e *poolEntry, env *filterEnv) bool { return e.recentDraws >= env.maxDraws }},
	{ReasonRegion, func(e *poolEntry, env *filterEnv) bool {
		return (len(env.include) > 0 && !hasPrefix(e.Region, env.include)) || hasPrefix(e.Region, env.exclude)
	}},
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// employerConflicts returns the reasons from the expert's employers, now
// or since env.cutoff, that the section's parties are.
func employerConflicts(e *poolEntry, env *filterEnv) []string {
	var out []string
	add := func(uscc string) {
		if r, ok := env.conflicts[uscc]; ok && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	add(e.EmployerUSCC)
	for _, j := range e.jobs {
		if j.Until == nil || !j.Until.Before(env.cutoff) {
			add(j.EmployerUSCC)
		}
	}
	slices.Sort(out)
	return out
}

// matches reports whether e is of the group's category and specialty.
func (g Group) matches(e *Expert) bool {
	if e.Category != g.Category {
		return false
	}
	for _, c := range e.Specialties {
		if strings.HasPrefix(c, g.Specialty) {
			return true
		}
	}
	return false
}

// filter applies the rules to every expert matching at least one group and
// returns the candidate list sorted by (group, expert ID) and the
// exclusions sorted by expert ID. Experts matching no group are neither.
func filter(pool []poolEntry, groups []Group, env *filterEnv) ([]notary.DrawCandidate, []Exclusion) {
	var cands []notary.DrawCandidate
	var excl []Exclusion
	for i := range pool {
		e := &pool[i]
		var in []int
		for gi, g := range groups {
			if g.matches(&e.Expert) {
				in = append(in, gi)
			}
		}
		if len(in) == 0 {
			continue
		}
		var reasons []string
		for _, r := range rules {
			if r.excludes(e, env) {
				reasons = append(reasons, r.reason)
			}
		}
		reasons = append(reasons, employerConflicts(e, env)...)
		if len(reasons) > 0 {
			excl = append(excl, Exclusion{ExpertID: e.ID, Reasons: reasons})
			continue
		}
		for _, gi := range in {
			cands = append(cands, notary.DrawCandidate{Group: gi, ExpertID: e.ID, Employer: e.EmployerUSCC})
		}
	}
	SortCandidates(cands)
	slices.SortFunc(excl, func(a, b Exclusion) int { return cmpInt(a.ExpertID, b.ExpertID) })
	return cands, excl
}

// SortCandidates sorts a candidate list by group, then expert ID: the
// order DrawCandidatesHash commits to.
func SortCandidates(c []notary.DrawCandidate) {
	slices.SortFunc(c, func(a, b notary.DrawCandidate) int {
		if a.Group != b.Group {
			return a.Group - b.Group
		}
		return cmpInt(a.ExpertID, b.ExpertID)
	})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
