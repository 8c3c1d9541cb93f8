package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/internal/testredis"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// small is a configuration that runs in well under a second.
func small(t *testing.T, cacheKind, redisAddr string) config {
	return config{cities: 4, pages: 3, perPage: 10, latency: 20 * time.Millisecond, throttle: 5,
		concurrency: 12, rate: 1000, ttl: time.Minute, cacheKind: cacheKind, redisAddr: redisAddr,
		dbPath: filepath.Join(t.TempDir(), "weather.db")}
}

// check runs the example with c and checks what every run must show: the
// same rows each time, the concurrent run faster, the cold run all misses,
// the warm one all hits without a request, and SQLite holding every row once.
func check(t *testing.T, c config) (*summary, string) {
	t.Helper()
	var out bytes.Buffer
	s, err := run(context.Background(), c, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	text := out.String()
	pages := uint64(c.cities * c.pages)
	rows := int64(c.cities * c.pages * c.perPage)
	for _, r := range []result{s.Sequential, s.Concurrent, s.Cold, s.Warm} {
		if r.Rows != rows {
			t.Errorf("%s run loaded %d rows, want %d", r.Name, r.Rows, rows)
		}
	}
	// Times depend on the machine's load; what makes the concurrent run
	// faster does not: requests in flight at once, within the bound.
	if s.Sequential.Peak != 1 || s.Concurrent.Peak < 2 || s.Concurrent.Peak > int64(c.concurrency) {
		t.Errorf("requests in flight at once: sequential %d (want 1), concurrent %d (want 2 to %d)", s.Sequential.Peak, s.Concurrent.Peak, c.concurrency)
	}
	// Every 5th of 12 pages is refused once: 2 retries in each run that asks the API.
	for _, r := range []result{s.Sequential, s.Concurrent, s.Cold} {
		if r.HTTP.Retries != 2 || r.HTTP.Requests != int64(pages)+2 {
			t.Errorf("%s run: %d requests, %d retries; want %d and 2", r.Name, r.HTTP.Requests, r.HTTP.Retries, pages+2)
		}
	}
	if s.Cold.Cache.Hits != 0 || s.Cold.Cache.Misses != pages {
		t.Errorf("cold run: %d hits, %d misses; want 0 and %d", s.Cold.Cache.Hits, s.Cold.Cache.Misses, pages)
	}
	if s.Warm.Cache.Hits != pages || s.Warm.Cache.Misses != 0 || s.Warm.HTTP.Requests != 0 || s.Warm.HTTP.CacheHits != int64(pages) {
		t.Errorf("warm run: %d hits, %d misses, %d requests; want %d hits only", s.Warm.Cache.Hits, s.Warm.Cache.Misses, s.Warm.HTTP.Requests, pages)
	}
	if s.Cold.Cache.BackendErrors+s.Warm.Cache.BackendErrors != 0 {
		t.Errorf("cache errors: cold %+v warm %+v", s.Cold.Cache, s.Warm.Cache)
	}
	if s.TableRows != int(rows) {
		t.Errorf("SQLite holds %d rows, want %d", s.TableRows, rows)
	}
	for _, want := range []string{"sequential (1 at a time)", "speed-up of the concurrent run", "cold cache", "warm cache",
		"not one request to the API", "SQLite table observations holds 120 rows (120 expected)"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	return s, text
}

func TestMemoryCache(t *testing.T) {
	s, _ := check(t, small(t, "memory", ""))
	if s.CacheName != "memory" || s.Fallback != "" {
		t.Errorf("cache %q, fallback %q", s.CacheName, s.Fallback)
	}
}

func TestRedisCache(t *testing.T) {
	srv := testredis.Start(t)
	s, text := check(t, small(t, "redis", srv.Addr()))
	if s.CacheName != "redis "+srv.Addr() || s.Fallback != "" {
		t.Errorf("cache %q, fallback %q", s.CacheName, s.Fallback)
	}
	if !strings.Contains(text, "cache: redis "+srv.Addr()) {
		t.Errorf("report does not name Redis:\n%s", text)
	}
	// A second invocation against the same Redis starts cold again.
	s2, _ := check(t, small(t, "redis", srv.Addr()))
	if s2.Cold.Cache.Hits != 0 {
		t.Errorf("second invocation's cold run had %d hits", s2.Cold.Cache.Hits)
	}
}

// TestRedisDown: with Redis unreachable the example says so and runs on
// the memory cache.
func TestRedisDown(t *testing.T) {
	s, text := check(t, small(t, "redis", "127.0.0.1:1"))
	if s.CacheName != "memory" || !strings.Contains(s.Fallback, "unreachable") || !strings.Contains(text, "using the memory cache instead") {
		t.Errorf("cache %q, fallback %q\n%s", s.CacheName, s.Fallback, text)
	}
}

func TestFlags(t *testing.T) {
	var stderr bytes.Buffer
	c, err := parse(nil, &stderr)
	if err != nil || c.cacheKind != "redis" || c.cities != 24 || c.dbPath != "" {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	for _, args := range [][]string{{"-cache", "disk"}, {"-cities", "0"}, {"-rate", "0"}, {"-latency", "-1s"}, {"extra"}} {
		if _, err := parse(args, &stderr); err == nil {
			t.Errorf("parse %q: no error", args)
		}
	}
}
