// Command api-cache extracts a paginated JSON API concurrently, with a
// bound and a rate limit, through a cache, and loads the rows into SQLite —
// the Go counterpart of an async Python fetcher with requests-cache.
//
//	go run ./examples/api-cache                      # Redis at 127.0.0.1:6379, or memory if it is down
//	go run ./examples/api-cache -cache memory -db weather.db
//
// It starts its own weather API on a loopback port (see weatherAPI): hourly
// observations of -cities cities, -pages pages of -per-page rows each, every
// request slowed by -latency, and one page in -throttle refused once with
// 429 and Retry-After, which the extractor honours before retrying. It reads
// the API's catalogue of cities, then runs the same extraction
// (etl.HTTPJSON, page-number pagination) into the same SQLite table
// (etl.NewSQLWriter, upsert on city and time) four times:
//
//  1. sequential: one request at a time, no cache;
//  2. concurrent: -concurrency requests at once, at most -rate per second,
//     no cache — its time against the sequential run is the speed-up;
//  3. cold: concurrent, through an empty cache (cache-aside by request URL,
//     each response kept for -ttl);
//  4. warm: the same again, answered from the cache without one request.
//
// and prints each run's time, requests, retries, cache hits and misses (from
// the cache's Stats) and rows, then the row count of the table.
//
// The cache is Redis at -redis (REDIS_ADDR when set, else 127.0.0.1:6379)
// unless -cache memory; when Redis does not answer, the example says so and
// uses the memory cache. Keys carry a prefix of their own for each
// invocation, so the cold run is cold in a shared Redis; they leave by their
// TTL.
//
// Flags:
//
//	-cities N        cities (endpoints) to extract (default 24)
//	-pages N         pages per city (default 4)
//	-per-page N      observations per page (default 48)
//	-latency D       the API's latency per request (default 25ms)
//	-throttle N      refuse every Nth page once with 429 (default 10; 0: never)
//	-retry-after D   the Retry-After of a refusal, whole seconds (default 0s:
//	                 retry after the client's own backoff, 50ms with jitter)
//	-concurrency N   requests in flight in the concurrent runs (default 16)
//	-rate R          requests per second at most (default 400)
//	-cache KIND      redis or memory (default redis)
//	-redis ADDR      the Redis address (default $REDIS_ADDR or 127.0.0.1:6379)
//	-ttl D           time to live of cached responses (default 10m)
//	-db PATH         the SQLite file (default: in a temporary directory,
//	                 removed at exit)
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/pipeline"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c, err := parse(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "api-cache:", err)
		os.Exit(2)
	}
	if _, err := run(ctx, c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "api-cache:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	cities, pages, perPage       int
	latency, retryAfter, ttl     time.Duration
	throttle, concurrency        int
	rate                         float64
	cacheKind, redisAddr, dbPath string
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("api-cache", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.cities, "cities", 24, "cities (endpoints) to extract")
	fs.IntVar(&c.pages, "pages", 4, "pages per city")
	fs.IntVar(&c.perPage, "per-page", 48, "observations per page")
	fs.DurationVar(&c.latency, "latency", 25*time.Millisecond, "the API's latency per request")
	fs.IntVar(&c.throttle, "throttle", 10, "refuse every Nth page once with 429 (0: never)")
	fs.DurationVar(&c.retryAfter, "retry-after", 0, "the Retry-After of a refusal (whole seconds)")
	fs.IntVar(&c.concurrency, "concurrency", 16, "requests in flight in the concurrent runs")
	fs.Float64Var(&c.rate, "rate", 400, "requests per second at most")
	fs.StringVar(&c.cacheKind, "cache", "redis", "cache: redis or memory")
	fs.StringVar(&c.redisAddr, "redis", cmp.Or(os.Getenv("REDIS_ADDR"), "127.0.0.1:6379"), "Redis address")
	fs.DurationVar(&c.ttl, "ttl", 10*time.Minute, "time to live of cached responses")
	fs.StringVar(&c.dbPath, "db", "", "SQLite file (default: in a temporary directory, removed at exit)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case fs.NArg() > 0:
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	case c.cities < 1 || c.pages < 1 || c.perPage < 1 || c.concurrency < 1:
		return c, errors.New("-cities, -pages, -per-page and -concurrency must be at least 1")
	case c.latency < 0 || c.retryAfter < 0 || c.ttl < 0 || c.throttle < 0 || c.rate <= 0:
		return c, errors.New("-latency, -retry-after, -ttl and -throttle must not be negative, -rate must be positive")
	case c.cacheKind != "redis" && c.cacheKind != "memory":
		return c, fmt.Errorf("-cache %q: want redis or memory", c.cacheKind)
	}
	return c, nil
}

// result is what one extraction run did.
type result struct {
	Name  string
	Took  time.Duration
	HTTP  etl.HTTPStats
	Cache cache.Stats // what this run added to the cache's counters; zero without a cache
	Rows  int64       // rows loaded into SQLite
	Peak  int64       // the most requests the API answered at once
}

