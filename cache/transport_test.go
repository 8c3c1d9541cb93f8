package cache

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// weatherAPI is an upstream for the transport tests: it counts the calls
// per path and answers according to the path.
type weatherAPI struct {
	calls atomic.Int64
	srv   *httptest.Server
}

func newWeatherAPI(t *testing.T) *weatherAPI {
	w := &weatherAPI{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.calls.Add(1)
		switch r.URL.Path {
		case "/slow":
			time.Sleep(30 * time.Millisecond)
		case "/fail":
			http.Error(rw, "upstream broke", http.StatusInternalServerError)
			return
		case "/nostore":
			rw.Header().Set("Cache-Control", "no-store")
		case "/big":
			_, _ = rw.Write([]byte(strings.Repeat("x", 100)))
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(rw, `{"city":"`+r.URL.Query().Get("city")+`","lang":"`+r.Header.Get("Accept-Language")+`","method":"`+r.Method+`"}`)
	}))
	t.Cleanup(w.srv.Close)
	return w
}

func newCachingClient(t *testing.T, c Cache, o TransportOptions) *http.Client {
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	tr, err := NewTransport(c, base, o)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Transport: tr}
}

func fetchBody(t *testing.T, client *http.Client, method, url string, header http.Header) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), method, url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestTransport(t *testing.T) {
	api := newWeatherAPI(t)
	m := newMemory(t, MemoryOptions{})
	client := newCachingClient(t, m, TransportOptions{KeyHeaders: []string{"Accept-Language"}, MaxBody: 50})
	u := api.srv.URL
	oslo := `{"city":"oslo","lang":"","method":"GET"}`
	tests := []struct {
		name       string
		method     string
		url        string
		header     http.Header
		wantStatus int
		wantBody   string
		wantCalls  int64 // upstream calls made by this request
	}{
		{"cold GET goes upstream", "GET", u + "/w?city=oslo", nil, 200, oslo, 1},
		{"warm GET from the cache", "GET", u + "/w?city=oslo", nil, 200, oslo, 0},
		{"other query is another key", "GET", u + "/w?city=rome", nil, 200, `{"city":"rome","lang":"","method":"GET"}`, 1},
		{"key header is part of the key", "GET", u + "/w?city=oslo", http.Header{"Accept-Language": {"nb"}}, 200, `{"city":"oslo","lang":"nb","method":"GET"}`, 1},
		{"same key header hits", "GET", u + "/w?city=oslo", http.Header{"Accept-Language": {"nb"}}, 200, `{"city":"oslo","lang":"nb","method":"GET"}`, 0},
		{"POST passes through", "POST", u + "/w?city=oslo", nil, 200, `{"city":"oslo","lang":"","method":"POST"}`, 1},
		{"POST again passes through", "POST", u + "/w?city=oslo", nil, 200, `{"city":"oslo","lang":"","method":"POST"}`, 1},
		{"no-cache request bypasses", "GET", u + "/w?city=oslo", http.Header{"Cache-Control": {"no-cache"}}, 200, oslo, 1},
		{"error status passes through", "GET", u + "/fail", nil, 500, "upstream broke\n", 1},
		{"error status is not cached", "GET", u + "/fail", nil, 500, "upstream broke\n", 1},
		{"no-store response is not cached", "GET", u + "/nostore?city=x", nil, 200, `{"city":"x","lang":"","method":"GET"}`, 1},
		{"no-store response again", "GET", u + "/nostore?city=x", nil, 200, `{"city":"x","lang":"","method":"GET"}`, 1},
		{"body over MaxBody passes through whole", "GET", u + "/big", nil, 200, strings.Repeat("x", 100), 1},
		{"body over MaxBody is not cached", "GET", u + "/big", nil, 200, strings.Repeat("x", 100), 1},
	}
	for _, tt := range tests {
		before := api.calls.Load()
		status, body := fetchBody(t, client, tt.method, tt.url, tt.header)
		if status != tt.wantStatus || body != tt.wantBody {
			t.Errorf("%s: %d %q, want %d %q", tt.name, status, body, tt.wantStatus, tt.wantBody)
		}
		if got := api.calls.Load() - before; got != tt.wantCalls {
			t.Errorf("%s: %d upstream calls, want %d", tt.name, got, tt.wantCalls)
		}
	}
}

func TestTransportConcurrentAndCacheDown(t *testing.T) {
	api := newWeatherAPI(t)
	f := &flakyCache{m: newMemory(t, MemoryOptions{})}
	layer := NewAside(f, AsideOptions{})
	client := newCachingClient(t, layer, TransportOptions{})
	url := api.srv.URL + "/slow?city=oslo"
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if status, body := fetchBody(t, client, "GET", url, nil); status != 200 || !strings.Contains(body, "oslo") {
				t.Errorf("%d %q", status, body)
			}
		})
	}
	wg.Wait()
	if n := api.calls.Load(); n != 1 {
		t.Errorf("50 concurrent requests made %d upstream calls, want 1", n)
	}
	// The cache goes down: responses still come, from upstream.
	f.down.Store(true)
	for range 3 {
		if status, body := fetchBody(t, client, "GET", url, nil); status != 200 || !strings.Contains(body, "oslo") {
			t.Errorf("cache down: %d %q", status, body)
		}
	}
	if s := layer.Stats(); s.BackendErrors < 3 || api.calls.Load() != 4 {
		t.Errorf("cache down: %+v, %d upstream calls", s, api.calls.Load())
	}
}

func TestNewTransportBadInput(t *testing.T) {
	m := newMemory(t, MemoryOptions{})
	for _, tt := range []struct {
		name string
		c    Cache
		o    TransportOptions
	}{
		{"nil cache", nil, TransportOptions{}},
		{"negative ttl", m, TransportOptions{TTL: -1}},
		{"negative max body", m, TransportOptions{MaxBody: -1}},
		{"bad option", m, TransportOptions{Options: []Option{WithJitter(2)}}},
	} {
		if _, err := NewTransport(tt.c, nil, tt.o); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	var e httpEntry
	for _, bad := range [][]byte{nil, {0, 0, 0, 200, 0, 0, 0, 99}, {0, 0, 0, 200, 0, 0, 0, 1, '{'}} {
		if err := e.UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%v): no error", bad)
		}
	}
}
