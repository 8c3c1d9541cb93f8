package cache

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisTimeout bounds each Redis call when [RedisOptions] does not.
const DefaultRedisTimeout = 100 * time.Millisecond

// RedisOptions configures [NewRedis]. The zero value works.
type RedisOptions struct {
	// Prefix is prepended to every key, e.g. "mlpipe:".
	Prefix string
	// Timeout bounds each call (a batch counts as one call). Zero means
	// DefaultRedisTimeout. It bounds the network wait only when the client
	// was created with ContextTimeoutEnabled (see [NewRedis]). For a
	// *redis.Client whose DialTimeout, ReadTimeout and WriteTimeout are all
	// within Timeout and whose retries are off (MaxRetries -1), the client's
	// own timeouts bound each call and no context timer is added.
	Timeout time.Duration
	// Breaker configures the circuit breaker in front of the server.
	Breaker BreakerOptions
}

// Redis is a [Cache] backed by Redis through a go-redis
// [redis.UniversalClient]: a single node, Sentinel or Cluster, as the client
// was configured. Keys carry the configured prefix. A call that Redis does
// not answer within the timeout fails with an error (never a miss), and a
// circuit breaker makes calls fail at once while Redis is down, then lets a
// probe through and closes by itself when Redis is back.
//
// Redis is safe for concurrent use. It does not own the client: closing the
// client is the caller's business.
type Redis struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
	cluster bool
	bounded bool // the client's own timeouts already bound each call
	br      *breaker
	layer   *Aside

	calls atomic.Uint64 // calls that reached Redis
	nanos atomic.Int64  // their total time
}

var (
	_ Cache   = (*Redis)(nil)
	_ Batcher = (*Redis)(nil)
)

// NewRedis returns a Redis cache over client. It returns an error for a nil
// client, a negative timeout or a negative breaker cooldown.
//
// Create the client with short timeouts so that an outage costs little:
// ContextTimeoutEnabled: true (so RedisOptions.Timeout applies), and a
// DialTimeout, ReadTimeout and WriteTimeout of the order of the Timeout;
// the breaker then keeps most calls from waiting at all.
func NewRedis(client redis.UniversalClient, o RedisOptions) (*Redis, error) {
	if client == nil {
		return nil, errors.New("cache: redis: nil client")
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("cache: redis: timeout %v is negative", o.Timeout)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultRedisTimeout
	}
	br, err := newBreaker(o.Breaker)
	if err != nil {
		return nil, fmt.Errorf("cache: redis: %w", err)
	}
	_, cluster := client.(*redis.ClusterClient)
	r := &Redis{client: client, prefix: o.Prefix, timeout: o.Timeout, cluster: cluster, br: br}
	if c, ok := client.(*redis.Client); ok {
		co := c.Options() // with go-redis's defaults applied
		within := func(d time.Duration) bool { return d > 0 && d <= o.Timeout }
		r.bounded = co.MaxRetries == 0 && within(co.DialTimeout) && within(co.ReadTimeout) && within(co.WriteTimeout)
	}
	r.layer = NewAside(r, AsideOptions{})
	return r, nil
}

// call runs f under the breaker and the per-call timeout. A failure caused
// by the caller's own context does not count against Redis.
func (r *Redis) call(ctx context.Context, op string, f func(ctx context.Context) error) error {
	if !r.br.allow() {
		return fmt.Errorf("cache: redis %s: %w", op, ErrCircuitOpen)
	}
	cctx, cancel := r.withTimeout(ctx)
	start := time.Now()
	err := f(cctx)
	r.observe(start)
	cancel()
	return r.done(ctx, op, "", err)
}

// observe counts a call that reached the client and its latency.
func (r *Redis) observe(start time.Time) {
	r.calls.Add(1)
	r.nanos.Add(int64(time.Since(start)))
}

// withTimeout bounds ctx by the per-call timeout, unless the client's own
// timeouts already do or ctx's deadline is sooner: a context with a timer
// is the largest cost the layer adds to a GET.
func (r *Redis) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.bounded {
		return ctx, noCancel
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= r.timeout {
		return ctx, noCancel
	}
	return context.WithTimeout(ctx, r.timeout)
}

func noCancel() {}

// done records the outcome of a call in the breaker and names it in the
// error, unless the caller's own context ended it.
func (r *Redis) done(ctx context.Context, op, key string, err error) error {
	if err == nil {
		r.br.record(true)
		return nil
	}
	if key != "" {
		op = fmt.Sprintf("%s %q", op, key)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("cache: redis %s: %w", op, context.Cause(ctx))
	}
	r.br.record(false)
	return fmt.Errorf("cache: redis %s: %w", op, err)
}

// Get returns the value under key: (value, true, nil) on a hit, (nil,
// false, nil) on a miss, and an error when Redis did not answer in time, is
// unreachable or the breaker is open ([ErrCircuitOpen]).
func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if !r.br.allow() {
		return nil, false, fmt.Errorf("cache: redis get %q: %w", key, ErrCircuitOpen)
	}
	cctx, cancel := r.withTimeout(ctx)
	start := time.Now()
	b, err := r.client.Get(cctx, r.prefix+key).Bytes()
	r.observe(start)
	cancel()
	if errors.Is(err, redis.Nil) {
		r.br.record(true)
		return nil, false, nil
	}
	if err != nil {
		return nil, false, r.done(ctx, "get", key, err)
	}
	r.br.record(true)
	return b, true, nil
}

// redisTTL converts a ttl for SET: Redis takes no sub-millisecond expiry.
func redisTTL(ttl time.Duration) time.Duration {
	if ttl > 0 && ttl < time.Millisecond {
		return time.Millisecond
	}
	return ttl
}

