package etl_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
)

// ExampleCSVFiles reads a list of files, one of them gzip-compressed, as
// one stream in the order given.
func ExampleCSVFiles() {
	dir, err := os.MkdirTemp("", "etl")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	plain := filepath.Join(dir, "2024.csv")
	if err := os.WriteFile(plain, []byte("month,sales\n1,10\n2,12\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("month,sales\n3,9\n"))
	zw.Close()
	packed := filepath.Join(dir, "2025.csv.gz")
	if err := os.WriteFile(packed, gz.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}

	src, err := etl.CSVFiles([]string{plain, packed}, etl.CSVOptions{})
	if err != nil {
		log.Fatal(err)
	}
	err = src.Extract(context.Background(), func(f *frame.Frame) error {
		sales, _ := f.Float("sales")
		fmt.Println(sales)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(src.Stats().Rows, "rows")
	// Output:
	// [10 12]
	// [9]
	// 3 rows
}

// ExampleOpenJSONLines reads a JSON Lines file; OpenJSON reads a file
// holding one JSON document the same way.
func ExampleOpenJSONLines() {
	dir, err := os.MkdirTemp("", "etl")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "events.jsonl")
	data := `{"user": "ada", "event": {"kind": "login", "ms": 120}}
{"user": "bob", "event": {"kind": "buy", "ms": 340}}
`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		log.Fatal(err)
	}
	src, err := etl.OpenJSONLines(path, etl.RecordOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	err = src.Extract(context.Background(), func(f *frame.Frame) error {
		fmt.Print(f)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// user         event.kind   event.ms
	// categorical  categorical  float
	// ada          login        120
	// bob          buy          340
	// [2 rows × 3 columns]
}

// ExampleNewCSVWriter writes frames to any io.Writer; CreateCSV writes a
// file atomically.
func ExampleNewCSVWriter() {
	f, err := frame.New(
		frame.Categories("city", []string{"Oslo", "Lima, Peru"}, nil),
		frame.Floats("temp", []float64{-3.5, math.NaN()}),
	)
	if err != nil {
		log.Fatal(err)
	}
	w := etl.NewCSVWriter(os.Stdout, etl.CSVWriterOptions{})
	if err := w.Load(context.Background(), f); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// city,temp
	// Oslo,-3.5
	// "Lima, Peru",
}

// ExampleCreateJSONLines writes a JSON Lines file atomically: it appears
// under its name only once Close succeeds.
func ExampleCreateJSONLines() {
	dir, err := os.MkdirTemp("", "etl")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "scores.jsonl")
	f, err := frame.New(
		frame.Categories("name", []string{"ada", "grace"}, nil),
		frame.Bools("passed", []bool{true, false}, nil),
	)
	if err != nil {
		log.Fatal(err)
	}
	w, err := etl.CreateJSONLines(path, etl.JSONLinesWriterOptions{})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Load(context.Background(), f); err != nil {
		w.Abort()
		log.Fatal(err)
	}
	_, err = os.Stat(path)
	fmt.Println("before Close, the file exists:", err == nil)
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output:
	// before Close, the file exists: false
	// {"name":"ada","passed":true}
	// {"name":"grace","passed":false}
}

// ExampleNewParquetWriter writes Parquet to any io.Writer, one row group
// per frame loaded.
func ExampleNewParquetWriter() {
	var buf bytes.Buffer
	w := etl.NewParquetWriter(&buf, etl.ParquetWriterOptions{})
	for _, day := range []float64{1, 2} {
		f, err := frame.New(frame.Floats("day", []float64{day}), frame.Strings("note", []string{"ok"}, nil))
		if err != nil {
			log.Fatal(err)
		}
		if err := w.Load(context.Background(), f); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Println("magic:", string(buf.Bytes()[:4]), string(buf.Bytes()[buf.Len()-4:]))
	// Output:
	// magic: PAR1 PAR1
}

// ExampleOpenPostgres loads a frame into PostgreSQL (through COPY, in one
// transaction) and reads it back. It needs a server, so it is only
// compiled.
func ExampleOpenPostgres() {
	ctx := context.Background()
	db, err := etl.OpenPostgres(ctx, "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	if err != nil {
		log.Fatal(err) // an unreachable server is an error at once
	}
	defer db.Close()
	f, _ := frame.New(frame.Floats("id", []float64{1, 2}), frame.Categories("plan", []string{"basic", "pro"}, nil))
	w, err := etl.NewSQLWriter(db, etl.SQLWriterOptions{Table: "plans", Create: true})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Load(ctx, f); err != nil {
		w.Abort()
		log.Fatal(err)
	}
	if err := w.Close(); err != nil { // commits
		log.Fatal(err)
	}
	src := etl.SQL(db, `SELECT id, plan FROM plans WHERE id > $1`, []any{1}, etl.SQLOptions{})
	if err := src.Extract(ctx, func(f *frame.Frame) error { fmt.Print(f); return nil }); err != nil {
		log.Fatal(err)
	}
}

// ExampleHTTPJSON_cache pages through an API with a cache in front: the
// second extraction reads every page from the cache and sends no request.
func ExampleHTTPJSON_cache() {
	var requests atomic.Int64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		switch page {
		case 1:
			fmt.Fprint(w, `{"data": [{"day": 1, "temp": 3.5}, {"day": 2, "temp": 4}]}`)
		case 2:
			fmt.Fprint(w, `{"data": [{"day": 3, "temp": 2.5}]}`) // short: the last page
		default:
			fmt.Fprint(w, `{"data": []}`)
		}
	}))
	defer api.Close()
	mem, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer mem.Close()
	counted := cache.NewAside(mem, cache.AsideOptions{}) // counts hits and misses

	for run := 1; run <= 2; run++ {
		requests.Store(0)
		src, err := etl.HTTPJSON(etl.HTTPOptions{
			Records:     etl.RecordOptions{Records: "data"},
			Pages:       etl.Pages{Kind: etl.PageNumber, Size: 2, MaxPages: 2}, // as the API documents
			Concurrency: 1,
			Cache:       counted,
		}, api.URL+"/weather/oslo")
		if err != nil {
			log.Fatal(err)
		}
		rows := 0
		if err := src.Extract(context.Background(), func(f *frame.Frame) error { rows += f.NumRows(); return nil }); err != nil {
			log.Fatal(err)
		}
		s := counted.Stats()
		fmt.Printf("run %d: %d rows, %d requests, cache hits %d misses %d\n", run, rows, requests.Load(), s.Hits, s.Misses)
	}
	// Output:
	// run 1: 3 rows, 2 requests, cache hits 0 misses 2
	// run 2: 3 rows, 0 requests, cache hits 2 misses 2
}
