package etl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/frame"
)

// recordsAPI serves n records {"id": i, "name": "r<i>"} with every
// pagination scheme:
//
//	/all                  all records in {"data": [...]}
//	/pages?page=&per_page= page numbers (from 1)
//	/offset?offset=&limit= offsets
//	/cursor?cursor=       {"data": [...], "meta": {"next": "..."}}, 3 per page
//	/link?p=              Link: <...>; rel="next", 3 per page
func recordsAPI(n int) http.Handler {
	rec := func(i int) map[string]any { return map[string]any{"id": i, "name": fmt.Sprintf("r%d", i)} }
	slice := func(from, to int) []map[string]any {
		out := []map[string]any{}
		for i := from; i < to && i < n; i++ {
			out = append(out, rec(i))
		}
		return out
	}
	write := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/all", func(w http.ResponseWriter, r *http.Request) { write(w, map[string]any{"data": slice(0, n)}) })
	mux.HandleFunc("/pages", func(w http.ResponseWriter, r *http.Request) {
		p, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		write(w, map[string]any{"data": slice((p-1)*size, p*size)})
	})
	mux.HandleFunc("/offset", func(w http.ResponseWriter, r *http.Request) {
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		lim, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		write(w, map[string]any{"data": slice(off, off+lim)})
	})
	mux.HandleFunc("/cursor", func(w http.ResponseWriter, r *http.Request) {
		from, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		var next any
		if from+3 < n {
			next = strconv.Itoa(from + 3)
		}
		write(w, map[string]any{"data": slice(from, from+3), "meta": map[string]any{"next": next}})
	})
	mux.HandleFunc("/link", func(w http.ResponseWriter, r *http.Request) {
		from, _ := strconv.Atoi(r.URL.Query().Get("p"))
		if from+3 < n {
			w.Header().Set("Link", fmt.Sprintf(`</link?p=%d>; rel="next", </link?p=0>; rel="first"`, from+3))
		}
		write(w, map[string]any{"data": slice(from, from+3)})
	})
	return mux
}

func readHTTP(t *testing.T, x *HTTPExtractor) (*frame.Frame, error) {
	t.Helper()
	var frames []*frame.Frame
	err := x.Extract(context.Background(), func(f *frame.Frame) error { frames = append(frames, f); return nil })
	if err != nil || len(frames) == 0 {
		return nil, err
	}
	return frame.Concat(frames...)
}

func idsOf(t *testing.T, f *frame.Frame) string {
	t.Helper()
	if f == nil {
		return "[]"
	}
	ids, err := f.Float("id")
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(ids)
}

func TestHTTPPagination(t *testing.T) {
	srv := httptest.NewServer(recordsAPI(10))
	defer srv.Close()
	want := "[0 1 2 3 4 5 6 7 8 9]"
	tests := []struct {
		name  string
		path  string
		pages Pages
		reqs  int64
	}{
		{"none", "/all", Pages{}, 1},
		{"page numbers", "/pages", Pages{Kind: PageNumber, Size: 3}, 4},
		{"page numbers, exact multiple", "/pages", Pages{Kind: PageNumber, Size: 5}, 3},
		{"offsets", "/offset", Pages{Kind: Offset, Size: 4}, 3},
		{"cursor", "/cursor", Pages{Kind: Cursor, CursorField: "meta.next"}, 4},
		{"link header", "/link", Pages{Kind: Link}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := HTTPJSON(HTTPOptions{Records: RecordOptions{Records: "data", BatchRows: 4}, Pages: tt.pages, Concurrency: 3}, srv.URL+tt.path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := readHTTP(t, x)
			if err != nil {
				t.Fatal(err)
			}
			if got := idsOf(t, f); got != want {
				t.Errorf("ids %s, want %s", got, want)
			}
			st := x.Stats()
			if st.Rows != 10 || st.Records != 10 || st.Batches != 3 {
				t.Errorf("stats %+v", st)
			}
			// Addressable pages are fetched a few ahead: at most
			// Concurrency+1 requests past the last page.
			if st.Requests < tt.reqs || st.Requests > tt.reqs+4 {
				t.Errorf("%d requests, want %d (+ up to 4 ahead)", st.Requests, tt.reqs)
			}
		})
	}
	// MaxPages stops early.
	x, _ := HTTPJSON(HTTPOptions{Records: RecordOptions{Records: "data"}, Pages: Pages{Kind: Cursor, CursorField: "meta.next", MaxPages: 2}}, srv.URL+"/cursor")
	if f, err := readHTTP(t, x); err != nil || idsOf(t, f) != "[0 1 2 3 4 5]" {
		t.Errorf("max pages: %v %s", err, idsOf(t, f))
	}
}

// TestHTTPManyURLsInOrder fetches endpoints that answer in reverse order
// of their index: the output keeps the URL order, and no more than
// Concurrency requests are in flight.
func TestHTTPManyURLsInOrder(t *testing.T) {
	var inFlight, peak atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		i, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/city/"))
		time.Sleep(time.Duration(10-i) * 3 * time.Millisecond)
		fmt.Fprintf(w, `[{"id": %d, "temp": %d.5}]`, i, i)
	}))
	defer srv.Close()
	var urls []string
	for i := range 10 {
		urls = append(urls, fmt.Sprintf("%s/city/%d", srv.URL, i))
	}
	x, err := HTTPJSON(HTTPOptions{Concurrency: 3}, urls...)
	if err != nil {
		t.Fatal(err)
	}
	f, err := readHTTP(t, x)
	if err != nil {
		t.Fatal(err)
	}
	if got := idsOf(t, f); got != "[0 1 2 3 4 5 6 7 8 9]" {
		t.Errorf("order %s", got)
	}
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak in flight %d, want 2..3", p)
	}
}

