package bidding

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/notary"
)

// raceOffsets are the server times, relative to the deadline, at which
// finalizes fire; raceWidth finalizes fire at each, together with the
// deadline job's close task and a sweep.
var raceOffsets = []time.Duration{-50, -20, -10, -5, -3, -2, -1, 0, 1, 2, 3, 5, 10, 20, 50}

const (
	raceWidth  = 7
	raceRounds = 3
)

// TestFinalizeRacesDeadline fires finalizes at deadline ± 50 ms, hundreds
// of times, concurrently with the deadline job. The clock is driven: it
// stands at one instant while the finalizes (and close jobs) fired at that
// instant run concurrently, then moves on, as server time does. None after
// the deadline is accepted, none before it is refused, the section closes
// exactly once and after every accepted bid, and nothing is left behind.
func TestFinalizeRacesDeadline(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newUpFixture(t, b, raceWidth-1)
			rounds := raceRounds
			if testing.Short() {
				rounds = 1
			}
			for round := 0; round < rounds; round++ {
				f.raceRound(t)
			}
		})
	}
}

type raceResult struct {
	at      time.Duration
	org     int64
	receipt notary.SignedReceipt
	err     error
}

func (f *upFixture) raceRound(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	f.clock.Set(start)
	sec := f.announced(t, true, testDeadline)
	f.clock.Set(testDeadline.Add(-time.Second))
	envs := map[int64][]byte{}
	for org := range f.keys {
		envs[org] = f.seal(t, org, sec, "报价 "+strconv.FormatInt(org, 10))
	}
	type job struct {
		org int64
		up  Upload
	}
	jobs := map[time.Duration][]job{}
	for _, off := range raceOffsets {
		for i := 0; i < raceWidth; i++ {
			org := int64(4 + i)
			jobs[off] = append(jobs[off], job{org, f.upload(t, bidderOf(org), sec, envs[org], 400)})
		}
	}
	var results []raceResult
	var mu sync.Mutex
	for _, off := range raceOffsets {
		f.clock.Set(testDeadline.Add(off * time.Millisecond))
		var wg sync.WaitGroup
		for _, j := range jobs[off] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := f.svc.FinalizeUpload(ctx, bidderOf(j.org), j.up.ID, int64(len(envs[j.org])))
				mu.Lock()
				results = append(results, raceResult{off, j.org, r, err})
				mu.Unlock()
			}()
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := f.svc.handleClose(ctx, closeTask(t, sec, testDeadline)); err != nil && !apperr.Is(err, apperr.Unavailable) {
				t.Errorf("close task: %v", err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := f.svc.Sweep(ctx); err != nil {
				t.Errorf("sweep: %v", err)
			}
		}()
		wg.Wait()
	}
	// The close waits ArrivalGrace after the deadline (finalizes that
	// arrived in time register meanwhile), then closes once.
	f.clock.Set(testDeadline.Add(ArrivalGrace))
	if err := f.svc.handleClose(ctx, closeTask(t, sec, testDeadline)); err != nil {
		t.Fatal(err)
	}
	f.checkRace(t, sec, results)
}

func (f *upFixture) checkRace(t *testing.T, sec Section, results []raceResult) {
	t.Helper()
	ctx := context.Background()
	var closedSeq []int64
	if err := f.svc.db.Conn(ctx).Raw("SELECT seq FROM events WHERE type = 'section.closed' AND subject = ?", sectionRef(sec.ID)).Scan(&closedSeq).Error; err != nil {
		t.Fatal(err)
	}
	if len(closedSeq) != 1 {
		t.Fatalf("section closed %d times", len(closedSeq))
	}
	accepted := 0
	for _, r := range results {
		at := testDeadline.Add(r.at * time.Millisecond)
		switch {
		case r.at < 0 && r.err != nil:
			t.Errorf("finalize at deadline%+dms refused: %v", r.at, r.err)
		case r.at >= 0 && (!apperr.Is(r.err, apperr.TooLate) || codeOf(r.err) != "deadline_passed"):
			t.Errorf("finalize at deadline%+dms: %v, want deadline_passed", r.at, r.err)
		case r.at < 0:
			accepted++
			if r.receipt.Receipt.ReceivedAtMs != at.UnixMilli() || r.receipt.Verify(f.platform.Public()) != nil {
				t.Errorf("receipt %+v", r.receipt)
			}
			if r.receipt.Receipt.LogIndex >= closedSeq[0] {
				t.Errorf("bid logged at %d after the close at %d", r.receipt.Receipt.LogIndex, closedSeq[0])
			}
		}
	}
	if n := f.countBids(t, sec.ID, ""); n != int64(accepted) {
		t.Errorf("%d bid rows for %d accepted finalizes", n, accepted)
	}
	if n := f.countBids(t, sec.ID, BidCurrent); n != raceWidth {
		t.Errorf("%d current bids, want one per bidder (%d)", n, raceWidth)
	}
	if objs := f.objects(t, fmt.Sprintf("bids/%d/", sec.ID)); len(objs) != accepted {
		t.Errorf("%d bid objects for %d accepted finalizes", len(objs), accepted)
	}
	if objs := f.objects(t, "uploads/"); len(objs) != 0 {
		t.Errorf("parts left: %v", objs)
	}
	var open int64
	f.svc.db.Conn(ctx).Model(&Upload{}).Where("section_id = ? AND status NOT IN ?", sec.ID, []UploadStatus{UploadDone, UploadLate}).Count(&open)
	if open != 0 {
		t.Errorf("%d uploads neither done nor late", open)
	}
}

