package bidding

import (
	"context"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/dbtest"
)

// A complaint's suspension before the deadline holds the section like an
// objection: the deadline does not pass, an objection answered meanwhile
// does not lift it, and its end moves the deadline later by the time held.
func TestSuspensionHoldsTheDeadline(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newFixture(t, b)
			ctx := context.Background()
			deadline := sh("2026-11-23 09:30")
			sec := f.announced(t, false, deadline)
			o, err := f.svc.RaiseObjection(ctx, f.bidder, sec.ID, "评分办法有倾向性")
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Hour)
			if err := f.svc.Suspend(ctx, sec.ID, "complaint:4", "user:9"); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Suspend(ctx, sec.ID, "complaint:5", "user:9"); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("a second suspension: %v", err)
			}
			if _, err := f.svc.AnswerObjection(ctx, f.agent, o.ID, "已修改"); err != nil {
				t.Fatal(err)
			}
			if v, _ := f.svc.GetSection(ctx, f.agent, sec.ID); !v.Paused() || !v.Suspended() {
				t.Fatal("the answered objection lifted the suspension's pause")
			}
			f.clock.Set(deadline.Add(time.Hour))
			if n, err := f.svc.Sweep(ctx); err != nil || n != 0 {
				t.Fatalf("sweep while suspended: %d %v", n, err)
			}
			if err := f.svc.Resume(ctx, sec.ID, "complaint:5", "user:9"); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("another complaint resumed it: %v", err)
			}
			if err := f.svc.Resume(ctx, sec.ID, "complaint:4", "user:9"); err != nil {
				t.Fatal(err)
			}
			held := f.clock.Now().Sub(sh("2026-11-02 09:00")) // paused since the objection
			v, _ := f.svc.GetSection(ctx, f.agent, sec.ID)
			if v.Paused() || v.Suspended() || !v.Deadline.Equal(deadline.Add(held)) {
				t.Fatalf("after the decision: paused=%v suspended=%v deadline %s, want %s", v.Paused(), v.Suspended(), v.Deadline, deadline.Add(held))
			}
		})
	}
}
