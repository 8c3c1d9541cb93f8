package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"
)

// store is a source of truth for the write strategies' tests.
type store struct {
	mu      sync.Mutex
	rows    map[string]int
	batches []int // sizes of the batches received
	fail    bool
}

func (s *store) write(_ context.Context, key string, v int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errBackendDown
	}
	s.rows[key] = v
	return nil
}

func (s *store) flush(_ context.Context, batch map[string]int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errBackendDown
	}
	maps.Copy(s.rows, batch)
	s.batches = append(s.batches, len(batch))
	return nil
}

func (s *store) snapshot() (map[string]int, []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.rows), append([]int(nil), s.batches...)
}

func TestPutWriteThrough(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	db := &store{rows: map[string]int{}}
	write := func(key string) func(context.Context, int) error {
		return func(ctx context.Context, v int) error { return db.write(ctx, key, v) }
	}
	if err := Put(ctx, m, "a", 7, time.Minute, write("a")); err != nil {
		t.Fatal(err)
	}
	rows, _ := db.snapshot()
	if rows["a"] != 7 {
		t.Errorf("store holds %v", rows)
	}
	v, err := GetOrLoad(ctx, m, "a", time.Minute, func(context.Context) (int, error) { return 0, errors.New("unexpected load") })
	if err != nil || v != 7 {
		t.Errorf("GetOrLoad after Put = %v, %v; want a hit on 7", v, err)
	}
	// A failed write leaves the cache as it was.
	db.fail = true
	if err := Put(ctx, m, "a", 8, time.Minute, write("a")); !errors.Is(err, errBackendDown) {
		t.Errorf("failed write: %v", err)
	}
	if v, _ := GetOrLoad(ctx, m, "a", time.Minute, func(context.Context) (int, error) { return 0, nil }); v != 7 {
		t.Errorf("cache changed by a failed write: %v", v)
	}
	// A cache failure after a good write is counted, not returned.
	db.fail = false
	f := &flakyCache{m: newMemory(t, MemoryOptions{})}
	layer := NewAside(f, AsideOptions{})
	f.down.Store(true)
	if err := Put(ctx, layer, "b", 9, time.Minute, write("b")); err != nil {
		t.Errorf("cache down after a good write: %v", err)
	}
	if rows, _ := db.snapshot(); rows["b"] != 9 || layer.Stats().BackendErrors != 1 {
		t.Errorf("store %v, stats %+v", rows, layer.Stats())
	}
	for _, err := range []error{
		Put(ctx, nil, "k", 1, 0, nil),
		Put(ctx, m, "k", 1, -1, nil),
		Put(ctx, m, "k", func() {}, 0, nil),
	} {
		if err == nil {
			t.Error("bad Put: no error")
		}
	}
}

