package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/internal/testredis"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// saveModel trains a small churn pipeline and deploys it, with its
// manifest, to a file in a temporary directory.
func saveModel(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("tenure,plan,churned\n")
	for i := range 400 {
		tenure := float64((i * 37) % 60)
		plan := []string{"basic", "plus", "pro"}[(i*7)%3]
		churned := 0
		if math.Mod(float64(i)*0.618, 1) < 1/(1+math.Exp(-(1.2-0.08*tenure))) {
			churned = 1
		}
		fmt.Fprintf(&b, "%v,%s,%d\n", tenure, plan, churned)
	}
	path := filepath.Join(t.TempDir(), "churn.json")
	tr := &pipeline.Training{
		Source: etl.CSV(strings.NewReader(b.String()), etl.CSVOptions{}),
		ML: pipeline.ML{
			Steps:  []preprocess.Step{preprocess.StandardScale("tenure"), preprocess.OneHot("plan")},
			Model:  model.LogisticRegression{},
			Target: "churned",
		},
		Eval:   pipeline.Evaluation{TestFraction: -1},
		Deploy: pipeline.DeployFile(path),
	}
	if _, err := tr.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	return path
}

// start runs the server with args until the returned stop is called; stop
// returns run's error.
func start(t testing.TB, args ...string) (url string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), &lockedWriter{w: &logs}, ready)
	}()
	select {
	case addr := <-ready:
		return "http://" + addr, func() error { cancel(); return <-done }
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v\n%s", err, logs.String())
	}
	return "", nil
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

type response struct {
	Predictions []pipeline.Prediction `json:"predictions"`
	Classes     []float64             `json:"classes"`
	Error       string                `json:"error"`
}

