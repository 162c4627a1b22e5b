package notify

import (
	"container/heap"
	"time"

	"github.com/tenderhall/tenderhall/internal/apperr"
)

// pending is one event waiting for its time, or for a retry.
type pending struct {
	due   time.Time
	order uint64 // placement order: equal times keep their sequence
	tries int
	dup   bool // a deliberate second delivery (Profile.Duplicate)
	ev    Event
}

// eventQueue is a min-heap of pending events by due time, then order.
type eventQueue struct {
	items []pending
	next  uint64
}

// Len, Less, Swap, Push and Pop implement heap.Interface; use push and
// heap.Pop.
func (q *eventQueue) Len() int { return len(q.items) }

// Less orders by due time, then by placement order.
func (q *eventQueue) Less(i, j int) bool {
	a, b := q.items[i], q.items[j]
	return a.due.Before(b.due) || a.due.Equal(b.due) && a.order < b.order
}

// Swap is heap.Interface's.
func (q *eventQueue) Swap(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] }

// Push is heap.Interface's.
func (q *eventQueue) Push(x any) { q.items = append(q.items, x.(pending)) }

// Pop is heap.Interface's.
func (q *eventQueue) Pop() any {
	x := q.items[len(q.items)-1]
	q.items = q.items[:len(q.items)-1]
	return x
}

func (q *eventQueue) push(p pending) {
	q.next++
	p.order = q.next
	heap.Push(q, p)
}

// Wake makes the Simulator read its clock now instead of at the next poll.
// Tests call it after advancing a fake clock, then wait for the callbacks
// on a channel: the clock, not sleeping, decides what is delivered.
func (s *Simulator) Wake() { s.signal() }

func (s *Simulator) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Pending returns how many callbacks are waiting for their time or a retry.
func (s *Simulator) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queue.Len()
}

// Done is closed when the delivery goroutine has stopped.
func (s *Simulator) Done() <-chan struct{} { return s.done }

// Close stops the delivery goroutine, waits for it (and a delivery in
// flight, which its cancelled context ends) and refuses further calls with
// apperr.Unavailable. Undelivered events are discarded. It returns nil and
// may be called more than once.
func (s *Simulator) Close() error {
	s.cancel()
	<-s.done
	return nil
}

// run delivers due events until the simulator is closed. It sleeps until
// the next event is due by the clock, at most Poll, so that a clock moved
// by a test (or an NTP step) is noticed even without Wake.
func (s *Simulator) run() {
	defer close(s.done)
	for {
		s.deliverDue()
		timer := time.NewTimer(s.untilNext())
		select {
		case <-s.ctx.Done():
			timer.Stop()
			return
		case <-s.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

func (s *Simulator) untilNext() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queue.Len() == 0 {
		return s.opts.Poll
	}
	return min(max(s.queue.items[0].due.Sub(s.opts.Clock.Now()), time.Millisecond), s.opts.Poll)
}

// DeliverDue delivers, one at a time and in order, every event due by the
// clock, including callbacks that the deliveries themselves make due, and
// returns how many it delivered. With SimOptions.Manual it is the only way
// callbacks are delivered; otherwise the delivery goroutine calls it too.
func (s *Simulator) DeliverDue() int {
	n := 0
	for s.ctx.Err() == nil {
		p, ok := s.popDue()
		if !ok {
			return n
		}
		s.deliver(p)
		n++
	}
	return n
}

func (s *Simulator) deliverDue() { s.DeliverDue() }

func (s *Simulator) popDue() (pending, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queue.Len() == 0 || s.queue.items[0].due.After(s.opts.Clock.Now()) {
		return pending{}, false
	}
	return heap.Pop(&s.queue).(pending), true
}

// deliver signs p's event with the current time (a retried callback is
// signed afresh, as real carriers do) and hands it over. A failure is
// retried with a doubling delay up to MaxDeliveries, unless the platform
// refused the callback for good.
func (s *Simulator) deliver(p pending) {
	now := s.opts.Clock.Now()
	h, body, err := s.opts.Key.Sign(p.ev, now)
	if err == nil {
		err = s.opts.Deliver(s.ctx, h, body)
	}
	if s.ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p.tries++
	if err == nil {
		if !p.dup && rngFor(s.opts.Profile.Seed, "dup", p.ev.ID).Float64() < s.opts.Profile.Duplicate {
			s.queue.push(pending{due: now.Add(s.opts.RetryDelay), dup: true, ev: p.ev})
		}
		return
	}
	if permanent(err) || p.tries >= s.opts.MaxDeliveries {
		s.dropped = append(s.dropped, p.ev)
		s.opts.Logger.Warn("notify: simulator dropped a callback", "event_id", p.ev.ID, "type", p.ev.Type, "tries", p.tries, "err", err)
		return
	}
	p.due = now.Add(s.opts.RetryDelay << min(p.tries-1, 10)) // capped: no overflow
	s.queue.push(p)
}

// permanent reports whether the platform refused a callback for good, so
// that retrying the same bytes cannot help.
func permanent(err error) bool {
	switch apperr.KindOf(err) {
	case apperr.Invalid, apperr.Unauthenticated, apperr.NotFound, apperr.TooLarge:
		return true
	}
	return false
}

// Dropped returns the events given up after failed deliveries.
func (s *Simulator) Dropped() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.dropped...)
}

// Calls returns a copy of every call placed, in placement order.
func (s *Simulator) Calls() []PlacedCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PlacedCall, 0, len(s.order))
	for _, id := range s.order {
		c := *s.calls[id]
		c.Behaviour.Keys = append([]Key(nil), c.Behaviour.Keys...)
		out = append(out, c)
	}
	return out
}

// Messages returns a copy of every SMS sent, in sending order.
func (s *Simulator) Messages() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SentMessage, 0, len(s.msgOrder))
	for _, id := range s.msgOrder {
		out = append(out, *s.msgs[id])
	}
	return out
}
