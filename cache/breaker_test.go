package cache

import (
	"testing"
	"time"
)

func TestBreaker(t *testing.T) {
	tests := []struct {
		name      string
		opts      BreakerOptions
		outcomes  []bool // results of allowed calls, in order
		wait      time.Duration
		wantAllow bool
		wantTrips uint64
	}{
		{"closed by default", BreakerOptions{}, nil, 0, true, 0},
		{"stays closed below the threshold", BreakerOptions{Failures: 3}, []bool{false, false}, 0, true, 0},
		{"a success resets the count", BreakerOptions{Failures: 3}, []bool{false, false, true, false, false}, 0, true, 0},
		{"opens at the threshold", BreakerOptions{Failures: 3}, []bool{false, false, false}, 0, false, 1},
		{"probe after the cooldown", BreakerOptions{Failures: 1, Cooldown: 10 * time.Millisecond}, []bool{false}, 20 * time.Millisecond, true, 1},
		{"disabled never opens", BreakerOptions{Failures: -1}, []bool{false, false, false, false, false, false}, 0, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := newBreaker(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, ok := range tt.outcomes {
				if !b.allow() {
					t.Fatal("call refused before the breaker should open")
				}
				b.record(ok)
			}
			time.Sleep(tt.wait)
			if got := b.allow(); got != tt.wantAllow {
				t.Errorf("allow() = %v, want %v", got, tt.wantAllow)
			}
			if got := b.trips.Load(); got != tt.wantTrips {
				t.Errorf("trips = %d, want %d", got, tt.wantTrips)
			}
		})
	}
}

func TestBreakerProbe(t *testing.T) {
	b, _ := newBreaker(BreakerOptions{Failures: 2, Cooldown: 10 * time.Millisecond})
	b.allow()
	b.record(false)
	b.allow()
	b.record(false)
	if b.allow() {
		t.Fatal("open breaker let a call through before the cooldown")
	}
	time.Sleep(15 * time.Millisecond)
	if !b.allow() {
		t.Fatal("no probe after the cooldown")
	}
	if b.allow() {
		t.Fatal("a second call went through while the probe runs")
	}
	b.record(false) // probe failed: open again
	if b.allow() {
		t.Fatal("failed probe did not reopen the breaker")
	}
	time.Sleep(15 * time.Millisecond)
	if !b.allow() {
		t.Fatal("no second probe")
	}
	b.record(true)
	for range 3 {
		if !b.allow() {
			t.Fatal("successful probe did not close the breaker")
		}
	}
	if b.rejected.Load() != 3 {
		t.Errorf("rejected = %d, want 3", b.rejected.Load())
	}
	if _, err := newBreaker(BreakerOptions{Cooldown: -1}); err == nil {
		t.Error("negative cooldown: no error")
	}
}
