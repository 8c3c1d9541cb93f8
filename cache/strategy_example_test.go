package cache_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mlpipe/mlpipe/cache"
)

// ExampleGetOrLoad_stampede: 100 goroutines miss the same key at once;
// singleflight makes them share one load.
func ExampleGetOrLoad_stampede() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()

	var loads atomic.Int64
	release := make(chan struct{})
	slow := func(ctx context.Context) (float64, error) {
		loads.Add(1)
		<-release // a slow upstream, still answering when the others arrive
		return 21.5, nil
	}
	var wg sync.WaitGroup
	var sum atomic.Int64
	for range 100 {
		wg.Go(func() {
			v, err := cache.GetOrLoad(ctx, m, "forecast:oslo", time.Minute, slow)
			if err == nil {
				sum.Add(int64(v * 10))
			}
		})
	}
	for m.Stats().Misses < 100 { // every caller has missed and is waiting
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	fmt.Println("loads:", loads.Load(), "callers served:", sum.Load()/215)
	// Output:
	// loads: 1 callers served: 100
}

// ExampleBreakerOptions: Redis is down. Every call still gets its value
// from the loader; the first calls fail fast, then the breaker opens and
// the others do not wait for Redis at all. The outage shows in Stats.
func ExampleBreakerOptions() {
	ctx := context.Background()
	client, _ := cache.NewRedisClient(cache.RedisClientOptions{Addrs: []string{"127.0.0.1:1"}}) // nothing listens there
	defer client.Close()
	r, _ := cache.NewRedis(client, cache.RedisOptions{Breaker: cache.BreakerOptions{Failures: 3, Cooldown: time.Minute}})

	load := func(ctx context.Context) (string, error) { return "from the database", nil }
	for range 5 {
		v, err := cache.GetOrLoad(ctx, r, "user:42", time.Minute, load)
		fmt.Println(v, err)
	}
	s := r.Stats()
	fmt.Printf("loads %d, backend errors %d, breaker trips %d, calls refused by the open breaker %d\n",
		s.Loads, s.BackendErrors, s.BreakerTrips, s.BreakerRejections)
	fmt.Println("available:", r.Available())
	// Output:
	// from the database <nil>
	// from the database <nil>
	// from the database <nil>
	// from the database <nil>
	// from the database <nil>
	// loads 5, backend errors 5, breaker trips 1, calls refused by the open breaker 2
	// available: false
}
