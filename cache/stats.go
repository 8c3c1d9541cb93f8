package cache

import (
	"sync/atomic"
	"time"
)

// Stats is a snapshot of what a cache-aside layer saw. Counters only grow.
type Stats struct {
	// Hits counts reads answered by the backend, negative entries included.
	Hits uint64
	// Misses counts reads the backend answered with "absent" (or with an
	// entry that could not be decoded, also counted in Corrupt).
	Misses uint64
	// NegativeHits counts hits on a remembered "not found" (see
	// [WithNegativeTTL]); they are also in Hits.
	NegativeHits uint64
	// Loads counts loader calls; concurrent misses sharing one load count once.
	Loads uint64
	// LoadErrors counts loader calls that failed (not found excepted).
	LoadErrors uint64
	// NotFound counts loader calls that returned [ErrNotFound].
	NotFound uint64
	// BackendErrors counts backend calls that returned an error (an outage,
	// a timeout, an open circuit breaker): the value was loaded instead.
	BackendErrors uint64
	// Corrupt counts stored entries that could not be decoded; each was
	// treated as a miss and reloaded.
	Corrupt uint64
	// Stale counts entries found but recorded under a tag invalidated since
	// (see [InvalidateTags]); each was reloaded and is also in Misses.
	Stale uint64
	// Refreshes counts early refreshes started (see [WithEarlyRefresh]).
	Refreshes uint64
	// Evictions counts entries the backend dropped to stay within its bounds,
	// and Expirations those it dropped when their time to live ran out; both
	// are zero for a backend that does not count them.
	Evictions, Expirations uint64
	// BreakerTrips counts the times a remote backend's circuit breaker
	// opened, and BreakerRejections the calls it failed at once while open
	// (each also counted in BackendErrors when it came from a read).
	BreakerTrips, BreakerRejections uint64
	// FrontHits counts the hits of a [Tiered] cache answered by its memory
	// tier (also in Hits), and Invalidations the keys other processes told
	// it to drop.
	FrontHits, Invalidations uint64
	// BackendCalls counts the calls a remote backend made to its server
	// (a batch counts once), and BackendTime is their total latency.
	BackendCalls uint64
	BackendTime  time.Duration
	// LoadTime is the total time spent in loader calls.
	LoadTime time.Duration
}

// MeanBackendLatency returns BackendTime / BackendCalls, or 0 before any call.
func (s Stats) MeanBackendLatency() time.Duration {
	if s.BackendCalls == 0 {
		return 0
	}
	return s.BackendTime / time.Duration(s.BackendCalls)
}

// MeanLoadTime returns LoadTime / Loads, or 0 before any load.
func (s Stats) MeanLoadTime() time.Duration {
	if s.Loads == 0 {
		return 0
	}
	return s.LoadTime / time.Duration(s.Loads)
}

// Requests returns Hits + Misses: the reads the backend answered.
func (s Stats) Requests() uint64 { return s.Hits + s.Misses }

// HitRatio returns Hits / (Hits + Misses), or 0 before any read.
func (s Stats) HitRatio() float64 {
	n := s.Hits + s.Misses
	if n == 0 {
		return 0
	}
	return float64(s.Hits) / float64(n)
}

type counters struct {
	hits, misses, negativeHits     atomic.Uint64
	loads, loadErrors, notFound    atomic.Uint64
	backendErrors, corrupt, refres atomic.Uint64
	stale                          atomic.Uint64
	loadNanos                      atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Hits:          c.hits.Load(),
		Misses:        c.misses.Load(),
		NegativeHits:  c.negativeHits.Load(),
		Loads:         c.loads.Load(),
		LoadErrors:    c.loadErrors.Load(),
		NotFound:      c.notFound.Load(),
		BackendErrors: c.backendErrors.Load(),
		Corrupt:       c.corrupt.Load(),
		Refreshes:     c.refres.Load(),
		Stale:         c.stale.Load(),
		LoadTime:      time.Duration(c.loadNanos.Load()),
	}
}

// backendStatser is implemented by backends that count something of their
// own (evictions, breaker trips): they add it to a layer's snapshot.
type backendStatser interface {
	addBackendStats(s *Stats)
}