func TestHTTPFaults(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		n := hits[r.URL.Path]
		mu.Unlock()
		ok := func() { fmt.Fprint(w, `[{"id": 1}]`) }
		switch r.URL.Path {
		case "/flaky": // two 500s, then fine
			if n <= 2 {
				http.Error(w, "oops", http.StatusInternalServerError)
				return
			}
			ok()
		case "/throttled": // 429 with Retry-After: 1, then fine
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			ok()
		case "/slow": // first answer too slow for the timeout
			if n == 1 {
				select {
				case <-time.After(2 * time.Second):
				case <-r.Context().Done():
				}
				return
			}
			ok()
		case "/drop": // connection dropped mid-body, then fine
			if n == 1 {
				w.Header().Set("Content-Length", "100")
				w.Write([]byte(`[{"id":`))
				hj, _ := w.(http.Hijacker)
				conn, _, _ := hj.Hijack()
				conn.Close()
				return
			}
			ok()
		case "/down":
			http.Error(w, "down", http.StatusServiceUnavailable)
		case "/missing":
			http.NotFound(w, r)
		case "/malformed":
			fmt.Fprint(w, `[{"id": 1}, {"id":`)
		case "/huge":
			fmt.Fprint(w, `[{"id": "`+strings.Repeat("x", 2000)+`"}]`)
		case "/far-retry":
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "later", http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	opts := HTTPOptions{Backoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Timeout: 200 * time.Millisecond, MaxBodyBytes: 1000}
	tests := []struct {
		path     string
		ok       bool
		requests int64
		check    func(error) bool
	}{
		{"/flaky", true, 3, nil},
		{"/throttled", true, 2, nil},
		{"/slow", true, 2, nil},
		{"/drop", true, 2, nil},
		{"/down", false, 4, func(err error) bool {
			var he *HTTPError
			return errors.As(err, &he) && he.Status == 503 && strings.Contains(err.Error(), "after 3 retries")
		}},
		{"/missing", false, 1, func(err error) bool {
			var he *HTTPError
			return errors.As(err, &he) && he.Status == 404
		}},
		{"/malformed", false, 1, func(err error) bool { return errors.Is(err, ErrJSON) }},
		{"/huge", false, 1, func(err error) bool { return errors.Is(err, ErrTooLarge) }},
		{"/far-retry", false, 1, func(err error) bool { return strings.Contains(err.Error(), "Retry-After") }},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			x, err := HTTPJSON(opts, srv.URL+tt.path)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			f, err := readHTTP(t, x)
			if tt.ok {
				if err != nil || idsOf(t, f) != "[1]" {
					t.Fatalf("err %v", err)
				}
			} else if err == nil || !tt.check(err) {
				t.Fatalf("err %v", err)
			}
			if st := x.Stats(); st.Requests != tt.requests || st.Retries != tt.requests-1 {
				t.Errorf("%d requests (%d retries), want %d", st.Requests, st.Retries, tt.requests)
			}
			if tt.path == "/throttled" && time.Since(start) < 900*time.Millisecond {
				t.Errorf("Retry-After not honoured: %v", time.Since(start))
			}
		})
	}
}

func TestHTTPRateLimitCacheCancel(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		fmt.Fprintf(w, `[{"path": %q}]`, r.URL.Path)
	}))
	defer srv.Close()
	var urls []string
	for i := range 6 {
		urls = append(urls, fmt.Sprintf("%s/u%d", srv.URL, i))
	}
	// 50 requests a second, burst 1: six requests take at least 100ms.
	x, _ := HTTPJSON(HTTPOptions{Rate: 50, Burst: 1, Concurrency: 6}, urls...)
	start := time.Now()
	if _, err := readHTTP(t, x); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("rate limit not applied: 6 requests in %v", d)
	}

	// A cache in front: the second run asks the API nothing.
	mem, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	requests.Store(0)
	for run := range 2 {
		x, _ := HTTPJSON(HTTPOptions{Cache: mem, CacheTTL: time.Minute}, urls...)
		f, err := readHTTP(t, x)
		if err != nil || f.NumRows() != 6 {
			t.Fatalf("run %d: %v", run, err)
		}
		st := x.Stats()
		if run == 1 && (st.CacheHits != 6 || st.Requests != 0) {
			t.Errorf("second run: %+v", st)
		}
	}
	if n := requests.Load(); n != 6 {
		t.Errorf("%d requests over two cached runs, want 6", n)
	}
	// A failing cache is read as a miss, counted, and never fails the run.
	x, _ = HTTPJSON(HTTPOptions{Cache: brokenCache{}}, urls...)
	if f, err := readHTTP(t, x); err != nil || f.NumRows() != 6 || x.Stats().CacheErrors != 12 {
		t.Errorf("broken cache: %v, %+v", err, x.Stats())
	}

	// Cancelling stops every request promptly.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	x, _ = HTTPJSON(HTTPOptions{Concurrency: 4}, slow.URL+"/a", slow.URL+"/b", slow.URL+"/c")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	if err := x.Extract(ctx, func(*frame.Frame) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancel: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancel took %v", d)
	}
	// Bad options.
	for _, o := range []HTTPOptions{{Pages: Pages{Kind: Offset}}, {Pages: Pages{Kind: Cursor}}, {Concurrency: -1}} {
		if _, err := HTTPJSON(o, srv.URL); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if _, err := HTTPJSON(HTTPOptions{}, "ftp://x"); !errors.Is(err, ErrOptions) {
		t.Errorf("ftp: %v", err)
	}
}

type brokenCache struct{}

func (brokenCache) Get(context.Context, string) ([]byte, bool, error) {
	return nil, false, errors.New("cache down")
}
func (brokenCache) Set(context.Context, string, []byte, time.Duration) error {
	return errors.New("cache down")
}
