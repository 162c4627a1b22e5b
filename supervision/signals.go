package supervision

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/tenderhall/tenderhall/accounts"
	"github.com/tenderhall/tenderhall/eventlog"
)

// Signal is one collusion signal (围标串标) of a section: what was seen,
// how strongly it points, and the evidence (which bids, which values). It
// is never a decision: the supervisor and the committee's chair weigh it.
type Signal struct {
	ID        int64           `json:"id" gorm:"column:id;primaryKey"`
	Dedupe    string          `json:"-" gorm:"column:dedupe"`
	Subject   string          `json:"subject" gorm:"column:subject"`
	Kind      string          `json:"kind" gorm:"column:kind"`         // same_ip, equal_steps, fixed_ratio, clustered
	Strength  string          `json:"strength" gorm:"column:strength"` // weak, medium, strong
	Evidence  json.RawMessage `json:"evidence" gorm:"column:evidence;serializer:json"`
	Sealed    *string         `json:"-" gorm:"column:evidence_sealed"` // personal evidence, sealed with the field key
	SourceSeq int64           `json:"sourceSeq" gorm:"column:source_seq"`
	CreatedAt time.Time       `json:"createdAt" gorm:"column:created_at"`
}

// TableName maps Signal to supervision_signals.
func (Signal) TableName() string { return "supervision_signals" }

// openedBid is a bid of the opening's results, with the address it was
// uploaded from.
type openedBid struct {
	BidID       int64  `json:"bidId"`
	BidderOrgID int64  `json:"bidderOrgId"`
	Status      string `json:"status"`
	PriceFen    int64  `json:"priceFen"`
	IP          string `json:"ip,omitempty"`
}

// signalsAtOpening computes the section's signals from the opening's
// results (ev, section.opened) and the addresses its bids were received
// from, as the log recorded them (evs, the section's events).
func (s *Service) signalsAtOpening(ctx context.Context, ev eventlog.Event, evs []eventlog.Event) error {
	var p struct {
		Results []openedBid `json:"results"`
	}
	if !jsonInto(ev.Payload, &p) {
		return nil
	}
	ips := map[int64]string{}
	for _, e := range evs {
		var r struct {
			BidID int64 `json:"bidId"`
		}
		if e.Type == "bid.received" && jsonInto(e.Payload, &r) {
			ips[r.BidID] = e.IP
		}
	}
	var bids []openedBid
	for _, b := range p.Results {
		if b.Status == "decrypted" {
			b.IP = ips[b.BidID]
			bids = append(bids, b)
		}
	}
	if len(bids) > 1 { // the contents are compared across bidders
		if err := s.st.queueScan(ctx, &Scan{Subject: ev.Subject, SourceSeq: ev.Seq, Bids: bids, State: scanPending, CreatedAt: ev.OccurredAt}); err != nil {
			return err
		}
	}
	orgs := map[int64]bool{}
	for _, b := range bids {
		orgs[b.BidderOrgID] = true
	}
	if err := s.windowSignals(ctx, ev, orgs); err != nil {
		return err
	}
	for _, sig := range append(sameIP(bids), pricePattern(bids)...) {
		if err := s.saveSignal(ctx, ev.Subject, ev.Seq, ev.OccurredAt, sig); err != nil {
			return err
		}
	}
	return nil
}

// sameIP is a signal per address that different bidders uploaded from.
func sameIP(bids []openedBid) []Signal {
	by := map[string][]openedBid{}
	for _, b := range bids {
		if b.IP != "" {
			by[b.IP] = append(by[b.IP], b)
		}
	}
	var out []Signal
	for ip, group := range by {
		orgs := map[int64]bool{}
		for _, b := range group {
			orgs[b.BidderOrgID] = true
		}
		if len(orgs) < 2 {
			continue
		}
		strength := "medium"
		if len(orgs) > 2 {
			strength = "strong"
		}
		ev, _ := json.Marshal(map[string]any{"ip": ip, "bids": group})
		out = append(out, Signal{Kind: "same_ip", Strength: strength, Evidence: ev, Dedupe: ip})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dedupe < out[j].Dedupe })
	return out
}

// pricePattern is a signal when three or more prices stand in a regular
// pattern: equal steps, a fixed ratio, or all within 0.5 % of their mean.
func pricePattern(bids []openedBid) []Signal {
	if len(bids) < 3 {
		return nil
	}
	sorted := append([]openedBid(nil), bids...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].PriceFen < sorted[j].PriceFen })
	var sum float64
	for _, b := range sorted {
		sum += float64(b.PriceFen)
	}
	mean := sum / float64(len(sorted))
	steps, ratios := make([]float64, 0, len(sorted)-1), make([]float64, 0, len(sorted)-1)
	for i := 1; i < len(sorted); i++ {
		steps = append(steps, float64(sorted[i].PriceFen-sorted[i-1].PriceFen))
		if sorted[i-1].PriceFen > 0 {
			ratios = append(ratios, float64(sorted[i].PriceFen)/float64(sorted[i-1].PriceFen))
		}
	}
	evidence, _ := json.Marshal(map[string]any{"bids": sorted, "mean": math.Round(mean)})
	var out []Signal
	switch {
	case spread(steps) <= 0.001*mean && steps[0] > 0:
		out = append(out, Signal{Kind: "equal_steps", Strength: "strong", Evidence: evidence, Dedupe: fmt.Sprint(steps[0])})
	case len(ratios) == len(steps) && spread(ratios) <= 0.0005 && ratios[0] > 1:
		out = append(out, Signal{Kind: "fixed_ratio", Strength: "strong", Evidence: evidence, Dedupe: fmt.Sprintf("%.4f", ratios[0])})
	}
	if float64(sorted[len(sorted)-1].PriceFen)-mean <= 0.005*mean && mean-float64(sorted[0].PriceFen) <= 0.005*mean {
		out = append(out, Signal{Kind: "clustered", Strength: "medium", Evidence: evidence, Dedupe: "all"})
	}
	return out
}

// spread is the largest minus the smallest of xs.
func spread(xs []float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return hi - lo
}

// ChairSignals returns a section's collusion signals for the chair of its
// evaluation committee, whom the caller admitted (evaluation's
// ChairSection). Errors: those of storage and the field cipher.
func (s *Service) ChairSignals(ctx context.Context, sectionID int64) ([]Signal, error) {
	sigs, err := s.st.signals(ctx, sectionRef(sectionID))
	if err != nil {
		return nil, err
	}
	return s.openSignals(sigs)
}

// Signals returns a section's collusion signals. Errors: apperr.NotFound
// for a section not watched; apperr.Forbidden (not_supervising) unless the
// actor supervises it.
func (s *Service) Signals(ctx context.Context, actor accounts.Principal, subject string) ([]Signal, error) {
	subj, err := s.st.subject(ctx, subject)
	if err != nil {
		return nil, err
	}
	if !supervises(actor, subj) {
		return nil, errNotSupervising()
	}
	sigs, err := s.st.signals(ctx, subject)
	if err != nil {
		return nil, err
	}
	return s.openSignals(sigs)
}
