package clock

import (
	"context"
	"testing"
	"time"
)

func TestArrivedAt(t *testing.T) {
	c := NewFake(time.Date(2026, 12, 7, 1, 30, 0, 0, time.UTC))
	if got := ArrivedAt(context.Background(), c); !got.Equal(c.Now()) {
		t.Fatalf("without a stamp: %v, want the clock's %v", got, c.Now())
	}
	stamped := WithArrival(context.Background(), c.Now().Add(-1500*time.Microsecond))
	c.Advance(time.Hour)
	want := time.Date(2026, 12, 7, 1, 29, 59, 998_000_000, time.UTC)
	if got := ArrivedAt(stamped, c); !got.Equal(want) {
		t.Fatalf("stamped: %v, want %v (the stamp, to the millisecond, not the clock)", got, want)
	}
}