func predict(t testing.TB, client *http.Client, url, body string) (int, response) {
	t.Helper()
	resp, err := client.Post(url+"/predict", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out response
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func TestServe(t *testing.T) {
	path := saveModel(t)
	fitted, err := pipeline.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"memory", "redis"} {
		t.Run(name, func(t *testing.T) {
			args := []string{"-model", path, "-quiet"}
			if name == "redis" {
				srv := testredis.Start(t)
				args = append(args, "-redis", srv.Addr())
			}
			url, stop := start(t, args...)
			client := &http.Client{Timeout: 5 * time.Second}
			recs := []map[string]any{{"tenure": 3.0, "plan": "basic"}, {"tenure": 50.0, "plan": "pro"}}
			want, err := fitted.PredictRecords(context.Background(), recs)
			if err != nil {
				t.Fatal(err)
			}
			status, one := predict(t, client, url, `{"tenure": 3, "plan": "basic"}`)
			if status != 200 || len(one.Predictions) != 1 || one.Predictions[0].Probabilities[1] != want[0].Probabilities[1] {
				t.Errorf("one record: %d %+v, want %+v", status, one, want[0])
			}
			status, batch := predict(t, client, url, `[{"tenure": 3, "plan": "basic"}, {"tenure": 50, "plan": "pro"}]`)
			if status != 200 || len(batch.Predictions) != 2 || batch.Predictions[1].Value != want[1].Value ||
				batch.Predictions[1].Probabilities[0] != want[1].Probabilities[0] {
				t.Errorf("batch: %d %+v, want %+v", status, batch, want)
			}
			status, bad := predict(t, client, url, `{"tenure": "long", "plan": "pro"}`)
			if status != 400 || !strings.Contains(bad.Error, `column "tenure"`) {
				t.Errorf("bad record: %d %+v", status, bad)
			}
			resp, err := client.Get(url + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			var health struct {
				Status string              `json:"status"`
				Stats  pipeline.ServeStats `json:"stats"`
			}
			json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			if health.Status != "ok" || health.Stats.CacheHits != 1 || health.Stats.Records != 3 || health.Stats.CacheErrors != 0 {
				t.Errorf("healthz: %+v", health)
			}
			dresp, err := client.Get(url + "/drift")
			if err != nil {
				t.Fatal(err)
			}
			var drift pipeline.DriftReport
			json.NewDecoder(dresp.Body).Decode(&drift)
			dresp.Body.Close()
			if dresp.StatusCode != 200 || drift.Rows != 3 || len(drift.Columns) != 2 {
				t.Errorf("drift of recent records: %d %+v", dresp.StatusCode, drift)
			}
			client.CloseIdleConnections()
			if err := stop(); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			if _, err := client.Get(url + "/healthz"); err == nil {
				t.Error("server still answering after shutdown")
			}
		})
	}
}

// TestServeGracefulShutdown: a request in flight when shutdown starts is
// answered.
func TestServeGracefulShutdown(t *testing.T) {
	url, stop := start(t, "-model", saveModel(t), "-quiet")
	body := `[` + strings.Repeat(`{"tenure": 3, "plan": "basic"},`, 999) + `{"tenure": 4, "plan": "pro"}]`
	// Send the body slowly, so the request is in flight during shutdown.
	pr, pw := io.Pipe()
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Post(url+"/predict", "application/json", pr)
		if err != nil {
			done <- result{0, err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- result{resp.StatusCode, nil}
	}()
	pw.Write([]byte(body[:100]))
	time.Sleep(50 * time.Millisecond)
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(50 * time.Millisecond)
	pw.Write([]byte(body[100:]))
	pw.Close()
	if r := <-done; r.err != nil || r.status != 200 {
		t.Errorf("request in flight: %d %v", r.status, r.err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("shutdown: %v", err)
	}
}

func TestServeBadFlags(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{
		{},
		{"-model", filepath.Join(t.TempDir(), "absent.json")},
		{"-model", saveModel(t), "-addr", "256.0.0.1:1"},
		{"-nope"},
	} {
		if err := run(ctx, args, io.Discard, nil); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}

// BenchmarkLoopback is the bounded load test: 8 concurrent clients send
// b.N single-record requests over loopback to the real server. "distinct"
// sends a new record each time (every request runs the pipeline);
// "repeated" cycles over 100 records (the cache answers after the first
// round). It reports requests/s and the p50 and p99 latency.
//
//	go test -run '^$' -bench Loopback -benchtime 20000x ./examples/serve
func BenchmarkLoopback(b *testing.B) {
	path := saveModel(b)
	for _, mode := range []string{"distinct", "repeated"} {
		b.Run(mode, func(b *testing.B) {
			url, stop := start(b, "-model", path, "-quiet")
			defer stop()
			const clients = 8
			tr := &http.Transport{MaxIdleConnsPerHost: clients}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for range clients {
				wg.Go(func() {
					for {
						i := int(next.Add(1)) - 1
						if i >= b.N {
							return
						}
						k := i
						if mode == "repeated" {
							k = i % 100
						}
						body := fmt.Sprintf(`{"tenure": %d.%d, "plan": "%s"}`, k%60, k, []string{"basic", "plus", "pro"}[k%3])
						t0 := time.Now()
						resp, err := client.Post(url+"/predict", "application/json", strings.NewReader(body))
						if err != nil {
							b.Error(err)
							return
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						lat[i] = time.Since(t0)
						if resp.StatusCode != 200 {
							b.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(float64(lat[b.N/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[min(b.N-1, b.N*99/100)].Microseconds()), "p99-µs")
		})
	}
}

// TestServeFeatures: records name a customer; tenure comes from a SQLite
// table, looked up once per customer and then read from the cache.
func TestServeFeatures(t *testing.T) {
	path := saveModel(t)
	fitted, err := pipeline.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, idType := range []string{"INTEGER", "TEXT"} {
		t.Run(idType, func(t *testing.T) {
			dbPath := filepath.Join(t.TempDir(), "customers.db")
			db, err := etl.OpenSQLite(dbPath)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`CREATE TABLE customers (customer_id ` + idType + ` PRIMARY KEY, tenure REAL, region TEXT);
				INSERT INTO customers VALUES (7, 3, 'north'), (8, 50, 'south'), (9, NULL, 'east')`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			url, stop := start(t, "-model", path, "-quiet", "-features", dbPath, "-features-table", "customers", "-features-key", "customer_id")
			defer stop()
			client := &http.Client{Timeout: 5 * time.Second}
			want, err := fitted.PredictRecords(context.Background(), []map[string]any{{"tenure": 3.0, "plan": "basic"}, {"tenure": 50.0, "plan": "pro"}, {"tenure": 20.0, "plan": "pro"}})
			if err != nil {
				t.Fatal(err)
			}
			body := `[{"customer_id": 7, "plan": "basic"}, {"customer_id": "8", "plan": "pro"}, {"customer_id": 7, "plan": "basic"}, {"customer_id": 8, "tenure": 20, "plan": "pro"}]`
			for round := range 2 {
				status, resp := predict(t, client, url, body)
				if status != 200 || len(resp.Predictions) != 4 {
					t.Fatalf("round %d: %d %+v", round, status, resp)
				}
				for i, w := range []pipeline.Prediction{want[0], want[1], want[0], want[2]} {
					if resp.Predictions[i].Probabilities[1] != w.Probabilities[1] {
						t.Errorf("round %d record %d: %+v, want %+v", round, i, resp.Predictions[i], w)
					}
				}
			}
			status, bad := predict(t, client, url, `{"customer_id": 404, "plan": "pro"}`)
			if status != 400 || !strings.Contains(bad.Error, `"404": no features`) {
				t.Errorf("unknown customer: %d %+v", status, bad)
			}
			resp, err := client.Get(url + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			var health struct {
				Stats pipeline.ServeStats `json:"stats"`
			}
			json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			// Two customers per request, loaded once: 7 and 8, then 404.
			if st := health.Stats; st.Lookups != 5 || st.LookupLoads != 3 {
				t.Errorf("stats %+v", st)
			}
			client.CloseIdleConnections()
		})
	}
}
