package cache

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/maypok86/otter/v2"
)

// Defaults for the zero [MemoryOptions].
const (
	DefaultMaxEntries     = 100_000
	DefaultMaxBytes       = 64 << 20
	DefaultTimeResolution = time.Millisecond
)

// noExpiry stands for "never expires": otter takes a long duration for it.
const noExpiry = 100 * 365 * 24 * time.Hour

// entryOverhead is the bookkeeping, in bytes, charged to every entry on top
// of its key and value when the cache is bounded by bytes.
const entryOverhead = 64

// MemoryOptions configures [NewMemory]. The zero value works.
type MemoryOptions struct {
	// MaxEntries bounds the number of entries. Zero means DefaultMaxEntries.
	MaxEntries int
	// MaxBytes bounds the bytes held by keys and values (plus a small fixed
	// overhead per entry). Zero means DefaultMaxBytes.
	MaxBytes int64
	// TimeResolution is how often the cache reads the clock for expiry: a
	// goroutine reads it once per resolution, and reads of the cache use
	// that value, which about doubles their throughput. Entries may expire
	// up to the resolution early or late. Zero means DefaultTimeResolution;
	// negative reads the precise time on every call.
	TimeResolution time.Duration
}

type memItem struct {
	b   []byte
	ttl time.Duration
}

// Memory is a bounded in-process [Cache] with a time to live per entry.
//
// It is built on otter (W-TinyLFU eviction: a good hit ratio under skewed
// keys, reads that scale across cores). Both bounds hold at once: every entry
// is charged max(len(key)+len(value)+64, MaxBytes/MaxEntries) bytes against
// MaxBytes, so the byte bound also caps the number of entries at MaxEntries.
// The bounds are approximate while eviction catches up, as in otter.
//
// Memory is safe for concurrent use. Call Close when done with it to stop
// its maintenance goroutine.
type Memory struct {
	c           *otter.Cache[string, memItem]
	clock       *otter.CoarseClock // nil with a precise clock
	minWeight   uint64
	closed      atomic.Bool
	evictions   atomic.Uint64
	expirations atomic.Uint64
	layer       *Aside
}

var (
	_ Cache   = (*Memory)(nil)
	_ Batcher = (*Memory)(nil)
)

// NewMemory returns an empty Memory cache bounded as o says. It returns an
// error for a negative bound.
func NewMemory(o MemoryOptions) (*Memory, error) {
	if o.MaxEntries < 0 {
		return nil, fmt.Errorf("cache: memory: MaxEntries is %d, want >= 0", o.MaxEntries)
	}
	if o.MaxBytes < 0 {
		return nil, fmt.Errorf("cache: memory: MaxBytes is %d, want >= 0", o.MaxBytes)
	}
	if o.MaxEntries == 0 {
		o.MaxEntries = DefaultMaxEntries
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.TimeResolution == 0 {
		o.TimeResolution = DefaultTimeResolution
	}
	m := &Memory{minWeight: max(uint64(o.MaxBytes)/uint64(o.MaxEntries), 1)}
	oo := &otter.Options[string, memItem]{
		MaximumWeight: uint64(o.MaxBytes),
		Weigher: func(k string, v memItem) uint32 {
			w := max(uint64(len(k)+len(v.b)+entryOverhead), m.minWeight)
			return uint32(min(w, math.MaxUint32))
		},
		ExpiryCalculator: otter.ExpiryWritingFunc(func(e otter.Entry[string, memItem]) time.Duration {
			if e.Value.ttl == 0 {
				return noExpiry
			}
			return e.Value.ttl
		}),
		OnAtomicDeletion: func(e otter.DeletionEvent[string, memItem]) {
			switch e.Cause {
			case otter.CauseOverflow:
				m.evictions.Add(1)
			case otter.CauseExpiration:
				m.expirations.Add(1)
			}
		},
	}
	if o.TimeResolution > 0 {
		m.clock = otter.NewCoarseClock(o.TimeResolution)
		oo.Clock = m.clock
	}
	c, err := otter.New(oo)
	if err != nil {
		if m.clock != nil {
			m.clock.Stop()
		}
		return nil, fmt.Errorf("cache: memory: %w", err)
	}
	m.c = c
	m.layer = NewAside(m, AsideOptions{})
	return m, nil
}

// Get returns the value stored under key: (value, true, nil) on a hit,
// (nil, false, nil) on a miss or an expired entry. The returned slice is
// shared with the cache: do not modify it. After Close it returns an error
// wrapping [ErrClosed].
func (m *Memory) Get(_ context.Context, key string) ([]byte, bool, error) {
	if m.closed.Load() {
		return nil, false, fmt.Errorf("cache: memory get %q: %w", key, ErrClosed)
	}
	it, ok := m.c.GetIfPresent(key)
	if !ok {
		return nil, false, nil
	}
	return it.b, true, nil
}

// Set stores a copy of value under key for ttl (0: no expiry). It returns an
// error wrapping [ErrInvalidTTL] for a negative ttl and one wrapping
// [ErrClosed] after Close. An entry larger than the whole byte bound is
// accepted and evicted at once.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < 0 {
		return fmt.Errorf("cache: memory set %q: ttl %v: %w", key, ttl, ErrInvalidTTL)
	}
	if m.closed.Load() {
		return fmt.Errorf("cache: memory set %q: %w", key, ErrClosed)
	}
	m.c.Set(key, memItem{b: append([]byte(nil), value...), ttl: ttl})
	return nil
}

