package cache

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// ErrCircuitOpen is wrapped by the errors a remote backend returns without
// trying, while its circuit breaker is open.
var ErrCircuitOpen = errors.New("circuit breaker open")

// Defaults for the zero [BreakerOptions].
const (
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = time.Second
)

// BreakerOptions configures the circuit breaker of a remote backend. The
// breaker opens after Failures consecutive failed calls; while it is open,
// calls fail at once with [ErrCircuitOpen] instead of waiting on a server
// that is down. After Cooldown one call is let through as a probe: if it
// succeeds the breaker closes, otherwise it stays open for another Cooldown.
// The zero value works.
type BreakerOptions struct {
	// Failures is the number of consecutive failures that opens the
	// breaker. Zero means DefaultBreakerFailures; negative turns the
	// breaker off.
	Failures int
	// Cooldown is how long the breaker stays open before a probe. Zero
	// means DefaultBreakerCooldown.
	Cooldown time.Duration
}

const (
	breakerClosed int32 = iota
	breakerOpen
	breakerProbing
)

// breaker is a consecutive-failures circuit breaker. It is safe for
// concurrent use and takes no lock.
type breaker struct {
	failures    int32 // 0: disabled
	cooldown    time.Duration
	state       atomic.Int32
	consecutive atomic.Int32
	openedAt    atomic.Int64
	trips       atomic.Uint64
	rejected    atomic.Uint64
}

func newBreaker(o BreakerOptions) (*breaker, error) {
	if o.Cooldown < 0 {
		return nil, fmt.Errorf("breaker cooldown %v is negative", o.Cooldown)
	}
	if o.Failures == 0 {
		o.Failures = DefaultBreakerFailures
	}
	if o.Cooldown == 0 {
		o.Cooldown = DefaultBreakerCooldown
	}
	b := &breaker{cooldown: o.Cooldown}
	if o.Failures > 0 {
		b.failures = int32(min(o.Failures, 1<<30))
	}
	return b, nil
}

// allow reports whether a call may go to the backend now.
func (b *breaker) allow() bool {
	if b.failures == 0 {
		return true
	}
	switch b.state.Load() {
	case breakerClosed:
		return true
	case breakerOpen:
		if time.Since(time.Unix(0, b.openedAt.Load())) >= b.cooldown &&
			b.state.CompareAndSwap(breakerOpen, breakerProbing) {
			return true // this call is the probe
		}
	}
	b.rejected.Add(1)
	return false
}

// record reports the outcome of an allowed call.
func (b *breaker) record(ok bool) {
	if b.failures == 0 {
		return
	}
	if ok {
		b.consecutive.Store(0)
		if b.state.Load() != breakerClosed {
			b.state.Store(breakerClosed)
		}
		return
	}
	if b.state.CompareAndSwap(breakerProbing, breakerOpen) {
		b.openedAt.Store(time.Now().UnixNano())
		return
	}
	if b.consecutive.Add(1) >= b.failures {
		b.openedAt.Store(time.Now().UnixNano())
		if b.state.CompareAndSwap(breakerClosed, breakerOpen) {
			b.trips.Add(1)
		}
	}
}

// isOpen reports whether calls are being refused now.
func (b *breaker) isOpen() bool { return b.state.Load() != breakerClosed }
