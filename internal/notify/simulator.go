package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
	"github.com/tenderhall/tenderhall/internal/clock"
)

// SimulatorCarrier is the carrier name of the Simulator, in configuration
// and in Event.Carrier.
const SimulatorCarrier = "simulator"

// DeliverFunc hands one signed callback (headers and body) to the platform.
// HTTPDelivery POSTs it like a real carrier; Direct verifies and consumes it
// in-process. An error makes the Simulator deliver the same event again
// later, except a permanent refusal (apperr.Invalid, Unauthenticated,
// NotFound or TooLarge), which a real carrier would not retry either.
type DeliverFunc func(ctx context.Context, h http.Header, body []byte) error

// SimOptions configure a Simulator. Key and Deliver are required.
type SimOptions struct {
	Profile       Profile       // callee behaviour: DefaultProfile or ParseProfile (the zero Profile answers nothing)
	Key           *CallbackKey  // signs every callback
	Deliver       DeliverFunc   // where callbacks go
	Clock         clock.Clock   // decides when events are due and signs them; default clock.System
	Poll          time.Duration // longest real wait before the clock is read again; default 1s
	RetryDelay    time.Duration // clock time before a failed delivery is retried, doubled each time; default 10s
	MaxDeliveries int           // delivery tries per event before it is dropped; default 5
	Logger        *slog.Logger  // default slog.Default(); phone numbers and secrets are never logged
	// Manual starts no delivery goroutine: callbacks are delivered only
	// when DeliverDue is called, so a test can step a fake clock and know
	// that everything due has been applied when DeliverDue returns.
	Manual bool
}

// Simulator is a fake telephone carrier: a stand-in, inside this process,
// for the voice and SMS operator outside the machine. It implements Caller
// and SMSSender, plays the expert IVR with callees who behave as its
// Profile says, and delivers signed callbacks when the injected clock
// reaches each event's time. It records every call and message it placed.
// It is safe for concurrent use; its one goroutine stops when Close is
// called or the context given to NewSimulator is done.
type Simulator struct {
	opts   SimOptions
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	wake   chan struct{}

	mu       sync.Mutex
	calls    map[string]*PlacedCall
	msgs     map[string]*SentMessage
	order    []string // attempt IDs of calls, in placement order
	msgOrder []string
	perPhone map[string]int
	queue    eventQueue
	dropped  []Event
}

// The Simulator is both gateways.
var (
	_ Caller    = (*Simulator)(nil)
	_ SMSSender = (*Simulator)(nil)
)

// PlacedCall is the Simulator's record of one call it placed.
type PlacedCall struct {
	AttemptID string
	CarrierID string
	Phone     string
	Script    string
	PlacedAt  time.Time
	Requests  int       // Dial requests with this AttemptID; only the first placed a call
	Behaviour Behaviour // how the callee was made to behave
	Outcome   Outcome   // the outcome its CallCompleted event carries
	request   CallRequest
}

// SentMessage is the Simulator's record of one SMS it sent.
type SentMessage struct {
	AttemptID string
	CarrierID string
	Phone     string
	Text      string
	SentAt    time.Time
	Requests  int // Send requests with this AttemptID; only the first sent a message
	Status    SMSStatus
}

// NewSimulator validates o and starts the delivery goroutine, which runs
// until ctx is done or Close is called. Errors: apperr.Invalid for a
// missing Key or Deliver or an invalid Profile.
func NewSimulator(ctx context.Context, o SimOptions) (*Simulator, error) {
	if o.Key == nil || o.Deliver == nil {
		return nil, apperr.New(apperr.Invalid, "模拟运营商需要回调密钥和投递方式", "the simulator needs a callback key and a delivery function")
	}
	if err := o.Profile.Validate(); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	s := &Simulator{opts: o, done: make(chan struct{}), wake: make(chan struct{}, 1),
		calls: map[string]*PlacedCall{}, msgs: map[string]*SentMessage{}, perPhone: map[string]int{}}
	s.ctx, s.cancel = context.WithCancel(ctx)
	if o.Manual {
		close(s.done)
		return s, nil
	}
	go s.run()
	return s, nil
}

