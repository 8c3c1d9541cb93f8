package cache

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var errBackendDown = errors.New("backend down")

// flakyCache is a Cache of another package's kind: it forwards to a Memory
// and fails every call while down is set.
type flakyCache struct {
	m    *Memory
	down atomic.Bool
	gets atomic.Int64
}

func (f *flakyCache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	f.gets.Add(1)
	if f.down.Load() {
		return nil, false, errBackendDown
	}
	return f.m.Get(ctx, key)
}

func (f *flakyCache) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if f.down.Load() {
		return errBackendDown
	}
	return f.m.Set(ctx, key, v, ttl)
}

func (f *flakyCache) Delete(ctx context.Context, keys ...string) error {
	if f.down.Load() {
		return errBackendDown
	}
	return f.m.Delete(ctx, keys...)
}

// countingLoader returns value after an optional wait for release, counting calls.
type countingLoader struct {
	calls   atomic.Int64
	release chan struct{}
	value   string
	err     error
}

func (l *countingLoader) load(ctx context.Context) (string, error) {
	l.calls.Add(1)
	if l.release != nil {
		select {
		case <-l.release:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return l.value, l.err
}

func TestGetOrLoadHitAfterLoad(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	l := &countingLoader{value: "v1"}
	for i := range 3 {
		v, err := GetOrLoad(ctx, m, "k", time.Minute, l.load)
		if err != nil || v != "v1" {
			t.Fatalf("call %d: %q, %v", i, v, err)
		}
	}
	s := m.Stats()
	want := Stats{Hits: 2, Misses: 1, Loads: 1}
	s.LoadTime = 0
	if s != want {
		t.Errorf("Stats = %+v, want %+v", s, want)
	}
	if l.calls.Load() != 1 {
		t.Errorf("loader called %d times", l.calls.Load())
	}
}

// concurrentMisses starts n callers of GetOrLoad on c for one key, lets the
// loader finish once all have started, and returns their results.
func concurrentMisses(t *testing.T, c Cache, n int, l *countingLoader) []string {
	t.Helper()
	var started, done sync.WaitGroup
	got := make([]string, n)
	errs := make([]error, n)
	l.release = make(chan struct{})
	a0, _, _ := layerFor(c, "")
	before := a0.n.hits.Load() + a0.n.misses.Load() + a0.n.backendErrors.Load()
	for i := range n {
		started.Add(1)
		done.Go(func() {
			started.Done()
			got[i], errs[i] = GetOrLoad(context.Background(), c, "hot", time.Minute, l.load)
		})
	}
	started.Wait()
	// Let every caller read the backend (counted by its layer), then reach
	// the flight, before the load may finish.
	a, _, _ := layerFor(c, "")
	reads := func() uint64 { return a.n.hits.Load() + a.n.misses.Load() + a.n.backendErrors.Load() }
	for deadline := time.Now().Add(5 * time.Second); reads() < before+uint64(n) && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(l.release)
	done.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
	}
	return got
}

func TestGetOrLoadConcurrentMissesLoadOnce(t *testing.T) {
	m := newMemory(t, MemoryOptions{})
	flaky := &flakyCache{m: newMemory(t, MemoryOptions{})}
	down := &flakyCache{m: newMemory(t, MemoryOptions{})}
	down.down.Store(true)
	downLayer := NewAside(down, AsideOptions{})
	tests := []struct {
		name  string
		cache Cache
	}{
		{"memory", m},
		{"wrapped foreign cache", NewAside(flaky, AsideOptions{})},
		{"unwrapped foreign cache", &flakyCache{m: newMemory(t, MemoryOptions{})}},
		{"backend down", downLayer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &countingLoader{value: "v"}
			for i, v := range concurrentMisses(t, tt.cache, 100, l) {
				if v != "v" {
					t.Fatalf("caller %d got %q", i, v)
				}
			}
			if n := l.calls.Load(); n != 1 {
				t.Errorf("100 concurrent misses called the loader %d times, want 1", n)
			}
		})
	}
	if s := downLayer.Stats(); s.BackendErrors != 100 || s.Loads != 1 || s.Misses != 0 {
		t.Errorf("backend down: Stats = %+v, want 100 backend errors, 1 load, 0 misses", s)
	}
	if s := m.Stats(); s.Misses != 100 || s.Loads != 1 {
		t.Errorf("memory: Stats = %+v, want 100 misses, 1 load", s)
	}
}

