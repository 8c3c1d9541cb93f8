package cache_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/redis/go-redis/v9"
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

func ExamplePut() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	db := map[string]int{} // the source of truth

	// Write-through: the database first, then the cache.
	err := cache.Put(ctx, m, "stock:apples", 12, time.Hour, func(ctx context.Context, v int) error {
		db["apples"] = v
		return nil
	})
	fmt.Println(err, db)
	v, _ := cache.GetOrLoad(ctx, m, "stock:apples", time.Hour, func(context.Context) (int, error) {
		return 0, errors.New("not called: the value is cached")
	})
	fmt.Println(v, m.Stats().Hits)
	// Output:
	// <nil> map[apples:12]
	// 12 1
}

func ExampleNewWriteBehind() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	flush := func(ctx context.Context, batch map[string]int) error {
		fmt.Println("store receives", len(batch), "rows:", slices.Sorted(maps.Keys(batch)))
		return nil
	}
	w, err := cache.NewWriteBehind(m, time.Hour, flush, cache.WriteBehindOptions{Interval: time.Minute})
	if err != nil {
		panic(err)
	}
	for i, k := range []string{"a", "b", "a", "c"} {
		_ = w.Put(ctx, k, i) // cached now, stored later; "a" twice is stored once
	}
	v, _ := cache.GetOrLoad(ctx, m, "a", time.Hour, func(context.Context) (int, error) { return -1, nil })
	fmt.Println("cache has a =", v, "before any flush; pending:", w.Pending())
	// Close flushes what is pending: nothing is lost on a clean shutdown.
	fmt.Println(w.Close(ctx), w.Stats().Flushed)
	// Output:
	// cache has a = 2 before any flush; pending: 3
	// store receives 3 rows: [a b c]
	// <nil> 3
}

func ExampleNewReadThrough() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	users, err := cache.NewReadThrough(m, 10*time.Minute, func(ctx context.Context, id string) (string, error) {
		fmt.Println("loading", id)
		return strings.ToUpper(id), nil
	})
	if err != nil {
		panic(err)
	}
	for _, id := range []string{"ada", "alan", "ada"} {
		name, _ := users.Get(ctx, id)
		fmt.Println(name)
	}
	// Output:
	// loading ada
	// ADA
	// loading alan
	// ALAN
	// ADA
}

func ExampleGetOrLoadMany() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	// Online features for a batch of users: one batched read, one load for
	// the misses, one batched write.
	features := func(ctx context.Context, ids []string) (map[string][]float64, error) {
		fmt.Println("computing", ids)
		out := map[string][]float64{}
		for _, id := range ids {
			out[id] = []float64{float64(len(id)), 1}
		}
		return out, nil
	}
	_, _ = cache.GetOrLoadMany(ctx, m, []string{"u1", "u22"}, time.Minute, features)
	got, _ := cache.GetOrLoadMany(ctx, m, []string{"u1", "u22", "u333"}, time.Minute, features)
	fmt.Println(got["u1"], got["u333"])
	// Output:
	// computing [u1 u22]
	// computing [u333]
	// [2 1] [4 1]
}

func ExampleNewNamespace() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	load := func(schema string) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { return "row in " + schema, nil }
	}
	v1, _ := cache.NewNamespace(m, "rows", 1)
	a, _ := cache.GetOrLoad(ctx, v1, "42", time.Hour, load("schema 1"))
	// The schema changed: bump the version and every old entry is out of reach.
	v2, _ := cache.NewNamespace(m, "rows", 2)
	b, _ := cache.GetOrLoad(ctx, v2, "42", time.Hour, load("schema 2"))
	fmt.Println(a, "|", b, "|", v2.Prefix())
	// Output:
	// row in schema 1 | row in schema 2 | rows:v2:
}

func ExampleInvalidateTags() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	version := 1
	predict := func(context.Context) (string, error) { return fmt.Sprint("prediction by model v", version), nil }
	get := func(key string) string {
		v, _ := cache.GetOrLoad(ctx, m, key, time.Hour, predict, cache.WithTags("model"))
		return v
	}
	fmt.Println(get("input:1"), "/", get("input:2"))
	// A new model is deployed: every prediction made by the old one is stale.
	version = 2
	_ = cache.InvalidateTags(ctx, m, "model")
	fmt.Println(get("input:1"), "/", get("input:2"))
	// Output:
	// prediction by model v1 / prediction by model v1
	// prediction by model v2 / prediction by model v2
}

