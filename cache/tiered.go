package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"
)

// DefaultFrontTTL caps how long the front tier of a [Tiered] cache keeps an
// entry when [TieredOptions] does not say.
const DefaultFrontTTL = time.Minute

// TieredOptions configures [NewTiered]. The zero value works.
type TieredOptions struct {
	// FrontTTL caps how long the memory tier keeps an entry (never longer
	// than the entry has left in the back tier, when the back is Redis).
	// It bounds how stale a front entry can get if an invalidation is lost
	// (Redis down while another process writes). Zero means DefaultFrontTTL.
	FrontTTL time.Duration
	// Channel is the Redis pub/sub channel the processes sharing the back
	// tier use to invalidate each other's front tiers. Zero means the Redis
	// prefix followed by "invalidate". Ignored when the back is not a
	// [*Redis].
	Channel string
	// Logger receives a warning when the invalidation subscription breaks
	// (the front tier is then cleared). Nil means silent.
	Logger *slog.Logger
}

// Tiered is a [Cache] with a [Memory] front tier and a shared back tier,
// usually [Redis]. Get reads the front, then the back, and copies a back hit
// to the front. Set and Delete write the back, then the front, and — when
// the back is Redis — publish the keys on a pub/sub channel, so that every
// other process's Tiered drops its front copy. A Tiered whose subscription
// breaks clears its whole front tier, since it may have missed
// invalidations, and resubscribes.
//
// A front hit answers even when the back is down; a front miss with the
// back down is an error, not a miss. An invalidation can still cross a
// concurrent read that copies the old value to the front just after it; the
// front's FrontTTL bounds how long such a copy lives.
//
// Tiered is safe for concurrent use. Close stops its subscriber; it does not
// close the front or the back.
type Tiered struct {
	front    *Memory
	back     Cache
	frontTTL time.Duration
	rb       *Redis // back as Redis, or nil
	channel  string
	id       string
	logger   *slog.Logger
	layer    *Aside

	frontHits, backHits, invalidations atomic.Uint64
	backErrors                         atomic.Uint64

	cancel    context.CancelFunc
	g         *errgroup.Group
	ps        *redis.PubSub
	closeOnce sync.Once
	ready     chan struct{} // closed once the first subscription is confirmed
}

var (
	_ Cache   = (*Tiered)(nil)
	_ Batcher = (*Tiered)(nil)
)

type invalidation struct {
	From string   `json:"from"`
	Keys []string `json:"keys"`
}

// NewTiered returns a Tiered cache over front and back, and, when back is a
// [*Redis], starts the goroutine that listens for other processes'
// invalidations (stopped by Close). It returns an error for a nil tier or a
// negative FrontTTL.
func NewTiered(front *Memory, back Cache, o TieredOptions) (*Tiered, error) {
	if front == nil || back == nil {
		return nil, errors.New("cache: tiered: nil front or back tier")
	}
	if o.FrontTTL < 0 {
		return nil, fmt.Errorf("cache: tiered: FrontTTL %v is negative", o.FrontTTL)
	}
	if o.FrontTTL == 0 {
		o.FrontTTL = DefaultFrontTTL
	}
	var idb [8]byte
	_, _ = rand.Read(idb[:])
	t := &Tiered{front: front, back: back, frontTTL: o.FrontTTL, id: hex.EncodeToString(idb[:]), logger: o.Logger, ready: make(chan struct{})}
	t.layer = NewAside(t, AsideOptions{})
	rb, ok := back.(*Redis)
	if !ok {
		close(t.ready)
		return t, nil
	}
	t.rb = rb
	t.channel = o.Channel
	if t.channel == "" {
		t.channel = rb.prefix + "invalidate"
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.cancel = cancel
	t.ps = rb.client.Subscribe(ctx, t.channel)
	t.g = new(errgroup.Group)
	t.g.Go(func() error { t.listen(ctx); return nil })
	return t, nil
}

// WaitReady blocks until the invalidation subscription is confirmed by
// Redis (at once for a back that is not Redis), or ctx ends. Writes by other
// processes before that point may not reach this front tier.
func (t *Tiered) WaitReady(ctx context.Context) error {
	select {
	case <-t.ready:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cache: tiered: wait for subscription: %w", context.Cause(ctx))
	}
}

// listen applies other processes' invalidations until ctx ends.
func (t *Tiered) listen(ctx context.Context) {
	readyOnce := sync.OnceFunc(func() { close(t.ready) })
	defer readyOnce()
	backoff := 10 * time.Millisecond
	for {
		msg, err := t.ps.Receive(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			// Invalidations may have been lost: forget the front tier.
			t.front.Clear()
			if t.logger != nil && backoff == 10*time.Millisecond {
				t.logger.Warn("cache: tiered: invalidation subscription broke; front tier cleared", "channel", t.channel, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, time.Second)
			continue
		}
		backoff = 10 * time.Millisecond
		switch m := msg.(type) {
		case *redis.Subscription:
			// (Re)subscribed: anything published while we were away is lost.
			t.front.Clear()
			readyOnce()
		case *redis.Message:
			var inv invalidation
			if json.Unmarshal([]byte(m.Payload), &inv) != nil || inv.From == t.id {
				continue
			}
			t.invalidations.Add(uint64(len(inv.Keys)))
			_ = t.front.Delete(ctx, inv.Keys...)
		}
	}
}

// Close stops listening for invalidations and waits for the listener to
// return. It is idempotent and returns nil.
func (t *Tiered) Close() error {
	t.closeOnce.Do(func() {
		if t.cancel == nil {
			return
		}
		t.cancel()
		_ = t.ps.Close() // interrupts a Receive blocked on the connection
		_ = t.g.Wait()
	})
	return nil
}

// Get returns the front tier's entry, or else the back tier's, which it
// copies to the front for at most FrontTTL. It returns an error when the
// front misses and the back fails.
func (t *Tiered) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if b, ok, err := t.front.Get(ctx, key); err == nil && ok {
		t.frontHits.Add(1)
		return b, true, nil
	}
	b, ttl, ok, err := t.backGet(ctx, key)
	if err != nil || !ok {
		return nil, false, err
	}
	t.backHits.Add(1)
	if ttl > 0 {
		_ = t.front.Set(ctx, key, b, ttl)
	}
	return b, true, nil
}

// backGet reads key from the back, with the time it has left there (capped
// by FrontTTL) when the back can tell.
func (t *Tiered) backGet(ctx context.Context, key string) ([]byte, time.Duration, bool, error) {
	if t.rb == nil {
		b, ok, err := t.back.Get(ctx, key)
		return b, t.frontTTL, ok, err
	}
	r := t.rb
	var get *redis.StringCmd
	var pttl *redis.DurationCmd
	err := r.call(ctx, "get", func(ctx context.Context) error {
		_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			get = p.Get(ctx, r.prefix+key)
			pttl = p.PTTL(ctx, r.prefix+key)
			return nil
		})
		if errors.Is(err, redis.Nil) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, 0, false, err
	}
	b, gerr := get.Bytes()
	if gerr != nil {
		return nil, 0, false, nil
	}
	ttl := t.frontTTL
	if left := pttl.Val(); left > 0 && left < ttl {
		ttl = left
	}
	return b, ttl, true, nil
}

