package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/testredis"
	"github.com/mlpipe/mlpipe/preprocess"
	"github.com/redis/go-redis/v9"
)

type servedResponse struct {
	Predictions []Prediction `json:"predictions"`
	Classes     []float64    `json:"classes"`
	Error       string       `json:"error"`
}

func post(t *testing.T, url, body string) (int, http.Header, servedResponse) {
	t.Helper()
	resp, err := http.Post(url+"/predict", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out servedResponse
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("response %q: %v", b, err)
	}
	return resp.StatusCode, resp.Header, out
}

func recordsJSON(t testing.TB, f *frame.Frame, rows ...int) string {
	t.Helper()
	var recs []map[string]any
	for _, i := range rows {
		rec := map[string]any{}
		for _, name := range f.Names() {
			c, _ := f.Col(name)
			rec[name] = c.Value(i)
		}
		recs = append(recs, rec)
	}
	b, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHandlerPredict(t *testing.T) {
	ctx := context.Background()
	fitted, data := fittedChurn(t)
	mem, _ := cache.NewMemory(cache.MemoryOptions{})
	defer mem.Close()
	h, err := Handler(fitted, ServeOptions{Cache: mem})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	head, _ := data.Slice(0, 4)
	want, _ := fitted.PredictProba(ctx, head)
	batch := recordsJSON(t, data, 0, 1, 2, 3)
	status, hdr, resp := post(t, srv.URL, batch)
	if status != 200 || len(resp.Predictions) != 4 || len(resp.Classes) != 2 || hdr.Get("X-Cache-Hits") != "0" {
		t.Fatalf("batch: %d %+v %v", status, resp, hdr)
	}
	for i, p := range resp.Predictions {
		if p.Probabilities[1] != want.At(i, 1) {
			t.Errorf("record %d: %v, want %v", i, p.Probabilities[1], want.At(i, 1))
		}
	}
	// The same records again come from the cache, one alone too.
	status, hdr, again := post(t, srv.URL, batch)
	if status != 200 || hdr.Get("X-Cache-Hits") != "4" || again.Predictions[2].Probabilities[1] != want.At(2, 1) {
		t.Errorf("cached batch: %d %v %+v", status, hdr, again)
	}
	one := strings.TrimSuffix(strings.TrimPrefix(recordsJSON(t, data, 1), "["), "]")
	status, hdr, single := post(t, srv.URL, one)
	if status != 200 || len(single.Predictions) != 1 || hdr.Get("X-Cache-Hits") != "1" || single.Predictions[0].Probabilities[1] != want.At(1, 1) {
		t.Errorf("single: %d %v %+v", status, hdr, single)
	}
	// Duplicates in one batch are predicted once and answered alike.
	status, _, dup := post(t, srv.URL, recordsJSON(t, data, 7, 7, 8))
	if status != 200 || len(dup.Predictions) != 3 || dup.Predictions[0].Probabilities[1] != dup.Predictions[1].Probabilities[1] {
		t.Errorf("duplicates: %d %+v", status, dup)
	}
	st := h.Stats()
	if st.Requests != 4 || st.Records != 12 || st.CacheHits != 5 || st.CacheMisses != 7 || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
	// healthz reports the artifact and the counters.
	resp2, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	var health map[string]any
	json.NewDecoder(resp2.Body).Decode(&health)
	resp2.Body.Close()
	inputs, _ := health["inputs"].([]any)
	if resp2.StatusCode != 200 || health["status"] != "ok" || health["artifact_sha256"] != h.ArtifactSHA256() || health["target"] != "churned" ||
		len(inputs) != 3 || fmt.Sprint(inputs[2]) != "map[kind:categorical name:plan]" {
		t.Errorf("healthz %d %v", resp2.StatusCode, health)
	}
}

func TestHandlerDrift(t *testing.T) {
	fitted, data := fittedChurn(t)
	h, _ := Handler(fitted, ServeOptions{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	post := func(body string) (int, DriftReport, string) {
		resp, err := http.Post(srv.URL+"/drift", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var rep DriftReport
		json.Unmarshal(b, &rep)
		return resp.StatusCode, rep, string(b)
	}
	rows := make([]int, 300)
	for i := range rows {
		rows[i] = i
	}
	status, rep, body := post(recordsJSON(t, data, rows...))
	if status != 200 || rep.Rows != 300 || len(rep.Columns) != 3 || len(rep.Drifted()) != 0 {
		t.Errorf("training rows: %d %s", status, body)
	}
	// The same rows, but every customer long-standing and on the pro plan:
	// tenure and plan drift, spend does not.
	var recs []map[string]any
	json.Unmarshal([]byte(recordsJSON(t, data, rows...)), &recs)
	for _, r := range recs {
		r["tenure"], r["plan"] = 59, "pro"
	}
	shifted, _ := json.Marshal(recs)
	status, rep, body = post(string(shifted))
	if status != 200 || strings.Join(rep.Drifted(), ",") != "tenure,plan" {
		t.Errorf("shifted rows: %d %s", status, body)
	}
	if status, _, body := post(`[{"tenure": 1}]`); status != 400 || !strings.Contains(body, "missing") {
		t.Errorf("bad record: %d %s", status, body)
	}
	// The window of recent traffic: empty, then the last 300 records.
	h3, _ := Handler(fitted, ServeOptions{DriftWindow: 300})
	get := func(h http.Handler) (int, DriftReport) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/drift", nil))
		var rep DriftReport
		json.Unmarshal(rec.Body.Bytes(), &rep)
		return rec.Code, rep
	}
	if code, _ := get(h3); code != http.StatusConflict {
		t.Errorf("empty window: %d", code)
	}
	predictBody := func(h http.Handler, body string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/predict", strings.NewReader(body)))
		if rec.Code != 200 {
			t.Fatalf("predict: %d %s", rec.Code, rec.Body)
		}
	}
	half := make([]int, 150)
	for i := range half {
		half[i] = i
	}
	predictBody(h3, recordsJSON(t, data, half...))
	if code, rep := get(h3); code != 200 || rep.Rows != 150 || len(rep.Drifted()) != 0 {
		t.Errorf("window of training rows: %d %+v", code, rep.Drifted())
	}
	// 150 then 300 shifted records push the training rows out of the window.
	shiftedHalf, _ := json.Marshal(recs[:150])
	predictBody(h3, string(shiftedHalf))
	predictBody(h3, string(shifted))
	if code, rep := get(h3); code != 200 || rep.Rows != 300 || strings.Join(rep.Drifted(), ",") != "tenure,plan" {
		t.Errorf("window of shifted rows: %d rows %d drifted %v", code, rep.Rows, rep.Drifted())
	}
	if code, _ := get(h); code != http.StatusConflict {
		t.Errorf("no window: %d", code)
	}

	plain := *fitted
	plain.Profile = nil
	h2, _ := Handler(&plain, ServeOptions{})
	rec := httptest.NewRecorder()
	h2.ServeHTTP(rec, httptest.NewRequest("POST", "/drift", strings.NewReader("[]")))
	if rec.Code != http.StatusConflict {
		t.Errorf("no profile: %d %s", rec.Code, rec.Body)
	}
}

func TestHandlerErrors(t *testing.T) {
	fitted, data := fittedChurn(t)
	h, err := Handler(fitted, ServeOptions{MaxBodyBytes: 2000, MaxRecords: 3})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tt := range []struct {
		name, body string
		status     int
		text       string
	}{
		{"bad json", `{"tenure":`, 400, "malformed records"},
		{"not objects", `[1,2]`, 400, "malformed records"},
		{"no records", `[]`, 400, "no records"},
		{"missing column", `[{"tenure":1,"spend":2,"plan":"pro"},{"tenure":1,"plan":"pro"}]`, 400, `record 1 column \"spend\": missing`},
		{"wrong type", `{"tenure":"x","spend":2,"plan":"pro"}`, 400, `column \"tenure\": got string \"x\"`},
		{"too many records", recordsJSON(t, data, 0, 1, 2, 3), 413, "at most 3"},
		{"too large", `[` + strings.Repeat(`{"tenure":1,"spend":2,"plan":"pro"},`, 80) + `{}]`, 413, "larger than 2000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Post(srv.URL+"/predict", "application/json", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.text) {
				t.Errorf("%d %s, want %d mentioning %s", resp.StatusCode, b, tt.status, tt.text)
			}
		})
	}
	for _, tt := range []struct{ method, path string }{{"GET", "/predict"}, {"POST", "/healthz"}, {"PUT", "/drift"}, {"GET", "/nope"}} {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := http.StatusMethodNotAllowed
		if tt.path == "/nope" {
			want = http.StatusNotFound
		}
		if resp.StatusCode != want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, resp.StatusCode, want)
		}
	}
	if h.Stats().Errors != 11 {
		t.Errorf("errors counted %d, want 11", h.Stats().Errors)
	}
	if _, err := Handler(nil, ServeOptions{}); err == nil {
		t.Error("nil pipeline accepted")
	}
}

