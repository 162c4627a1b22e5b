package jobs

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	o := Options{RetryBase: time.Second, RetryMax: 5 * time.Second}.withDefaults()
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}
	for n, w := range want {
		if got := o.backoff(n); got != w {
			t.Errorf("backoff(%d) = %v, want %v", n, got, w)
		}
	}
	if got := o.backoff(1000); got != 5*time.Second {
		t.Errorf("backoff(1000) = %v, want the cap", got)
	}
}

func TestMaxRetry(t *testing.T) {
	o := Options{}.withDefaults()
	for task, want := range map[int]int{0: 5, -1: 0, 2: 2} {
		if got := o.maxRetry(Task{MaxRetry: task}); got != want {
			t.Errorf("maxRetry(%d) = %d, want %d", task, got, want)
		}
	}
	if got := (Options{MaxRetry: -1}).withDefaults().maxRetry(Task{}); got != 0 {
		t.Errorf("Options.MaxRetry -1: got %d retries, want 0", got)
	}
}

func TestFloorTick(t *testing.T) {
	now := time.Date(2030, 1, 1, 8, 0, 7, 400e6, time.UTC)
	if got := floorTick(now, 5*time.Second); !got.Equal(time.Date(2030, 1, 1, 8, 0, 5, 0, time.UTC)) {
		t.Errorf("floorTick = %v", got)
	}
	if got := floorTick(now, time.Hour); !got.Equal(time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("floorTick(hour) = %v", got)
	}
}
