package bidding

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// heldFinalize is a finalize running in the background whose commit the
// test holds back until it releases it.
type heldFinalize struct {
	reached chan struct{} // closed when the finalize is about to commit (registered, verified, published)
	release chan struct{}
	done    chan struct{}
	receipt notary.SignedReceipt
	err     error
}

// holdCommits makes every finalize of upload ids wait before its commit.
func (f *upFixture) holdCommits(held map[string]*heldFinalize) {
	f.svc.up.beforeCommit = func(u Upload) {
		if h, ok := held[u.ID]; ok {
			close(h.reached)
			<-h.release
		}
	}
}

// finalizeHeld starts a finalize of u stamped as arriving at arrival,
// whose commit waits for the test.
func (f *upFixture) finalizeHeld(org int64, u Upload, size int, arrival time.Time) *heldFinalize {
	h := &heldFinalize{reached: make(chan struct{}), release: make(chan struct{}), done: make(chan struct{})}
	f.holdCommits(map[string]*heldFinalize{u.ID: h})
	go func() {
		defer close(h.done)
		h.receipt, h.err = f.svc.FinalizeUpload(clock.WithArrival(context.Background(), arrival), bidderOf(org), u.ID, int64(size))
	}()
	return h
}

// TestFinalizeHeldAcrossTheDeadline: a finalize that arrived a millisecond
// before the deadline and whose commit is held back until well after it
// still gets its receipt, with its arrival as the moment of receipt; one
// arriving a millisecond after the deadline is refused; the close and the
// opening wait for the first (the close records the wait), and the
// opening counts its bid. A finalize held beyond MaxFinalizeWait is
// refused as finalize_overran and logged, and the close does not wait for
// it forever.
func TestFinalizeHeldAcrossTheDeadline(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newUpFixture(t, b, 4)
			ctx := context.Background()
			sec := f.announced(t, true, testDeadline)
			f.clock.Set(testDeadline.Add(-time.Minute))
			envs, ups := map[int64][]byte{}, map[int64]Upload{}
			for org := int64(4); org <= 8; org++ {
				envs[org] = f.seal(t, org, sec, "报价")
				ups[org] = f.upload(t, bidderOf(org), sec, envs[org], 300)
			}
			for org := int64(6); org <= 8; org++ { // three bids in good time
				if _, err := f.svc.FinalizeUpload(ctx, bidderOf(org), ups[org].ID, int64(len(envs[org]))); err != nil {
					t.Fatal(err)
				}
			}
			held := f.finalizeHeld(4, ups[4], len(envs[4]), testDeadline.Add(-time.Millisecond))
			<-held.reached

			f.clock.Set(testDeadline.Add(time.Millisecond))
			_, err := f.svc.FinalizeUpload(clock.WithArrival(ctx, f.clock.Now()), bidderOf(5), ups[5].ID, int64(len(envs[5])))
			if codeOf(err) != "deadline_passed" {
				t.Fatalf("a finalize arriving 1 ms after the deadline: %v, want deadline_passed", err)
			}

			for _, at := range []time.Duration{ArrivalGrace, time.Minute} {
				f.clock.Set(testDeadline.Add(at))
				if closed, s, err := f.svc.CloseIfDue(ctx, sec.ID); err != nil || closed || s.State != StateAnnounced {
					t.Fatalf("close at deadline+%s with a finalize in flight: closed=%v state %s (%v)", at, closed, s.State, err)
				}
				if v, _ := f.svc.Room(ctx, f.agent, sec.ID); v.Phase != PhaseClosing {
					t.Fatalf("room phase %s while the close waits, want closing", v.Phase)
				}
			}
			close(held.release)
			<-held.done
			if held.err != nil {
				t.Fatalf("the held finalize: %v", held.err)
			}
			r := held.receipt.Receipt
			if r.ReceivedAtMs != testDeadline.UnixMilli()-1 || held.receipt.Verify(f.platform.Public()) != nil {
				t.Fatalf("receipt received at %d, want the arrival %d", r.ReceivedAtMs, testDeadline.UnixMilli()-1)
			}
			f.clock.Set(testDeadline.Add(time.Minute + time.Second))
			if closed, s, err := f.svc.CloseIfDue(ctx, sec.ID); err != nil || !closed || s.State != StateOpening {
				t.Fatalf("close after the held commit: %v %s %v", closed, s.State, err)
			}
			var closedEv struct {
				Seq     int64
				Payload string
			}
			f.svc.db.Conn(ctx).Raw("SELECT seq, payload FROM events WHERE type = 'section.closed' AND subject = ?", sectionRef(sec.ID)).Scan(&closedEv)
			var payload struct{ WaitedMs, AbandonedFinalizes int64 }
			json.Unmarshal([]byte(closedEv.Payload), &payload)
			if payload.WaitedMs != (time.Minute+time.Second).Milliseconds() || payload.AbandonedFinalizes != 0 || r.LogIndex >= closedEv.Seq {
				t.Fatalf("close %s at seq %d, held bid logged at %d", closedEv.Payload, closedEv.Seq, r.LogIndex)
			}
			room, err := f.svc.room(ctx, sec.ID)
			if err != nil || room.BidCount != 4 {
				t.Fatalf("the opening counts %d bids (%v), want 4 with the held one", room.BidCount, err)
			}
			var received time.Time
			f.svc.db.Conn(ctx).Raw("SELECT received_at FROM bids WHERE id = ?", r.BidID).Scan(&received)
			if !received.Equal(testDeadline.Add(-time.Millisecond)) {
				t.Fatalf("the bid row says received at %s", received)
			}
		})
	}
}