// TestFinalizeStormAcrossDeadline lets the clock pass the deadline while
// finalizes that arrived a millisecond before it are in flight, and the
// close job runs: every one of them is accepted with its arrival as the
// moment of receipt and logged before the close; one arriving at the
// deadline is refused; nothing is left half-written. This is what the
// registration under the section row's lock and the close's wait
// guarantee.
func TestFinalizeStormAcrossDeadline(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newUpFixture(t, b, raceWidth-1)
			rounds := raceRounds
			if testing.Short() {
				rounds = 1
			}
			for round := 0; round < rounds; round++ {
				f.stormRound(t)
			}
		})
	}
}

func (f *upFixture) stormRound(t *testing.T) {
	ctx := context.Background()
	f.clock.Set(time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC))
	sec := f.announced(t, true, testDeadline)
	f.clock.Set(testDeadline.Add(-time.Second))
	type job struct {
		org int64
		env []byte
		up  Upload
	}
	var jobs []job
	for i := 0; i < 3*raceWidth; i++ {
		org := int64(4 + i%raceWidth)
		env := f.seal(t, org, sec, "报价")
		jobs = append(jobs, job{org, env, f.upload(t, bidderOf(org), sec, env, 400)})
	}
	f.clock.Set(testDeadline.Add(-time.Millisecond))
	results := make([]raceResult, len(jobs))
	finished := make(chan struct{}, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		arrival := testDeadline.Add(-time.Millisecond) // as the HTTP layer stamps it
		if i == len(jobs)-1 {
			arrival = testDeadline // exactly at the deadline: late
		}
		go func() {
			defer wg.Done()
			r, err := f.svc.FinalizeUpload(clock.WithArrival(ctx, arrival), bidderOf(j.org), j.up.ID, int64(len(j.env)))
			results[i] = raceResult{at: arrival.Sub(testDeadline) / time.Millisecond, org: j.org, receipt: r, err: err}
			finished <- struct{}{}
		}()
	}
	for i := 0; i < len(jobs)/3; i++ { // the deadline passes with two thirds in flight
		<-finished
	}
	f.clock.Set(testDeadline)
	if n, err := f.svc.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("sweep at the deadline closed %d (%v): the close must wait ArrivalGrace", n, err)
	}
	wg.Wait()
	f.clock.Set(testDeadline.Add(ArrivalGrace))
	if _, err := f.svc.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	var closedSeq []int64
	if err := f.svc.db.Conn(ctx).Raw("SELECT seq FROM events WHERE type = 'section.closed' AND subject = ?", sectionRef(sec.ID)).Scan(&closedSeq).Error; err != nil {
		t.Fatal(err)
	}
	if len(closedSeq) != 1 {
		t.Fatalf("section closed %d times", len(closedSeq))
	}
	accepted := 0
	for _, r := range results {
		if r.at >= 0 {
			if codeOf(r.err) != "deadline_passed" {
				t.Errorf("arrived at the deadline: %v, want deadline_passed", r.err)
			}
			continue
		}
		if r.err != nil {
			t.Errorf("arrived a millisecond before the deadline, refused: %v", r.err)
			continue
		}
		accepted++
		if r.receipt.Receipt.ReceivedAtMs != testDeadline.UnixMilli()-1 || r.receipt.Receipt.LogIndex >= closedSeq[0] {
			t.Errorf("accepted at %d (deadline %d), logged at %d (close at %d)", r.receipt.Receipt.ReceivedAtMs,
				testDeadline.UnixMilli(), r.receipt.Receipt.LogIndex, closedSeq[0])
		}
	}
	if n := f.countBids(t, sec.ID, ""); n != int64(accepted) {
		t.Errorf("%d bid rows for %d accepted finalizes", n, accepted)
	}
	if objs := f.objects(t, fmt.Sprintf("bids/%d/", sec.ID)); len(objs) != accepted {
		t.Errorf("%d bid objects for %d accepted finalizes", len(objs), accepted)
	}
	if objs := f.objects(t, "uploads/"); len(objs) != 0 {
		t.Errorf("parts left: %v", objs)
	}
	t.Logf("%d of %d finalizes in flight at the deadline were accepted", accepted, len(jobs))
}
