package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/internal/testredis"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"
)

// newTestClient returns a client with the short timeouts NewRedis asks for.
func newTestClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:                  addr,
		ContextTimeoutEnabled: true,
		DialTimeout:           time.Second,
		ReadTimeout:           time.Second,
		WriteTimeout:          time.Second,
		MaxRetries:            -1,
		DialerRetries:         1,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// testPrefix keeps tests apart on a shared server.
func testPrefix(t testing.TB) string {
	return fmt.Sprintf("mlpipe-test:%s:%x:", t.Name(), rand.Uint64())
}

func newTestRedis(t testing.TB, srv *testredis.Server, o RedisOptions) (*Redis, *redis.Client) {
	t.Helper()
	client := newTestClient(t, srv.Addr())
	if o.Prefix == "" {
		o.Prefix = testPrefix(t)
	}
	if o.Timeout == 0 {
		o.Timeout = time.Second // generous: the machine may be busy
	}
	r, err := NewRedis(client, o)
	if err != nil {
		t.Fatal(err)
	}
	if !srv.Own() {
		// A shared server: leave nothing behind.
		t.Cleanup(func() {
			ctx := context.Background()
			iter := client.Scan(ctx, 0, o.Prefix+"*", 1000).Iterator()
			for iter.Next(ctx) {
				client.Del(ctx, iter.Val())
			}
		})
	}
	return r, client
}

