package cache

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"time"

	"golang.org/x/sync/singleflight"
)

// DefaultLoadTimeout bounds a shared load when neither [AsideOptions] nor
// [WithLoadTimeout] says otherwise.
const DefaultLoadTimeout = 30 * time.Second

// AsideOptions configures [NewAside]. The zero value works.
type AsideOptions struct {
	// LoadTimeout bounds each shared load. Zero means DefaultLoadTimeout.
	LoadTimeout time.Duration
}

// Aside is a cache-aside layer over a backend [Cache]: it holds the
// singleflight group that makes concurrent misses of a key share one load,
// and the counters behind [Stats]. [GetOrLoad] uses the layer of the cache it
// is given: an *Aside itself, or the layer built into each backend of this
// package (so Memory.Stats reports GetOrLoad calls on that Memory). For any
// other Cache implementation, wrap it with NewAside to have its own Stats;
// unwrapped, it shares a process-wide layer whose counters are not exposed.
//
// Aside is itself a Cache: its Get, Set and Delete pass through to the
// backend and are counted (Get as hit or miss, failures as backend errors).
// It is safe for concurrent use.
type Aside struct {
	backend     Cache
	loadTimeout time.Duration
	group       singleflight.Group
	n           counters
}

var _ Cache = (*Aside)(nil)

// NewAside returns a cache-aside layer over backend. A nil backend gives a
// layer whose every call returns an error.
func NewAside(backend Cache, o AsideOptions) *Aside {
	if o.LoadTimeout <= 0 {
		o.LoadTimeout = DefaultLoadTimeout
	}
	return &Aside{backend: backend, loadTimeout: o.LoadTimeout}
}

var errNilBackend = errors.New("cache: aside layer has a nil backend")

// Backend returns the cache a wraps.
func (a *Aside) Backend() Cache { return a.backend }

// Get reads key from the backend, counting a hit, a miss or a backend error.
func (a *Aside) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if a.backend == nil {
		return nil, false, errNilBackend
	}
	b, ok, err := a.backend.Get(ctx, key)
	switch {
	case err != nil:
		a.n.backendErrors.Add(1)
	case ok:
		a.n.hits.Add(1)
	default:
		a.n.misses.Add(1)
	}
	return b, ok, err
}

// Set writes to the backend, counting a failure as a backend error.
func (a *Aside) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if a.backend == nil {
		return errNilBackend
	}
	err := a.backend.Set(ctx, key, value, ttl)
	if err != nil && !errors.Is(err, ErrInvalidTTL) {
		a.n.backendErrors.Add(1)
	}
	return err
}

// Delete deletes from the backend, counting a failure as a backend error.
func (a *Aside) Delete(ctx context.Context, keys ...string) error {
	if a.backend == nil {
		return errNilBackend
	}
	err := a.backend.Delete(ctx, keys...)
	if err != nil {
		a.n.backendErrors.Add(1)
	}
	return err
}

// Stats returns a snapshot of a's counters, with what the backend counts of
// its own (evictions, expirations, breaker trips) when it is of this package.
func (a *Aside) Stats() Stats {
	s := a.n.snapshot()
	if b, ok := a.backend.(backendStatser); ok {
		b.addBackendStats(&s)
	}
	return s
}

// layered is implemented by the backends of this package, which carry a
// cache-aside layer of their own.
type layered interface{ asideLayer() *Aside }

// sharedLayer serves caches of other packages that were not wrapped with
// NewAside; its flight keys carry the cache's identity.
var sharedLayer = NewAside(nil, AsideOptions{})

// layerFor returns the layer, backend and flight key to use for c and key.
func layerFor(c Cache, key string) (*Aside, Cache, string) {
	switch x := c.(type) {
	case *Aside:
		return x, x.backend, key
	case layered:
		return x.asideLayer(), c, key
	}
	id := reflect.TypeOf(c).String()
	if v := reflect.ValueOf(c); v.Kind() == reflect.Pointer {
		id = fmt.Sprintf("%s@%x", id, v.Pointer())
	}
	return sharedLayer, c, id + "\x00" + key
}

type flightResult struct {
	v    any
	data []byte
}

