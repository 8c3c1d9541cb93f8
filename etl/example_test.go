package etl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
)

func ExampleCSV() {
	const data = `customer,age,plan,churned
c1,34,basic,false
c2,NA,premium,true
c3,51,"basic",false
`
	src := etl.CSV(strings.NewReader(data), etl.CSVOptions{})
	err := src.Extract(context.Background(), func(f *frame.Frame) error {
		fmt.Print(f)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", src.Stats())
	// Output:
	// customer     age    plan         churned
	// categorical  float  categorical  bool
	// c1           34     basic        false
	// c2           NA     premium      true
	// c3           51     basic        false
	// [3 rows × 4 columns]
	// {Records:3 Rows:3 Rejected:0 Batches:1 Bytes:83}
}

func ExampleCSV_schema() {
	const data = "id\tzip\tsignup\n1\t02134\t2024-01-31\n2\t?\t2024-02-29\n"
	src := etl.CSV(strings.NewReader(data), etl.CSVOptions{
		Comma:  '\t',
		Schema: map[string]frame.Kind{"zip": frame.String, "id": frame.Categorical},
	})
	err := src.Extract(context.Background(), func(f *frame.Frame) error {
		fmt.Print(f.Head(2))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, fld := range src.Schema() {
		fmt.Println(fld.Name, fld.Kind)
	}
	// Output:
	// id           zip     signup
	// categorical  string  time
	// 1            02134   2024-01-31
	// 2            NA      2024-02-29
	// [2 rows × 3 columns]
	// id categorical
	// zip string
	// signup time
}

func ExampleParseError() {
	const data = "id,age\n1,40\n2,abc\n"
	src := etl.CSV(strings.NewReader(data), etl.CSVOptions{
		Name:   "churn.csv",
		Schema: map[string]frame.Kind{"age": frame.Float},
	})
	err := src.Extract(context.Background(), func(*frame.Frame) error { return nil })
	fmt.Println(err)
	var pe *etl.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Line, pe.ColumnName, pe.Raw, errors.Is(err, etl.ErrNotNumber))
	}
	// Output:
	// read churn.csv line 3 column age: "abc": not a number
	// 3 age abc true
}

func ExampleCSVOptions_reject() {
	const data = "id,age\n1,40\n2\n3,abc\n4,41\n"
	var rejects etl.Memory[etl.Rejected]
	src := etl.CSV(strings.NewReader(data), etl.CSVOptions{
		Name:    "people.csv",
		Schema:  map[string]frame.Kind{"age": frame.Float},
		OnError: etl.Reject,
		Rejects: &rejects,
	})
	err := src.Extract(context.Background(), func(f *frame.Frame) error {
		ages, _ := f.Float("age")
		fmt.Println("ages", ages)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rejects.Items() {
		fmt.Printf("%q: %v\n", r.Raw, r.Err)
	}
	st := src.Stats()
	fmt.Println("read", st.Records, "kept", st.Rows, "rejected", st.Rejected)
	// Output:
	// ages [40 41]
	// "2": read people.csv line 3: wrong number of fields: 1, want 2
	// "3,abc": read people.csv line 4 column age: "abc": not a number
	// read 4 kept 2 rejected 2
}

func ExampleCreateCSV() {
	dir, err := os.MkdirTemp("", "etl")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "scores.csv")

	f, err := frame.New(
		frame.Categories("name", []string{"ada", "grace"}, nil),
		frame.Floats("score", []float64{0.5, 1e6}),
	)
	if err != nil {
		log.Fatal(err)
	}
	w, err := etl.CreateCSV(path, etl.CSVWriterOptions{})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Load(context.Background(), f); err != nil {
		w.Abort() // leaves nothing at path
		log.Fatal(err)
	}
	if err := w.Close(); err != nil { // renames the finished file into place
		log.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output:
	// name,score
	// ada,0.5
	// grace,1000000
}

func ExampleJSONLines() {
	const data = `{"id": 1, "user": {"name": "ada", "country": "UK"}, "spend": 12.5}
{"id": 2, "user": {"name": "bob"}, "spend": null}
`
	src := etl.JSONLines(strings.NewReader(data), etl.RecordOptions{})
	err := src.Extract(context.Background(), func(f *frame.Frame) error {
		fmt.Print(f)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// id     user.name    user.country  spend
	// float  categorical  categorical   float
	// 1      ada          UK            12.5
	// 2      bob          NA            NA
	// [2 rows × 4 columns]
}

func ExampleJSON() {
	const body = `{"page": 1, "results": [{"city": "Oslo", "temp": -3.5}, {"city": "Lima", "temp": 19}]}`
	src := etl.JSON(strings.NewReader(body), etl.RecordOptions{Records: "results"})
	err := src.Extract(context.Background(), func(f *frame.Frame) error {
		temps, _ := f.Float("temp")
		fmt.Println(f.Names(), temps)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// [city temp] [-3.5 19]
}

func ExampleNewJSONLinesWriter() {
	f, err := frame.New(
		frame.Categories("city", []string{"Oslo", "Lima"}, nil),
		frame.Floats("temp", []float64{-3.5, math.NaN()}),
	)
	if err != nil {
		log.Fatal(err)
	}
	w := etl.NewJSONLinesWriter(os.Stdout, etl.JSONLinesWriterOptions{})
	if err := w.Load(context.Background(), f); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {"city":"Oslo","temp":-3.5}
	// {"city":"Lima","temp":null}
}

func ExampleGlobCSV() {
	dir, err := os.MkdirTemp("", "etl")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for i, body := range []string{"day,sales\n1,10\n2,12\n", "day,sales\n3,9\n", "day,sales\n4,NA\n"} {
		name := filepath.Join(dir, fmt.Sprintf("sales-%d.csv", i))
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	src, err := etl.GlobCSV(filepath.Join(dir, "sales-*.csv"), etl.CSVOptions{Files: 2})
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
	fmt.Println(src.Stats().Rows, "rows from", len(src.Paths()), "files")
	// Output:
	// [10 12]
	// [9]
	// [NaN]
	// 4 rows from 3 files
}

func ExampleSQL() {
	db, err := etl.OpenSQLite(":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()

	f, err := frame.New(
		frame.Floats("id", []float64{1, 2, 3}),
		frame.Categories("plan", []string{"basic", "premium", "basic"}, nil),
		frame.Floats("spend", []float64{20, 75.5, math.NaN()}),
	)
	if err != nil {
		log.Fatal(err)
	}
	// Load: one transaction, table created from the frame, upsert on id.
	w, err := etl.NewSQLWriter(db, etl.SQLWriterOptions{Table: "customers", Create: true, Key: []string{"id"}})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Load(ctx, f); err != nil {
		w.Abort()
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	// Extract: a query with arguments, streamed in batches.
	src := etl.SQL(db, `SELECT id, plan, spend FROM customers WHERE plan = ? ORDER BY id`, []any{"basic"}, etl.SQLOptions{})
	err = src.Extract(ctx, func(f *frame.Frame) error {
		fmt.Print(f)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// id     plan         spend
	// float  categorical  float
	// 1      basic        20
	// 3      basic        NA
	// [2 rows × 3 columns]
}

// ExampleHTTPJSON fetches eight slow endpoints of a local API: concurrently,
// then one at a time, as async Python would with and without gather.
func ExampleHTTPJSON() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond) // a slow upstream
		city := strings.TrimPrefix(r.URL.Path, "/weather/")
		fmt.Fprintf(w, `{"city": %q, "current": {"temp": 12.5, "wind": 3}}`, city)
	}))
	defer api.Close()
	var urls []string
	for _, c := range []string{"oslo", "lima", "pune", "kyiv", "rome", "nuuk", "baku", "suva"} {
		urls = append(urls, api.URL+"/weather/"+c)
	}
	fetch := func(concurrency int) (*frame.Frame, time.Duration) {
		src, err := etl.HTTPJSON(etl.HTTPOptions{Concurrency: concurrency, Rate: 100, Burst: 8}, urls...)
		if err != nil {
			log.Fatal(err)
		}
		start := time.Now()
		var frames []*frame.Frame
		if err := src.Extract(context.Background(), func(f *frame.Frame) error {
			frames = append(frames, f)
			return nil
		}); err != nil {
			log.Fatal(err)
		}
		f, err := frame.Concat(frames...)
		if err != nil {
			log.Fatal(err)
		}
		return f, time.Since(start)
	}
	f, concurrent := fetch(8)
	_, sequential := fetch(1)
	fmt.Println(f.Names())
	cities, _ := f.Col("city")
	fmt.Println(f.NumRows(), "rows, first", cities.Value(0), "last", cities.Value(7))
	fmt.Println("concurrent at least 3x faster:", sequential > 3*concurrent)
	// Output:
	// [city current.temp current.wind]
	// 8 rows, first oslo last suva
	// concurrent at least 3x faster: true
}

func ExampleCreateParquet() {
	dir, err := os.MkdirTemp("", "etl")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "events.parquet")

	f, err := frame.New(
		frame.Categories("user", []string{"ada", "bob", "ada"}, nil),
		frame.Floats("amount", []float64{9.5, math.NaN(), 3}),
		frame.Times("at", []time.Time{time.Date(2024, 1, 31, 9, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 9, 0, 0, 0, time.UTC), {}}, nil),
	)
	if err != nil {
		log.Fatal(err)
	}
	w, err := etl.CreateParquet(path, etl.ParquetWriterOptions{})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Load(context.Background(), f); err != nil {
		w.Abort()
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	src, err := etl.OpenParquet(path, etl.ParquetOptions{})
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
	// user         amount  at
	// categorical  float   time
	// ada          9.5     2024-01-31T09:00:00Z
	// bob          NA      2024-02-01T09:00:00Z
	// ada          3       NA
	// [3 rows × 3 columns]
}

func ExampleNewRejectsWriter() {
	rejects := etl.NewRejectsWriter(os.Stdout)
	src := etl.CSV(strings.NewReader("id,age\n1,40\n2,4O\n"), etl.CSVOptions{
		Name:    "people.csv",
		Schema:  map[string]frame.Kind{"age": frame.Float},
		OnError: etl.Reject,
		Rejects: rejects,
	})
	if err := src.Extract(context.Background(), func(*frame.Frame) error { return nil }); err != nil {
		log.Fatal(err)
	}
	if err := rejects.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {"source":"people.csv","line":3,"error":"read people.csv line 3 column age: \"4O\": not a number","raw":"2,4O"}
}

func ExampleOpenCSV() {
	dir, err := os.MkdirTemp("", "etl")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "churn.csv")
	data := "# exported 2024-02-01\ncustomer\tage\tcountry\r\nc1\t34\t US\r\nc2\t????\tDE\r\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		log.Fatal(err)
	}
	src, err := etl.OpenCSV(path, etl.CSVOptions{
		Comma:     '\t',
		Comment:   '#',
		TrimSpace: true,
		NA:        []string{"????"},
		BatchRows: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()
	err = src.Extract(context.Background(), func(f *frame.Frame) error {
		ages, _ := f.Float("age")
		country, _ := f.Col("country")
		fmt.Println(ages, country.Value(0))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// [34] US
	// [NaN] DE
}