func TestGetOrLoadBackendDown(t *testing.T) {
	ctx := context.Background()
	f := &flakyCache{m: newMemory(t, MemoryOptions{})}
	a := NewAside(f, AsideOptions{})
	l := &countingLoader{value: "fresh"}
	if _, err := GetOrLoad(ctx, a, "k", time.Minute, l.load); err != nil {
		t.Fatal(err)
	}
	f.down.Store(true)
	for range 3 {
		v, err := GetOrLoad(ctx, a, "k", time.Minute, l.load)
		if err != nil || v != "fresh" {
			t.Fatalf("with backend down: %q, %v; want the loaded value", v, err)
		}
	}
	s := a.Stats()
	if s.BackendErrors != 3 || s.Loads != 4 || s.Hits != 0 || s.Misses != 1 {
		t.Errorf("Stats during outage = %+v, want 3 backend errors, 4 loads, 1 miss", s)
	}
	f.down.Store(false)
	if _, err := GetOrLoad(ctx, a, "k", time.Minute, l.load); err != nil {
		t.Fatal(err)
	}
	if s := a.Stats(); s.Hits != 1 || s.Loads != 4 {
		t.Errorf("after recovery: %+v, want a hit and no new load", s)
	}
}

func TestGetOrLoadCallerCancelDoesNotFailOthers(t *testing.T) {
	m := newMemory(t, MemoryOptions{})
	l := &countingLoader{value: "v", release: make(chan struct{})}
	cctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := GetOrLoad(cctx, m, "k", time.Minute, l.load)
		first <- err
	}()
	for l.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	second := make(chan string, 1)
	go func() {
		v, err := GetOrLoad(context.Background(), m, "k", time.Minute, l.load)
		if err != nil {
			v = "error: " + err.Error()
		}
		second <- v
	}()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller got %v, want context.Canceled", err)
	}
	close(l.release)
	if v := <-second; v != "v" {
		t.Errorf("other caller got %q, want the value", v)
	}
	if n := l.calls.Load(); n != 1 {
		t.Errorf("loader called %d times", n)
	}
}

func TestGetOrLoadLoadTimeout(t *testing.T) {
	m := newMemory(t, MemoryOptions{})
	l := &countingLoader{release: make(chan struct{})} // never released
	_, err := GetOrLoad(context.Background(), m, "k", time.Minute, l.load, WithLoadTimeout(20*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded", err)
	}
	if s := m.Stats(); s.LoadErrors != 1 {
		t.Errorf("LoadErrors = %d", s.LoadErrors)
	}
}

func TestGetOrLoadErrors(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	okLoad := func(context.Context) (int, error) { return 1, nil }
	tests := []struct {
		name    string
		c       Cache
		ttl     time.Duration
		load    func(context.Context) (int, error)
		opts    []Option
		wantIs  error
		wantMsg string
	}{
		{"nil cache", nil, 0, okLoad, nil, nil, "nil cache"},
		{"nil loader", m, 0, nil, nil, nil, "nil cache or loader"},
		{"negative ttl", m, -1, okLoad, nil, ErrInvalidTTL, "ttl"},
		{"jitter above 1", m, 0, okLoad, []Option{WithJitter(1.5)}, nil, "jitter"},
		{"jitter NaN", m, 0, okLoad, []Option{WithJitter(math.NaN())}, nil, "jitter"},
		{"negative beta", m, 0, okLoad, []Option{WithEarlyRefresh(-1)}, nil, "beta"},
		{"negative negative ttl", m, 0, okLoad, []Option{WithNegativeTTL(-1)}, ErrInvalidTTL, "negative ttl"},
		{"negative load timeout", m, 0, okLoad, []Option{WithLoadTimeout(-1)}, nil, "load timeout"},
		{"loader error", m, 0, func(context.Context) (int, error) { return 0, errBackendDown }, nil, errBackendDown, "load \"k\""},
		{"loader panic", m, 0, func(context.Context) (int, error) { panic("boom") }, nil, ErrLoadPanic, "boom"},
		{"unencodable value", m, 0, nil, nil, nil, "encode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.name == "unencodable value" {
				_, err = GetOrLoad(ctx, tt.c, "k2", 0, func(context.Context) (func(), error) { return func() {}, nil })
			} else {
				_, err = GetOrLoad(ctx, tt.c, "k", tt.ttl, tt.load, tt.opts...)
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) {
				t.Errorf("err = %v, want one containing %q and wrapping %v", err, tt.wantMsg, tt.wantIs)
			}
		})
	}
	// Failed loads are not cached.
	l := &countingLoader{err: errBackendDown}
	for range 2 {
		if _, err := GetOrLoad(ctx, m, "fails", time.Minute, l.load); err == nil {
			t.Fatal("no error")
		}
	}
	if n := l.calls.Load(); n != 2 {
		t.Errorf("failing loader called %d times in 2 calls, want 2", n)
	}
}

