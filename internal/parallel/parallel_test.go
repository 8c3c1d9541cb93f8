package parallel

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestForRunsEveryIndexWithinTheBound(t *testing.T) {
	const n, workers = 100, 3
	var running, peak atomic.Int32
	seen := make([]atomic.Int32, n)
	err := For(context.Background(), n, workers, func(ctx context.Context, i int) error {
		r := running.Add(1)
		for {
			p := peak.Load()
			if r <= p || peak.CompareAndSwap(p, r) {
				break
			}
		}
		time.Sleep(100 * time.Microsecond)
		seen[i].Add(1)
		running.Add(-1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range seen {
		if seen[i].Load() != 1 {
			t.Fatalf("index %d ran %d times", i, seen[i].Load())
		}
	}
	if p := peak.Load(); p > workers {
		t.Errorf("%d calls at once, bound %d", p, workers)
	}
}

func TestForFirstErrorStopsTheRest(t *testing.T) {
	boom := errors.New("boom")
	var calls atomic.Int32
	err := For(context.Background(), 1000, 2, func(ctx context.Context, i int) error {
		calls.Add(1)
		if i == 3 {
			return boom
		}
		time.Sleep(time.Millisecond)
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if c := calls.Load(); c > 10 {
		t.Errorf("%d calls started after the error", c)
	}
}

func TestForCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	err := For(ctx, 5, 2, func(context.Context, int) error { called = true; return nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Fatalf("err = %v, called = %v; want context.Canceled and no call", err, called)
	}
	ctx, cancel = context.WithCancel(context.Background())
	start := time.Now()
	go func() { time.Sleep(5 * time.Millisecond); cancel() }()
	err = For(ctx, 1_000_000, 2, func(ctx context.Context, i int) error {
		time.Sleep(time.Millisecond)
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned %v after cancellation", d)
	}
}

func TestChunks(t *testing.T) {
	for _, c := range []struct {
		n, size int
		want    [][2]int
	}{
		{0, 4, [][2]int{{0, 0}}},
		{3, 4, [][2]int{{0, 3}}},
		{8, 4, [][2]int{{0, 4}, {4, 8}}},
		{9, 4, [][2]int{{0, 4}, {4, 8}, {8, 9}}},
		{2, 0, [][2]int{{0, 1}, {1, 2}}},
	} {
		if got := Chunks(c.n, c.size); !slices.Equal(got, c.want) {
			t.Errorf("Chunks(%d, %d) = %v, want %v", c.n, c.size, got, c.want)
		}
	}
}