// Delete removes keys; absent keys are ignored. After Close it returns an
// error wrapping [ErrClosed].
func (m *Memory) Delete(_ context.Context, keys ...string) error {
	if m.closed.Load() {
		return fmt.Errorf("cache: memory delete: %w", ErrClosed)
	}
	for _, k := range keys {
		m.c.Invalidate(k)
	}
	return nil
}

// Clear removes every entry. It is safe for concurrent use.
func (m *Memory) Clear() {
	m.c.InvalidateAll()
}

// Len returns the number of entries, an estimate while eviction catches up.
func (m *Memory) Len() int {
	return m.c.EstimatedSize()
}

// Stats returns the counters of the cache-aside layer built into m (used by
// [GetOrLoad] on m) together with m's evictions and expirations. It is safe
// for concurrent use.
func (m *Memory) Stats() Stats {
	return m.layer.Stats()
}

// Close stops m's maintenance and clock goroutines; later calls of Get, Set and Delete
// return an error wrapping [ErrClosed]. Close is idempotent and safe for
// concurrent use; it always returns nil.
func (m *Memory) Close() error {
	if m.closed.CompareAndSwap(false, true) {
		m.c.StopAllGoroutines()
		m.c.InvalidateAll()
		if m.clock != nil {
			m.clock.Stop()
		}
	}
	return nil
}

func (m *Memory) asideLayer() *Aside { return m.layer }

func (m *Memory) addBackendStats(s *Stats) {
	s.Evictions += m.evictions.Load()
	s.Expirations += m.expirations.Load()
}

// GetMany returns the entries present among keys; absent keys are left out
// of the map. The returned slices are shared: do not modify them. After
// Close it returns an error wrapping [ErrClosed].
func (m *Memory) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	if m.closed.Load() {
		return nil, fmt.Errorf("cache: memory get many: %w", ErrClosed)
	}
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		if it, ok := m.c.GetIfPresent(k); ok {
			out[k] = it.b
		}
	}
	return out, nil
}

// SetMany stores a copy of each entry for ttl, like Set.
func (m *Memory) SetMany(ctx context.Context, entries map[string][]byte, ttl time.Duration) error {
	for k, v := range entries {
		if err := m.Set(ctx, k, v, ttl); err != nil {
			return err
		}
	}
	return nil
}