func ExampleWithCodec() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	// Numeric slices default to the compact Numeric codec; any type can
	// ask for another codec.
	scores, _ := cache.GetOrLoad(ctx, m, "scores", time.Hour, func(context.Context) ([]float64, error) {
		return []float64{0.91, 0.12}, nil
	})
	names, _ := cache.GetOrLoad(ctx, m, "names", time.Hour, func(context.Context) ([]string, error) {
		return []string{"x1", "x2"}, nil
	}, cache.WithCodec(cache.JSON))
	fmt.Println(scores, names)
	// Output:
	// [0.91 0.12] [x1 x2]
}

// ExampleNewRedis needs a Redis server, so it is compiled but not run.
func ExampleNewRedis() {
	ctx := context.Background()
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 []string{"127.0.0.1:6379"}, // several for Cluster, MasterName for Sentinel
		ContextTimeoutEnabled: true,
		DialTimeout:           100 * time.Millisecond,
		ReadTimeout:           100 * time.Millisecond,
		WriteTimeout:          100 * time.Millisecond,
	})
	defer client.Close()
	r, err := cache.NewRedis(client, cache.RedisOptions{Prefix: "weather:"})
	if err != nil {
		panic(err)
	}
	temp, err := cache.GetOrLoad(ctx, r, "oslo", 10*time.Minute, func(ctx context.Context) (float64, error) {
		return -3.5, nil // an HTTP call to the weather API
	})
	// With Redis down, temp is still the loaded value; the outage is in r.Stats().
	fmt.Println(temp, err, r.Stats().BackendErrors)
}

// ExampleNewTiered needs a Redis server, so it is compiled but not run.
func ExampleNewTiered() {
	ctx := context.Background()
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer client.Close()
	back, _ := cache.NewRedis(client, cache.RedisOptions{Prefix: "features:"})
	front, _ := cache.NewMemory(cache.MemoryOptions{MaxBytes: 256 << 20})
	defer front.Close()
	tiered, err := cache.NewTiered(front, back, cache.TieredOptions{FrontTTL: 30 * time.Second})
	if err != nil {
		panic(err)
	}
	defer tiered.Close()
	// Reads hit process memory first; a Set here drops the other
	// processes' memory copies through Redis pub/sub.
	_ = tiered.Set(ctx, "user:1", []byte("[0.3,0.7]"), time.Hour)
	v, ok, err := tiered.Get(ctx, "user:1")
	fmt.Println(string(v), ok, err, tiered.Stats().FrontHits)
}

func ExampleFingerprint() {
	ctx := context.Background()
	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	// Cache a fitted step under its input data, its parameters and the
	// format version: a second fit of the same step on the same data reads
	// the fitted state instead of computing it.
	fit := func(x []float64, alpha float64) ([]float64, error) {
		key, err := cache.Fingerprint("scaler", x, map[string]any{"alpha": alpha}, 1)
		if err != nil {
			return nil, err
		}
		return cache.GetOrLoad(ctx, m, "fit:"+key, 24*time.Hour, func(context.Context) ([]float64, error) {
			fmt.Println("fitting")
			var sum float64
			for _, v := range x {
				sum += v
			}
			return []float64{sum / float64(len(x)), alpha}, nil
		})
	}
	a, _ := fit([]float64{1, 2, 3}, 0.5)
	b, _ := fit([]float64{1, 2, 3}, 0.5)
	c, _ := fit([]float64{1, 2, 4}, 0.5)
	fmt.Println(a, b, c)
	// Output:
	// fitting
	// fitting
	// [2 0.5] [2 0.5] [2.3333333333333335 0.5]
}

func ExampleNewTransport() {
	calls := 0
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		_, _ = io.WriteString(w, `{"city":"oslo","temp_c":-3.5}`)
	}))
	defer api.Close()

	m, _ := cache.NewMemory(cache.MemoryOptions{})
	defer m.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	tr, _ := cache.NewTransport(m, base, cache.TransportOptions{TTL: 10 * time.Minute})
	client := &http.Client{Transport: tr}

	for range 3 {
		resp, err := client.Get(api.URL + "/weather?city=oslo")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	s := m.Stats()
	fmt.Printf("upstream calls %d, cache hits %d, misses %d\n", calls, s.Hits, s.Misses)
	// Output:
	// 200 {"city":"oslo","temp_c":-3.5}
	// 200 {"city":"oslo","temp_c":-3.5}
	// 200 {"city":"oslo","temp_c":-3.5}
	// upstream calls 1, cache hits 2, misses 1
}