// GetOrLoad returns the value cached under key, or calls load, caches what it
// returns for ttl (0: no expiry) and returns it.
//
// Concurrent calls that miss the same key on the same layer share one call
// of load (singleflight); all of them receive the same value, which they
// should treat as read-only, and the ttl and options of the call that
// started the load decide how it is stored. The shared load runs on a context of its own —
// ctx's values, not its cancellation, with the layer's load timeout — so a
// caller that gives up gets its context's error at once while the others
// still get the value. The load runs in singleflight's goroutine and ends
// with load, which the load timeout bounds when load honours its context.
//
// A backend error is not a miss: GetOrLoad still loads (once, through the
// singleflight), returns the loaded value and counts the error in
// [Stats].BackendErrors; it does not try to store the value then, since the
// backend has just failed. An entry that does not decode is counted as
// Corrupt and reloaded.
//
// Errors: a load error is returned wrapped (an [ErrNotFound] from load stays
// detectable with errors.Is, and is remembered with [WithNegativeTTL]); a
// panic in load becomes an error wrapping [ErrLoadPanic]; a nil cache or
// loader, a negative ttl ([ErrInvalidTTL]) or a bad option is an error, and
// load is not called. An error encoding the loaded value is returned, since
// the value could never be cached.
//
// The value is encoded in a small envelope (see the package documentation)
// with the codec chosen by [WithCodec]. GetOrLoad is safe for concurrent use.
func GetOrLoad[T any](ctx context.Context, c Cache, key string, ttl time.Duration, load func(context.Context) (T, error), opts ...Option) (T, error) {
	var zero T
	if c == nil || load == nil {
		return zero, fmt.Errorf("cache: GetOrLoad %q: nil cache or loader", key)
	}
	if ttl < 0 {
		return zero, fmt.Errorf("cache: GetOrLoad %q: ttl %v: %w", key, ttl, ErrInvalidTTL)
	}
	var cfg loadConfig
	for _, o := range opts {
		o.apply(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return zero, fmt.Errorf("cache: GetOrLoad %q: %w", key, err)
	}
	if cfg.codec == nil {
		cfg.codec = codecFor[T]()
	}
	a, backend, fkey := layerFor(c, key)
	if backend == nil {
		return zero, errNilBackend
	}
	if cfg.loadTimeout == 0 {
		cfg.loadTimeout = a.loadTimeout
	}

	data, ok, err := backend.Get(ctx, key)
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return zero, fmt.Errorf("cache: GetOrLoad %q: %w", key, context.Cause(ctx))
		}
		a.n.backendErrors.Add(1)
	case ok:
		v, env, derr := decodeValue[T](data, cfg.codec)
		if derr == nil && len(env.tags) > 0 {
			current, terr := tagsCurrent(ctx, backend, env.tags)
			switch {
			case terr != nil:
				// Cannot tell whether the entry is stale: load, as in an outage.
				a.n.backendErrors.Add(1)
				return joinLoad(ctx, a, backend, key, fkey, ttl, load, cfg, false, false)
			case !current:
				a.n.stale.Add(1)
				a.n.misses.Add(1)
				return joinLoad(ctx, a, backend, key, fkey, ttl, load, cfg, true, false)
			}
		}
		if derr == nil {
			a.n.hits.Add(1)
			if env.negative {
				a.n.negativeHits.Add(1)
				return zero, fmt.Errorf("cache: key %q: %w", key, ErrNotFound)
			}
			if cfg.beta > 0 && refreshDue(env, cfg.beta, time.Now()) {
				startRefresh(ctx, a, backend, key, fkey, ttl, load, cfg)
			}
			return v, nil
		}
		a.n.corrupt.Add(1)
		a.n.misses.Add(1)
	default:
		a.n.misses.Add(1)
	}

	return joinLoad(ctx, a, backend, key, fkey, ttl, load, cfg, err == nil, err == nil && !ok)
}

// joinLoad starts or joins the shared load of key and waits for it or for
// ctx. It takes cfg by value so that the hit path of GetOrLoad allocates
// nothing for it.
func joinLoad[T any](ctx context.Context, a *Aside, backend Cache, key, fkey string, ttl time.Duration, load func(context.Context) (T, error), cfg loadConfig, store, recheck bool) (T, error) {
	var zero T
	ch := a.group.DoChan(fkey, func() (any, error) {
		return loadShared(ctx, a, backend, key, ttl, load, &cfg, store, recheck)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return zero, r.Err
		}
		fr := r.Val.(flightResult)
		if v, ok := fr.v.(T); ok {
			return v, nil
		}
		// The flight was started by a caller of another type: decode its bytes.
		var v T
		if err := cfg.codec.Unmarshal(fr.data, &v); err != nil {
			return zero, fmt.Errorf("cache: GetOrLoad %q: decode value shared by another type: %w", key, err)
		}
		return v, nil
	case <-ctx.Done():
		return zero, fmt.Errorf("cache: GetOrLoad %q: %w", key, context.Cause(ctx))
	}
}

// startRefresh reloads key in the background, unless a load of key is
// running; the caller does not wait for it.
func startRefresh[T any](ctx context.Context, a *Aside, backend Cache, key, fkey string, ttl time.Duration, load func(context.Context) (T, error), cfg loadConfig) {
	a.n.refres.Add(1)
	a.group.DoChan(fkey, func() (any, error) {
		return loadShared(ctx, a, backend, key, ttl, load, &cfg, true, false)
	})
}

