package experts

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// TestAvoidanceRulesThroughTheService sets one expert up for each rule
// through the service's own methods and checks the reasons a request
// records, on every backend (times, JSON and joins go through the store).
func TestAvoidanceRulesThroughTheService(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		ids := f.pool(t, 16, "B010101")
		var list []int64
		for _, id := range ids {
			list = append(list, id)
		}
		slices.Sort(list)
		at := f.clock.Now().Add(48 * time.Hour)
		later := f.clock.Now().Add(30 * 24 * time.Hour)
		if _, err := f.svc.SetStatus(ctx, f.admin, list[0], StatusChange{Status: Blacklisted, Reason: "虚假评审"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetStatus(ctx, f.admin, list[1], StatusChange{Status: Suspended, Until: &later}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddLeave(ctx, f.admin, list[2], at.Add(-time.Hour), at.Add(time.Hour), "出差"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddLeave(ctx, f.admin, list[3], at.Add(time.Hour), at.Add(2*time.Hour), "after the evaluation"); err != nil {
			t.Fatal(err)
		}
		f.setState(t, bidding.StateOpened)
		// A first draw for the project: its members and reserves may not be
		// drawn again for it.
		first, err := f.svc.RequestDraw(ctx, f.agent, f.section, f.request("B01", 5, 0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.EnterPublicValue(ctx, f.supervisor, first.ID, "1"); err != nil {
			t.Fatal(err)
		}
		proof, err := f.svc.Proof(ctx, f.supervisor, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		drawnBefore := proof.Result.Groups[0].Members
		req := f.request("B01", 5, 0)
		req.Avoidance = Avoidance{MaxDraws: 1, WithinDays: 30}
		second, err := f.svc.RequestDraw(ctx, f.agent, f.section, req)
		if err != nil {
			t.Fatal(err)
		}
		excl, err := f.svc.Exclusions(ctx, f.supervisor, second.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64][]string{}
		for _, x := range excl {
			got[x.ExpertID] = x.Reasons
		}
		want := map[int64][]string{list[0]: {ReasonBlacklisted}, list[1]: {ReasonSuspended}, list[2]: {ReasonOnLeave}}
		for _, id := range drawnBefore {
			want[id] = append(want[id], ReasonProject, ReasonFrequency)
		}
		for id, reasons := range want {
			if !slices.Equal(got[id], reasons) {
				t.Errorf("expert %d: reasons %v, want %v", id, got[id], reasons)
			}
		}
		if len(got) != len(want) {
			t.Errorf("exclusions %v, want %v", got, want)
		}
		if second.CandidateCount != 16-len(want) {
			t.Errorf("candidates %d, want %d", second.CandidateCount, 16-len(want))
		}
		// Regions: excluding every demo region leaves nobody.
		f.setState(t, bidding.StateEvaluating)
		req.RegionsExclude = []string{"35"}
		req.Avoidance = Avoidance{}
		if _, err := f.svc.EnterPublicValue(ctx, f.supervisor, second.ID, "2"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.RequestDraw(ctx, f.agent, f.section, req)
		if ae, ok := apperr.As(err); !ok || ae.Code != "group_unfillable" {
			t.Errorf("a request excluding every region: %v, want group_unfillable", err)
		}
	})
}

// TestUnfilledDrawIsRecorded: the fill check passes (five employers for
// five seats) but when the only B02 expert is also drawn for the B01 group
// the B02 group cannot be filled. That draw is recorded as unfilled with
// group_unfilled, and the agent may request a new one.
func TestUnfilledDrawIsRecorded(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		z := employee(7, "", nil, "B010101")
		_, z.EmployerUSCC = DemoEmployer(500)
		z.Specialties = []string{"B010101", "B020101"}
		f.pool(t, 4, "B010101", z)
		f.setState(t, bidding.StateOpened)
		req := f.request("B01", 4, 0)
		req.Groups = append(req.Groups, Group{Specialty: "B02", Category: Technical, Count: 1})
		failed := false
		for i := 0; i < 40 && !failed; i++ {
			d, err := f.svc.RequestDraw(ctx, f.agent, f.section, req)
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			_, err = f.svc.EnterPublicValue(ctx, f.supervisor, d.ID, fmt.Sprint(i))
			if err == nil {
				// Filled: forget it was drawn (as if for another project) and retry.
				exec(t, f.db, "DELETE FROM expert_draw_history")
				continue
			}
			if ae, ok := apperr.As(err); !ok || ae.Code != "group_unfilled" || ae.Zh == "" {
				t.Fatalf("value %d: %v, want group_unfilled", i, err)
			}
			got, err := f.svc.GetDraw(ctx, f.agent, d.ID)
			if err != nil || got.State != DrawUnfilled {
				t.Fatalf("draw after the failure: %+v %v", got, err)
			}
			failed = true
		}
		if !failed {
			t.Fatal("no seed left the B02 group short in 40 draws (probability 4/5 each)")
		}
		if _, err := f.svc.RequestDraw(ctx, f.agent, f.section, req); err != nil {
			t.Fatalf("a new request after an unfilled draw: %v", err)
		}
	})
}
