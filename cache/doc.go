// Package cache keeps the results of expensive work — an HTTP response, a
// fitted step, a feature lookup, a prediction — so that it is computed or
// fetched once. It stands alone: it imports no other mlpipe package, and it
// caches a frame or a model through their own [encoding.BinaryMarshaler].
//
// # Backends
//
// Every backend satisfies the small [Cache] interface, which stores bytes
// under string keys with a time to live, and most also the batch
// [Batcher] interface:
//
//   - [Memory]: in-process, bounded by entries and bytes at once, with a
//     TTL per entry and W-TinyLFU eviction (otter), which keeps a good hit
//     ratio under skewed keys and reads that scale across cores.
//   - [Redis]: a go-redis [redis.UniversalClient] (single node, Sentinel or
//     Cluster), with a key prefix, a short timeout per call, batches through
//     MGET and pipelines, and a circuit breaker ([BreakerOptions]) that makes
//     calls fail at once while Redis is down and closes by itself when it is
//     back.
//   - [Tiered]: a Memory in front of a Redis, invalidated across processes
//     through Redis pub/sub.
//   - [Namespace]: a versioned key space inside another cache; bumping the
//     version invalidates everything in it at once.
//
// A miss and a backend failure are different results: Get returns
// (nil, false, nil) on a miss and a non-nil error when the backend could not
// answer. Code that treats a failure as a miss sends every request to the
// loader at the moment the backend is down; [GetOrLoad] does not.
//
// # Strategies
//
//   - Cache-aside, [GetOrLoad]: typed; concurrent misses of a key share one
//     load (singleflight) that runs on a context of its own with a timeout,
//     so one caller giving up does not fail the others. A backend error is
//     counted and the value loaded — once, through the singleflight.
//   - Batch cache-aside, [GetOrLoadMany]: one batched read, one load for the
//     misses, one batched write — for serving lookups.
//   - Read-through, [ReadThrough]; write-through, [Put]; write-behind,
//     [WriteBehind] (batched, coalesced, flushed on Close).
//   - HTTP responses, [Transport]: an [http.RoundTripper] that caches an
//     API's successful GET responses by request.
//   - Keys for computed work, [Fingerprint]: a fitted step cached under its
//     input data, parameters and format version.
//   - Per call, as options: [WithJitter] (TTL jitter), [WithEarlyRefresh]
//     (probabilistic early refresh against stampedes on expiry),
//     [WithNegativeTTL] (remember [ErrNotFound] for a shorter time),
//     [WithTags] with [InvalidateTags] (invalidation by tag), [WithCodec]
//     and [WithLoadTimeout].
//
// Values are encoded with a [Codec]: [Raw] for strings and bytes,
// [Numeric] for numeric slices, [Binary] for types that marshal
// themselves, [JSON] otherwise. The typed entry
// points store a value in an envelope: a 14-byte header (format version,
// flags, expiry, load time) and any tag versions, then the codec's bytes;
// an entry without that header is counted as corrupt and reloaded.
//
// # Stats
//
// Each backend of this package carries a cache-aside layer whose [Stats]
// count hits, misses, loads, load errors, backend errors, evictions,
// breaker trips, latency and more; [Aside] gives any other [Cache] a layer
// of its own. A cache outage shows there, never as a failed call.
package cache
