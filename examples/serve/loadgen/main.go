// Command loadgen is a bounded load test of a running examples/serve: it
// reads records from a CSV file, typed by the input columns the server
// reports at /healthz, and sends a fixed number of POST /predict requests
// from a fixed number of concurrent clients, then prints the latency
// percentiles and the throughput.
//
//	go run ./examples/serve -model /tmp/churn.json &
//	go run ./examples/serve/loadgen -url http://127.0.0.1:8080 -csv churn.csv -n 20000 -c 8
//
// -distinct bounds how many different records are sent (cycled), so that the
// server's prediction cache is exercised (-distinct 100) or defeated (0: a
// new row for every record, as far as the file has rows); -batch sets the
// records per request.
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type options struct {
	url, csv          string
	n, c, batch, dist int
	na                string
	timeout           time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080", "server base URL")
	flag.StringVar(&o.csv, "csv", "", "CSV file with the input columns (required)")
	flag.IntVar(&o.n, "n", 10000, "requests to send")
	flag.IntVar(&o.c, "c", 8, "concurrent clients")
	flag.IntVar(&o.batch, "batch", 1, "records per request")
	flag.IntVar(&o.dist, "distinct", 0, "distinct records to cycle through (0: as many as the file has)")
	flag.StringVar(&o.na, "na", ",NA,?,????,null,unknown", "comma-separated spellings of a missing value")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of one request")
	flag.Parse()
	res, err := run(context.Background(), o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
	fmt.Print(res)
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
}

// result is what a load test measured.
type result struct {
	Requests   int     `json:"requests"`
	Records    int     `json:"records"`
	Clients    int     `json:"clients"`
	Errors     int64   `json:"errors"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"requests_per_s"`
	P50Micros  int64   `json:"p50_us"`
	P90Micros  int64   `json:"p90_us"`
	P99Micros  int64   `json:"p99_us"`
	MaxMicros  int64   `json:"max_us"`
	CacheHits  int64   `json:"cache_hits"`
	ServerRecs int64   `json:"server_records"`
}

func (r result) String() string {
	return fmt.Sprintf("%d requests of %d records from %d clients in %.2fs: %.0f requests/s, "+
		"latency p50 %dµs p90 %dµs p99 %dµs max %dµs, %d errors, server cache hits %d of %d records\n",
		r.Requests, r.Records/max(r.Requests, 1), r.Clients, r.Seconds, r.RPS,
		r.P50Micros, r.P90Micros, r.P99Micros, r.MaxMicros, r.Errors, r.CacheHits, r.ServerRecs)
}

type health struct {
	Inputs []struct{ Name, Kind string } `json:"inputs"`
	Stats  struct {
		Records   int64 `json:"records"`
		CacheHits int64 `json:"cache_hits"`
	} `json:"stats"`
}

func getHealth(ctx context.Context, client *http.Client, url string) (health, error) {
	var h health
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/healthz", nil)
	resp, err := client.Do(req)
	if err != nil {
		return h, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return h, fmt.Errorf("GET /healthz: %s", resp.Status)
	}
	return h, json.NewDecoder(resp.Body).Decode(&h)
}

func run(ctx context.Context, o options) (result, error) {
	if o.csv == "" {
		return result{}, errors.New("-csv is required")
	}
	if o.n < 1 || o.c < 1 || o.batch < 1 || o.dist < 0 {
		return result{}, errors.New("-n, -c and -batch must be positive, -distinct not negative")
	}
	tr := &http.Transport{MaxIdleConnsPerHost: o.c}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: o.timeout}
	h, err := getHealth(ctx, client, o.url)
	if err != nil {
		return result{}, err
	}
	want := o.dist
	if want == 0 {
		want = o.n * o.batch
	}
	records, err := readRecords(o.csv, h, want, strings.Split(o.na, ","))
	if err != nil {
		return result{}, err
	}
	bodies := make([][]byte, o.n)
	for i := range bodies {
		batch := make([]map[string]any, o.batch)
		for j := range batch {
			batch[j] = records[(i*o.batch+j)%len(records)]
		}
		if bodies[i], err = json.Marshal(batch); err != nil {
			return result{}, err
		}
	}

	lat := make([]time.Duration, o.n)
	var next, errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range o.c {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= o.n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, o.url+"/predict", bytes.NewReader(bodies[i]))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("POST /predict: %s", resp.Status)
					}
				}
				lat[i] = time.Since(t0)
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	slices.Sort(lat)
	pct := func(p int) int64 { return lat[min(o.n-1, o.n*p/100)].Microseconds() }
	res := result{Requests: o.n, Records: o.n * o.batch, Clients: o.c, Errors: errs.Load(), Seconds: el.Seconds(),
		RPS: float64(o.n) / el.Seconds(), P50Micros: pct(50), P90Micros: pct(90), P99Micros: pct(99), MaxMicros: lat[o.n-1].Microseconds()}
	if after, err := getHealth(ctx, client, o.url); err == nil {
		res.CacheHits = after.Stats.CacheHits - h.Stats.CacheHits
		res.ServerRecs = after.Stats.Records - h.Stats.Records
	}
	if e, ok := firstErr.Load().(error); ok {
		return res, fmt.Errorf("%d of %d requests failed, first: %w", res.Errors, o.n, e)
	}
	return res, nil
}

// readRecords reads up to n rows of the CSV at path as records of the
// server's input columns: a float column's text as a number, other kinds
// as text, a missing-value spelling as null.
func readRecords(path string, h health, n int, na []string) ([]map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read %s header: %w", path, err)
	}
	pos := map[string]int{}
	for i, name := range header {
		pos[name] = i
	}
	for _, in := range h.Inputs {
		if _, ok := pos[in.Name]; !ok {
			return nil, fmt.Errorf("read %s: no column %q, which the server needs", path, in.Name)
		}
	}
	var out []map[string]any
	for len(out) < n {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		rec := make(map[string]any, len(h.Inputs))
		for _, in := range h.Inputs {
			text := row[pos[in.Name]]
			switch {
			case slices.Contains(na, strings.TrimSpace(text)):
				rec[in.Name] = nil
			case in.Kind == "float":
				v, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
				if err != nil {
					rec[in.Name] = nil
				} else {
					rec[in.Name] = v
				}
			default:
				rec[in.Name] = text
			}
		}
		out = append(out, rec)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("read %s: no rows", path)
	}
	return out, nil
}