func (o SimOptions) withDefaults() SimOptions {
	if o.Clock == nil {
		o.Clock = clock.System{}
	}
	o.Poll = orDefault(o.Poll, time.Second)
	o.RetryDelay = orDefault(o.RetryDelay, 10*time.Second)
	if o.MaxDeliveries <= 0 {
		o.MaxDeliveries = 5
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Dial places a simulated call; see Caller.Dial for the contract and errors.
func (s *Simulator) Dial(ctx context.Context, r CallRequest) (string, error) {
	r, err := r.Normalize()
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return "", err
	}
	if c := s.calls[r.AttemptID]; c != nil {
		if !sameCall(c.request, r) {
			return "", reused(r.AttemptID)
		}
		c.Requests++
		return c.CarrierID, nil
	}
	now := s.opts.Clock.Now()
	p := s.opts.Profile
	b := p.behaviourFor(r.Phone, s.perPhone[r.Phone], rngFor(p.Seed, "call", r.AttemptID))
	s.perPhone[r.Phone]++
	c := &PlacedCall{AttemptID: r.AttemptID, CarrierID: carrierID("simcall-", r.AttemptID), Phone: r.Phone,
		Script: r.Script, PlacedAt: now, Requests: 1, Behaviour: b, request: r}
	evs := timeline(r, b, p, now)
	c.Outcome = evs[len(evs)-1].Outcome
	s.calls[r.AttemptID], s.order = c, append(s.order, r.AttemptID)
	s.enqueueLocked(c.CarrierID, r.AttemptID, evs)
	return c.CarrierID, nil
}

// Send sends a simulated SMS; see SMSSender.Send for the contract and errors.
func (s *Simulator) Send(ctx context.Context, r SMSRequest) (string, error) {
	if err := r.Validate(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(ctx); err != nil {
		return "", err
	}
	if m := s.msgs[r.AttemptID]; m != nil {
		if m.Phone != r.Phone || m.Text != r.Text {
			return "", reused(r.AttemptID)
		}
		m.Requests++
		return m.CarrierID, nil
	}
	now := s.opts.Clock.Now()
	status := SMSDelivered
	if rngFor(s.opts.Profile.Seed, "sms", r.AttemptID).Float64() < s.opts.Profile.SMSFail {
		status = SMSFailed
	}
	m := &SentMessage{AttemptID: r.AttemptID, CarrierID: carrierID("simsms-", r.AttemptID), Phone: r.Phone,
		Text: r.Text, SentAt: now, Requests: 1, Status: status}
	s.msgs[r.AttemptID], s.msgOrder = m, append(s.msgOrder, r.AttemptID)
	ev := Event{Type: SMSReport, At: now.Add(s.opts.Profile.SMSDelay), Status: status}
	if status == SMSFailed {
		ev.Detail = "simulated handset unreachable"
	}
	s.enqueueLocked(m.CarrierID, r.AttemptID, []Event{ev})
	return m.CarrierID, nil
}

// usable refuses work after Close or on a done request context; s.mu is held.
func (s *Simulator) usable(ctx context.Context) error {
	if s.ctx.Err() != nil {
		return apperr.New(apperr.Unavailable, "模拟运营商已关闭", "the simulated carrier is closed").WithCode("carrier_closed")
	}
	if err := ctx.Err(); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "请求已取消", "the request was cancelled")
	}
	return nil
}

// enqueueLocked stamps the events of one call or message with their IDs and
// queues them for delivery; s.mu is held.
func (s *Simulator) enqueueLocked(carrierID, attemptID string, evs []Event) {
	for i := range evs {
		e := &evs[i]
		e.Seq, e.Carrier, e.CarrierID, e.AttemptID = i+1, SimulatorCarrier, carrierID, attemptID
		e.ID = carrierID + "." + strconv.Itoa(e.Seq)
		s.queue.push(pending{due: e.At, ev: *e})
	}
	s.signal()
}

func sameCall(a, b CallRequest) bool {
	if a.Phone != b.Phone || a.Script != b.Script || len(a.Options) != len(b.Options) ||
		a.PromptTimeout != b.PromptTimeout || a.MaxPrompts != b.MaxPrompts {
		return false
	}
	for i := range a.Options {
		if a.Options[i] != b.Options[i] {
			return false
		}
	}
	return true
}

// carrierID derives the carrier's ID from the attempt ID, as stable as the
// attempt ID itself, so a test can predict it.
func carrierID(prefix, attemptID string) string {
	h := sha256.Sum256([]byte(attemptID))
	return prefix + hex.EncodeToString(h[:10])
}

func reused(id string) error {
	return apperr.Newf(apperr.Conflict, "请求编号 %s 已用于另一号码或内容", "attempt ID %s was already used for another number or text", id).
		WithCode("attempt_id_reused")
}
