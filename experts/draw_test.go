package experts

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
)

// TestDrawAvoidsBiddersEmployees: bidders from two employers have experts
// in the pool (now, and within three years); none is drawn and each
// exclusion is recorded with its reason. The whole group is drawn from a
// pool just big enough once they are out, so a broken filter would show.
func TestDrawAvoidsBiddersEmployees(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		twoYearsAgo := f.clock.Now().AddDate(-2, 0, 0)
		fourYearsAgo := f.clock.Now().AddDate(-4, 0, 0)
		extra := []NewExpert{
			employee(0, f.bidderUSCC[0], nil, "A040303"),           // works for bidder 1
			employee(1, f.bidderUSCC[1], nil, "A040303"),           // works for bidder 2
			employee(2, f.bidderUSCC[1], &twoYearsAgo, "A040303"),  // left bidder 2 two years ago
			employee(3, f.tendererUSCC, nil, "A040303"),            // the tenderer's
			employee(4, f.deptUSCC, nil, "A040303"),                // the supervising department's
			employee(5, f.bidderUSCC[0], &fourYearsAgo, "A040303"), // left bidder 1 four years ago: may be drawn
		}
		ids := f.pool(t, 6, "A040303", extra...)
		f.setState(t, bidding.StateOpened)
		d, err := f.svc.RequestDraw(ctx, f.agent, f.section, f.request("A0403", 5, 2))
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64][]string{
			ids[extra[0].IDNumber]: {ReasonBidder}, ids[extra[1].IDNumber]: {ReasonBidder}, ids[extra[2].IDNumber]: {ReasonBidder},
			ids[extra[3].IDNumber]: {ReasonTenderer}, ids[extra[4].IDNumber]: {ReasonSupervising},
		}
		excl, err := f.svc.Exclusions(ctx, f.supervisor, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(excl) != len(want) {
			t.Fatalf("exclusions %+v, want %d", excl, len(want))
		}
		for _, x := range excl {
			if !slices.Equal(x.Reasons, want[x.ExpertID]) {
				t.Errorf("expert %d excluded for %v, want %v", x.ExpertID, x.Reasons, want[x.ExpertID])
			}
		}
		if d.CandidateCount != 7 {
			t.Fatalf("candidates %d, want 7 (six demo experts and the one who left four years ago)", d.CandidateCount)
		}
		res, err := f.svc.EnterPublicValue(ctx, f.supervisor, d.ID, "20261123-0931")
		if err != nil {
			t.Fatal(err)
		}
		var drawn []int64
		for _, g := range res.Groups {
			for _, m := range append(g.Members, g.Reserves...) {
				drawn = append(drawn, m.ExpertID)
			}
		}
		if len(drawn) != 7 {
			t.Fatalf("drew %d, want 5 members and 2 reserves", len(drawn))
		}
		for id := range want {
			if slices.Contains(drawn, id) {
				t.Errorf("avoided expert %d was drawn", id)
			}
		}
	})
}

