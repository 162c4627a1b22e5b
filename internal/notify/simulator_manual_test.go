package notify

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/clock"
)

// With Manual, nothing is delivered until DeliverDue, which delivers
// exactly what the clock has made due, in order, before it returns.
func TestSimulatorManualDelivery(t *testing.T) {
	clk := clock.NewFake(t0)
	key := testKey(t)
	var mu sync.Mutex
	var got []EventType
	deliver := Direct(key, clk, func(_ context.Context, e Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e.Type)
		return nil
	})
	p, err := ParseProfile("accept=1,ring=4s,play=12s,key=1s,repeat=0,duplicate=0")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := NewSimulator(context.Background(), SimOptions{Profile: p, Key: key, Deliver: deliver, Clock: clk, Manual: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	select {
	case <-sim.Done():
	default:
		t.Fatal("a manual simulator started a goroutine")
	}
	if _, err := sim.Dial(context.Background(), request("a1", "13800000001")); err != nil {
		t.Fatal(err)
	}
	if n := sim.DeliverDue(); n != 1 || len(got) != 1 || got[0] != CallRinging {
		t.Fatalf("at dialing: delivered %d %v", n, got)
	}
	clk.Advance(time.Minute)
	if n := sim.DeliverDue(); n == 0 || got[len(got)-1] != CallCompleted || sim.Pending() != 0 {
		t.Fatalf("a minute later: delivered %d %v, %d pending", n, got, sim.Pending())
	}
	if n := sim.DeliverDue(); n != 0 {
		t.Fatalf("delivered %d again", n)
	}
}

// TestSetProfileAppliesToLaterCalls: a call placed after SetProfile
// follows the new profile; one placed before keeps the old behaviour.
func TestSetProfileAppliesToLaterCalls(t *testing.T) {
	clk := clock.NewFake(t0)
	key := testKey(t)
	accept, _ := ParseProfile("accept=1")
	sim, err := NewSimulator(context.Background(), SimOptions{Profile: accept, Key: key, Clock: clk, Manual: true,
		Deliver: Direct(key, clk, func(context.Context, Event) error { return nil })})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	req := func(id string) CallRequest {
		return CallRequest{AttemptID: id, Phone: "13900000001", Script: "您好，请按1确认参加。"}
	}
	if _, err := sim.Dial(context.Background(), req("a1")); err != nil {
		t.Fatal(err)
	}
	if bad := (Profile{Accept: -1}); sim.SetProfile(bad) == nil {
		t.Fatal("an invalid profile was taken")
	}
	decline, _ := ParseProfile("accept=1,13900000001=decline")
	if err := sim.SetProfile(decline); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Dial(context.Background(), req("a2")); err != nil {
		t.Fatal(err)
	}
	calls := sim.Calls()
	if calls[0].Outcome != OutcomeAccept || calls[1].Outcome != OutcomeDecline {
		t.Fatalf("outcomes %s, %s", calls[0].Outcome, calls[1].Outcome)
	}
}