// summary is what run did, for the report and the tests.
type summary struct {
	Rows                   int // observations the API serves
	Sequential, Concurrent result
	CacheName              string // "redis ADDR" or "memory"
	Fallback               string // why Redis was not used, when it was asked for
	Cold, Warm             result
	TableRows              int // rows in the SQLite table at the end
	Requests, Refused      int64
	SpeedUp, WarmSpeedUp   float64
	DBPath                 string
}

// run starts the API, runs the four extractions and writes the report to w.
func run(ctx context.Context, c config, w io.Writer) (*summary, error) {
	api := newWeatherAPI(c.cities, c.pages, c.perPage, c.latency, c.throttle, c.retryAfter)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: api.handler(), ReadHeaderTimeout: 5 * time.Second}
	var served errgroup.Group
	served.Go(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	})
	defer func() {
		srv.Close()
		served.Wait()
	}()
	base := "http://" + ln.Addr().String()

	urls, err := catalogue(ctx, base)
	if err != nil {
		return nil, err
	}
	s := &summary{Rows: c.cities * c.pages * c.perPage}
	fmt.Fprintf(w, "local weather API at %s: %d cities × %d pages × %d observations, %v per request", base, c.cities, c.pages, c.perPage, c.latency)
	if c.throttle > 0 {
		fmt.Fprintf(w, ", every %dth page refused once with 429 (Retry-After: %ds)", c.throttle, int(c.retryAfter/time.Second))
	}
	fmt.Fprintln(w)

	s.DBPath = c.dbPath
	if s.DBPath == "" {
		dir, err := os.MkdirTemp("", "api-cache")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		s.DBPath = filepath.Join(dir, "weather.db")
	}
	db, err := etl.OpenSQLite(s.DBPath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	fmt.Fprintf(w, "loading into SQLite %s, table observations (upsert on city, time)\n\n", s.DBPath)

	extract := func(name string, concurrency int, rc *cache.Aside) (result, error) {
		api.reset()
		r := result{Name: name}
		opts := etl.HTTPOptions{
			Records:     etl.RecordOptions{Records: "data", Name: "weather API"},
			Pages:       etl.Pages{Kind: etl.PageNumber, Size: c.perPage, MaxPages: c.pages},
			Concurrency: concurrency,
			Rate:        rate.Limit(c.rate),
			Burst:       concurrency,
			Backoff:     50 * time.Millisecond,
			Timeout:     10 * time.Second,
			CacheTTL:    c.ttl,
		}
		var before cache.Stats
		if rc != nil {
			opts.Cache = rc
			before = rc.Stats()
		}
		src, err := etl.HTTPJSON(opts, urls...)
		if err != nil {
			return r, err
		}
		sink, err := etl.NewSQLWriter(db, etl.SQLWriterOptions{Table: "observations", Create: true, Key: []string{"city", "time"}})
		if err != nil {
			return r, err
		}
		start := time.Now()
		rep, err := pipeline.To(pipeline.From[*frame.Frame](src, pipeline.Name("weather API")), sink, pipeline.Name("sqlite")).Run(ctx)
		r.Took = time.Since(start)
		if err != nil {
			return r, fmt.Errorf("%s run: %w", name, err)
		}
		r.HTTP, r.Rows, r.Peak = src.Stats(), rep.RowsOut, api.peak.Load()
		if rc != nil {
			r.Cache = delta(rc.Stats(), before)
		}
		return r, nil
	}

	if s.Sequential, err = extract("sequential", 1, nil); err != nil {
		return nil, err
	}
	if s.Concurrent, err = extract("concurrent", c.concurrency, nil); err != nil {
		return nil, err
	}
	s.SpeedUp = s.Sequential.Took.Seconds() / s.Concurrent.Took.Seconds()

	store, name, fallback, closeStore, err := openCache(ctx, c)
	if err != nil {
		return nil, err
	}
	defer closeStore()
	s.CacheName, s.Fallback = name, fallback
	rc := cache.NewAside(store, cache.AsideOptions{})
	if s.Cold, err = extract("cold cache", c.concurrency, rc); err != nil {
		return nil, err
	}
	if s.Warm, err = extract("warm cache", c.concurrency, rc); err != nil {
		return nil, err
	}
	s.WarmSpeedUp = s.Concurrent.Took.Seconds() / s.Warm.Took.Seconds()

	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM observations`).Scan(&s.TableRows); err != nil {
		return nil, fmt.Errorf("count rows: %w", err)
	}
	s.Requests, s.Refused = api.requests.Load(), api.refused.Load()
	report(w, c, s)
	return s, nil
}

// catalogue asks the API for its cities and returns the URL of each city's
// observations.
func catalogue(ctx context.Context, base string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/cities", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	defer resp.Body.Close()
	var cat struct {
		Cities []string `json:"cities"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&cat); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	urls := make([]string, len(cat.Cities))
	for i, city := range cat.Cities {
		urls[i] = base + "/v1/cities/" + url.PathEscape(city) + "/observations"
	}
	return urls, nil
}