// TestHandlerUnknownCategory: an encoder that refuses unseen categories
// makes the request a client error, naming the category.
func TestHandlerUnknownCategory(t *testing.T) {
	ctx := context.Background()
	_, data := fittedChurn(t)
	spec := churnSpec(1)
	spec.Steps[2] = preprocess.OneHot("plan").WithUnknown(preprocess.ErrorOnUnknown)
	strict, err := spec.Fit(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	_, err = strict.PredictRecords(ctx, []map[string]any{{"tenure": 3, "spend": 20, "plan": "platinum"}})
	if !errors.Is(err, preprocess.ErrUnknownCategory) || !strings.Contains(err.Error(), "platinum") {
		t.Errorf("unknown category: %v", err)
	}
	h, _ := Handler(strict, ServeOptions{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/predict", strings.NewReader(`{"tenure": 3, "spend": 20, "plan": "platinum"}`)))
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "platinum") {
		t.Errorf("status %d: %s", rec.Code, rec.Body)
	}
}

// TestHandlerCacheOutage: a cache that fails on every call slows nothing
// down to an error: each request is predicted and the failures counted.
func TestHandlerCacheOutage(t *testing.T) {
	fitted, data := fittedChurn(t)
	bad := &failingCache{}
	h, _ := Handler(fitted, ServeOptions{Cache: bad})
	for range 2 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/predict", bytes.NewBufferString(recordsJSON(t, data, 0, 1))))
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	if st := h.Stats(); st.CacheErrors != 4 || st.CacheHits != 0 || st.Records != 4 {
		t.Errorf("stats %+v", st)
	}
}

func BenchmarkHandler(b *testing.B) {
	fitted, data := fittedChurn(b)
	h, _ := Handler(fitted, ServeOptions{})
	for _, n := range []int{1, 100} {
		rows := make([]int, n)
		for i := range rows {
			rows[i] = i
		}
		body := []byte(recordsJSON(b, data, rows...))
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("POST", "/predict", bytes.NewReader(body)))
				if rec.Code != 200 {
					b.Fatal(rec.Body)
				}
			}
		})
	}
}