// Set writes value to the back tier and then to the front, and tells the
// other processes to drop their front copy. If the back fails, the front
// copy is dropped too and the error returned.
func (t *Tiered) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := t.back.Set(ctx, key, value, ttl); err != nil {
		_ = t.front.Delete(ctx, key)
		return err
	}
	fttl := t.frontTTL
	if ttl > 0 && ttl < fttl {
		fttl = ttl
	}
	_ = t.front.Set(ctx, key, value, fttl)
	t.publish(ctx, key)
	return nil
}

// Delete removes keys from both tiers here and from the other processes'
// front tiers. It returns the back tier's error, if any.
func (t *Tiered) Delete(ctx context.Context, keys ...string) error {
	_ = t.front.Delete(ctx, keys...)
	err := t.back.Delete(ctx, keys...)
	t.publish(ctx, keys...)
	return err
}

// GetMany reads the front tier, then the back tier for the keys it missed
// (one round trip on Redis), and copies back hits to the front for
// FrontTTL. Absent keys are left out.
func (t *Tiered) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out, err := t.front.GetMany(ctx, keys)
	if err != nil {
		out = map[string][]byte{}
	}
	t.frontHits.Add(uint64(len(out)))
	missing := make([]string, 0, len(keys)-len(out))
	for _, k := range keys {
		if _, ok := out[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	got, err := GetMany(ctx, t.back, missing)
	if err != nil {
		return nil, err
	}
	t.backHits.Add(uint64(len(got)))
	for k, v := range got {
		out[k] = v
		_ = t.front.Set(ctx, k, v, t.frontTTL)
	}
	return out, nil
}

// SetMany writes entries to the back tier in one call, then to the front,
// and publishes one invalidation for all the keys.
func (t *Tiered) SetMany(ctx context.Context, entries map[string][]byte, ttl time.Duration) error {
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	if err := SetMany(ctx, t.back, entries, ttl); err != nil {
		_ = t.front.Delete(ctx, keys...)
		return err
	}
	fttl := t.frontTTL
	if ttl > 0 && ttl < fttl {
		fttl = ttl
	}
	_ = t.front.SetMany(ctx, entries, fttl)
	t.publish(ctx, keys...)
	return nil
}

// publish sends an invalidation for keys to the other processes.
func (t *Tiered) publish(ctx context.Context, keys ...string) {
	if t.rb == nil || len(keys) == 0 {
		return
	}
	msg, _ := json.Marshal(invalidation{From: t.id, Keys: keys})
	r := t.rb
	if err := r.call(ctx, "publish", func(ctx context.Context) error {
		return r.client.Publish(ctx, t.channel, msg).Err()
	}); err != nil {
		t.backErrors.Add(1)
	}
}

// Stats returns the counters of the cache-aside layer built into t, with
// front-tier hits, invalidations received, the front's evictions and the
// back's breaker counters.
func (t *Tiered) Stats() Stats { return t.layer.Stats() }

func (t *Tiered) asideLayer() *Aside { return t.layer }

func (t *Tiered) addBackendStats(s *Stats) {
	s.FrontHits += t.frontHits.Load()
	s.Invalidations += t.invalidations.Load()
	s.BackendErrors += t.backErrors.Load()
	t.front.addBackendStats(s)
	if b, ok := t.back.(backendStatser); ok {
		b.addBackendStats(s)
	}
}
