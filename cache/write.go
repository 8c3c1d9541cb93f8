package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// Put is write-through: it writes v to the source of truth with write, and
// once that succeeded stores v in c under key for ttl, encoded as
// [GetOrLoad] stores it (same codec choice, jitter and tags options), so the
// next GetOrLoad is a hit. A nil write only stores v.
//
// The write's error is returned and the cache left as it was. A cache
// failure after a successful write is not returned — the write happened —
// but counted in Stats as a backend error; the old entry is then deleted if
// the backend allows, or else lives until its ttl. Bad arguments are an
// error and nothing is written. As with any cache-aside write, a
// GetOrLoad of key already loading when Put runs may store its older value
// after Put's; a short ttl, or tags invalidated after the write, bound how
// long. Put is safe for concurrent use.
func Put[T any](ctx context.Context, c Cache, key string, v T, ttl time.Duration, write func(context.Context, T) error, opts ...Option) error {
	_, err := put(ctx, c, key, v, ttl, write, opts)
	return err
}

// put is Put, also reporting whether the cache took the value.
func put[T any](ctx context.Context, c Cache, key string, v T, ttl time.Duration, write func(context.Context, T) error, opts []Option) (cached bool, err error) {
	if c == nil {
		return false, fmt.Errorf("cache: put %q: nil cache", key)
	}
	cfg, err := prepare[T](key, ttl, opts)
	if err != nil {
		return false, err
	}
	a, backend, _ := layerFor(c, key)
	if backend == nil {
		return false, errNilBackend
	}
	payload, err := cfg.codec.Marshal(&v)
	if err != nil {
		return false, fmt.Errorf("cache: put %q: encode: %w", key, err)
	}
	var tags []tagVersion
	tagErr := error(nil)
	if len(cfg.tags) > 0 {
		tags, tagErr = tagVersions(ctx, backend, cfg.tags, true)
	}
	if write != nil {
		if err := write(ctx, v); err != nil {
			return false, fmt.Errorf("cache: put %q: write: %w", key, err)
		}
	}
	if tagErr == nil {
		data, t := encodeEntry(payload, 0, ttl, cfg.jitter, tags)
		if tagErr = backend.Set(ctx, key, data, t); tagErr == nil {
			return true, nil
		}
	}
	a.n.backendErrors.Add(1)
	_ = backend.Delete(ctx, key)
	return false, nil
}

// Defaults for the zero [WriteBehindOptions].
const (
	DefaultWriteBehindBatch    = 100
	DefaultWriteBehindInterval = time.Second
)

// WriteBehindOptions configures [NewWriteBehind]. The zero value works.
type WriteBehindOptions struct {
	// MaxBatch is the number of pending keys that starts a flush before
	// the interval is up. Zero means DefaultWriteBehindBatch.
	MaxBatch int
	// Interval is the longest a write waits before it is flushed. Zero
	// means DefaultWriteBehindInterval.
	Interval time.Duration
	// MaxPending bounds the keys waiting for the store: at the bound, Put
	// flushes itself, and fails if that flush fails. Zero means 100 times
	// MaxBatch.
	MaxPending int
	// FlushTimeout bounds each background flush. Zero means
	// DefaultLoadTimeout.
	FlushTimeout time.Duration
	// Logger receives a warning for each failed background flush (they are
	// also counted in Stats). Nil means silent.
	Logger *slog.Logger
}

// ErrBackpressure is wrapped by the error Put returns when the store keeps
// failing and MaxPending writes are already waiting.
var ErrBackpressure = errors.New("write-behind queue full")

// WriteBehindStats counts what a [WriteBehind] did.
type WriteBehindStats struct {
	// Puts counts accepted writes; Flushed the writes handed to the store
	// successfully (a key written twice before a flush is flushed once);
	// Batches the successful flush calls; FlushErrors the failed ones,
	// whose writes were kept for the next flush; CacheErrors the writes
	// the cache did not take.
	Puts, Flushed, Batches, FlushErrors, CacheErrors uint64
	// Pending is the number of keys waiting for the store.
	Pending int
}

// WriteBehind is the write-behind strategy: Put stores a value in the cache
// at once and queues it for the source of truth, which receives the queued
// writes in batches — when MaxBatch keys wait, at the latest every Interval,
// and on Flush and Close. Writes to one key between two flushes are
// coalesced: the store gets the last. A failed flush keeps its writes
// (unless the key was written again since) for the next one, so nothing is
// lost on a clean shutdown: Close flushes and reports what it could not.
//
// WriteBehind is safe for concurrent use. Its flushing goroutine stops on
// Close.
type WriteBehind[T any] struct {
	c       Cache
	ttl     time.Duration
	opts    []Option
	flushFn func(context.Context, map[string]T) error
	o       WriteBehindOptions

	mu      sync.Mutex
	pending map[string]T
	flushMu sync.Mutex
	kick    chan struct{}
	closed  atomic.Bool
	cancel  context.CancelFunc
	g       *errgroup.Group

	puts, flushed, batches, flushErrors, cacheErrors atomic.Uint64
}

