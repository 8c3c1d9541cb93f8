package etl

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestHTTPPersistentFaults: an API that keeps failing — 500s, 429s (with
// Retry-After in seconds or as a date), a body that trickles past the
// timeout, connections reset before or during the response — is retried
// exactly Retries times with bounded backoff, then the extraction returns a
// clear error naming the URL and the retries, well within the time the
// limits allow.
func TestHTTPPersistentFaults(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/500":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/429":
			w.Header().Set("Retry-After", "0")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "/429-date":
			w.Header().Set("Retry-After", time.Now().Add(-time.Second).UTC().Format(http.TimeFormat))
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case "/trickle": // headers at once, then a byte every 50ms
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			for _, c := range []byte(`[{"id": 1}, {"id": 2}, {"id": 3}]`) {
				w.Write([]byte{c})
				w.(http.Flusher).Flush()
				select {
				case <-time.After(50 * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
		case "/reset-early": // connection closed before any response
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case "/reset-body": // connection closed mid-body
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(`[{"id": 1}, {"id"`))
			w.(http.Flusher).Flush()
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}
	}))
	defer srv.Close()
	opts := HTTPOptions{Retries: 2, Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Timeout: 300 * time.Millisecond}
	for _, tt := range []struct {
		path  string
		check func(error) bool
	}{
		{"/500", func(err error) bool { var he *HTTPError; return errors.As(err, &he) && he.Status == 500 }},
		{"/429", func(err error) bool { var he *HTTPError; return errors.As(err, &he) && he.Status == 429 }},
		{"/429-date", func(err error) bool { var he *HTTPError; return errors.As(err, &he) && he.Status == 429 }},
		{"/trickle", func(err error) bool { return strings.Contains(err.Error(), "deadline exceeded") }},
		{"/reset-early", func(err error) bool { return strings.Contains(err.Error(), "EOF") }},
		{"/reset-body", func(err error) bool { return strings.Contains(err.Error(), "reading body") }},
	} {
		t.Run(tt.path, func(t *testing.T) {
			x, err := HTTPJSON(opts, srv.URL+tt.path)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = readHTTP(t, x)
			took := time.Since(start)
			if err == nil || !tt.check(err) {
				t.Fatalf("error %v", err)
			}
			if !strings.Contains(err.Error(), srv.URL+tt.path) || !strings.Contains(err.Error(), "after 2 retries") {
				t.Errorf("error does not name the URL and the retries: %v", err)
			}
			if st := x.Stats(); st.Requests != 3 || st.Retries != 2 || st.Rows != 0 {
				t.Errorf("stats %+v, want 3 requests, 2 retries, no rows", st)
			}
			// 3 attempts of at most Timeout each, and 2 waits of at most
			// MaxBackoff, plus slack for a loaded machine.
			if limit := 3*opts.Timeout + 2*opts.MaxBackoff + 2*time.Second; took > limit {
				t.Errorf("took %v, limit %v", took, limit)
			}
		})
	}
}

// TestHTTPPaginationGuards: a Link or cursor that leads back to a page
// already fetched ends with ErrPageLoop instead of looping forever, and a
// Link to another server ends with ErrForeignLink without a request to it
// (so the request headers, credentials included, never reach it).
func TestHTTPPaginationGuards(t *testing.T) {
	var mu sync.Mutex
	var foreignHits int
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		foreignHits++
		mu.Unlock()
		fmt.Fprint(w, `[{"id": 9}]`)
	}))
	defer foreign.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/link-loop": // a → b → a
			next := "/link-loop?p=b"
			if r.URL.Query().Get("p") == "b" {
				next = "/link-loop?p=a"
			}
			w.Header().Set("Link", "<"+next+`>; rel="next"`)
			fmt.Fprint(w, `[{"id": 1}]`)
		case "/cursor-loop": // the same cursor forever
			fmt.Fprint(w, `{"data": [{"id": 1}], "next": "same"}`)
		case "/foreign":
			w.Header().Set("Link", "<"+foreign.URL+`/steal>; rel="next"`)
			fmt.Fprint(w, `[{"id": 1}]`)
		}
	}))
	defer srv.Close()
	for _, tt := range []struct {
		path  string
		pages Pages
		rec   string
		want  error
	}{
		{"/link-loop?p=a", Pages{Kind: Link}, "", ErrPageLoop},
		{"/cursor-loop", Pages{Kind: Cursor, CursorField: "next"}, "data", ErrPageLoop},
		{"/foreign", Pages{Kind: Link}, "", ErrForeignLink},
	} {
		t.Run(tt.path, func(t *testing.T) {
			x, err := HTTPJSON(HTTPOptions{Pages: tt.pages, Records: RecordOptions{Records: tt.rec},
				Header: http.Header{"Authorization": {"Bearer secret"}}}, srv.URL+tt.path)
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { _, err := readHTTP(t, x); done <- err }()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("pagination did not stop")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if x.Stats().Requests > 3 {
				t.Errorf("%d requests", x.Stats().Requests)
			}
		})
	}
	if foreignHits != 0 {
		t.Fatalf("the other server got %d requests", foreignHits)
	}
}

// TestHTTPGzipBomb: a response compressed with Content-Encoding: gzip is
// bounded by MaxBodyBytes after decompression: 2 MB of records sent as a
// few kilobytes fail with ErrTooLarge, without being read whole.
func TestHTTPGzipBomb(t *testing.T) {
	var packed bytes.Buffer
	zw := gzip.NewWriter(&packed)
	zw.Write([]byte("["))
	rec := []byte(strings.Repeat(`{"id": 1},`, 1000))
	for range 200 {
		zw.Write(rec)
	}
	zw.Write([]byte(`{"id": 1}]`))
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		w.Write(packed.Bytes())
	}))
	defer srv.Close()
	if packed.Len() > 100<<10 {
		t.Fatalf("compressed to %d bytes", packed.Len())
	}
	x, err := HTTPJSON(HTTPOptions{MaxBodyBytes: 1 << 20, Retries: -1}, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readHTTP(t, x); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
	// Within the bound the same body reads.
	x, _ = HTTPJSON(HTTPOptions{MaxBodyBytes: 4 << 20, Retries: -1}, srv.URL)
	if f, err := readHTTP(t, x); err != nil || f.NumRows() != 200_001 {
		t.Fatalf("within the bound: %v", err)
	}
}