// TestHandlerCacheRedisBatch: a batch of records is read from Redis in one
// call and its misses written in one call, however many records it holds.
func TestHandlerCacheRedisBatch(t *testing.T) {
	fitted, data := fittedChurn(t)
	srv := testredis.Start(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer client.Close()
	rc, err := cache.NewRedis(client, cache.RedisOptions{Prefix: fmt.Sprintf("test-serve-%d:", time.Now().UnixNano()), Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h, err := Handler(fitted, ServeOptions{Cache: rc})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]int, 50)
	for i := range rows {
		rows[i] = i
	}
	body := recordsJSON(t, data, rows...)
	call := func() (string, int64) {
		before := rc.Stats().BackendCalls
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/predict", strings.NewReader(body)))
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return rec.Body.String(), int64(rc.Stats().BackendCalls - before)
	}
	cold, coldCalls := call()
	warm, warmCalls := call()
	if coldCalls != 2 || warmCalls != 1 {
		t.Errorf("Redis calls: %d for a cold batch of 50 (want 2: MGET, then one pipelined write), %d warm (want 1)", coldCalls, warmCalls)
	}
	if cold != warm {
		t.Errorf("cached answer differs:\n%s\n%s", cold, warm)
	}
	if st := h.Stats(); st.CacheHits != 50 || st.CacheMisses != 50 || st.CacheErrors != 0 {
		t.Errorf("stats %+v", st)
	}
}

// lookupStore is the feature store of the lookup tests: the tenure and
// spend of each customer, and the calls made to it.
type lookupStore struct {
	features map[string]map[string]any
	calls    [][]string
	fail     error
}

func (s *lookupStore) load(_ context.Context, keys []string) (map[string]map[string]any, error) {
	s.calls = append(s.calls, slices.Sorted(slices.Values(keys)))
	if s.fail != nil {
		return nil, s.fail
	}
	out := map[string]map[string]any{}
	for _, k := range keys {
		if f, ok := s.features[k]; ok {
			out[k] = f
		}
	}
	return out, nil
}

// TestHandlerFeatureLookup: records name a customer and carry the plan;
// tenure and spend are looked up, each customer once per request, through
// the cache; the predictions are those of the complete records.
func TestHandlerFeatureLookup(t *testing.T) {
	ctx := context.Background()
	fitted, data := fittedChurn(t)
	store := &lookupStore{features: map[string]map[string]any{}}
	var full, short []map[string]any
	for i := range 4 {
		id := fmt.Sprintf("c%d", i)
		rec := map[string]any{}
		for _, name := range []string{"tenure", "spend", "plan"} {
			c, _ := data.Col(name)
			rec[name] = c.Value(i)
		}
		full = append(full, rec)
		store.features[id] = map[string]any{"tenure": rec["tenure"], "spend": rec["spend"]}
		short = append(short, map[string]any{"customer": id, "plan": rec["plan"]})
	}
	want, err := fitted.PredictRecords(ctx, full)
	if err != nil {
		t.Fatal(err)
	}
	mem, _ := cache.NewMemory(cache.MemoryOptions{})
	defer mem.Close()
	h, err := Handler(fitted, ServeOptions{Lookup: &FeatureLookup{Key: "customer", Load: store.load, Cache: mem}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	body, _ := json.Marshal(append(short, short[1])) // c1 twice
	for round := range 2 {
		status, _, resp := post(t, srv.URL, string(body))
		if status != 200 || len(resp.Predictions) != 5 {
			t.Fatalf("round %d: %d %+v", round, status, resp)
		}
		for i, p := range resp.Predictions {
			if w := want[[]int{0, 1, 2, 3, 1}[i]]; p.Value != w.Value || p.Probabilities[1] != w.Probabilities[1] {
				t.Errorf("round %d record %d: %+v, want %+v", round, i, p, w)
			}
		}
	}
	if fmt.Sprint(store.calls) != "[[c0 c1 c2 c3]]" {
		t.Errorf("store calls %v, want one call for the 4 customers", store.calls)
	}
	if st := h.Stats(); st.Lookups != 8 || st.LookupLoads != 4 {
		t.Errorf("stats %+v", st)
	}

	// An unknown customer, a record without one, a failing store.
	for _, tc := range []struct {
		body   string
		status int
		want   string
	}{
		{`[{"customer": "c0", "plan": "basic"}, {"customer": "nobody", "plan": "pro"}]`, 400, `record 1 column \"customer\": \"nobody\": no features`},
		{`{"plan": "pro"}`, 400, `record 0 column \"customer\": missing`},
		{`{"customer": true, "plan": "pro"}`, 400, `got boolean true`},
		{`{"customer": "c9", "plan": "pro"}`, 502, `store down`},
	} {
		store.fail = nil
		if tc.status == 502 {
			store.fail = errors.New("store down")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/predict", strings.NewReader(tc.body)))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("%s: %d %s, want %d %s", tc.body, rec.Code, rec.Body, tc.status, tc.want)
		}
	}
	if _, err := Handler(fitted, ServeOptions{Lookup: &FeatureLookup{Key: "customer"}}); err == nil {
		t.Error("a lookup without Load was accepted")
	}
}

// BenchmarkHandlerCache serves a batch of 100 records whose predictions
// are all cached, in memory or in Redis (one MGET), against predicting them.
func BenchmarkHandlerCache(b *testing.B) {
	fitted, data := fittedChurn(b)
	rows := make([]int, 100)
	for i := range rows {
		rows[i] = i
	}
	body := []byte(recordsJSON(b, data, rows...))
	mem, _ := cache.NewMemory(cache.MemoryOptions{})
	defer mem.Close()
	caches := []struct {
		name string
		c    cache.Cache
	}{{"none", nil}, {"memory", mem}}
	srv := testredis.Start(b)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer client.Close()
	rc, _ := cache.NewRedis(client, cache.RedisOptions{Prefix: fmt.Sprintf("bench-serve-%d:", time.Now().UnixNano()), Timeout: time.Second})
	caches = append(caches, struct {
		name string
		c    cache.Cache
	}{"redis", rc})
	for _, c := range caches {
		h, _ := Handler(fitted, ServeOptions{Cache: c.c})
		serve := func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", "/predict", bytes.NewReader(body)))
			if rec.Code != 200 {
				b.Fatal(rec.Body)
			}
		}
		serve() // warm the cache
		b.Run("records=100/cache="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkHandlerLookup serves batches of 100 records naming 20
// customers whose features come from a store answering in 1ms per call,
// with and without a feature cache in front (memory; the prediction
// cache is off, so that every record is predicted).
func BenchmarkHandlerLookup(b *testing.B) {
	fitted, data := fittedChurn(b)
	features := map[string]map[string]any{}
	var recs []map[string]any
	for i := range 100 {
		id := fmt.Sprintf("c%d", i%20)
		tenure, _ := data.Col("tenure")
		spend, _ := data.Col("spend")
		plan, _ := data.Col("plan")
		features[id] = map[string]any{"tenure": tenure.Value(i % 20), "spend": spend.Value(i % 20)}
		recs = append(recs, map[string]any{"customer": id, "plan": plan.Value(i)})
	}
	body, _ := json.Marshal(recs)
	load := func(ctx context.Context, keys []string) (map[string]map[string]any, error) {
		time.Sleep(time.Millisecond) // a database round trip
		out := map[string]map[string]any{}
		for _, k := range keys {
			out[k] = features[k]
		}
		return out, nil
	}
	mem, _ := cache.NewMemory(cache.MemoryOptions{})
	defer mem.Close()
	for _, c := range []cache.Cache{nil, mem} {
		name := "none"
		if c != nil {
			name = "memory"
		}
		h, err := Handler(fitted, ServeOptions{Lookup: &FeatureLookup{Key: "customer", Load: load, Cache: c}})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("cache="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("POST", "/predict", bytes.NewReader(body)))
				if rec.Code != 200 {
					b.Fatal(rec.Body)
				}
			}
			b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
