package clock

import (
	"sync/atomic"
	"time"
)

// Shifted is a clock that runs at the speed of its base from an offset that
// only ever moves forward. The sandbox (package sandbox) runs the whole
// platform on one, so that a demonstration or a browser test can reach a bid
// deadline in seconds while every rule still reads "server time".
type Shifted struct {
	base Clock
	off  atomic.Int64 // nanoseconds
}

// NewShifted returns a clock reading base plus offset.
func NewShifted(base Clock, offset time.Duration) *Shifted {
	s := &Shifted{base: base}
	s.off.Store(int64(offset))
	return s
}

// Now returns the base clock's time plus the offset.
func (s *Shifted) Now() time.Time { return s.base.Now().Add(time.Duration(s.off.Load())) }

// Offset returns the current offset.
func (s *Shifted) Offset() time.Duration { return time.Duration(s.off.Load()) }

// SetOffset moves the offset to d when d is larger and reports whether it
// moved. Time never runs backwards: a smaller d (an older value read by a
// slower replica) is ignored.
func (s *Shifted) SetOffset(d time.Duration) bool {
	for {
		cur := s.off.Load()
		if int64(d) <= cur {
			return false
		}
		if s.off.CompareAndSwap(cur, int64(d)) {
			return true
		}
	}
}