// openCache returns the response cache c asks for: Redis, or memory when
// asked or when Redis does not answer (fallback then says why).
func openCache(ctx context.Context, c config) (store cache.Cache, name, fallback string, closeStore func(), err error) {
	memory := func() (cache.Cache, string, string, func(), error) {
		m, err := cache.NewMemory(cache.MemoryOptions{})
		if err != nil {
			return nil, "", "", nil, err
		}
		return m, "memory", fallback, func() { m.Close() }, nil
	}
	if c.cacheKind == "memory" {
		return memory()
	}
	client, err := cache.NewRedisClient(cache.RedisClientOptions{Addrs: []string{c.redisAddr}, Timeout: 500 * time.Millisecond})
	if err != nil {
		return nil, "", "", nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	perr := client.Ping(pctx).Err()
	cancel()
	if perr != nil {
		client.Close()
		fallback = fmt.Sprintf("Redis at %s is unreachable (%v): using the memory cache instead", c.redisAddr, perr)
		return memory()
	}
	// A prefix of this invocation's own: the cold run is cold even in a
	// Redis shared with earlier runs, whose entries leave by their TTL.
	prefix := fmt.Sprintf("mlpipe-api-cache:%d:", time.Now().UnixNano())
	r, err := cache.NewRedis(client, cache.RedisOptions{Prefix: prefix, Timeout: 500 * time.Millisecond})
	if err != nil {
		client.Close()
		return nil, "", "", nil, err
	}
	return r, "redis " + c.redisAddr, "", func() { client.Close() }, nil
}

// delta returns the counters of after that grew since before.
func delta(after, before cache.Stats) cache.Stats {
	return cache.Stats{
		Hits: after.Hits - before.Hits, Misses: after.Misses - before.Misses,
		BackendErrors: after.BackendErrors - before.BackendErrors,
		BackendCalls:  after.BackendCalls - before.BackendCalls, BackendTime: after.BackendTime - before.BackendTime,
	}
}

// rateBound returns the least time the rate limit allows n requests: the
// burst goes at once, the others at the rate.
func rateBound(n int64, c config) time.Duration {
	rest := max(0, n-int64(c.concurrency))
	return time.Duration(float64(rest) / c.rate * float64(time.Second)).Round(time.Millisecond)
}

// report prints the runs as a table.
func report(w io.Writer, c config, s *summary) {
	line := func(r result, hits, misses string) {
		fmt.Fprintf(w, "%-26s %9s %9d %9d %8d %6s %7s %7d\n", r.Name, r.Took.Round(time.Millisecond), r.HTTP.Requests, r.Peak, r.HTTP.Retries, hits, misses, r.Rows)
	}
	fmt.Fprintf(w, "%-26s %9s %9s %9s %8s %6s %7s %7s\n", "run", "time", "requests", "in flight", "retries", "hits", "misses", "rows")
	seq, conc := s.Sequential, s.Concurrent
	seq.Name = "sequential (1 at a time)"
	conc.Name = fmt.Sprintf("concurrent (%d, %g/s)", c.concurrency, c.rate)
	line(seq, "-", "-")
	line(conc, "-", "-")
	fmt.Fprintf(w, "speed-up of the concurrent run: %.1fx (the rate limit alone allows %d requests in no less than %v)\n\n",
		s.SpeedUp, s.Concurrent.HTTP.Requests, rateBound(s.Concurrent.HTTP.Requests, c))
	if s.Fallback != "" {
		fmt.Fprintln(w, s.Fallback)
	}
	fmt.Fprintf(w, "cache: %s (cache-aside by request URL, TTL %v)\n", s.CacheName, c.ttl)
	for _, r := range []result{s.Cold, s.Warm} {
		line(r, fmt.Sprint(r.Cache.Hits), fmt.Sprint(r.Cache.Misses))
	}
	fmt.Fprintf(w, "warm run against the uncached concurrent run: %.1fx faster", s.WarmSpeedUp)
	if s.Warm.HTTP.Requests == 0 && s.Warm.Cache.Misses == 0 {
		fmt.Fprint(w, ", not one request to the API")
	}
	fmt.Fprintln(w)
	if e := s.Cold.Cache.BackendErrors + s.Warm.Cache.BackendErrors; e > 0 {
		fmt.Fprintf(w, "cache errors (read as misses): %d\n", e)
	}
	fmt.Fprintf(w, "\nthe API answered %d requests (%d refused with 429); SQLite table observations holds %d rows (%d expected)\n",
		s.Requests, s.Refused, s.TableRows, s.Rows)
	if s.TableRows != s.Rows {
		fmt.Fprintln(w, "MISMATCH: the table does not hold every observation")
	}
}
