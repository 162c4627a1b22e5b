package notify

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// TestHTTPDeliveryPostsSignedCallbacks runs the simulator against an HTTP
// callback route that verifies like the platform's: the first delivery of
// the answer event fails with 500 and is retried with the same event ID; a
// route refusing with 401 is not retried.
func TestHTTPDeliveryPostsSignedCallbacks(t *testing.T) {
	clk, key := clock.NewFake(t0), testKey(t)
	got := make(chan Event, 100)
	var mu sync.Mutex
	failed := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(req.Body, MaxCallbackBytes+1))
		e, err := key.VerifyCallback(req.Header, body, clk.Now())
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err != nil:
			w.WriteHeader(http.StatusUnauthorized)
		case e.AttemptID == "refused":
			w.WriteHeader(http.StatusUnauthorized)
		case e.Type == CallAnswered && !failed[e.ID]:
			failed[e.ID] = true
			w.WriteHeader(http.StatusInternalServerError)
		default:
			got <- e
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	defer srv.Close()
	deliver, err := HTTPDelivery(srv.Client(), srv.URL+"/api/v1/notify/callbacks")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := ParseProfile("accept=1,repeat=0")
	sim, err := NewSimulator(context.Background(), SimOptions{Profile: p, Key: key, Deliver: deliver, Clock: clk, Poll: time.Hour,
		RetryDelay: 30 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if _, err := sim.Dial(context.Background(), request("ok", "13800000001")); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Dial(context.Background(), request("refused", "13800000002")); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute) // everything due; the answer's retry is due 30s after its failure
	sim.Wake()
	first := receive(t, got, 3) // ring, key, accept: the answer failed once
	clk.Advance(time.Minute)
	sim.Wake()
	retried := receive(t, got, 1)[0]
	if retried.Type != CallAnswered || retried.Seq != 2 || first[0].Type != CallRinging {
		t.Fatalf("delivered %v then %v, want the answer retried last", first, retried)
	}
	if d := sim.Dropped(); len(d) != 4 || d[0].AttemptID != "refused" {
		t.Fatalf("dropped %v, want the 4 refused events, each tried once", d)
	}
}

func receive(t *testing.T, ch chan Event, n int) []Event {
	t.Helper()
	var out []Event
	for len(out) < n {
		select {
		case e := <-ch:
			out = append(out, e)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d of %d callbacks", len(out), n)
		}
	}
	return out
}

func TestHTTPDeliveryRefusesABadURL(t *testing.T) {
	_, err := HTTPDelivery(nil, "ftp://carrier")
	wantErr(t, err, apperr.Invalid, "")
}

// TestDuplicatesAndRetriesKeepTheEventID: with duplicate=1 every callback
// comes twice, and a consumer failing transiently gets the same event again.
func TestDuplicatesAndRetriesKeepTheEventID(t *testing.T) {
	var once sync.Once
	failed := make(chan struct{}, 1)
	r := newRig(t, "busy=1,duplicate=1", func(_ context.Context, e Event) error {
		var err error
		once.Do(func() { err = apperr.New(apperr.Unavailable, "数据库忙", "database busy"); failed <- struct{}{} })
		return err
	})
	r.dial(t, "a1", "13800000001")
	r.advance(time.Second) // busy is due; its first delivery fails
	<-failed
	r.advance(10 * time.Second)
	e1 := r.take(t, 1)[0] // the retry
	r.advance(10 * time.Second)
	e2 := r.take(t, 1)[0] // the deliberate duplicate
	if e1.ID != e2.ID || e1.Outcome != OutcomeBusy {
		t.Fatalf("got %+v and %+v, want the same busy event twice", e1, e2)
	}
	if r.sim.Pending() != 0 {
		t.Fatalf("%d callbacks still pending", r.sim.Pending())
	}
}

func TestSMSReports(t *testing.T) {
	r := newRig(t, "sms_fail=0,sms_delay=2s", nil)
	req := SMSRequest{AttemptID: "confirm-e7", Phone: "13800000001", Text: "您已确认参加11月25日9时的评标"}
	id, err := r.sim.Send(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := r.sim.Send(context.Background(), req); again != id || err != nil {
		t.Fatalf("resend = %s, %v; want %s", again, err, id)
	}
	req.Text = "另一条"
	_, err = r.sim.Send(context.Background(), req)
	wantErr(t, err, apperr.Conflict, "attempt_id_reused")
	r.advance(2 * time.Second)
	e := r.take(t, 1)[0]
	if e.Type != SMSReport || e.Status != SMSDelivered || e.CarrierID != id || !e.At.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("report %+v", e)
	}
	if m := r.sim.Messages(); len(m) != 1 || m[0].Requests != 2 {
		t.Fatalf("messages %+v", m)
	}
	failing := newRig(t, "sms_fail=1", nil)
	failing.sim.Send(context.Background(), SMSRequest{AttemptID: "s", Phone: "13800000001", Text: "x"})
	failing.advance(time.Minute)
	if e := failing.take(t, 1)[0]; e.Status != SMSFailed || e.Detail == "" {
		t.Fatalf("report %+v, want failed", e)
	}
}

// TestSimulatorStops: Close and context cancellation both end the delivery
// goroutine, even with a delivery blocked in the consumer, and later
// requests are refused.
func TestSimulatorStops(t *testing.T) {
	blocked := make(chan struct{})
	for _, how := range []string{"close", "cancel"} {
		t.Run(how, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			deliver := func(ctx context.Context, _ http.Header, _ []byte) error {
				blocked <- struct{}{}
				<-ctx.Done() // a slow platform; only cancellation ends it
				return ctx.Err()
			}
			sim, err := NewSimulator(ctx, SimOptions{Profile: DefaultProfile(), Key: testKey(t), Deliver: deliver, Clock: clock.NewFake(t0)})
			if err != nil {
				t.Fatal(err)
			}
			sim.Dial(context.Background(), request("a1", "13800000001"))
			<-blocked // the ringing event is being delivered
			if how == "close" {
				sim.Close()
			} else {
				cancel()
				<-sim.Done()
			}
			_, err = sim.Dial(context.Background(), request("a2", "13800000001"))
			wantErr(t, err, apperr.Unavailable, "carrier_closed")
			sim.Close() // a second Close is harmless
			waitNoSimulatorGoroutine(t)
		})
	}
}

// waitNoSimulatorGoroutine fails if a simulator's goroutine is still alive.
// Done is closed by the goroutine's last deferred call, so it may still be
// unwinding: yield to it a bounded number of times (no sleeping).
func waitNoSimulatorGoroutine(t *testing.T) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for range 1000 {
		n := runtime.Stack(buf, true)
		if !strings.Contains(string(buf[:n]), "notify.(*Simulator).run") {
			return
		}
		runtime.Gosched()
	}
	t.Fatal("a simulator goroutine outlived Close")
}
