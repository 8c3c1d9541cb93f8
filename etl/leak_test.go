package etl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/mlpipe/mlpipe/frame"
)

// TestNoGoroutineLeftOnErrorOrCancel stops every concurrent source in
// three ways — emit fails or the context is cancelled, at an early and a
// late batch, or the input is bad half-way — and checks that no goroutine
// of the extraction is left once Extract has returned.
func TestNoGoroutineLeftOnErrorOrCancel(t *testing.T) {
	dir := t.TempDir()
	var csvText strings.Builder
	csvText.WriteString("id,name\n")
	for i := range 5000 {
		fmt.Fprintf(&csvText, "%d,n%d\n", i, i)
	}
	bad := csvText.String() + "oops,x,extra\n" + strings.Repeat("1,y\n", 2000)
	var paths []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("part%d.csv", i))
		if err := os.WriteFile(p, []byte(csvText.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var jl strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&jl, `{"id":%d,"name":"n%d"}`+"\n", i, i)
	}
	srv := httptest.NewServer(recordsAPI(3000))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

	sources := map[string]func() Extractor[*frame.Frame]{
		"csv": func() Extractor[*frame.Frame] {
			return CSV(strings.NewReader(csvText.String()), CSVOptions{BatchRows: 100, Workers: 3})
		},
		"csv-bad": func() Extractor[*frame.Frame] {
			return CSV(strings.NewReader(bad), CSVOptions{BatchRows: 100, Workers: 3})
		},
		"csv-files": func() Extractor[*frame.Frame] {
			x, err := CSVFiles(paths, CSVOptions{BatchRows: 100, Workers: 2, Files: 2})
			if err != nil {
				t.Fatal(err)
			}
			return x
		},
		"jsonl": func() Extractor[*frame.Frame] {
			return JSONLines(strings.NewReader(jl.String()), RecordOptions{BatchRows: 100, Workers: 3})
		},
		"http-pages": func() Extractor[*frame.Frame] {
			x, err := HTTPJSON(HTTPOptions{Client: client, Concurrency: 4, Pages: Pages{Kind: PageNumber, Size: 50},
				Records: RecordOptions{Records: "data", BatchRows: 50}}, srv.URL+"/pages")
			if err != nil {
				t.Fatal(err)
			}
			return x
		},
	}
	errStop := errors.New("stop")
	for name, mk := range sources {
		for _, how := range []string{"emit error", "cancel", "to the end"} {
			for _, at := range []int{1, 20} {
				t.Run(fmt.Sprintf("%s/%s/%d", name, how, at), func(t *testing.T) {
					ignore := goleak.IgnoreCurrent()
					x := mk()
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					n := 0
					err := x.Extract(ctx, func(*frame.Frame) error {
						if n++; n == at && how != "to the end" {
							if how == "cancel" {
								cancel()
								return nil
							}
							return errStop
						}
						return nil
					})
					if c, ok := x.(interface{ Close() error }); ok {
						c.Close()
					}
					switch {
					case how == "to the end":
						if (err != nil) != (name == "csv-bad") {
							t.Fatalf("run to the end: %v", err)
						}
					case err == nil && n >= at:
						t.Fatalf("no error after %d batches", n)
					case err != nil && !errors.Is(err, errStop) && !errors.Is(err, context.Canceled) && !errors.Is(err, ErrFieldCount):
						t.Fatalf("error %v", err)
					}
					goleak.VerifyNone(t, ignore)
				})
			}
		}
	}
}
