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
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
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