func TestGetOrLoadNegativeCaching(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	l := &countingLoader{err: fmt.Errorf("user 7: %w", ErrNotFound)}
	for i := range 3 {
		_, err := GetOrLoad(ctx, m, "user:7", time.Minute, l.load, WithNegativeTTL(200*time.Millisecond))
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("call %d: %v, want ErrNotFound", i, err)
		}
	}
	if n := l.calls.Load(); n != 1 {
		t.Errorf("loader called %d times within the negative ttl, want 1", n)
	}
	if s := m.Stats(); s.NegativeHits != 2 || s.NotFound != 1 || s.LoadErrors != 0 {
		t.Errorf("Stats = %+v", s)
	}
	time.Sleep(300 * time.Millisecond)
	l.err = nil
	l.value = "found"
	if v, err := GetOrLoad(ctx, m, "user:7", time.Minute, l.load, WithNegativeTTL(200*time.Millisecond)); err != nil || v != "found" {
		t.Errorf("after the negative ttl: %q, %v", v, err)
	}
	// Without the option, "not found" is not remembered.
	l2 := &countingLoader{err: ErrNotFound}
	for range 2 {
		_, _ = GetOrLoad(ctx, m, "user:8", time.Minute, l2.load)
	}
	if n := l2.calls.Load(); n != 2 {
		t.Errorf("without WithNegativeTTL the loader ran %d times, want 2", n)
	}
}

// point marshals itself as 16 little-endian bytes.
type point struct{ X, Y float64 }

func (p *point) MarshalBinary() ([]byte, error) {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint64(b, math.Float64bits(p.X))
	binary.LittleEndian.PutUint64(b[8:], math.Float64bits(p.Y))
	return b, nil
}

func (p *point) UnmarshalBinary(b []byte) error {
	if len(b) != 16 {
		return fmt.Errorf("point: %d bytes, want 16", len(b))
	}
	p.X = math.Float64frombits(binary.LittleEndian.Uint64(b))
	p.Y = math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))
	return nil
}

type upperCodec struct{}

func (upperCodec) Marshal(v any) ([]byte, error) { return []byte(strings.ToUpper(*v.(*string))), nil }
func (upperCodec) Unmarshal(b []byte, v any) error {
	*v.(*string) = strings.ToLower(string(b))
	return nil
}

