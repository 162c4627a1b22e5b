package clock

import (
	"sync"
	"testing"
	"time"
)

func TestShiftedOnlyMovesForward(t *testing.T) {
	base := NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	s := NewShifted(base, time.Hour)
	if got := s.Now(); !got.Equal(base.Now().Add(time.Hour)) {
		t.Fatalf("now %v", got)
	}
	if s.SetOffset(30 * time.Minute) {
		t.Fatal("a smaller offset was taken")
	}
	if !s.SetOffset(48*time.Hour) || s.Offset() != 48*time.Hour {
		t.Fatalf("offset %v", s.Offset())
	}
	base.Advance(time.Second)
	if got, want := s.Now(), base.Now().Add(48*time.Hour); !got.Equal(want) {
		t.Fatalf("now %v, want %v", got, want)
	}
}

// TestShiftedConcurrentSetKeepsTheLargest: replicas following the stored
// offset may race; the clock ends on the largest value any of them set.
func TestShiftedConcurrentSetKeepsTheLargest(t *testing.T) {
	s := NewShifted(System{}, 0)
	var wg sync.WaitGroup
	for i := 1; i <= 64; i++ {
		wg.Add(1)
		go func(i int) { defer wg.Done(); s.SetOffset(time.Duration(i) * time.Minute) }(i)
	}
	wg.Wait()
	if s.Offset() != 64*time.Minute {
		t.Fatalf("offset %v", s.Offset())
	}
}
