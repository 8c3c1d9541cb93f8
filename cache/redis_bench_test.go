package cache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/internal/testredis"
	"github.com/redis/go-redis/v9"
)

const benchKeys = 1000

// benchRedis returns a Redis cache holding benchKeys raw values and the same
// keys under "aside:" written by GetOrLoad.
func benchRedis(b *testing.B) (*Redis, []string) {
	srv := testredis.Start(b)
	r, _ := newTestRedis(b, srv, RedisOptions{})
	ctx := context.Background()
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = fmt.Sprint("key:", i)
		if err := r.Set(ctx, keys[i], []byte(fmt.Sprintf("%q", fmt.Sprint("value-", i))), time.Hour); err != nil {
			b.Fatal(err)
		}
		if _, err := GetOrLoad(ctx, r, "aside:"+keys[i], time.Hour, func(context.Context) (string, error) {
			return fmt.Sprint("value-", i), nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	return r, keys
}

// BenchmarkRedisRawGet is go-redis GET, the baseline for GetOrLoad.
func BenchmarkRedisRawGet(b *testing.B) {
	r, keys := benchRedis(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := r.client.Get(ctx, r.prefix+keys[i%benchKeys]).Bytes(); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRedisGetOrLoadHit is GetOrLoad hitting Redis on the same keys:
// the cost of the layer over a raw GET.
func BenchmarkRedisGetOrLoadHit(b *testing.B) {
	r, keys := benchRedis(b)
	ctx := context.Background()
	load := func(context.Context) (string, error) { return "", fmt.Errorf("unexpected load") }
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := GetOrLoad(ctx, r, "aside:"+keys[i%benchKeys], time.Hour, load); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRedisGetMany reads 100 keys per MGET.
func BenchmarkRedisGetMany(b *testing.B) {
	r, keys := benchRedis(b)
	ctx := context.Background()
	const batch = 100
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		lo := (i * batch) % benchKeys
		got, err := r.GetMany(ctx, keys[lo:lo+batch])
		if err != nil || len(got) != batch {
			b.Fatalf("%d hits, %v", len(got), err)
		}
		i++
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "keys/s")
}

// BenchmarkRedisGetLoop reads the same 100 keys with one GET each.
func BenchmarkRedisGetLoop(b *testing.B) {
	r, keys := benchRedis(b)
	ctx := context.Background()
	const batch = 100
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		lo := (i * batch) % benchKeys
		for _, k := range keys[lo : lo+batch] {
			if _, ok, err := r.Get(ctx, k); err != nil || !ok {
				b.Fatal(ok, err)
			}
		}
		i++
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "keys/s")
}

// BenchmarkRedisGetOrLoadVsRaw interleaves a raw go-redis GET and a
// GetOrLoad hit on the same key in every iteration and reports the mean
// of each and the layer's overhead, so that both see the same machine load.
func BenchmarkRedisGetOrLoadVsRaw(b *testing.B) {
	r, keys := benchRedis(b)
	benchVsRaw(b, r, keys)
}

// BenchmarkRedisGetOrLoadVsRawTimer is BenchmarkRedisGetOrLoadVsRaw with
// a client whose own timeouts are go-redis's defaults, so that every call
// also sets up a context timer for RedisOptions.Timeout.
func BenchmarkRedisGetOrLoadVsRawTimer(b *testing.B) {
	r0, keys := benchRedis(b)
	client := redis.NewClient(&redis.Options{Addr: r0.client.(*redis.Client).Options().Addr, ContextTimeoutEnabled: true})
	defer client.Close()
	r, err := NewRedis(client, RedisOptions{Prefix: r0.prefix})
	if err != nil || r.bounded {
		b.Fatal("want a client with a context timer per call", err)
	}
	benchVsRaw(b, r, keys)
}

func benchVsRaw(b *testing.B, r *Redis, keys []string) {
	ctx := context.Background()
	load := func(context.Context) (string, error) { return "", fmt.Errorf("unexpected load") }
	var raw, aside time.Duration
	i := 0
	for b.Loop() {
		k := keys[i%benchKeys]
		t0 := time.Now()
		if _, err := r.client.Get(ctx, r.prefix+k).Bytes(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := GetOrLoad(ctx, r, "aside:"+k, time.Hour, load); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		raw += t1.Sub(t0)
		aside += t2.Sub(t1)
		i++
	}
	b.ReportMetric(float64(raw.Nanoseconds())/float64(b.N), "raw-ns/get")
	b.ReportMetric(float64(aside.Nanoseconds())/float64(b.N), "getorload-ns/get")
	b.ReportMetric(100*(float64(aside)/float64(raw)-1), "overhead-%")
}

// BenchmarkRedisSetMany writes 100 keys per pipelined batch.
func BenchmarkRedisSetMany(b *testing.B) {
	srv := testredis.Start(b)
	r, _ := newTestRedis(b, srv, RedisOptions{})
	ctx := context.Background()
	const batch = 100
	entries := make(map[string][]byte, batch)
	for i := range batch {
		entries[fmt.Sprint("key:", i)] = []byte("value")
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.SetMany(ctx, entries, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "keys/s")
}

// BenchmarkTieredGetParallel reads keys held in the memory tier of a
// Tiered cache over Redis.
func BenchmarkTieredGetParallel(b *testing.B) {
	srv := testredis.Start(b)
	r, _ := newTestRedis(b, srv, RedisOptions{})
	front := newMemory(b, MemoryOptions{})
	tc, err := NewTiered(front, r, TieredOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer tc.Close()
	ctx := context.Background()
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint("key:", i)
		if err := tc.Set(ctx, keys[i], []byte("value"), time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok, err := tc.Get(ctx, keys[i&1023]); !ok || err != nil {
				b.Error(ok, err)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "gets/s")
}

// BenchmarkRedisGetOrLoadMany is the serving lookup: 100 cached feature
// vectors per call, one MGET, decoded.
func BenchmarkRedisGetOrLoadMany(b *testing.B) {
	srv := testredis.Start(b)
	r, _ := newTestRedis(b, srv, RedisOptions{})
	ctx := context.Background()
	const batch = 100
	keys := make([]string, benchKeys)
	for i := range keys {
		keys[i] = fmt.Sprint("user:", i)
	}
	features := func(_ context.Context, missing []string) (map[string][]float64, error) {
		out := make(map[string][]float64, len(missing))
		for _, k := range missing {
			out[k] = []float64{1, 2, 3, 4, 5, 6, 7, 8}
		}
		return out, nil
	}
	if _, err := GetOrLoadMany(ctx, r, keys, time.Hour, features); err != nil {
		b.Fatal(err)
	}
	noLoad := func(context.Context, []string) (map[string][]float64, error) {
		return nil, fmt.Errorf("unexpected load")
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		lo := (i * batch) % benchKeys
		got, err := GetOrLoadMany(ctx, r, keys[lo:lo+batch], time.Hour, noLoad)
		if err != nil || len(got) != batch {
			b.Fatalf("%d values, %v", len(got), err)
		}
		i++
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "keys/s")
}