func TestWriteBehind(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	db := &store{rows: map[string]int{}}
	w, err := NewWriteBehind(m, time.Minute, db.flush, WriteBehindOptions{MaxBatch: 10, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	// Nine writes (one key twice): below the batch size, nothing flushed,
	// but the cache already answers.
	for i := range 8 {
		if err := w.Put(ctx, fmt.Sprint("k", i), i); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Put(ctx, "k0", 100); err != nil {
		t.Fatal(err)
	}
	if rows, _ := db.snapshot(); len(rows) != 0 {
		t.Errorf("flushed early: %v", rows)
	}
	if v, err := GetOrLoad(ctx, m, "k0", time.Minute, func(context.Context) (int, error) { return -1, nil }); v != 100 || err != nil {
		t.Errorf("cache after Put: %v, %v", v, err)
	}
	// Reaching MaxBatch pending keys starts a flush.
	for i := 8; i < 10; i++ {
		if err := w.Put(ctx, fmt.Sprint("k", i), i); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "batch flushed", func() bool { _, b := db.snapshot(); return len(b) == 1 })
	rows, batches := db.snapshot()
	if batches[0] != 10 || rows["k0"] != 100 || rows["k9"] != 9 {
		t.Errorf("store %v, batches %v; want one batch of 10 with k0=100", rows, batches)
	}
	// A failed flush keeps the writes; a newer write wins over the kept one.
	db.fail = true
	_ = w.Put(ctx, "x", 1)
	if err := w.Flush(ctx); !errors.Is(err, errBackendDown) {
		t.Fatalf("Flush with the store down: %v", err)
	}
	_ = w.Put(ctx, "x", 2)
	if w.Pending() != 1 {
		t.Errorf("Pending = %d, want 1", w.Pending())
	}
	db.fail = false
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if rows, _ := db.snapshot(); rows["x"] != 2 {
		t.Errorf("Close did not flush the newest write: x = %v", rows["x"])
	}
	s := w.Stats()
	if s.Puts != 13 || s.Flushed != 11 || s.Batches != 2 || s.FlushErrors != 1 || s.Pending != 0 {
		t.Errorf("Stats = %+v", s)
	}
	if err := w.Put(ctx, "y", 1); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after Close: %v", err)
	}
}

func TestWriteBehindIntervalAndBackpressure(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	db := &store{rows: map[string]int{}}
	var logged syncBuffer
	logger := slog.New(slog.NewTextHandler(&logged, nil))
	w, err := NewWriteBehind(m, 0, db.flush, WriteBehindOptions{MaxBatch: 100, Interval: 20 * time.Millisecond, MaxPending: 3, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close(ctx)
	_ = w.Put(ctx, "a", 1)
	eventually(t, "interval flush", func() bool { r, _ := db.snapshot(); return r["a"] == 1 })

	db.mu.Lock()
	db.fail = true
	db.mu.Unlock()
	for i := range 3 {
		if err := w.Put(ctx, fmt.Sprint("p", i), i); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Put(ctx, "over", 1); !errors.Is(err, ErrBackpressure) {
		t.Errorf("Put over MaxPending with the store down: %v", err)
	}
	eventually(t, "a failed background flush is logged", func() bool {
		return strings.Contains(logged.String(), "write-behind flush failed")
	})
	db.mu.Lock()
	db.fail = false
	db.mu.Unlock()
	if err := w.Put(ctx, "over", 1); err != nil {
		t.Errorf("Put once the store is back: %v", err)
	}
}

func TestNewWriteBehindBadInput(t *testing.T) {
	m := newMemory(t, MemoryOptions{})
	flush := func(context.Context, map[string]int) error { return nil }
	for _, tt := range []struct {
		name  string
		c     Cache
		flush func(context.Context, map[string]int) error
		ttl   time.Duration
		o     WriteBehindOptions
	}{
		{"nil cache", nil, flush, 0, WriteBehindOptions{}},
		{"nil flush", m, nil, 0, WriteBehindOptions{}},
		{"negative ttl", m, flush, -1, WriteBehindOptions{}},
		{"negative batch", m, flush, 0, WriteBehindOptions{MaxBatch: -1}},
	} {
		if w, err := NewWriteBehind(tt.c, tt.ttl, tt.flush, tt.o); err == nil {
			w.Close(context.Background())
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestReadThrough(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	calls := map[string]int{}
	var mu sync.Mutex
	rt, err := NewReadThrough(m, time.Minute, func(_ context.Context, key string) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		calls[key]++
		if key == "missing" {
			return "", ErrNotFound
		}
		return "v:" + key, nil
	}, WithNegativeTTL(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		for _, k := range []string{"a", "b"} {
			if v, err := rt.Get(ctx, k); err != nil || v != "v:"+k {
				t.Fatalf("Get(%q) = %q, %v", k, v, err)
			}
		}
		if _, err := rt.Get(ctx, "missing"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get(missing): %v", err)
		}
	}
	if calls["a"] != 1 || calls["b"] != 1 || calls["missing"] != 1 {
		t.Errorf("loads per key %v, want one each", calls)
	}
	if _, err := NewReadThrough[int](nil, 0, nil); err == nil {
		t.Error("nil arguments: no error")
	}
}

func TestGetOrLoadMany(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	var asked [][]string
	loadMany := func(_ context.Context, keys []string) (map[string]float64, error) {
		asked = append(asked, keys)
		out := map[string]float64{}
		for _, k := range keys {
			if k != "ghost" {
				out[k] = float64(len(k))
			}
		}
		return out, nil
	}
	keys := []string{"a", "bb", "ghost"}
	for i := range 2 {
		got, err := GetOrLoadMany(ctx, m, keys, time.Minute, loadMany, WithNegativeTTL(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got["a"] != 1 || got["bb"] != 2 {
			t.Errorf("call %d: %v", i, got)
		}
	}
	if len(asked) != 1 || len(asked[0]) != 3 {
		t.Errorf("loader asked %v, want once for all three keys", asked)
	}
	got, err := GetOrLoadMany(ctx, m, []string{"a", "ccc"}, time.Minute, loadMany)
	if err != nil || got["ccc"] != 3 || len(asked) != 2 || len(asked[1]) != 1 {
		t.Errorf("partial hit: %v, %v, asked %v", got, err, asked)
	}
	s := m.Stats()
	if s.Hits != 4 || s.NegativeHits != 1 || s.Misses != 4 || s.Loads != 2 || s.NotFound != 1 {
		t.Errorf("Stats = %+v", s)
	}
	// Backend down: all keys loaded, values returned, error counted.
	f := &flakyCache{m: newMemory(t, MemoryOptions{})}
	f.down.Store(true)
	layer := NewAside(f, AsideOptions{})
	got, err = GetOrLoadMany(ctx, layer, []string{"a", "bb"}, time.Minute, loadMany)
	if err != nil || len(got) != 2 || layer.Stats().BackendErrors != 1 || layer.Stats().Misses != 0 {
		t.Errorf("backend down: %v, %v, %+v", got, err, layer.Stats())
	}
	// Loader errors and bad input.
	if _, err := GetOrLoadMany(ctx, m, []string{"new"}, time.Minute, func(context.Context, []string) (map[string]float64, error) {
		return nil, errBackendDown
	}); !errors.Is(err, errBackendDown) {
		t.Errorf("loader error: %v", err)
	}
	if _, err := GetOrLoadMany[int](ctx, m, []string{"new2"}, time.Minute, nil); err == nil {
		t.Error("nil loader with misses: no error")
	}
	if _, err := GetOrLoadMany[int](ctx, nil, nil, 0, nil); err == nil {
		t.Error("nil cache: no error")
	}
	if got, err := GetOrLoadMany[int](ctx, m, nil, 0, nil); err != nil || len(got) != 0 {
		t.Errorf("no keys: %v, %v", got, err)
	}
}

// syncBuffer is a bytes.Buffer safe for a logger writing from another
// goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