func TestNewRedisBadOptions(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer client.Close()
	for _, tt := range []struct {
		name   string
		client redis.UniversalClient
		o      RedisOptions
	}{
		{"nil client", nil, RedisOptions{}},
		{"negative timeout", client, RedisOptions{Timeout: -1}},
		{"negative cooldown", client, RedisOptions{Breaker: BreakerOptions{Cooldown: -1}}},
	} {
		if _, err := NewRedis(tt.client, tt.o); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestRedisGetSetDelete(t *testing.T) {
	srv := testredis.Start(t)
	ctx := context.Background()
	r, client := newTestRedis(t, srv, RedisOptions{Prefix: testPrefix(t)})
	tests := []struct {
		name    string
		do      func() error
		key     string
		want    []byte
		wantHit bool
	}{
		{"miss", nil, "a", nil, false},
		{"hit after set", func() error { return r.Set(ctx, "a", []byte("1"), time.Minute) }, "a", []byte("1"), true},
		{"set replaces", func() error { return r.Set(ctx, "a", []byte("22"), 0) }, "a", []byte("22"), true},
		{"empty value is a hit", func() error { return r.Set(ctx, "e", nil, 0) }, "e", []byte{}, true},
		{"binary value", func() error { return r.Set(ctx, "b", []byte{0, 255, 10}, 0) }, "b", []byte{0, 255, 10}, true},
		{"delete several", func() error { return r.Delete(ctx, "a", "b", "absent") }, "a", nil, false},
		{"untouched by delete", nil, "e", []byte{}, true},
		{"delete one", func() error { return r.Delete(ctx, "e") }, "e", nil, false},
		{"delete none", func() error { return r.Delete(ctx) }, "e", nil, false},
	}
	for _, tt := range tests {
		if tt.do != nil {
			if err := tt.do(); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		got, hit, err := r.Get(ctx, tt.key)
		if err != nil || hit != tt.wantHit || !bytes.Equal(got, tt.want) {
			t.Errorf("%s: Get(%q) = %q, %v, %v; want %q, %v, nil", tt.name, tt.key, got, hit, err, tt.want, tt.wantHit)
		}
	}
	// Keys carry the prefix on the server.
	if err := r.Set(ctx, "p", []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := client.Get(ctx, r.prefix+"p").Result(); err != nil || v != "x" {
		t.Errorf("raw GET of prefixed key = %q, %v", v, err)
	}
	if ttl := client.TTL(ctx, r.prefix+"p").Val(); ttl <= 0 || ttl > time.Minute {
		t.Errorf("server-side TTL = %v, want (0, 1m]", ttl)
	}
	if err := r.Set(ctx, "p", nil, -time.Second); !errors.Is(err, ErrInvalidTTL) {
		t.Errorf("negative ttl: %v", err)
	}
}

func TestRedisTTLExpiry(t *testing.T) {
	srv := testredis.Start(t)
	ctx := context.Background()
	r, _ := newTestRedis(t, srv, RedisOptions{})
	if err := r.Set(ctx, "short", []byte("v"), 150*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := r.Set(ctx, "tiny", []byte("v"), time.Microsecond); err != nil {
		t.Fatalf("sub-millisecond ttl: %v", err)
	}
	if _, hit, _ := r.Get(ctx, "short"); !hit {
		t.Fatal("fresh entry missed")
	}
	time.Sleep(300 * time.Millisecond)
	for _, k := range []string{"short", "tiny"} {
		if _, hit, err := r.Get(ctx, k); hit || err != nil {
			t.Errorf("%s after expiry: hit %v, err %v", k, hit, err)
		}
	}
}

func TestRedisBatch(t *testing.T) {
	srv := testredis.Start(t)
	ctx := context.Background()
	r, _ := newTestRedis(t, srv, RedisOptions{})
	m := newMemory(t, MemoryOptions{})
	f := &flakyCache{m: newMemory(t, MemoryOptions{})} // not a Batcher
	for _, c := range []Cache{r, m, f} {
		entries := map[string][]byte{}
		var keys []string
		for i := range 100 {
			k := fmt.Sprint("k", i)
			keys = append(keys, k)
			if i%2 == 0 {
				entries[k] = []byte(fmt.Sprint("v", i))
			}
		}
		if err := SetMany(ctx, c, entries, time.Minute); err != nil {
			t.Fatalf("%T: SetMany: %v", c, err)
		}
		got, err := GetMany(ctx, c, keys)
		if err != nil {
			t.Fatalf("%T: GetMany: %v", c, err)
		}
		if len(got) != len(entries) {
			t.Errorf("%T: GetMany returned %d hits, want %d", c, len(got), len(entries))
		}
		for k, v := range entries {
			if !bytes.Equal(got[k], v) {
				t.Errorf("%T: GetMany[%q] = %q, want %q", c, k, got[k], v)
			}
		}
		if got, err := GetMany(ctx, c, nil); err != nil || len(got) != 0 {
			t.Errorf("%T: GetMany(nil) = %v, %v", c, got, err)
		}
		if err := SetMany(ctx, c, entries, -1); !errors.Is(err, ErrInvalidTTL) {
			t.Errorf("%T: SetMany with negative ttl: %v", c, err)
		}
	}
}

func TestRedisConcurrentMissesLoadOnce(t *testing.T) {
	srv := testredis.Start(t)
	r, _ := newTestRedis(t, srv, RedisOptions{})
	l := &countingLoader{value: "v"}
	for i, v := range concurrentMisses(t, r, 100, l) {
		if v != "v" {
			t.Fatalf("caller %d got %q", i, v)
		}
	}
	if n := l.calls.Load(); n != 1 {
		t.Errorf("100 concurrent misses called the loader %d times, want 1", n)
	}
	s := r.Stats()
	if s.Misses != 100 || s.Loads != 1 || s.BackendErrors != 0 {
		t.Errorf("Stats = %+v", s)
	}
	// 100 GETs, the flight's re-check and its SET reached Redis.
	if s.BackendCalls < 102 || s.MeanBackendLatency() <= 0 || s.MeanLoadTime() <= 0 {
		t.Errorf("BackendCalls %d, mean latency %v, mean load %v", s.BackendCalls, s.MeanBackendLatency(), s.MeanLoadTime())
	}
	// And the value is in Redis for the next caller.
	if v, err := GetOrLoad(context.Background(), r, "hot", time.Minute, l.load); err != nil || v != "v" || l.calls.Load() != 1 {
		t.Errorf("after the shared load: %q, %v, %d loads", v, err, l.calls.Load())
	}
}

// TestRedisKilledMidRun runs a workload of GetOrLoad calls, kills Redis
// half-way, then restarts it: every call returns the right value, the
// outage shows in Stats, calls fail fast while the breaker is open, and
// hits resume after the restart.
func TestRedisKilledMidRun(t *testing.T) {
	srv := testredis.Start(t)
	if !srv.Own() {
		t.Skip("needs redis-server on PATH to kill it")
	}
	ctx := context.Background()
	r, _ := newTestRedis(t, srv, RedisOptions{Breaker: BreakerOptions{Failures: 3, Cooldown: 50 * time.Millisecond}})
	var loads atomic.Int64
	load := func(k int) func(context.Context) (string, error) {
		return func(context.Context) (string, error) {
			loads.Add(1)
			return fmt.Sprint("value-", k), nil
		}
	}
	run := func(phase string, n int) time.Duration {
		start := time.Now()
		for i := range n {
			k := i % 10
			v, err := GetOrLoad(ctx, r, fmt.Sprint("key-", k), time.Minute, load(k))
			if err != nil || v != fmt.Sprint("value-", k) {
				t.Fatalf("%s, call %d: %q, %v", phase, i, v, err)
			}
		}
		return time.Since(start)
	}

	run("warm", 100)
	before := r.Stats()
	if before.Hits != 90 || before.Loads != 10 {
		t.Fatalf("warm: %+v, want 90 hits and 10 loads", before)
	}

	srv.Kill()
	took := run("redis down", 200)
	down := r.Stats()
	if down.BackendErrors < 200 {
		t.Errorf("down: BackendErrors = %d, want >= 200 (one per read)", down.BackendErrors)
	}
	if down.BreakerTrips < 1 || down.BreakerRejections < 150 {
		t.Errorf("down: breaker trips %d, rejections %d; want the breaker to open and refuse most calls", down.BreakerTrips, down.BreakerRejections)
	}
	if down.Loads != before.Loads+200 {
		t.Errorf("down: %d loads, want every call loaded (%d)", down.Loads, before.Loads+200)
	}
	if took > 2*time.Second {
		t.Errorf("200 calls with Redis down took %v: not failing fast", took)
	}
	if r.Available() {
		t.Error("Available() with Redis down")
	}
	t.Logf("200 GetOrLoad calls with Redis down: %v; %+v", took, down)

	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		_, _, err := r.Get(ctx, "probe")
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("breaker did not close after the restart: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	run("restarted", 100) // the restarted server is empty: 10 misses, then hits
	after := r.Stats()
	if hits := after.Hits - down.Hits; hits != 90 {
		t.Errorf("after restart: %d hits, want 90", hits)
	}
	if after.BackendErrors != down.BackendErrors {
		t.Errorf("after restart: %d new backend errors", after.BackendErrors-down.BackendErrors)
	}
}

func TestRedisUnreachableFailsFast(t *testing.T) {
	client := newTestClient(t, "127.0.0.1:1")
	r, err := NewRedis(client, RedisOptions{Breaker: BreakerOptions{Failures: 2, Cooldown: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 5 {
		_, _, err := r.Get(ctx, "k")
		if err == nil {
			t.Fatal("no error from an unreachable server")
		}
		if i >= 2 && !errors.Is(err, ErrCircuitOpen) {
			t.Errorf("call %d: %v, want ErrCircuitOpen", i, err)
		}
	}
	for _, err := range []error{r.Set(ctx, "k", nil, 0), r.Delete(ctx, "k")} {
		if !errors.Is(err, ErrCircuitOpen) {
			t.Errorf("%v, want ErrCircuitOpen", err)
		}
	}
	if _, err := r.GetMany(ctx, []string{"a"}); !errors.Is(err, ErrCircuitOpen) {
		t.Errorf("GetMany: %v", err)
	}
	// The caller's own cancellation is not the server's fault.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	r2, _ := NewRedis(client, RedisOptions{Breaker: BreakerOptions{Failures: 1}})
	if _, _, err := r2.Get(cctx, "k"); !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "circuit") {
		t.Errorf("cancelled call: %v", err)
	}
	if !r2.Available() {
		t.Error("a cancelled call opened the breaker")
	}
}

// TestRedisStrategies runs the key-shaping strategies over Redis, where
// tag versions and batches go through MGET and pipelines.
func TestRedisStrategies(t *testing.T) {
	srv := testredis.Start(t)
	ctx := context.Background()
	r, client := newTestRedis(t, srv, RedisOptions{})
	ns, err := NewNamespace(r, "scores", 2)
	if err != nil {
		t.Fatal(err)
	}
	var loads atomic.Int64
	load := func(context.Context) ([]float64, error) {
		n := loads.Add(1)
		return []float64{float64(n), 0.5}, nil
	}
	get := func() []float64 {
		v, err := GetOrLoad(ctx, ns, "user:1", time.Minute, load, WithTags("model:v7"), WithJitter(0.1))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := get(); v[0] != 1 {
		t.Fatalf("first: %v", v)
	}
	if v := get(); v[0] != 1 || loads.Load() != 1 {
		t.Fatalf("second: %v after %d loads", v, loads.Load())
	}
	if n, err := client.Exists(ctx, r.prefix+"scores:v2:user:1", r.prefix+"scores:v2:"+tagKey("model:v7")).Result(); err != nil || n != 2 {
		t.Errorf("entry and tag version under the namespaced, prefixed keys: %d, %v", n, err)
	}
	if err := InvalidateTags(ctx, ns, "model:v7"); err != nil {
		t.Fatal(err)
	}
	if v := get(); v[0] != 2 {
		t.Errorf("after invalidating the tag: %v, want a reload", v)
	}
	if s := ns.Stats(); s.Stale != 1 || s.Hits != 1 {
		t.Errorf("namespace Stats = %+v", s)
	}

	// GetOrLoadMany: one MGET, one load for the misses, one pipelined write.
	loadMany := func(_ context.Context, keys []string) (map[string]int, error) {
		out := map[string]int{}
		for _, k := range keys {
			out[k] = len(k)
		}
		return out, nil
	}
	keys := []string{"a", "bb", "ccc"}
	for range 2 {
		got, err := GetOrLoadMany(ctx, r, keys, time.Minute, loadMany)
		if err != nil || len(got) != 3 || got["ccc"] != 3 {
			t.Fatalf("GetOrLoadMany = %v, %v", got, err)
		}
	}
	if s := r.Stats(); s.Hits != 3 || s.Loads != 1 {
		t.Errorf("Redis Stats after two batch reads = %+v, want 3 hits and 1 load", s)
	}
}

// TestRedisKilledUnderLoad kills Redis while workers are in the middle of
// a run of GetOrLoad calls, and restarts it while they still run: every
// call returns the right value, the outage shows in the counters, and hits
// resume after the restart without any caller doing anything.
func TestRedisKilledUnderLoad(t *testing.T) {
	srv := testredis.Start(t)
	if !srv.Own() {
		t.Skip("needs redis-server on PATH to kill it")
	}
	r, _ := newTestRedis(t, srv, RedisOptions{Breaker: BreakerOptions{Failures: 3, Cooldown: 20 * time.Millisecond}})
	const workers = 4
	var calls atomic.Int64
	stop := make(chan struct{})
	g, ctx := errgroup.WithContext(context.Background())
	for w := range workers {
		g.Go(func() error {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return nil
				default:
				}
				k := (i*7 + w) % 25
				want := fmt.Sprint("value-", k)
				v, err := GetOrLoad(ctx, r, fmt.Sprint("key-", k), time.Minute, func(context.Context) (string, error) {
					time.Sleep(100 * time.Microsecond) // a source slower than the cache
					return want, nil
				})
				if err != nil {
					return fmt.Errorf("worker %d call %d: %w", w, i, err)
				}
				if v != want {
					return fmt.Errorf("worker %d call %d: %q, want %q", w, i, v, want)
				}
				calls.Add(1)
				time.Sleep(200 * time.Microsecond)
			}
		})
	}
	var atKill, beforeRestart, atRestart, end Stats
	g.Go(func() error {
		defer close(stop)
		waitCalls := func(n int64) error {
			for target := calls.Load() + n; calls.Load() < target; {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(time.Millisecond):
				}
			}
			return nil
		}
		if err := waitCalls(300); err != nil {
			return err
		}
		atKill = r.Stats()
		srv.Kill()
		if err := waitCalls(300); err != nil {
			return err
		}
		beforeRestart = r.Stats()
		if err := srv.Restart(); err != nil {
			return err
		}
		atRestart = r.Stats()
		for deadline := time.Now().Add(5 * time.Second); r.Stats().Hits < atRestart.Hits+200; {
			if time.Now().After(deadline) {
				return fmt.Errorf("hits did not resume within 5s of the restart: %+v", r.Stats())
			}
			time.Sleep(time.Millisecond)
		}
		end = r.Stats()
		return nil
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls around a Redis restart; at kill %+v; at restart %+v; end %+v", calls.Load(), atKill, atRestart, end)
	if beforeRestart.BackendErrors-atKill.BackendErrors < 300 || beforeRestart.BreakerTrips <= atKill.BreakerTrips {
		t.Error("the outage does not show in Stats")
	}
	// Calls already past their read when Redis died may still count a hit.
	if n := beforeRestart.Hits - atKill.Hits; n > workers {
		t.Errorf("%d hits while Redis was dead", n)
	}
}

func TestRedisTimeoutFromClient(t *testing.T) {
	tests := []struct {
		name string
		o    redis.Options
		want bool
	}{
		{"default client: context timer", redis.Options{Addr: "127.0.0.1:1"}, false},
		{"short timeouts, no retries: the client bounds calls", redis.Options{Addr: "127.0.0.1:1",
			DialTimeout: 50 * time.Millisecond, ReadTimeout: 50 * time.Millisecond, MaxRetries: -1}, true},
		{"short timeouts with retries: context timer", redis.Options{Addr: "127.0.0.1:1",
			DialTimeout: 50 * time.Millisecond, ReadTimeout: 50 * time.Millisecond}, false},
		{"no read timeout: context timer", redis.Options{Addr: "127.0.0.1:1",
			DialTimeout: 50 * time.Millisecond, ReadTimeout: -1, MaxRetries: -1}, false},
	}
	for _, tt := range tests {
		c := redis.NewClient(&tt.o)
		r, err := NewRedis(c, RedisOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r.bounded != tt.want {
			t.Errorf("%s: bounded = %v", tt.name, r.bounded)
		}
		c.Close()
	}
}

// TestRedisHungFailsFast pauses Redis (it accepts connections and never
// answers): the first calls give up after the per-call timeout, the
// breaker then fails the rest at once, every GetOrLoad still returns the
// loaded value, and the cache works again once Redis answers.
func TestRedisHungFailsFast(t *testing.T) {
	srv := testredis.Start(t)
	if !srv.Own() {
		t.Skip("needs redis-server on PATH to pause it")
	}
	ctx := context.Background()
	const timeout = 100 * time.Millisecond
	r, _ := newTestRedis(t, srv, RedisOptions{Timeout: timeout, Breaker: BreakerOptions{Failures: 3, Cooldown: 200 * time.Millisecond}})
	if r.bounded {
		t.Fatal("test client's timeouts should leave the per-call timeout to the context")
	}
	load := func(context.Context) (string, error) { return "loaded", nil }
	if _, err := GetOrLoad(ctx, r, "k", time.Minute, load); err != nil {
		t.Fatal(err)
	}
	if err := srv.Pause(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Resume() })
	start := time.Now()
	var slowest time.Duration
	for i := range 50 {
		t0 := time.Now()
		v, err := GetOrLoad(ctx, r, "k", time.Minute, load)
		if err != nil || v != "loaded" {
			t.Fatalf("call %d with Redis hung: %q, %v", i, v, err)
		}
		slowest = max(slowest, time.Since(t0))
	}
	took := time.Since(start)
	s := r.Stats()
	t.Logf("50 calls with Redis hung: %v, slowest %v; %d trips, %d rejections", took, slowest, s.BreakerTrips, s.BreakerRejections)
	if slowest > 5*timeout {
		t.Errorf("a call waited %v on a hung Redis; the timeout is %v", slowest, timeout)
	}
	if s.BreakerTrips == 0 || s.BreakerRejections < 40 {
		t.Errorf("breaker: %d trips, %d rejections; want it open for most calls", s.BreakerTrips, s.BreakerRejections)
	}
	if err := srv.Resume(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "hits after Redis answers again", func() bool {
		before := r.Stats().Hits
		_, err := GetOrLoad(ctx, r, "k", time.Minute, load)
		return err == nil && r.Stats().Hits > before
	})
}

// TestRedisEviction fills a Redis limited to 2 MB with LRU eviction: Redis
// drops entries, and GetOrLoad reloads the dropped ones and returns the
// right values for all.
func TestRedisEviction(t *testing.T) {
	srv := testredis.StartWith(t, "--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru")
	if !srv.Own() {
		t.Skip("needs redis-server on PATH to limit its memory")
	}
	ctx := context.Background()
	r, client := newTestRedis(t, srv, RedisOptions{})
	value := func(i int) string { return fmt.Sprintf("%05d%s", i, strings.Repeat("x", 4000)) }
	var loads atomic.Int64
	get := func(i int) string {
		v, err := GetOrLoad(ctx, r, fmt.Sprint("k", i), time.Hour, func(context.Context) (string, error) {
			loads.Add(1)
			return value(i), nil
		})
		if err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
		return v
	}
	const n = 2000 // 8 MB of values into 2 MB
	for i := range n {
		if get(i) != value(i) {
			t.Fatalf("key %d: wrong value", i)
		}
	}
	info := client.Info(ctx, "stats").Val()
	if !strings.Contains(info, "evicted_keys:") || strings.Contains(info, "evicted_keys:0\r") {
		t.Fatalf("Redis evicted nothing: %q", info)
	}
	// The oldest keys were evicted and are reloaded; the newest are hits.
	reloads := func(from, to int) int64 {
		before := loads.Load()
		for i := from; i < to; i++ {
			if get(i) != value(i) {
				t.Fatalf("key %d after eviction: wrong value", i)
			}
		}
		return loads.Load() - before
	}
	newest := reloads(n-50, n)
	oldest := reloads(0, 50)
	// Redis's LRU is approximate (it samples), hence the loose bounds.
	if newest > 20 || oldest < 40 {
		t.Errorf("reloaded %d of the 50 newest keys and %d of the 50 oldest; want few and nearly all", newest, oldest)
	}
	reloaded := newest + oldest
	t.Logf("%d of 100 keys reloaded after Redis evicted them", reloaded)
}