// NewWriteBehind returns a WriteBehind that caches values in c for ttl
// (encoded as [GetOrLoad] does, with opts) and hands them to flush in
// batches, and starts its flushing goroutine. It returns an error for a nil
// cache or flush, a negative ttl, bad options or negative bounds.
func NewWriteBehind[T any](c Cache, ttl time.Duration, flush func(ctx context.Context, batch map[string]T) error, o WriteBehindOptions, opts ...Option) (*WriteBehind[T], error) {
	if c == nil || flush == nil {
		return nil, errors.New("cache: write-behind: nil cache or flush")
	}
	if _, err := prepare[T]("write-behind", ttl, opts); err != nil {
		return nil, err
	}
	if o.MaxBatch < 0 || o.Interval < 0 || o.MaxPending < 0 || o.FlushTimeout < 0 {
		return nil, fmt.Errorf("cache: write-behind: negative bound in %+v", o)
	}
	if o.MaxBatch == 0 {
		o.MaxBatch = DefaultWriteBehindBatch
	}
	if o.Interval == 0 {
		o.Interval = DefaultWriteBehindInterval
	}
	if o.MaxPending == 0 {
		o.MaxPending = 100 * o.MaxBatch
	}
	if o.FlushTimeout == 0 {
		o.FlushTimeout = DefaultLoadTimeout
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &WriteBehind[T]{
		c: c, ttl: ttl, opts: opts, flushFn: flush, o: o,
		pending: map[string]T{},
		kick:    make(chan struct{}, 1),
		cancel:  cancel,
		g:       new(errgroup.Group),
	}
	w.g.Go(func() error { w.loop(ctx); return nil })
	return w, nil
}

func (w *WriteBehind[T]) loop(ctx context.Context) {
	tick := time.NewTicker(w.o.Interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-w.kick:
		}
		fctx, cancel := context.WithTimeout(ctx, w.o.FlushTimeout)
		if err := w.Flush(fctx); err != nil && w.o.Logger != nil && ctx.Err() == nil {
			// The writes stay pending for the next flush.
			w.o.Logger.Warn("cache: write-behind flush failed", "err", err, "pending", w.Pending())
		}
		cancel()
	}
}

// Put caches v under key and queues it for the store. A cache failure is
// counted, not returned: the value still reaches the store. It returns an
// error wrapping [ErrClosed] after Close, and one wrapping
// [ErrBackpressure] when MaxPending writes wait and a flush failed.
func (w *WriteBehind[T]) Put(ctx context.Context, key string, v T) error {
	if w.closed.Load() {
		return fmt.Errorf("cache: write-behind put %q: %w", key, ErrClosed)
	}
	if w.Pending() >= w.o.MaxPending {
		if err := w.Flush(ctx); err != nil && w.Pending() >= w.o.MaxPending {
			return fmt.Errorf("cache: write-behind put %q: %w: %w", key, ErrBackpressure, err)
		}
	}
	cached, err := put(ctx, w.c, key, v, w.ttl, nil, w.opts)
	if err != nil {
		return err
	}
	if !cached {
		w.cacheErrors.Add(1)
	}
	w.mu.Lock()
	w.pending[key] = v
	n := len(w.pending)
	w.mu.Unlock()
	w.puts.Add(1)
	if n >= w.o.MaxBatch {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// Flush hands every pending write to the store now, in one call, and
// returns its error; on error the writes stay pending (a key written again
// meanwhile keeps its newer value). Flushes do not overlap.
func (w *WriteBehind[T]) Flush(ctx context.Context) (err error) {
	w.flushMu.Lock()
	defer w.flushMu.Unlock()
	w.mu.Lock()
	batch := w.pending
	if len(batch) == 0 {
		w.mu.Unlock()
		return nil
	}
	w.pending = make(map[string]T, len(batch))
	w.mu.Unlock()

	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cache: write-behind flush: %w: %v", ErrLoadPanic, p)
		}
		if err == nil {
			w.flushed.Add(uint64(len(batch)))
			w.batches.Add(1)
			return
		}
		w.flushErrors.Add(1)
		w.mu.Lock()
		for k, v := range batch {
			if _, newer := w.pending[k]; !newer {
				w.pending[k] = v
			}
		}
		w.mu.Unlock()
	}()
	if err := w.flushFn(ctx, batch); err != nil {
		return fmt.Errorf("cache: write-behind flush of %d writes: %w", len(batch), err)
	}
	return nil
}

// Pending returns the number of keys waiting for the store.
func (w *WriteBehind[T]) Pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending)
}

// Stats returns a snapshot of w's counters.
func (w *WriteBehind[T]) Stats() WriteBehindStats {
	return WriteBehindStats{
		Puts: w.puts.Load(), Flushed: w.flushed.Load(), Batches: w.batches.Load(),
		FlushErrors: w.flushErrors.Load(), CacheErrors: w.cacheErrors.Load(),
		Pending: w.Pending(),
	}
}

// Close stops the background flushing, then flushes what is pending on ctx
// and returns that flush's error (the writes it could not hand over stay
// in Pending and can be retried with Flush). Later Puts fail with
// [ErrClosed]. Close is safe to call more than once.
func (w *WriteBehind[T]) Close(ctx context.Context) error {
	if w.closed.CompareAndSwap(false, true) {
		w.cancel()
		_ = w.g.Wait()
	}
	return w.Flush(ctx)
}