// decodeValue decodes a stored envelope and, unless it records a "not
// found", its payload into a T.
func decodeValue[T any](data []byte, codec Codec) (v T, env envelope, err error) {
	env, err = decodeEnvelope(data)
	if err != nil || env.negative {
		return v, env, err
	}
	if err := codec.Unmarshal(env.payload, &v); err != nil {
		return v, env, fmt.Errorf("cache: decode entry: %w: %w", ErrCorrupt, err)
	}
	return v, env, nil
}

// refreshDue reports whether an entry should be reloaded before its expiry:
// XFetch's test now - delta·beta·ln(U) >= expiry, with U uniform in (0, 1].
func refreshDue(env envelope, beta float64, now time.Time) bool {
	if env.expires == 0 {
		return false
	}
	u := 1 - rand.Float64() // (0, 1]
	gap := float64(env.delta) * beta * -math.Log(u)
	return float64(now.UnixNano())+gap >= float64(env.expires)
}

// jittered shortens ttl by a random fraction in [0, frac).
func jittered(ttl time.Duration, frac float64) time.Duration {
	if ttl == 0 || frac == 0 {
		return ttl
	}
	return max(ttl-time.Duration(frac*rand.Float64()*float64(ttl)), 1)
}

// callLoad calls load, turning a panic into an error.
func callLoad[T any](ctx context.Context, load func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrLoadPanic, p)
		}
	}()
	return load(ctx)
}

// loadShared is the body of a singleflight: it re-reads the backend when
// recheck is set (a caller that missed just before another flight stored the
// value must not load again), calls load on a context of its own — ctx's
// values without its cancellation, bounded by the load timeout — and, when
// store is set, stores the result (or a negative entry).
func loadShared[T any](ctx context.Context, a *Aside, backend Cache, key string, ttl time.Duration, load func(context.Context) (T, error), cfg *loadConfig, store, recheck bool) (any, error) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.loadTimeout)
	defer cancel()
	if recheck {
		data, ok, err := backend.Get(lctx, key)
		switch {
		case err != nil:
			a.n.backendErrors.Add(1)
			store = false
		case ok:
			v, env, derr := decodeValue[T](data, cfg.codec)
			if derr == nil && len(env.tags) > 0 {
				if current, terr := tagsCurrent(lctx, backend, env.tags); terr != nil || !current {
					break // stale or unknown: load
				}
			}
			if derr == nil && env.negative {
				return nil, fmt.Errorf("cache: key %q: %w", key, ErrNotFound)
			}
			if derr == nil {
				return flightResult{v: v, data: env.payload}, nil
			}
		}
	}

	var tags []tagVersion
	if store && len(cfg.tags) > 0 {
		// Versions are read before the load, so that an invalidation during
		// the load leaves the stored entry stale.
		var err error
		if tags, err = tagVersions(lctx, backend, cfg.tags, true); err != nil {
			a.n.backendErrors.Add(1)
			store = false
		}
	}
	start := time.Now()
	v, err := callLoad(lctx, load)
	took := time.Since(start)
	a.n.loads.Add(1)
	a.n.loadNanos.Add(int64(took))
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			a.n.notFound.Add(1)
			if store && cfg.negativeTTL > 0 {
				env := envelope{negative: true, expires: time.Now().Add(cfg.negativeTTL).UnixNano(), delta: took, tags: tags}
				if serr := backend.Set(lctx, key, env.encode(), cfg.negativeTTL); serr != nil {
					a.n.backendErrors.Add(1)
				}
			}
		} else {
			a.n.loadErrors.Add(1)
		}
		return nil, fmt.Errorf("cache: load %q: %w", key, err)
	}
	payload, err := cfg.codec.Marshal(&v)
	if err != nil {
		return nil, fmt.Errorf("cache: encode %q: %w", key, err)
	}
	if store {
		data, t := encodeEntry(payload, took, ttl, cfg.jitter, tags)
		if err := backend.Set(lctx, key, data, t); err != nil {
			a.n.backendErrors.Add(1)
		}
	}
	return flightResult{v: v, data: payload}, nil
}

// encodeEntry wraps an encoded value in its envelope, with the ttl
// (jittered) it is to be stored for.
func encodeEntry(payload []byte, took, ttl time.Duration, jitter float64, tags []tagVersion) ([]byte, time.Duration) {
	t := jittered(ttl, jitter)
	env := envelope{delta: took, payload: payload, tags: tags}
	if t > 0 {
		env.expires = time.Now().Add(t).UnixNano()
	}
	return env.encode(), t
}

// prepare checks the arguments shared by the typed entry points and
// returns the call's configuration.
func prepare[T any](key string, ttl time.Duration, opts []Option) (loadConfig, error) {
	var cfg loadConfig
	if ttl < 0 {
		return cfg, fmt.Errorf("cache: %q: ttl %v: %w", key, ttl, ErrInvalidTTL)
	}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return cfg, fmt.Errorf("cache: %q: %w", key, err)
	}
	if cfg.codec == nil {
		cfg.codec = codecFor[T]()
	}
	return cfg, nil
}