func TestGetOrLoadCodecs(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	payload := func(key string) string {
		b, ok, err := m.Get(ctx, key)
		if err != nil || !ok {
			t.Fatalf("Get(%q): %v, %v", key, ok, err)
		}
		return string(b[envHeaderLen:])
	}

	p, err := GetOrLoad(ctx, m, "p", 0, func(context.Context) (point, error) { return point{1.5, -2}, nil })
	if err != nil || p != (point{1.5, -2}) {
		t.Fatalf("point: %v, %v", p, err)
	}
	want, _ := (&point{1.5, -2}).MarshalBinary()
	if got := payload("p"); got != string(want) {
		t.Errorf("BinaryMarshaler value stored as %q, want its binary form", got)
	}
	if p2, err := GetOrLoad(ctx, m, "p", 0, func(context.Context) (point, error) { return point{}, errBackendDown }); err != nil || p2 != p {
		t.Errorf("point from cache: %v, %v", p2, err)
	}

	type row struct {
		Name string
		Age  int
	}
	if _, err := GetOrLoad(ctx, m, "r", 0, func(context.Context) (row, error) { return row{"ada", 36}, nil }); err != nil {
		t.Fatal(err)
	}
	if got := payload("r"); got != `{"Name":"ada","Age":36}` {
		t.Errorf("struct stored as %q, want JSON", got)
	}

	if _, err := GetOrLoad(ctx, m, "s", 0, func(context.Context) (string, error) { return "quiet", nil }, WithCodec(upperCodec{})); err != nil {
		t.Fatal(err)
	}
	if got := payload("s"); got != "QUIET" {
		t.Errorf("WithCodec value stored as %q", got)
	}
	if s, err := GetOrLoad(ctx, m, "s", 0, func(context.Context) (string, error) { return "", errBackendDown }, WithCodec(upperCodec{})); err != nil || s != "quiet" {
		t.Errorf("WithCodec read: %q, %v", s, err)
	}
}

func TestGetOrLoadCorruptEntryReloads(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	if err := m.Set(ctx, "k", []byte("not an envelope"), 0); err != nil {
		t.Fatal(err)
	}
	l := &countingLoader{value: "v"}
	if v, err := GetOrLoad(ctx, m, "k", 0, l.load); err != nil || v != "v" {
		t.Fatalf("%q, %v", v, err)
	}
	if s := m.Stats(); s.Corrupt != 1 || s.Loads != 1 {
		t.Errorf("Stats = %+v, want 1 corrupt and 1 load", s)
	}
	if v, err := GetOrLoad(ctx, m, "k", 0, l.load); err != nil || v != "v" || l.calls.Load() != 1 {
		t.Errorf("reloaded entry not cached: %q, %v, %d loads", v, err, l.calls.Load())
	}
}

func TestGetOrLoadJitter(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	const ttl = time.Hour
	seen := map[int64]bool{}
	for i := range 20 {
		key := fmt.Sprint("j", i)
		before := time.Now()
		if _, err := GetOrLoad(ctx, m, key, ttl, func(context.Context) (int, error) { return i, nil }, WithJitter(0.2)); err != nil {
			t.Fatal(err)
		}
		b, _, _ := m.Get(ctx, key)
		env, err := decodeEnvelope(b)
		if err != nil {
			t.Fatal(err)
		}
		got := time.Duration(env.expires - before.UnixNano())
		if got > ttl || got < ttl*8/10-time.Second {
			t.Errorf("jittered ttl %v outside [0.8h, 1h]", got)
		}
		seen[int64(got/time.Millisecond)] = true
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct ttls in 20 jittered writes", len(seen))
	}
}

