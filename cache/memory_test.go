package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func newMemory(t testing.TB, o MemoryOptions) *Memory {
	t.Helper()
	m, err := NewMemory(o)
	if err != nil {
		t.Fatalf("NewMemory(%+v): %v", o, err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestNewMemoryBadOptions(t *testing.T) {
	for _, o := range []MemoryOptions{{MaxEntries: -1}, {MaxBytes: -1}} {
		if m, err := NewMemory(o); err == nil {
			m.Close()
			t.Errorf("NewMemory(%+v): no error", o)
		}
	}
}

func TestMemoryGetSetDelete(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	tests := []struct {
		name    string
		do      func() error
		key     string
		want    []byte
		wantHit bool
	}{
		{"miss on empty cache", nil, "a", nil, false},
		{"hit after set", func() error { return m.Set(ctx, "a", []byte("1"), time.Minute) }, "a", []byte("1"), true},
		{"set replaces", func() error { return m.Set(ctx, "a", []byte("22"), 0) }, "a", []byte("22"), true},
		{"empty value is a hit", func() error { return m.Set(ctx, "e", nil, 0) }, "e", []byte{}, true},
		{"delete removes", func() error { return m.Delete(ctx, "a", "absent") }, "a", nil, false},
		{"other key untouched by delete", nil, "e", []byte{}, true},
	}
	for _, tt := range tests {
		if tt.do != nil {
			if err := tt.do(); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		got, hit, err := m.Get(ctx, tt.key)
		if err != nil || hit != tt.wantHit || !bytes.Equal(got, tt.want) {
			t.Errorf("%s: Get(%q) = %q, %v, %v; want %q, %v, nil", tt.name, tt.key, got, hit, err, tt.want, tt.wantHit)
		}
	}
}

func TestMemorySetCopiesValue(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	buf := []byte("abc")
	if err := m.Set(ctx, "k", buf, 0); err != nil {
		t.Fatal(err)
	}
	buf[0] = 'X'
	got, _, _ := m.Get(ctx, "k")
	if string(got) != "abc" {
		t.Errorf("value changed with the caller's buffer: %q", got)
	}
}

func TestMemoryBadTTL(t *testing.T) {
	m := newMemory(t, MemoryOptions{})
	err := m.Set(context.Background(), "k", []byte("v"), -time.Second)
	if !errors.Is(err, ErrInvalidTTL) {
		t.Errorf("Set with negative ttl: %v, want ErrInvalidTTL", err)
	}
}

func TestMemoryTTLExpiry(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	if err := m.Set(ctx, "short", []byte("v"), 150*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := m.Set(ctx, "forever", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if _, hit, _ := m.Get(ctx, "short"); !hit {
		t.Fatal("fresh entry missed")
	}
	time.Sleep(300 * time.Millisecond)
	if _, hit, _ := m.Get(ctx, "short"); hit {
		t.Error("expired entry still returned")
	}
	if _, hit, _ := m.Get(ctx, "forever"); !hit {
		t.Error("entry without expiry missed")
	}
}

func TestMemoryBounds(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		opts       MemoryOptions
		valueSize  int
		maxEntries int
	}{
		{"entries bound", MemoryOptions{MaxEntries: 100}, 10, 100},
		{"bytes bound", MemoryOptions{MaxBytes: 100 * (1000 + entryOverhead + 8)}, 1000, 100},
		{"tighter of both", MemoryOptions{MaxEntries: 50, MaxBytes: 1 << 20}, 10, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemory(t, tt.opts)
			val := make([]byte, tt.valueSize)
			for i := range 1000 {
				if err := m.Set(ctx, fmt.Sprintf("key%04d", i), val, 0); err != nil {
					t.Fatal(err)
				}
			}
			m.c.CleanUp()
			if n := m.Len(); n > tt.maxEntries {
				t.Errorf("Len = %d after 1000 sets, want <= %d", n, tt.maxEntries)
			}
			if ev := m.Stats().Evictions; ev < uint64(1000-tt.maxEntries) {
				t.Errorf("Evictions = %d, want >= %d", ev, 1000-tt.maxEntries)
			}
		})
	}
}

func TestMemoryClosed(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{})
	if err := m.Set(ctx, "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := m.Get(ctx, "k"); !errors.Is(err, ErrClosed) {
		t.Errorf("Get after Close: %v", err)
	}
	if err := m.Set(ctx, "k", nil, 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Set after Close: %v", err)
	}
	if err := m.Delete(ctx, "k"); !errors.Is(err, ErrClosed) {
		t.Errorf("Delete after Close: %v", err)
	}
}

func TestMemoryConcurrent(t *testing.T) {
	ctx := context.Background()
	m := newMemory(t, MemoryOptions{MaxEntries: 64})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := fmt.Sprintf("k%d", (i*7+g)%128)
				switch i % 3 {
				case 0:
					if err := m.Set(ctx, k, []byte(k), time.Minute); err != nil {
						t.Error(err)
						return
					}
				case 1:
					if v, hit, err := m.Get(ctx, k); err != nil || (hit && string(v) != k) {
						t.Errorf("Get(%q) = %q, %v, %v", k, v, hit, err)
						return
					}
				default:
					if err := m.Delete(ctx, k); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
