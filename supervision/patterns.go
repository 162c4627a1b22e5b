package supervision

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
)

// Kinds of the signals over a window of sections.
const (
	SignalAccompany      = "accompany"       // 陪标: a bidder keeps losing to the same winner
	SignalFrequentWinner = "frequent_winner" // 标王: a bidder wins at an abnormal rate
)

// Patterns are the thresholds of the window signals.
type Patterns struct {
	WindowDays        int `json:"windowDays"`        // sections awarded within this many days count
	AccompanyMin      int `json:"accompanyMin"`      // 陪标: losses to one winner within the window
	WinnerMinBids     int `json:"winnerMinBids"`     // 标王: bids within the window before the rate is judged
	WinnerRatePercent int `json:"winnerRatePercent"` // 标王: share of those won
}

func defaultPatterns() Patterns {
	return Patterns{WindowDays: 365, AccompanyMin: 3, WinnerMinBids: 5, WinnerRatePercent: 60}
}

func (p *Patterns) set(in map[string]int, set func(string, *int, *int, int, int) error) error {
	type bound struct {
		p      *int
		lo, hi int
	}
	fields := map[string]bound{"window_days": {&p.WindowDays, 30, 3650}, "accompany_min": {&p.AccompanyMin, 2, 100},
		"winner_min_bids": {&p.WinnerMinBids, 2, 1000}, "winner_rate_percent": {&p.WinnerRatePercent, 10, 100}}
	for k, v := range in {
		b, ok := fields[k]
		if !ok {
			return &ConfigError{Field: "patterns." + k, Msg: "unknown field"}
		}
		v := v
		if err := set("patterns."+k, b.p, &v, b.lo, b.hi); err != nil {
			return err
		}
	}
	return nil
}

// atAward records who bid in an awarded section (ev is section.awarded)
// and who won, then looks over the window for the winner's rate and for
// losers who keep losing to it. The bidders are those whose bids were
// opened (section.opened's results in the section's log).
func (s *Service) atAward(ctx context.Context, ev eventlog.Event) error {
	var p struct {
		WinnerOrgID int64 `json:"winnerOrgId"`
	}
	if !jsonInto(ev.Payload, &p) || p.WinnerOrgID == 0 {
		return nil
	}
	evs, err := s.allAbout(ctx, ev.Subject)
	if err != nil {
		return err
	}
	orgs := map[int64]bool{}
	for _, e := range evs {
		var r struct {
			Results []openedBid `json:"results"`
		}
		if e.Type == "section.opened" && e.Seq < ev.Seq && jsonInto(e.Payload, &r) {
			for _, b := range r.Results {
				if b.Status == "decrypted" {
					orgs[b.BidderOrgID] = true
				}
			}
		}
	}
	orgs[p.WinnerOrgID] = true
	for org := range orgs {
		if err := s.st.insertOutcome(ctx, &Outcome{Subject: ev.Subject, BidderOrgID: org, Won: org == p.WinnerOrgID, DecidedAt: ev.OccurredAt}); err != nil {
			return err
		}
	}
	return s.windowSignals(ctx, ev, orgs)
}

// windowSignals looks at the bidders orgs over the window before ev: a
// bidder that won at an abnormal rate (标王), and a pair of them where
// one lost to the other again and again (陪标). Run at the opening (the
// committee's chair sees them before scoring) and again at the award,
// which adds the section's own outcome; a signal is raised once.
func (s *Service) windowSignals(ctx context.Context, ev eventlog.Event, orgs map[int64]bool) error {
	pat := s.rules.Patterns
	since := ev.OccurredAt.AddDate(0, 0, -pat.WindowDays)
	ids := make([]int64, 0, len(orgs))
	for org := range orgs {
		ids = append(ids, org)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	os, err := s.st.outcomesOfAll(ctx, ids, since)
	if err != nil {
		return err
	}
	winner := map[string]int64{} // section → its winner, when one of orgs
	bySection := map[int64][]Outcome{}
	for _, o := range os {
		if o.Won {
			winner[o.Subject] = o.BidderOrgID
		}
		bySection[o.BidderOrgID] = append(bySection[o.BidderOrgID], o)
	}
	for _, org := range ids {
		var won, lost []string
		lostTo := map[int64][]string{}
		for _, o := range bySection[org] {
			if o.Won {
				won = append(won, o.Subject)
			} else if w, ok := winner[o.Subject]; ok {
				lost = append(lost, o.Subject)
				lostTo[w] = append(lostTo[w], o.Subject)
			}
		}
		if n := len(bySection[org]); n >= pat.WinnerMinBids && len(won)*100 >= pat.WinnerRatePercent*n {
			raw, _ := json.Marshal(windowEvidence{Field: "wins", Value: fmt.Sprintf("%d/%d", len(won), n),
				Bids: []evidenceBid{{BidderOrgID: org}}, Sections: won, Since: since})
			if err := s.saveSignal(ctx, ev.Subject, ev.Seq, ev.OccurredAt, Signal{Kind: SignalFrequentWinner, Strength: "medium", Evidence: raw, Dedupe: "org:" + itoa(org)}); err != nil {
				return err
			}
		}
		for _, w := range ids {
			if secs := lostTo[w]; len(secs) >= pat.AccompanyMin {
				raw, _ := json.Marshal(windowEvidence{Field: "lostTo", Value: fmt.Sprint(len(secs)),
					Bids: []evidenceBid{{BidderOrgID: org}, {BidderOrgID: w}}, Sections: secs, Since: since})
				if err := s.saveSignal(ctx, ev.Subject, ev.Seq, ev.OccurredAt, Signal{Kind: SignalAccompany, Strength: "medium", Evidence: raw,
					Dedupe: "org:" + itoa(org) + ">" + itoa(w)}); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// windowEvidence is the evidence of a window signal.
type windowEvidence struct {
	Field    string        `json:"field"`
	Value    string        `json:"value"`
	Bids     []evidenceBid `json:"bids"`
	Sections []string      `json:"sections"`
	Since    time.Time     `json:"since"`
}