func TestGetOrLoadEarlyRefresh(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	var calls atomic.Int64
	load := func(context.Context) (int64, error) {
		time.Sleep(5 * time.Millisecond) // a load that takes a while
		return calls.Add(1), nil
	}
	// An entry whose recorded expiry has passed (the backend still holds
	// it): XFetch's test is then true whatever the random draw.
	old := envelope{expires: time.Now().Add(-time.Second).UnixNano(), delta: time.Millisecond, payload: []byte("1")}
	if err := m.Set(ctx, "k", old.encode(), time.Minute); err != nil {
		t.Fatal(err)
	}
	calls.Store(1)
	v, err := GetOrLoad(ctx, m, "k", time.Second, load, WithEarlyRefresh(1))
	if err != nil || v != 1 {
		t.Fatalf("hit returned %v, %v; want the cached 1 at once", v, err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for calls.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if s := m.Stats(); s.Refreshes != 1 || calls.Load() != 2 {
		t.Fatalf("Refreshes = %d, loads = %d; want 1 and 2", s.Refreshes, calls.Load())
	}
	// The refresh stored the new value.
	for time.Now().Before(deadline) {
		v, _, _ = decodeValueFrom[int64](t, m, "k")
		if v == 2 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if v != 2 {
		t.Errorf("after the refresh the cache holds %v, want 2", v)
	}
	// Far from expiry with a small beta: no refresh.
	if _, err := GetOrLoad(ctx, m, "far", time.Hour, load, WithEarlyRefresh(1)); err != nil {
		t.Fatal(err)
	}
	before := m.Stats().Refreshes
	for range 100 {
		if _, err := GetOrLoad(ctx, m, "far", time.Hour, load, WithEarlyRefresh(1)); err != nil {
			t.Fatal(err)
		}
	}
	if r := m.Stats().Refreshes; r != before {
		t.Errorf("entry an hour from expiry refreshed %d times", r-before)
	}
}

func decodeValueFrom[T any](t *testing.T, c Cache, key string) (T, envelope, error) {
	t.Helper()
	b, ok, err := c.Get(context.Background(), key)
	if err != nil || !ok {
		var zero T
		return zero, envelope{}, fmt.Errorf("get %q: %v %v", key, ok, err)
	}
	return decodeValue[T](b, JSON)
}

func TestRefreshDue(t *testing.T) {
	now := time.Unix(1000, 0)
	tests := []struct {
		name string
		env  envelope
		want bool
	}{
		{"no expiry", envelope{}, false},
		{"expired", envelope{expires: now.Add(-time.Second).UnixNano(), delta: time.Millisecond}, true},
		{"far from expiry", envelope{expires: now.Add(time.Hour).UnixNano(), delta: time.Millisecond}, false},
	}
	for _, tt := range tests {
		for range 100 {
			if got := refreshDue(tt.env, 1, now); got != tt.want {
				t.Errorf("%s: refreshDue = %v", tt.name, got)
				break
			}
		}
	}
}

func TestAsidePassThrough(t *testing.T) {
	ctx := context.Background()
	f := &flakyCache{m: newMemory(t, MemoryOptions{})}
	a := NewAside(f, AsideOptions{})
	if a.Backend() != f {
		t.Error("Backend() is not the wrapped cache")
	}
	if err := a.Set(ctx, "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := a.Get(ctx, "k"); err != nil || !ok || string(v) != "v" {
		t.Fatalf("Get = %q, %v, %v", v, ok, err)
	}
	if err := a.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := a.Get(ctx, "k"); ok {
		t.Fatal("deleted key found")
	}
	f.down.Store(true)
	_, _, gerr := a.Get(ctx, "k")
	serr := a.Set(ctx, "k", nil, 0)
	derr := a.Delete(ctx, "k")
	for _, err := range []error{gerr, serr, derr} {
		if !errors.Is(err, errBackendDown) {
			t.Errorf("error %v does not wrap the backend's", err)
		}
	}
	if s := a.Stats(); s.Hits != 1 || s.Misses != 1 || s.BackendErrors != 3 {
		t.Errorf("Stats = %+v", s)
	}
	var nilLayer = NewAside(nil, AsideOptions{})
	if _, _, err := nilLayer.Get(ctx, "k"); err == nil {
		t.Error("nil backend: no error")
	}
	if _, err := GetOrLoad(ctx, nilLayer, "k", 0, func(context.Context) (int, error) { return 1, nil }); err == nil {
		t.Error("GetOrLoad on nil backend: no error")
	}
}