// Set stores value under key for ttl (0: no expiry; below a millisecond:
// a millisecond). It returns an error wrapping [ErrInvalidTTL] for a
// negative ttl, and an error when Redis did not take it.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < 0 {
		return fmt.Errorf("cache: redis set %q: ttl %v: %w", key, ttl, ErrInvalidTTL)
	}
	return r.call(ctx, "set", func(ctx context.Context) error {
		return r.client.Set(ctx, r.prefix+key, value, redisTTL(ttl)).Err()
	})
}

// Delete removes keys (pipelined, so it also works across Cluster slots);
// absent keys are ignored.
func (r *Redis) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	return r.call(ctx, "delete", func(ctx context.Context) error {
		if len(keys) == 1 {
			return r.client.Del(ctx, r.prefix+keys[0]).Err()
		}
		_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range keys {
				p.Del(ctx, r.prefix+k)
			}
			return nil
		})
		return err
	})
}

// GetMany reads keys in one round trip — MGET on a single node, a pipeline
// of GETs on a Cluster, whose keys may live on several nodes — and returns
// the hits; absent keys are left out of the map.
func (r *Redis) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	err := r.call(ctx, "get many", func(ctx context.Context) error {
		if r.cluster {
			cmds := make([]*redis.StringCmd, len(keys))
			_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
				for i, k := range keys {
					cmds[i] = p.Get(ctx, r.prefix+k)
				}
				return nil
			})
			if err != nil && !errors.Is(err, redis.Nil) {
				return err
			}
			for i, c := range cmds {
				if b, err := c.Bytes(); err == nil {
					out[keys[i]] = b
				}
			}
			return nil
		}
		full := make([]string, len(keys))
		for i, k := range keys {
			full[i] = r.prefix + k
		}
		vals, err := r.client.MGet(ctx, full...).Result()
		if err != nil {
			return err
		}
		for i, v := range vals {
			if s, ok := v.(string); ok {
				out[keys[i]] = []byte(s)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetMany stores entries, all with ttl, in one pipelined round trip. It
// returns an error wrapping [ErrInvalidTTL] for a negative ttl.
func (r *Redis) SetMany(ctx context.Context, entries map[string][]byte, ttl time.Duration) error {
	if ttl < 0 {
		return fmt.Errorf("cache: redis set many: ttl %v: %w", ttl, ErrInvalidTTL)
	}
	if len(entries) == 0 {
		return nil
	}
	return r.call(ctx, "set many", func(ctx context.Context) error {
		_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for k, v := range entries {
				p.Set(ctx, r.prefix+k, v, redisTTL(ttl))
			}
			return nil
		})
		return err
	})
}

// Stats returns the counters of the cache-aside layer built into r (used
// by [GetOrLoad] on r), with the breaker's trips and fast failures and the
// number and total latency of the calls that reached Redis.
func (r *Redis) Stats() Stats { return r.layer.Stats() }

// Available reports whether calls currently go to Redis (the breaker is
// closed).
func (r *Redis) Available() bool { return !r.br.isOpen() }

func (r *Redis) asideLayer() *Aside { return r.layer }

func (r *Redis) addBackendStats(s *Stats) {
	s.BreakerTrips += r.br.trips.Load()
	s.BreakerRejections += r.br.rejected.Load()
	s.BackendCalls += r.calls.Load()
	s.BackendTime += time.Duration(r.nanos.Load())
}

// RedisClientOptions says how to reach Redis, credentials and TLS included,
// for [NewRedisClient]. Addrs is required.
type RedisClientOptions struct {
	// Addrs lists host:port addresses: one for a single node, several for a
	// Cluster, or the Sentinels' with MasterName.
	Addrs []string
	// MasterName, when set, reaches the master of that name through the
	// Sentinels at Addrs.
	MasterName string
	// Username and Password authenticate with Redis: an ACL user (Redis 6
	// and later), or Password alone for requirepass.
	Username string
	Password string
	// SentinelUsername and SentinelPassword authenticate with the
	// Sentinels, when they require it.
	SentinelUsername string
	SentinelPassword string
	// DB selects a database of a single node or Sentinel master.
	DB int
	// TLS, when set, makes every connection TLS with this configuration
	// (a server name, root CAs, a client certificate). Nil means plain TCP.
	TLS *tls.Config
	// Timeout bounds dialling, each read and each write. Zero means
	// [DefaultRedisTimeout]: an outage costs each call little.
	Timeout time.Duration
}

// NewRedisClient returns a go-redis client for o, configured as [NewRedis]
// advises: calls bounded by the context and by Timeout, no retries and one
// dial attempt (the breaker handles outages). It returns an error for no address or a
// negative timeout. The password is never part of an error or of the
// client's String form. Close the client when done.
func NewRedisClient(o RedisClientOptions) (redis.UniversalClient, error) {
	if len(o.Addrs) == 0 {
		return nil, errors.New("cache: redis client: no address")
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("cache: redis client: timeout %v is negative", o.Timeout)
	}
	t := cmp.Or(o.Timeout, DefaultRedisTimeout)
	return redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 o.Addrs,
		MasterName:            o.MasterName,
		Username:              o.Username,
		Password:              o.Password,
		SentinelUsername:      o.SentinelUsername,
		SentinelPassword:      o.SentinelPassword,
		DB:                    o.DB,
		TLSConfig:             o.TLS,
		DialTimeout:           t,
		ReadTimeout:           t,
		WriteTimeout:          t,
		MaxRetries:            -1,
		DialerRetries:         1,
		ContextTimeoutEnabled: true,
	}), nil
}
