package cache

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkMemoryGetParallel reads 4096 present keys from all cores.
func BenchmarkMemoryGetParallel(b *testing.B) {
	benchMemoryGet(b, MemoryOptions{})
}

// BenchmarkMemoryGetParallelPreciseClock is the same with the precise
// clock read on every Get (TimeResolution < 0).
func BenchmarkMemoryGetParallelPreciseClock(b *testing.B) {
	benchMemoryGet(b, MemoryOptions{TimeResolution: -1})
}

func benchMemoryGet(b *testing.B, o MemoryOptions) {
	ctx := context.Background()
	m := newMemory(b, o)
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%d", i)
		if err := m.Set(ctx, keys[i], []byte("value"), time.Hour); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok, _ := m.Get(ctx, keys[i&4095]); !ok {
				b.Error("miss")
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "gets/s")
}

// BenchmarkMemorySetParallel writes 4096 keys from all cores.
func BenchmarkMemorySetParallel(b *testing.B) {
	ctx := context.Background()
	m := newMemory(b, MemoryOptions{})
	keys := make([]string, 4096)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%d", i)
	}
	v := []byte("value")
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			_ = m.Set(ctx, keys[i&4095], v, time.Hour)
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sets/s")
}

// BenchmarkGetOrLoadMemoryHitParallel is the cache-aside read path on hits.
func BenchmarkGetOrLoadMemoryHitParallel(b *testing.B) {
	ctx := context.Background()
	m := newMemory(b, MemoryOptions{})
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%d", i)
		if _, err := GetOrLoad(ctx, m, keys[i], time.Hour, func(context.Context) (int, error) { return i, nil }); err != nil {
			b.Fatal(err)
		}
	}
	load := func(context.Context) (int, error) { return 0, nil }
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := GetOrLoad(ctx, m, keys[i&1023], time.Hour, load); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}
