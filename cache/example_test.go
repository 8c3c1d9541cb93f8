package cache_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mlpipe/mlpipe/cache"
)

func ExampleNewMemory() {
	ctx := context.Background()
	m, err := cache.NewMemory(cache.MemoryOptions{MaxEntries: 1000, MaxBytes: 1 << 20})
	if err != nil {
		panic(err)
	}
	defer m.Close()

	_ = m.Set(ctx, "greeting", []byte("hello"), time.Minute)
	v, ok, err := m.Get(ctx, "greeting")
	fmt.Printf("%s %v %v\n", v, ok, err)
	v, ok, err = m.Get(ctx, "absent")
	fmt.Printf("%q %v %v\n", v, ok, err)
	// Output:
	// hello true <nil>
	// "" false <nil>
}

func ExampleGetOrLoad() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()

	type weather struct {
		City  string
		TempC float64
	}
	fetch := func(ctx context.Context) (weather, error) {
		fmt.Println("fetching from the API")
		return weather{City: "Oslo", TempC: -3.5}, nil
	}
	for range 3 {
		w, err := cache.GetOrLoad(ctx, m, "weather:oslo", 10*time.Minute, fetch)
		if err != nil {
			panic(err)
		}
		fmt.Println(w.City, w.TempC)
	}
	s := m.Stats()
	fmt.Printf("hits %d, misses %d, loads %d\n", s.Hits, s.Misses, s.Loads)
	// Output:
	// fetching from the API
	// Oslo -3.5
	// Oslo -3.5
	// Oslo -3.5
	// hits 2, misses 1, loads 1
}

func ExampleWithNegativeTTL() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()

	lookup := func(ctx context.Context) (string, error) {
		fmt.Println("querying the database")
		return "", fmt.Errorf("user 42: %w", cache.ErrNotFound)
	}
	for range 2 {
		_, err := cache.GetOrLoad(ctx, m, "user:42", time.Hour, lookup, cache.WithNegativeTTL(time.Minute))
		fmt.Println(errors.Is(err, cache.ErrNotFound))
	}
	fmt.Println("negative hits:", m.Stats().NegativeHits)
	// Output:
	// querying the database
	// true
	// true
	// negative hits: 1
}

func ExampleNewAside() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	// A layer of its own, with its own counters and load timeout.
	layer := cache.NewAside(m, cache.AsideOptions{LoadTimeout: 5 * time.Second})

	square := func(n int) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { return n * n, nil }
	}
	for _, n := range []int{3, 4, 3} {
		v, _ := cache.GetOrLoad(ctx, layer, fmt.Sprint("square:", n), time.Minute, square(n))
		fmt.Println(v)
	}
	fmt.Printf("%+v\n", layer.Stats().HitRatio())
	// Output:
	// 9
	// 16
	// 9
	// 0.3333333333333333
}

func ExampleWithJitter() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	// Entries written together expire between 48 and 60 minutes later, not
	// all at once.
	for i := range 3 {
		_, _ = cache.GetOrLoad(ctx, m, fmt.Sprint("page:", i), time.Hour,
			func(context.Context) (int, error) { return i, nil }, cache.WithJitter(0.2))
	}
	fmt.Println(m.Stats().Loads)
	// Output:
	// 3
}

func ExampleWithEarlyRefresh() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	load := func(context.Context) (string, error) { return "report", nil }
	// Hot keys are reloaded in the background shortly before they expire,
	// so readers never wait for the load.
	v, err := cache.GetOrLoad(ctx, m, "daily-report", time.Hour, load, cache.WithEarlyRefresh(1))
	fmt.Println(v, err)
	// Output:
	// report <nil>
}
