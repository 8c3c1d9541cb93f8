package cache

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/internal/testredis"
)

// newTestTiered returns a Tiered over a fresh Memory and r, ready to
// receive invalidations.
func newTestTiered(t *testing.T, back Cache, o TieredOptions) *Tiered {
	t.Helper()
	tc, err := NewTiered(newMemory(t, MemoryOptions{}), back, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tc.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := tc.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return tc
}

// eventually polls cond for up to 2s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 2s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestNewTieredBadOptions(t *testing.T) {
	m := newMemory(t, MemoryOptions{})
	for _, tt := range []struct {
		name  string
		front *Memory
		back  Cache
		o     TieredOptions
	}{
		{"nil front", nil, m, TieredOptions{}},
		{"nil back", m, nil, TieredOptions{}},
		{"negative front ttl", m, m, TieredOptions{FrontTTL: -1}},
	} {
		if tc, err := NewTiered(tt.front, tt.back, tt.o); err == nil {
			tc.Close()
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func TestTieredInvalidationAcrossProcesses(t *testing.T) {
	srv := testredis.Start(t)
	ctx := context.Background()
	prefix := testPrefix(t)
	// Two processes: each its own client, Redis and Tiered over one server.
	ra, _ := newTestRedis(t, srv, RedisOptions{Prefix: prefix})
	rb, _ := newTestRedis(t, srv, RedisOptions{Prefix: prefix})
	a := newTestTiered(t, ra, TieredOptions{})
	b := newTestTiered(t, rb, TieredOptions{})

	if err := a.Set(ctx, "k", []byte("v1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	get := func(c *Tiered) string {
		v, ok, err := c.Get(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return "<miss>"
		}
		return string(v)
	}
	if v := get(b); v != "v1" {
		t.Fatalf("b reads %q, want v1 from the back tier", v)
	}
	if v := get(b); v != "v1" || b.Stats().FrontHits != 1 {
		t.Fatalf("b's second read %q, front hits %d; want a front hit", v, b.Stats().FrontHits)
	}
	if err := a.Set(ctx, "k", []byte("v2"), time.Minute); err != nil {
		t.Fatal(err)
	}
	eventually(t, "b sees a's write", func() bool { return get(b) == "v2" })
	if b.Stats().Invalidations == 0 {
		t.Error("b counted no invalidation")
	}
	if a.Stats().Invalidations != 0 {
		t.Error("a acted on its own invalidation")
	}
	if err := a.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "b sees a's delete", func() bool { return get(b) == "<miss>" })

	// Batches: b fills its front from one MGET, a's SetMany invalidates it.
	if err := a.SetMany(ctx, map[string][]byte{"x": []byte("1"), "y": []byte("1")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	got, err := b.GetMany(ctx, []string{"x", "y", "z"})
	if err != nil || len(got) != 2 {
		t.Fatalf("GetMany = %v, %v", got, err)
	}
	if err := a.SetMany(ctx, map[string][]byte{"x": []byte("2")}, time.Minute); err != nil {
		t.Fatal(err)
	}
	eventually(t, "b sees a's batch write", func() bool {
		got, err := b.GetMany(ctx, []string{"x", "y"})
		return err == nil && string(got["x"]) == "2" && string(got["y"]) == "1"
	})
}

func TestTieredFrontTTLBoundedByBack(t *testing.T) {
	srv := testredis.Start(t)
	ctx := context.Background()
	r, _ := newTestRedis(t, srv, RedisOptions{})
	tc := newTestTiered(t, r, TieredOptions{FrontTTL: time.Hour})
	if err := r.Set(ctx, "k", []byte("v"), 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := tc.Get(ctx, "k"); !ok || err != nil {
		t.Fatalf("Get: %v, %v", ok, err)
	}
	time.Sleep(350 * time.Millisecond)
	if _, ok, err := tc.Get(ctx, "k"); ok || err != nil {
		t.Errorf("front kept the entry past its back expiry: %v, %v", ok, err)
	}
}

func TestTieredRedisDown(t *testing.T) {
	srv := testredis.Start(t)
	if !srv.Own() {
		t.Skip("needs redis-server on PATH to kill it")
	}
	ctx := context.Background()
	r, _ := newTestRedis(t, srv, RedisOptions{Breaker: BreakerOptions{Failures: 2, Cooldown: 50 * time.Millisecond}})
	var logged syncBuffer
	tc := newTestTiered(t, r, TieredOptions{Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	load := func(context.Context) (string, error) { return "loaded", nil }
	if _, err := GetOrLoad(ctx, tc, "warm", time.Minute, load); err != nil {
		t.Fatal(err)
	}
	srv.Kill()
	// The subscription breaks: the front is cleared, since invalidations
	// may be lost. Until then, the front still answers.
	eventually(t, "front cleared after the subscription broke", func() bool { return tc.front.Len() == 0 })
	eventually(t, "broken subscription logged", func() bool { return strings.Contains(logged.String(), "subscription broke") })
	if _, _, err := tc.Get(ctx, "cold"); err == nil {
		t.Error("front miss with the back down: no error")
	}
	for range 20 {
		v, err := GetOrLoad(ctx, tc, "warm", time.Minute, load)
		if err != nil || v != "loaded" {
			t.Fatalf("GetOrLoad with Redis down: %q, %v", v, err)
		}
	}
	if s := tc.Stats(); s.BackendErrors < 20 || s.BreakerTrips == 0 {
		t.Errorf("Stats with Redis down = %+v", s)
	}
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "tiered cache works after the restart", func() bool {
		_, err := GetOrLoad(ctx, tc, "warm", time.Minute, load)
		_, ok, gerr := tc.Get(ctx, "warm")
		return err == nil && gerr == nil && ok
	})
}

func TestTieredOverMemoryBack(t *testing.T) {
	ctx := context.Background()
	back := &flakyCache{m: newMemory(t, MemoryOptions{})}
	tc := newTestTiered(t, back, TieredOptions{})
	if err := tc.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	back.down.Store(true)
	if v, ok, err := tc.Get(ctx, "k"); err != nil || !ok || string(v) != "v" {
		t.Errorf("front hit with the back down: %q, %v, %v", v, ok, err)
	}
	if err := tc.Set(ctx, "k", []byte("w"), time.Minute); !errors.Is(err, errBackendDown) {
		t.Errorf("Set with the back down: %v", err)
	}
	if _, ok, _ := tc.front.Get(ctx, "k"); ok {
		t.Error("failed Set left the old value in the front")
	}
}
