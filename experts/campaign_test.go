package experts

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/notify"
)

// crashingCaller is the worker dying right after the carrier took a call
// and before the platform recorded it: Dial goes through, then the
// handler fails, once per listed attempt.
type crashingCaller struct {
	notify.Caller
	crashAfter map[string]bool
}

func (c *crashingCaller) Dial(ctx context.Context, r notify.CallRequest) (string, error) {
	id, err := c.Caller.Dial(ctx, r)
	if err == nil && c.crashAfter[r.AttemptID] {
		delete(c.crashAfter, r.AttemptID)
		return "", apperr.New(apperr.Unavailable, "工作进程崩溃（测试）", "the worker crashed (test)")
	}
	return id, err
}

// TestCampaignFillsEveryGroup: five members and two reserves to confirm
// by phone with the simulated carrier. One member declines, one never
// presses a key, one is busy on the first number and accepts on the
// second, one accepts and later cancels; the worker crashes after placing
// a call, and a restart loses the queued tasks. The group ends with
// exactly seven accepted experts from seven employers, one confirmation
// SMS each, every attempt logged, and never two calls for one attempt.
func TestCampaignFillsEveryGroup(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.pool(t, 30, "A040303")
		f.setState(t, bidding.StateOpened)
		d, err := f.svc.RequestDraw(ctx, f.agent, f.section, f.request("A0403", 5, 2))
		if err != nil {
			t.Fatal(err)
		}
		res, err := f.svc.EnterPublicValue(ctx, f.supervisor, d.ID, "20261123")
		if err != nil {
			t.Fatal(err)
		}
		m := res.Groups[0].Members
		phone := func(id int64) string {
			_, ps, err := f.svc.expertPhones(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return ps[0]
		}
		second := "13900000002"
		f.setPhones(t, m[2].ExpertID, phone(m[2].ExpertID), second)
		profile, err := notify.ParseProfile("accept=1,repeat=0,duplicate=0.3,seed=9," +
			phone(m[0].ExpertID) + "=decline," + phone(m[1].ExpertID) + "=silent," + phone(m[2].ExpertID) + "=busy")
		if err != nil {
			t.Fatal(err)
		}
		key, _ := notify.NewCallbackKey([]byte(strings.Repeat("k", 32)), 0)
		sim, err := notify.NewSimulator(ctx, notify.SimOptions{Profile: profile, Key: key, Clock: f.clock, Manual: true,
			Deliver: notify.Direct(key, f.clock, f.svc.HandleCallEvent)})
		if err != nil {
			t.Fatal(err)
		}
		defer sim.Close()
		crash := attemptID(d.ID, m[4].ExpertID, 1)
		f.svc.SetGateways(&crashingCaller{Caller: sim, crashAfter: map[string]bool{crash: true}}, sim, key)
		q := newStepQueue(f.clock)
		f.svc.Register(q)

		_, err = f.svc.StartCampaign(ctx, f.bidder, d.ID, CampaignRequest{ConfirmBy: f.clock.Now().Add(6 * time.Hour)})
		if !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a bidder starting the campaign: %v", err)
		}
		if _, err := f.svc.StartCampaign(ctx, f.agent, d.ID, CampaignRequest{ConfirmBy: f.clock.Now().Add(6 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// A restart that lost the tasks enqueued after the commit: the
		// sweep enqueues the seven first calls and the deadline again.
		q = newStepQueue(f.clock)
		f.svc.Register(q)
		if err := f.svc.Sweep(ctx); err != nil || q.pending() != 8 {
			t.Fatalf("sweep after the restart: %v, %d tasks", err, q.pending())
		}
		f.step(t, q, sim, 2*time.Hour)

		p, err := f.svc.CampaignProgress(ctx, f.agent, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		g := p.Groups[0]
		if p.Campaign.State != CampaignFilled || g.Accepted != 7 || g.Declined != 1 || g.NoAnswer != 1 || g.Calling != 0 {
			t.Fatalf("after the campaign: %+v %+v", p.Campaign, g)
		}
		// An accepted expert cancels: the next candidate is called.
		_, err = f.svc.CancelAttendance(ctx, f.agent, d.ID, m[3].ExpertID, "临时出差")
		if !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("the agent recording a cancellation: %v", err)
		}
		if _, err := f.svc.CancelAttendance(ctx, f.supervisor, d.ID, m[3].ExpertID, "临时出差"); err != nil {
			t.Fatal(err)
		}
		f.step(t, q, sim, 10*time.Minute)
		p, _ = f.svc.CampaignProgress(ctx, f.agent, d.ID)
		if g = p.Groups[0]; p.Campaign.State != CampaignFilled || g.Accepted != 7 || g.Cancelled != 1 {
			t.Fatalf("after the cancellation: %+v %+v", p.Campaign, g)
		}
		f.checkCalls(t, d.ID, sim, crash, m[1].ExpertID, m[2].ExpertID, second)
	})
}

// step runs the queue and the carrier until nothing is due, then moves
// the clock on by 5 s, for span of clock time.
func (f *fixture) step(t *testing.T, q *stepQueue, sim *notify.Simulator, span time.Duration) {
	t.Helper()
	end := f.clock.Now().Add(span)
	for f.clock.Now().Before(end) {
		q.runDue(t)
		if sim.DeliverDue() > 0 {
			continue
		}
		f.clock.Advance(5 * time.Second)
	}
	q.runDue(t)
}

func (f *fixture) setPhones(t *testing.T, id int64, phones ...string) {
	raw, _ := json.Marshal(phones)
	exec(t, f.db, "UPDATE experts SET phones = ? WHERE id = ?", f.svc.fields.Seal(raw, "experts.phones:"+strconv.FormatInt(id, 10)), id)
}

// checkCalls: one placed call per attempt, the crashed attempt dialed
// twice but placed once, the silent expert tried 1+2 times, the busy one
// reached on its second number, scripts naming no bidder or project, one
// SMS per accepted expert, distinct employers.
func (f *fixture) checkCalls(t *testing.T, drawID int64, sim *notify.Simulator, crash string, silent, busy int64, second string) {
	t.Helper()
	ctx := context.Background()
	var attempts []callAttempt
	f.db.Conn(ctx).Where("draw_id = ?", drawID).Find(&attempts)
	calls := sim.Calls()
	placed := map[string]int{}
	for _, c := range calls {
		placed[c.AttemptID]++
		for _, banned := range []string{"职业技术学院实训楼", "单位bidder", "单位tenderer"} {
			if strings.Contains(c.Script, banned) {
				t.Fatalf("the script names %q: %s", banned, c.Script)
			}
		}
		if c.AttemptID == crash && c.Requests != 2 {
			t.Fatalf("the crashed attempt was requested %d times, want 2 (one call)", c.Requests)
		}
	}
	dialed, perExpert := 0, map[int64]int{}
	for _, a := range attempts {
		if placed[a.ID] > 1 {
			t.Fatalf("attempt %s placed %d calls", a.ID, placed[a.ID])
		}
		if a.Status == attemptCompleted || a.Status == attemptDialed {
			dialed++
			if placed[a.ID] != 1 {
				t.Fatalf("attempt %s is %s but the carrier placed no call", a.ID, a.Status)
			}
		}
		var in invitation
		f.db.Conn(ctx).Where("id = ?", a.InvitationID).Take(&in)
		perExpert[in.ExpertID]++
	}
	if dialed != len(calls) || perExpert[silent] != 3 || perExpert[busy] != 2 {
		t.Fatalf("%d dialed, %d placed; silent tried %d, busy %d", dialed, len(calls), perExpert[silent], perExpert[busy])
	}
	if c := callTo(calls, attemptID(drawID, busy, 2)); c == nil || c.Phone != second || c.Outcome != notify.OutcomeAccept {
		t.Fatalf("the busy expert's second attempt: %+v", c)
	}
	var accepted []invitation
	f.db.Conn(ctx).Where("draw_id = ? AND status = ?", drawID, InvAccepted).Find(&accepted)
	employers := map[string]bool{}
	for _, in := range accepted {
		employers[in.EmployerUSCC] = true
	}
	if len(accepted) != 7 || len(employers) != 7 || len(sim.Messages()) != 8 { // 7 accepted + the one who cancelled
		t.Fatalf("%d accepted from %d employers, %d SMS", len(accepted), len(employers), len(sim.Messages()))
	}
}

func callTo(calls []notify.PlacedCall, attempt string) *notify.PlacedCall {
	for i := range calls {
		if calls[i].AttemptID == attempt {
			return &calls[i]
		}
	}
	return nil
}

// TestCampaignUnfilledAtDeadline: everyone declines; when the
// confirmation deadline passes the campaign ends unfilled and the alert
// names the short group; a duplicate callback, one for an unknown call and
// a second start change nothing.
func TestCampaignUnfilledAtDeadline(t *testing.T) {
	forEachBackend(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.pool(t, 7, "A040303")
		f.setState(t, bidding.StateOpened)
		d, err := f.svc.RequestDraw(ctx, f.agent, f.section, f.request("A0403", 5, 0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.EnterPublicValue(ctx, f.supervisor, d.ID, "7"); err != nil {
			t.Fatal(err)
		}
		profile, _ := notify.ParseProfile("decline=1,repeat=0")
		key, _ := notify.NewCallbackKey([]byte(strings.Repeat("k", 32)), 0)
		var last notify.Event
		consume := func(ctx context.Context, e notify.Event) error { last = e; return f.svc.HandleCallEvent(ctx, e) }
		sim, _ := notify.NewSimulator(ctx, notify.SimOptions{Profile: profile, Key: key, Clock: f.clock, Manual: true,
			Deliver: notify.Direct(key, f.clock, consume)})
		defer sim.Close()
		f.svc.SetGateways(sim, sim, key)
		q := newStepQueue(f.clock)
		f.svc.Register(q)
		req := CampaignRequest{ConfirmBy: f.clock.Now().Add(time.Hour)}
		if _, err := f.svc.StartCampaign(ctx, f.agent, d.ID, req); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.StartCampaign(ctx, f.agent, d.ID, req)
		if e, _ := apperr.As(err); e == nil || e.Code != "campaign_exists" {
			t.Fatalf("a second start: %v", err)
		}
		f.step(t, q, sim, 30*time.Minute)
		p, _ := f.svc.CampaignProgress(ctx, f.agent, d.ID)
		if p.Campaign.State != CampaignRunning || p.Groups[0].Declined != 7 || p.Groups[0].Accepted != 0 {
			t.Fatalf("before the deadline: %+v %+v", p.Campaign, p.Groups)
		}
		// The last callback again, and one for a call never made.
		if err := f.svc.HandleCallEvent(ctx, last); err != nil {
			t.Fatalf("a duplicate callback: %v", err)
		}
		bogus := last
		bogus.ID, bogus.AttemptID = "ev-unknown", "d999-e1-a1"
		if err := f.svc.HandleCallEvent(ctx, bogus); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a callback for an unknown call: %v", err)
		}
		supplement := f.request("A0403", 1, 0)
		supplement.SupplementOf = d.ID
		_, err = f.svc.RequestDraw(ctx, f.agent, f.section, supplement)
		if e, _ := apperr.As(err); e == nil || e.Code != "not_unfilled" {
			t.Fatalf("a supplement while the campaign runs: %v", err)
		}
		f.step(t, q, sim, 31*time.Minute)
		p, _ = f.svc.CampaignProgress(ctx, f.agent, d.ID)
		if p.Campaign.State != CampaignUnfilled || p.Groups[0].Declined != 7 {
			t.Fatalf("after the deadline: %+v %+v", p.Campaign, p.Groups)
		}
		evs, _ := f.svc.events.BySubject(ctx, drawRef(d.ID), 1000)
		alerts := 0
		for _, e := range evs {
			if e.Type == "experts.campaign_unfilled" && strings.Contains(e.Payload, `"needed":5`) && strings.Contains(e.Payload, `"accepted":0`) {
				alerts++
			}
		}
		if alerts != 1 || len(sim.Calls()) != 7 {
			t.Fatalf("%d alerts, %d calls", alerts, len(sim.Calls()))
		}
		// A supplementary draw of one expert is no committee on its own,
		// yet allowed now; the seven already drawn are avoided, so the
		// pool cannot fill it.
		_, err = f.svc.RequestDraw(ctx, f.agent, f.section, supplement)
		if e, _ := apperr.As(err); e == nil || e.Code != "group_unfillable" {
			t.Fatalf("a supplement after the deadline: %v", err)
		}
	})
}
