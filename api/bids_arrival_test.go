package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/bidding"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/notary"
	"github.com/tenderhall/tenderhall/storage"
)

// slowStore is the blob store with a completion that takes the time it
// is given, on the test's clock: the platform's own slowness, not the
// bidder's.
type slowStore struct {
	storage.Blobs
	clock *clock.Fake
	takes time.Duration
}

func (s slowStore) CompleteMultipart(ctx context.Context, key, id string, parts []storage.Part) (storage.BlobInfo, error) {
	s.clock.Advance(s.takes)
	return s.Blobs.CompleteMultipart(ctx, key, id, parts)
}

// TestFinalizeJudgedByItsArrival sends, over HTTP, the finalize of a
// complete upload a millisecond before the deadline while the blob store
// takes five seconds to complete it: the receipt comes back with the
// arrival as the moment of receipt, the bid is in the opening, and a
// finalize sent a millisecond after the deadline is refused.
func TestFinalizeJudgedByItsArrival(t *testing.T) {
	forEachBiddingBackend(t, func(t *testing.T, be *biddingEnv) {
		e := newBidsEnv(t, be)
		e.srv.deps.Bidding.SetBlobs(slowStore{Blobs: e.srv.deps.Blobs, clock: e.clock, takes: 5 * time.Second})
		env := e.envelope(t, e.sec.ID, "投标报价：壹佰万元整。")
		e.at(e.deadline.Add(-time.Minute))
		inTime, late := e.upload(t, env, 300), e.upload(t, env, 300)

		_, bidder, _ := e.at(e.deadline.Add(-time.Millisecond))
		resp := e.do("POST", "/api/v1/uploads/"+inTime.UploadID+"/finalize?size="+strconv.Itoa(len(env)), bidder, nil)
		wantStatus(t, resp, http.StatusCreated)
		var r notary.SignedReceipt
		decode(t, resp, &r)
		if !e.clock.Now().After(e.deadline) {
			t.Fatalf("the store did not hold the finalize past the deadline (now %s)", e.clock.Now())
		}
		if r.Receipt.ReceivedAtMs != e.deadline.UnixMilli()-1 || r.Verify(e.platform.Public()) != nil {
			t.Fatalf("receipt received at %d, want the arrival %d", r.Receipt.ReceivedAtMs, e.deadline.UnixMilli()-1)
		}

		_, bidder, _ = e.at(e.deadline.Add(time.Millisecond))
		e.wantError(e.do("POST", "/api/v1/uploads/"+late.UploadID+"/finalize?size="+strconv.Itoa(len(env)), bidder, nil), http.StatusGone, "deadline_passed")

		agent, _, _ := e.at(e.deadline.Add(bidding.ArrivalGrace))
		e.queue.runDue(t)
		var count BidCountView
		resp = e.do("GET", fmt.Sprintf("/api/v1/sections/%d/bids/count", e.sec.ID), agent, nil)
		wantStatus(t, resp, http.StatusOK)
		decode(t, resp, &count)
		if count.Count != 1 {
			t.Fatalf("count %d, want the bid that arrived in time", count.Count)
		}
	})
}
