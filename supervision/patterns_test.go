package supervision

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// Five sections over fourteen months. Bidder 9 wins every one; bidder 10
// loses to it in sections 2, 3 and 4; bidder 11 bids in 1 and 5 only.
// Section 1 (day 0) falls out of the 365-day window of the later awards:
// the losses of 10 reach three at section 4 (陪标), 9's bids reach five
// only with section 1 counted, so 标王 is raised only after a sixth
// section inside the window. A later opening where 10 meets 9 again
// shows the history at once.
func TestWindowSignals(t *testing.T) {
	forEachBackend(t, beijing("2025-10-01 09:00"), func(t *testing.T, e *env) {
		ctx := context.Background()
		e.appendEvent(t, "project.created", "project:1", map[string]any{"name": "实训楼", "agencyOrgId": 700, "supervisingOrgId": e.dept})
		award := func(section int64, at time.Time, orgs ...int64) {
			e.clock.Set(at)
			subj := sectionRef(section)
			e.appendEvent(t, "section.created", subj, map[string]any{"projectId": 1, "code": "A" + itoa(section)})
			var results []map[string]any
			for i, org := range orgs {
				results = append(results, map[string]any{"bidId": section*10 + int64(i), "bidderOrgId": org, "status": "decrypted", "priceFen": 100 + i})
			}
			results = append(results, map[string]any{"bidId": section*10 + 9, "bidderOrgId": 99, "status": "withdrawn"}) // not a bidder of the result
			e.appendEvent(t, "section.opened", subj, map[string]any{"results": results})
			e.appendEvent(t, "section.awarded", subj, map[string]any{"winnerBidId": section * 10, "winnerOrgId": orgs[0]})
			e.consume(t)
		}
		kinds := func(section int64) map[string]json.RawMessage {
			sigs, err := e.svc.Signals(ctx, platformSupervisor, sectionRef(section))
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]json.RawMessage{}
			for _, s := range sigs {
				if s.Kind == SignalAccompany || s.Kind == SignalFrequentWinner {
					out[s.Kind] = s.Evidence
				}
			}
			return out
		}
		day0 := beijing("2025-10-01 10:00")
		award(1, day0, 9, 11)
		award(2, day0.AddDate(0, 0, 400), 9, 10)
		award(3, day0.AddDate(0, 0, 410), 9, 10)
		if k := kinds(3); len(k) != 0 {
			t.Fatalf("two losses are not yet a pattern: %v", k)
		}
		award(4, day0.AddDate(0, 0, 420), 9, 10)
		k := kinds(4)
		var ev windowEvidence
		if err := json.Unmarshal(k[SignalAccompany], &ev); err != nil || ev.Value != "3" || len(ev.Sections) != 3 ||
			ev.Sections[0] != "section:2" || ev.Bids[0].BidderOrgID != 10 || ev.Bids[1].BidderOrgID != 9 {
			t.Fatalf("陪标 at section 4: %s (%v)", k[SignalAccompany], err)
		}
		if _, ok := k[SignalFrequentWinner]; ok {
			t.Fatal("标王 with three bids in the window")
		}
		// At the opening of a section where 10 meets 9 again the chair is
		// shown the history before any score.
		e.appendEvent(t, "section.created", "section:7", map[string]any{"projectId": 1, "code": "A7"})
		e.appendEvent(t, "section.opened", "section:7", map[string]any{"results": []map[string]any{
			{"bidId": 71, "bidderOrgId": 10, "status": "decrypted", "priceFen": 100}, {"bidId": 72, "bidderOrgId": 9, "status": "decrypted", "priceFen": 130}}})
		e.consume(t)
		if err := json.Unmarshal(kinds(7)[SignalAccompany], &ev); err != nil || ev.Value != "3" || ev.Bids[0].BidderOrgID != 10 {
			t.Fatalf("陪标 at the opening of section 7: %s (%v)", kinds(7)[SignalAccompany], err)
		}
		if sigs, err := e.svc.ChairSignals(ctx, 7); err != nil || len(sigs) != 1 {
			t.Fatalf("the chair's signals of section 7: %+v, %v", sigs, err)
		}
		award(5, day0.AddDate(0, 0, 430), 9, 11)
		if _, ok := kinds(5)[SignalFrequentWinner]; ok {
			t.Fatal("section 1 is outside the window: four bids, not five")
		}
		if _, ok := kinds(5)[SignalAccompany]; ok {
			t.Fatal("bidder 11 lost to 9 once inside the window")
		}
		award(6, day0.AddDate(0, 0, 440), 9, 12)
		if err := json.Unmarshal(kinds(6)[SignalFrequentWinner], &ev); err != nil || ev.Value != "5/5" || ev.Bids[0].BidderOrgID != 9 {
			t.Fatalf("标王 at section 6: %s (%v)", kinds(6)[SignalFrequentWinner], err)
		}
		e.consume(t) // nothing new: nothing doubled
		if sigs, _ := e.svc.Signals(ctx, platformSupervisor, sectionRef(4)); len(sigs) != 1 {
			t.Fatalf("section 4's signals %+v", sigs)
		}
	})
}
