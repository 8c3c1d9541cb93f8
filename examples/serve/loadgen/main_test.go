package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func server(t *testing.T) (url, csvPath string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,tenure,plan,churned\n")
	for i := range 200 {
		tenure := fmt.Sprint(i % 60)
		if i%10 == 0 {
			tenure = "NA"
		}
		fmt.Fprintf(&b, "c%d,%s,%s,%d\n", i, tenure, []string{"basic", "pro"}[i%2], (i/3)%2)
	}
	csvPath = filepath.Join(t.TempDir(), "data.csv")
	os.WriteFile(csvPath, []byte(b.String()), 0o644)
	src, _ := etl.OpenCSV(csvPath, etl.CSVOptions{})
	tr := &pipeline.Training{Source: src, Eval: pipeline.Evaluation{TestFraction: -1}, ML: pipeline.ML{
		Inputs: []string{"tenure", "plan"},
		Steps:  []preprocess.Step{preprocess.Impute(preprocess.Mean, "tenure"), preprocess.OneHot("plan")},
		Model:  model.LogisticRegression{}, Target: "churned"}}
	rep, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	mem, _ := cache.NewMemory(cache.MemoryOptions{})
	t.Cleanup(func() { mem.Close() })
	h, err := pipeline.Handler(rep.Fitted, pipeline.ServeOptions{Cache: mem})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL, csvPath
}

func TestLoad(t *testing.T) {
	url, path := server(t)
	ctx := context.Background()
	res, err := run(ctx, options{url: url, csv: path, n: 300, c: 4, batch: 2, dist: 10, na: ",NA"})
	if err != nil {
		t.Fatal(err)
	}
	// 10 distinct records from 4 clients: each record is missed at most
	// once per client (clients racing on a record before it is cached),
	// and hit from then on.
	if res.Requests != 300 || res.Records != 600 || res.Errors != 0 || res.ServerRecs != 600 || res.CacheHits < 600-4*10 {
		t.Errorf("result %+v", res)
	}
	if res.P50Micros > res.P99Micros || res.P99Micros > res.MaxMicros || res.RPS <= 0 {
		t.Errorf("percentiles %+v", res)
	}
	if !strings.Contains(res.String(), "300 requests of 2 records from 4 clients") {
		t.Errorf("text %q", res.String())
	}
	// A file without the server's columns, bad options, no server.
	other := filepath.Join(t.TempDir(), "other.csv")
	os.WriteFile(other, []byte("a,b\n1,2\n"), 0o644)
	for name, o := range map[string]options{
		"missing column": {url: url, csv: other, n: 1, c: 1, batch: 1},
		"no csv":         {url: url, n: 1, c: 1, batch: 1},
		"bad options":    {url: url, csv: path, n: 0, c: 1, batch: 1},
		"no server":      {url: "http://127.0.0.1:1", csv: path, n: 1, c: 1, batch: 1},
	} {
		if _, err := run(ctx, o); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
