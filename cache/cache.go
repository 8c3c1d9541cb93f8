package cache

import (
	"context"
	"errors"
	"time"
)

// Cache stores byte values under string keys, each with a time to live.
//
// Get returns (value, true, nil) on a hit, (nil, false, nil) on a miss and a
// non-nil error when the backend could not answer; an error is never
// reported as a miss. The returned slice is shared with the cache and must
// not be modified. Set stores a copy of value; a ttl of 0 means no expiry and
// a negative ttl is an error wrapping [ErrInvalidTTL]. Delete removes the
// given keys; deleting an absent key is not an error.
//
// Implementations in this package are safe for concurrent use.
type Cache interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Delete(ctx context.Context, keys ...string) error
}

// Batcher is implemented by backends that read and write many keys in one
// call (one round trip for Redis). GetMany returns the hits only: an absent
// key is left out of the map. [GetMany] and [SetMany] use it when a cache
// has it.
type Batcher interface {
	GetMany(ctx context.Context, keys []string) (map[string][]byte, error)
	SetMany(ctx context.Context, entries map[string][]byte, ttl time.Duration) error
}

// GetMany reads keys from c in one call when c is a [Batcher], and key by key
// otherwise. It returns the hits (absent keys are left out) or the first
// error. It is safe for concurrent use when c is.
func GetMany(ctx context.Context, c Cache, keys []string) (map[string][]byte, error) {
	if b, ok := c.(Batcher); ok {
		return b.GetMany(ctx, keys)
	}
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		v, ok, err := c.Get(ctx, k)
		if err != nil {
			return nil, err
		}
		if ok {
			out[k] = v
		}
	}
	return out, nil
}

// SetMany writes entries to c, all with ttl, in one call when c is a
// [Batcher], and key by key otherwise, stopping at the first error.
func SetMany(ctx context.Context, c Cache, entries map[string][]byte, ttl time.Duration) error {
	if b, ok := c.(Batcher); ok {
		return b.SetMany(ctx, entries, ttl)
	}
	for k, v := range entries {
		if err := c.Set(ctx, k, v, ttl); err != nil {
			return err
		}
	}
	return nil
}

var (
	// ErrInvalidTTL is wrapped by the error Set returns for a negative ttl.
	ErrInvalidTTL = errors.New("invalid ttl")
	// ErrClosed is wrapped by the errors a closed backend returns.
	ErrClosed = errors.New("cache closed")
	// ErrNotFound is what a loader returns to say the value does not exist.
	// With negative caching (see [NegativeTTL]) GetOrLoad remembers it for a
	// short while and returns it again without calling the loader.
	ErrNotFound = errors.New("not found")
	// ErrLoadPanic is wrapped by the error GetOrLoad returns when the loader
	// panicked; the panic value is in the message.
	ErrLoadPanic = errors.New("loader panicked")
	// ErrCorrupt is wrapped by the errors returned for a stored value that
	// cannot be decoded.
	ErrCorrupt = errors.New("corrupt cache entry")
)