// TestDrawRefusesBadRequests: a section not opened, committee rules and a
// group the filtered pool cannot fill are refused with clear errors and
// leave no draw behind.
func TestDrawRefusesBadRequests(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.pool(t, 8, "A040303")
		ok := f.request("A0403", 5, 0)
		cases := []struct {
			name  string
			state bidding.State
			req   func(r *Request)
			kind  apperr.Kind
			code  string
		}{
			{"not opened", bidding.StateDraft, nil, apperr.Conflict, "section_not_opened"},
			{"announced", bidding.StateAnnounced, nil, apperr.Conflict, "section_not_opened"},
			{"even committee", bidding.StateOpened, func(r *Request) { r.Groups[0].Count = 4 }, apperr.Invalid, "committee_size"},
			{"too small", bidding.StateOpened, func(r *Request) { r.Groups[0].Count = 3 }, apperr.Invalid, "committee_size"},
			{"too many representatives", bidding.StateOpened, func(r *Request) { r.Groups[0].Count = 4; r.TendererReps = 3 }, apperr.Invalid, "committee_experts"},
			{"bad specialty", bidding.StateOpened, func(r *Request) { r.Groups[0].Specialty = "D01" }, apperr.Invalid, "invalid_draw_request"},
			{"past evaluation time", bidding.StateOpened, func(r *Request) { r.EvaluationAt = f.clock.Now().Add(-time.Hour) }, apperr.Invalid, "invalid_draw_request"},
			{"unfillable", bidding.StateOpened, func(r *Request) { r.Groups[0].Reserve = 4 }, apperr.Conflict, "group_unfillable"},
			{"no such specialty", bidding.StateOpened, func(r *Request) { r.Groups[0].Specialty = "B01" }, apperr.Conflict, "group_unfillable"},
		}
		for _, tc := range cases {
			f.setState(t, tc.state)
			r := ok
			r.Groups = slices.Clone(ok.Groups)
			if tc.req != nil {
				tc.req(&r)
			}
			_, err := f.svc.RequestDraw(ctx, f.agent, f.section, r)
			ae, isApp := apperr.As(err)
			if !isApp || ae.Kind != tc.kind || ae.Code != tc.code || ae.Zh == "" || ae.En == "" {
				t.Errorf("%s: err %v, want %s %s with both messages", tc.name, err, tc.kind, tc.code)
			}
		}
		f.setState(t, bidding.StateOpened)
		if _, err := f.svc.RequestDraw(ctx, f.other, f.section, ok); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("another agency's agent: %v, want Forbidden", err)
		}
		if _, err := f.svc.RequestDraw(ctx, f.bidder, f.section, ok); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("bidder: %v, want Forbidden", err)
		}
		if draws, err := f.svc.SectionDraws(ctx, f.agent, f.section); err != nil || len(draws) != 0 {
			t.Fatalf("refused requests left draws: %v %v", draws, err)
		}
		if _, err := f.svc.RequestDraw(ctx, f.agent, f.section, ok); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RequestDraw(ctx, f.agent, f.section, ok); apperr.KindOf(err) != apperr.Conflict {
			t.Errorf("second pending draw: %v, want Conflict", err)
		}
	})
}

// TestDrawIsSealedUntilFinal: before the award only the supervisor of
// record reads the result or the proof; afterwards the proof is public,
// verifies, and fails once one candidate is changed.
func TestDrawIsSealedUntilFinal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.pool(t, 12, "A040303")
		f.setState(t, bidding.StateOpened)
		d, err := f.svc.RequestDraw(ctx, f.agent, f.section, f.request("A04", 5, 1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.EnterPublicValue(ctx, f.agent, d.ID, "1"); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("agent entered the value: %v", err)
		}
		if _, err := f.svc.Result(ctx, f.supervisor, d.ID); apperr.KindOf(err) != apperr.Forbidden {
			t.Fatalf("result before the draw: %v", err)
		}
		if _, err := f.svc.EnterPublicValue(ctx, f.supervisor, d.ID, "  "); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("empty value: %v", err)
		}
		if _, err := f.svc.EnterPublicValue(ctx, f.supervisor, d.ID, "738291"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.EnterPublicValue(ctx, f.supervisor2, d.ID, "1"); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("second value: %v", err)
		}
		for name, who := range map[string]any{"agent": f.agent, "other supervisor": f.supervisor2, "bidder": f.bidder, "admin": f.admin} {
			p := principalOf(who)
			if _, err := f.svc.Result(ctx, p, d.ID); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("%s read the result before the award: %v", name, err)
			}
			if _, err := f.svc.Proof(ctx, p, d.ID); apperr.KindOf(err) != apperr.Forbidden {
				t.Errorf("%s read the proof before the award: %v", name, err)
			}
		}
		proof, err := f.svc.Proof(ctx, f.supervisor, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := proof.Verify(f.key.Public()); err != nil {
			t.Fatalf("supervisor's export does not verify: %v", err)
		}
		f.setState(t, bidding.StateAwarded)
		public, err := f.svc.Proof(ctx, principalOf(nil), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := public.Verify(f.key.Public()); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Result(ctx, f.agent, d.ID); err != nil {
			t.Fatalf("agent after the award: %v", err)
		}
		tampered := public
		tampered.Candidates = slices.Clone(public.Candidates)
		tampered.Candidates[0].ExpertID = 999999
		SortCandidates(tampered.Candidates)
		if err := tampered.Verify(f.key.Public()); err == nil || apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("a changed candidate verified: %v", err)
		}
	})
}
