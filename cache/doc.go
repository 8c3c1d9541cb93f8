// Package cache keeps the results of expensive work — an HTTP response, a
// fitted step, a feature lookup — so that it is computed or fetched once.
//
// # Backends
//
// Every backend satisfies the small [Cache] interface, which stores bytes
// under string keys with a time to live:
//
//   - [Memory]: a bounded in-process cache (entries and bytes), with TTL and
//     an eviction policy that keeps a good hit ratio under skewed keys.
//
// A miss and a backend failure are different results: Get returns
// (nil, false, nil) on a miss and a non-nil error when the backend could not
// answer. Callers that treat a failure as a miss send every request to the
// loader at the moment the backend is down; [GetOrLoad] does not.
//
// # Cache-aside
//
// [GetOrLoad] is the typed cache-aside read: it returns the cached value when
// there is one, and otherwise calls the loader, stores its result and returns
// it. Concurrent misses of one key share a single load (singleflight), which
// runs on a context of its own with a timeout, so one caller giving up does
// not fail the others. Values are encoded with a [Codec]: JSON by default,
// or the value's own [encoding.BinaryMarshaler] form when it has one.
//
// Counters of hits, misses, loads, load errors and backend errors are kept
// per cache-aside layer and read with Stats; see [Aside] and [Stats].
package cache