// TestFinalizeOverrunningTheWait: a finalize that arrived in time but is
// still held when MaxFinalizeWait has passed does not hold the close
// further; it is then refused as finalize_overran, logged, and leaves no
// bid.
func TestFinalizeOverrunningTheWait(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newUpFixture(t, b, 0)
			ctx := context.Background()
			sec := f.announced(t, true, testDeadline)
			f.clock.Set(testDeadline.Add(-time.Minute))
			env := f.seal(t, 4, sec, "报价")
			up := f.upload(t, bidderOf(4), sec, env, 300)
			held := f.finalizeHeld(4, up, len(env), testDeadline.Add(-time.Second))
			<-held.reached
			f.clock.Set(testDeadline.Add(MaxFinalizeWait))
			closed, s, err := f.svc.CloseIfDue(ctx, sec.ID)
			if err != nil || !closed || s.State != StateFailed { // no bid: the section fails at once
				t.Fatalf("close after the bound: %v %s %v", closed, s.State, err)
			}
			close(held.release)
			<-held.done
			if !apperr.Is(held.err, apperr.Unavailable) || codeOf(held.err) != "finalize_overran" {
				t.Fatalf("the overrun finalize: %v, want finalize_overran", held.err)
			}
			if n := f.countBids(t, sec.ID, ""); n != 0 {
				t.Fatalf("%d bid rows for a refused finalize", n)
			}
			var logged, abandoned int64
			f.svc.db.Conn(ctx).Raw("SELECT COUNT(*) FROM events WHERE type = 'bid.finalize_overran' AND subject = ?", sectionRef(sec.ID)).Scan(&logged)
			f.svc.db.Conn(ctx).Raw("SELECT COUNT(*) FROM events WHERE type = 'section.closed' AND payload LIKE '%\"abandonedFinalizes\":1%'").Scan(&abandoned)
			if logged != 1 || abandoned != 1 {
				t.Fatalf("overran events %d, closes recording the abandoned finalize %d", logged, abandoned)
			}
			if u, _ := f.svc.GetUpload(ctx, bidderOf(4), up.ID); u.Status != UploadLate {
				t.Fatalf("upload left %s", u.Status)
			}
		})
	}
}
