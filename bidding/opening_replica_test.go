package bidding

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/eventlog"
	"github.com/tenderhall/tenderhall/internal/dbtest"
	"github.com/tenderhall/tenderhall/internal/jobs"
	"github.com/tenderhall/tenderhall/notary"
)

// replica builds a second service on the fixture's database, as another
// process (or the same one restarted) would.
func (f *openFixture) replica(t *testing.T) *Service {
	t.Helper()
	s := New(f.svc.db, eventlog.New(f.svc.db, f.clock), f.clock, &recorder{tasks: map[string]jobs.Task{}}, nil)
	s.SetBlobs(f.blobs)
	s.SetPlatformKey(f.platform)
	fields, err := notary.NewFieldCipher(bytes.Repeat([]byte{7}, notary.FieldKeySize))
	if err != nil {
		t.Fatal(err)
	}
	s.SetFieldCipher(fields)
	return s
}

func (f *openFixture) countEvents(t *testing.T, typ string) int {
	t.Helper()
	evs, err := f.svc.events.ByType(context.Background(), typ, 100)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// TestOpeningRunsOnceAcrossReplicas: two replicas run the deadline job,
// the sweep and the window job at the same moments; each transition
// happens once.
func TestOpeningRunsOnceAcrossReplicas(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newOpenFixture(t, b, 3)
			ctx := context.Background()
			other := f.replica(t)
			f.clock.Set(testDeadline.Add(-time.Minute))
			for org := int64(4); org <= 6; org++ {
				if err := f.signIn(t, org); err != nil {
					t.Fatal(err)
				}
			}
			f.clock.Set(testDeadline.Add(ArrivalGrace))
			race := func(fns ...func() error) {
				var wg sync.WaitGroup
				errs := make([]error, len(fns))
				for i, fn := range fns {
					wg.Go(func() { errs[i] = fn() })
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			closeTask := func(s *Service) func() error {
				return func() error { return s.handleClose(ctx, closeTask(t, f.sec, testDeadline)) }
			}
			sweep := func(s *Service) func() error { return func() error { _, err := s.Sweep(ctx); return err } }
			race(closeTask(f.svc), closeTask(other), sweep(f.svc), sweep(other))
			if n := f.countEvents(t, "section.opening"); n != 1 {
				t.Fatalf("%d opening events", n)
			}
			for org := int64(4); org <= 6; org++ {
				if _, err := other.Decrypt(ctx, bidderOf(org), f.sec.ID, f.dek(t, org)); err != nil {
					t.Fatal(err)
				}
			}
			f.clock.Set(testDeadline.Add(30 * time.Minute))
			window := func(s *Service) func() error {
				return func() error { _, err := s.CloseWindowIfDue(ctx, f.sec.ID); return err }
			}
			race(window(f.svc), window(other), sweep(f.svc), sweep(other))
			if n := f.countEvents(t, "section.opened"); n != 1 {
				t.Fatalf("%d opened events", n)
			}
		})
	}
}

// TestOpeningSurvivesRestart: a service restarted during the window finds
// the phase, the check-ins and the decrypted bids, and its window job
// closes the window on time.
func TestOpeningSurvivesRestart(t *testing.T) {
	f := newOpenFixture(t, dbtest.SQLite, 4)
	ctx := context.Background()
	f.clock.Set(testDeadline.Add(-time.Minute))
	for org := int64(4); org <= 7; org++ {
		if err := f.signIn(t, org); err != nil {
			t.Fatal(err)
		}
	}
	f.clock.Set(testDeadline.Add(ArrivalGrace))
	if _, _, err := f.svc.CloseIfDue(ctx, f.sec.ID); err != nil {
		t.Fatal(err)
	}
	for org := int64(4); org <= 5; org++ {
		if _, err := f.svc.Decrypt(ctx, bidderOf(org), f.sec.ID, f.dek(t, org)); err != nil {
			t.Fatal(err)
		}
	}
	task := f.queue.tasks[WindowTaskID(f.sec.ID)]
	if !task.RunAt.Equal(testDeadline.Add(30 * time.Minute)) {
		t.Fatalf("window task at %v", task.RunAt)
	}

	restarted := f.replica(t) // the old service is gone; only the database remains
	v, err := restarted.Room(ctx, bidderOf(6), f.sec.ID)
	if err != nil || v.Phase != PhaseDecrypting || v.Decrypted != 2 || v.Checkins["bidder"] != 4 || !v.CheckedIn {
		t.Fatalf("after restart %+v %v", v, err)
	}
	if _, err := restarted.Decrypt(ctx, bidderOf(6), f.sec.ID, f.dek(t, 6)); err != nil {
		t.Fatal(err)
	}
	// The job queue delivers the window task at its time; early, it asks to retry.
	f.clock.Set(task.RunAt.Add(-time.Millisecond))
	if err := restarted.handleWindow(ctx, task); err == nil {
		t.Fatal("the window task ran early without asking to retry")
	}
	f.clock.Set(task.RunAt)
	if err := restarted.handleWindow(ctx, task); err != nil {
		t.Fatal(err)
	}
	v, _ = restarted.Room(ctx, bidderOf(6), f.sec.ID)
	if v.Phase != PhaseResults || v.State != StateOpened || v.Decrypted != 3 || len(v.Results) != 4 {
		t.Fatalf("after the window %+v", v)
	}
}

// TestRoomPageMovesPastOtherEvents: a page of only non-room events (here
// downloads) yields no message but moves the follower's position on.
func TestRoomPageMovesPastOtherEvents(t *testing.T) {
	f := newOpenFixture(t, dbtest.SQLite, 1)
	ctx := context.Background()
	_, start, _, err := f.svc.RoomPage(ctx, f.sec.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var last int64
	for range 5 {
		ev, err := f.svc.events.Append(ctx, eventlog.Entry{Type: "document.downloaded", Subject: sectionRef(f.sec.ID), Actor: "user:1"})
		if err != nil {
			t.Fatal(err)
		}
		last = ev.Seq
	}
	ms, next, more, err := f.svc.RoomPage(ctx, f.sec.ID, start, 3)
	if err != nil || len(ms) != 0 || !more || next <= start {
		t.Fatalf("first page: %v next %d (from %d) more %v %v", ms, next, start, more, err)
	}
	ms, next, more, err = f.svc.RoomPage(ctx, f.sec.ID, next, 3)
	if err != nil || len(ms) != 0 || more || next != last {
		t.Fatalf("second page: %v next %d want %d more %v %v", ms, next, last, more, err)
	}
}
