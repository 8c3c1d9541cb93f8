package cache

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ReadThrough is the read-through strategy: a typed view of a cache that
// knows how to load any key itself, so callers ask it for keys and never
// see a miss. Each Get is a [GetOrLoad] with the ttl and options given at
// construction. It is safe for concurrent use.
type ReadThrough[T any] struct {
	c    Cache
	ttl  time.Duration
	load func(ctx context.Context, key string) (T, error)
	opts []Option
}

// NewReadThrough returns a ReadThrough over c that loads a missing key with
// load and keeps it for ttl. It returns an error for a nil cache or loader,
// a negative ttl or a bad option.
func NewReadThrough[T any](c Cache, ttl time.Duration, load func(ctx context.Context, key string) (T, error), opts ...Option) (*ReadThrough[T], error) {
	if c == nil || load == nil {
		return nil, errors.New("cache: read-through: nil cache or loader")
	}
	if _, err := prepare[T]("read-through", ttl, opts); err != nil {
		return nil, err
	}
	return &ReadThrough[T]{c: c, ttl: ttl, load: load, opts: opts}, nil
}

// Get returns the value of key, from the cache or loaded (see [GetOrLoad]
// for sharing, outages and errors).
func (r *ReadThrough[T]) Get(ctx context.Context, key string) (T, error) {
	return GetOrLoad(ctx, r.c, key, r.ttl, func(ctx context.Context) (T, error) { return r.load(ctx, key) }, r.opts...)
}

// GetOrLoadMany is the batch form of [GetOrLoad], for lookups of many keys
// at once (online features, predictions per input): it reads all keys in
// one call when c is a [Batcher] (MGET or a pipeline on Redis), calls
// loadMany once with the keys that missed, stores what it returns in one
// batched write, and returns the values found, keyed by key.
//
// A key that loadMany leaves out of its map is not found: it is absent from
// the result, and remembered as such with [WithNegativeTTL]. A backend error
// is counted and all keys are loaded (nothing is stored then). loadMany runs
// on ctx bounded by the load timeout; batches are not shared between
// concurrent callers the way single loads are. Bad arguments, a loadMany
// error or an encoding error are returned; a nil loadMany with keys that
// miss is an error. It is safe for concurrent use.
func GetOrLoadMany[T any](ctx context.Context, c Cache, keys []string, ttl time.Duration, loadMany func(ctx context.Context, missing []string) (map[string]T, error), opts ...Option) (map[string]T, error) {
	if c == nil {
		return nil, errors.New("cache: GetOrLoadMany: nil cache")
	}
	cfg, err := prepare[T]("GetOrLoadMany", ttl, opts)
	if err != nil {
		return nil, err
	}
	a, backend, _ := layerFor(c, "")
	if backend == nil {
		return nil, errNilBackend
	}
	if cfg.loadTimeout == 0 {
		cfg.loadTimeout = a.loadTimeout
	}
	out := make(map[string]T, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	store := true
	got, err := GetMany(ctx, backend, keys)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("cache: GetOrLoadMany: %w", context.Cause(ctx))
		}
		a.n.backendErrors.Add(1)
		store, got = false, nil
	}
	var missing []string
	var hits, negative, stale, corrupt uint64
	for _, k := range keys {
		data, ok := got[k]
		if !ok {
			missing = append(missing, k)
			continue
		}
		v, env, derr := decodeValue[T](data, cfg.codec)
		if derr == nil && len(env.tags) > 0 {
			if current, terr := tagsCurrent(ctx, backend, env.tags); terr != nil || !current {
				stale++
				missing = append(missing, k)
				continue
			}
		}
		switch {
		case derr != nil:
			corrupt++
			missing = append(missing, k)
		case env.negative:
			hits++
			negative++
		default:
			hits++
			out[k] = v
		}
	}
	// Counted once per batch: per-key atomic adds cost more than the decode.
	// After a backend error the keys are neither hits nor misses.
	if store {
		a.n.hits.Add(hits)
		a.n.negativeHits.Add(negative)
		a.n.stale.Add(stale)
		a.n.corrupt.Add(corrupt)
		a.n.misses.Add(uint64(len(missing)))
	}
	if len(missing) == 0 {
		return out, nil
	}
	if loadMany == nil {
		return nil, fmt.Errorf("cache: GetOrLoadMany: %d keys missed and the loader is nil", len(missing))
	}

	lctx, cancel := context.WithTimeout(ctx, cfg.loadTimeout)
	defer cancel()
	var tags []tagVersion
	if store && len(cfg.tags) > 0 {
		if tags, err = tagVersions(lctx, backend, cfg.tags, true); err != nil {
			a.n.backendErrors.Add(1)
			store = false
		}
	}
	start := time.Now()
	loaded, err := callLoad(lctx, func(ctx context.Context) (map[string]T, error) { return loadMany(ctx, missing) })
	took := time.Since(start)
	a.n.loads.Add(1)
	a.n.loadNanos.Add(int64(took))
	if err != nil {
		a.n.loadErrors.Add(1)
		return nil, fmt.Errorf("cache: GetOrLoadMany: load %d keys: %w", len(missing), err)
	}
	t := jittered(ttl, cfg.jitter) // one batched write: one ttl
	entries := make(map[string][]byte, len(missing))
	for _, k := range missing {
		v, ok := loaded[k]
		if !ok {
			a.n.notFound.Add(1)
			if cfg.negativeTTL > 0 {
				env := envelope{negative: true, expires: time.Now().Add(cfg.negativeTTL).UnixNano(), delta: took, tags: tags}
				if store {
					if err := backend.Set(lctx, k, env.encode(), cfg.negativeTTL); err != nil {
						a.n.backendErrors.Add(1)
						store = false
					}
				}
			}
			continue
		}
		out[k] = v
		payload, err := cfg.codec.Marshal(&v)
		if err != nil {
			return nil, fmt.Errorf("cache: GetOrLoadMany: encode %q: %w", k, err)
		}
		entries[k], _ = encodeEntry(payload, took, t, 0, tags)
	}
	if store && len(entries) > 0 {
		if err := SetMany(lctx, backend, entries, t); err != nil {
			a.n.backendErrors.Add(1)
		}
	}
	return out, nil
}
