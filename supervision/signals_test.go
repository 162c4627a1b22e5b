package supervision

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tenderhall/tenderhall/eventlog"
)

// A seeded section whose bids 1 and 2 (bidders 9 and 10) came from one
// address and whose prices step evenly raises both signals with their
// evidence; a clean control section raises none.
func TestCollusionSignalsAtOpening(t *testing.T) {
	forEachBackend(t, beijing("2026-11-02 09:00"), func(t *testing.T, e *env) {
		ctx := context.Background()
		e.appendEvent(t, "project.created", "project:1", map[string]any{"name": "实训楼", "agencyOrgId": 700, "supervisingOrgId": e.dept})
		seed := func(section int64, ips []string, prices []int64) {
			subj := sectionRef(section)
			e.appendEvent(t, "section.created", subj, map[string]any{"projectId": 1, "code": "A0" + itoa(section)})
			var results []map[string]any
			for i, ip := range ips {
				bid, org := section*10+int64(i)+1, int64(9+i)
				rctx := eventlog.WithRequest(ctx, eventlog.Request{IP: ip})
				if _, err := e.events.Append(rctx, eventlog.Entry{Type: "bid.received", Subject: subj, Actor: "user:" + itoa(org),
					Payload: map[string]any{"bidId": bid, "bidderOrgId": org}}); err != nil {
					t.Fatal(err)
				}
				results = append(results, map[string]any{"bidId": bid, "bidderOrgId": org, "status": "decrypted", "priceFen": prices[i]})
			}
			e.appendEvent(t, "section.opened", subj, map[string]any{"decrypted": len(ips), "results": results})
		}
		seed(1, []string{"203.0.113.7", "203.0.113.7", "198.51.100.2"}, []int64{100_000_000_00, 108_500_000_00, 117_000_000_00})
		seed(2, []string{"203.0.113.7", "198.51.100.2", "192.0.2.40"}, []int64{100_000_000_00, 112_000_000_00, 131_000_000_00})
		e.consume(t)
		e.consume(t) // nothing new: no second copy

		sigs, err := e.svc.Signals(ctx, platformSupervisor, "section:1")
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]Signal{}
		for _, s := range sigs {
			kinds[s.Kind] = s
		}
		if len(sigs) != 2 || kinds["same_ip"].Strength != "medium" || kinds["equal_steps"].Strength != "strong" {
			t.Fatalf("signals %+v", sigs)
		}
		var ev struct {
			IP   string      `json:"ip"`
			Bids []openedBid `json:"bids"`
		}
		if err := json.Unmarshal(kinds["same_ip"].Evidence, &ev); err != nil || ev.IP != "203.0.113.7" || len(ev.Bids) != 2 ||
			ev.Bids[0].BidderOrgID != 9 || ev.Bids[1].BidderOrgID != 10 {
			t.Fatalf("same-IP evidence %s (%v)", kinds["same_ip"].Evidence, err)
		}
		if control, err := e.svc.Signals(ctx, platformSupervisor, "section:2"); err != nil || len(control) != 0 {
			t.Fatalf("the control section: %+v, %v", control, err)
		}
		if tr, err := e.svc.Trajectory(ctx, platformSupervisor, "section:1"); err != nil || len(tr.Signals) != 2 {
			t.Fatalf("the trajectory's signals: %+v, %v", tr.Signals, err)
		}
		if _, err := e.svc.Signals(ctx, e.otherSupervisor(), "section:1"); err == nil {
			t.Fatal("another department's supervisor read the signals")
		}
	})
}

func TestPricePatterns(t *testing.T) {
	bids := func(prices ...int64) []openedBid {
		out := make([]openedBid, len(prices))
		for i, p := range prices {
			out[i] = openedBid{BidID: int64(i + 1), PriceFen: p}
		}
		return out
	}
	cases := []struct {
		name   string
		prices []int64
		want   []string
	}{
		{"equal steps", []int64{300, 100, 200}, []string{"equal_steps"}},
		{"fixed ratio", []int64{1_000_000, 1_100_000, 1_210_000}, []string{"fixed_ratio"}},
		{"clustered", []int64{1_000_000, 1_003_000, 1_004_100}, []string{"clustered"}},
		{"irregular", []int64{1_000_000, 1_120_000, 1_310_000}, nil},
		{"two bids", []int64{100, 200}, nil},
	}
	for _, c := range cases {
		var got []string
		for _, s := range pricePattern(bids(c.prices...)) {
			got = append(got, s.Kind)
		}
		if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
