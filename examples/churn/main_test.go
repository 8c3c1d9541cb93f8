package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/pipeline"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const fixture = "testdata/churn-3000.csv"

func runJSON(t *testing.T, o options) (map[string]any, string) {
	t.Helper()
	var out, errs bytes.Buffer
	if err := run(context.Background(), o, &out, &errs); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &got); err != nil {
		t.Fatalf("last line is not JSON: %v\n%s", err, out.String())
	}
	return got, out.String()
}

// TestParityWithScikitLearn: on the held-out rows scikit-learn chose
// (testdata/sklearn_split.py), the pipeline's metrics are scikit-learn's.
func TestParityWithScikitLearn(t *testing.T) {
	b, err := os.ReadFile("testdata/sklearn_split.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	json.Unmarshal(b, &want)
	for _, workers := range []int{1, 2} {
		got, out := runJSON(t, options{data: fixture, json: true, workers: workers, testIndex: "testdata/sklearn_split.json", progress: "off"})
		if strings.Count(out, "\n") != 1 {
			t.Errorf("-json printed more than one line:\n%s", out)
		}
		for _, k := range []string{"test_accuracy", "test_f1", "test_roc_auc"} {
			if math.Abs(got[k].(float64)-want[k].(float64)) > 1e-6 {
				t.Errorf("workers %d: %s = %v, scikit-learn %v", workers, k, got[k], want[k])
			}
		}
		if got["rows"] != 3000.0 || got["test_rows"] != 600.0 || got["features"] != 38.0 {
			t.Errorf("rows %v, test rows %v, features %v", got["rows"], got["test_rows"], got["features"])
		}
	}
}

func TestReport(t *testing.T) {
	got, out := runJSON(t, options{data: fixture, workers: 2, progress: "on"})
	for _, k := range []string{"read_s", "clean_s", "split_s", "fit_s", "predict_s", "cv_s", "total_s",
		"test_accuracy", "test_f1", "test_roc_auc", "cv_roc_auc_mean", "peak_rss_mb", "rows"} {
		if _, ok := got[k].(float64); !ok {
			t.Errorf("key %s missing from %v", k, got)
		}
	}
	sum := 0.0
	for _, k := range []string{"read_s", "clean_s", "split_s", "fit_s", "predict_s", "cv_s"} {
		sum += got[k].(float64)
	}
	if math.Abs(sum-got["total_s"].(float64)) > 1e-3 {
		t.Errorf("total %v, phases sum to %v", got["total_s"], sum)
	}
	if auc := got["cv_roc_auc_mean"].(float64); auc < 0.7 || auc > 0.85 {
		t.Errorf("cv roc auc %v", auc)
	}
	for _, s := range []string{"phase", "held out:", "5-fold CV", "country", "as JSON:"} {
		if !strings.Contains(out, s) {
			t.Errorf("report lacks %q:\n%s", s, out)
		}
	}
}

// TestSaveThenPredictRecords: the saved pipeline holds the cleaning steps,
// so it predicts from raw records, as examples/serve receives them.
func TestSaveThenPredictRecords(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "churn.json")
	got, _ := runJSON(t, options{data: fixture, json: true, workers: 2, save: path, progress: "off"})
	fitted, man, err := pipeline.LoadFileWithManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	if man.Metrics["test_roc_auc"] != got["test_roc_auc"].(float64) && math.Abs(man.Metrics["test_roc_auc"]-got["test_roc_auc"].(float64)) > 1e-6 {
		t.Errorf("manifest metrics %v, run %v", man.Metrics, got)
	}
	if len(fitted.Schema) != len(inputs) || len(man.Params.Steps) != len(cleanSpecs())+4 {
		t.Errorf("schema %v, %d steps", fitted.Schema, len(man.Params.Steps))
	}
	// Raw rows from the file, as a frame and as records.
	src, _ := etl.OpenCSV(fixture, etl.CSVOptions{NA: missing, BatchRows: 20,
		Schema: map[string]frame.Kind{"is_mobile": frame.Categorical, "signup_date": frame.Categorical}})
	defer src.Close()
	var first *frame.Frame
	src.Extract(ctx, func(f *frame.Frame) error {
		if first == nil {
			first = f
		}
		return nil
	})
	raw, _ := first.Select(inputs...)
	want, err := fitted.PredictProba(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	for i := range raw.NumRows() {
		rec := map[string]any{}
		for _, n := range inputs {
			c, _ := raw.Col(n)
			rec[n] = c.Value(i)
		}
		recs = append(recs, rec)
	}
	js, _ := json.Marshal(recs)
	decoded, _, _ := pipeline.DecodeRecords(bytes.NewReader(js))
	preds, err := fitted.PredictRecords(ctx, decoded)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range preds {
		if math.Abs(p.Probabilities[1]-want.At(i, 1)) > 1e-12 {
			t.Errorf("record %d: %v, frame %v", i, p.Probabilities[1], want.At(i, 1))
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, []byte("customer_id,signup_date,age,income,country,plan,monthly_spend,support_tickets,last_login_days,is_mobile,notes,churned\n"), 0o644)
	badSplit := filepath.Join(dir, "split.json")
	os.WriteFile(badSplit, []byte(`{"test_index":[5000]}`), 0o644)
	for name, o := range map[string]options{
		"no file":   {data: filepath.Join(dir, "absent.csv")},
		"no rows":   {data: empty},
		"bad split": {data: fixture, testIndex: badSplit},
	} {
		if err := run(context.Background(), o, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestNumpySplit: the numpy split holds out exactly the rows scikit-learn
// held out on the fixture (testdata/sklearn_split.py).
func TestNumpySplit(t *testing.T) {
	b, _ := os.ReadFile("testdata/sklearn_split.json")
	var want struct {
		TestIndex []int `json:"test_index"`
	}
	json.Unmarshal(b, &want)
	y := labels(t)
	train, test, err := numpySplit(y, 0.2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(train)+len(test) != len(y) || len(test) != len(want.TestIndex) {
		t.Fatalf("%d train, %d test rows, want %d test", len(train), len(test), len(want.TestIndex))
	}
	for i := range test {
		if test[i] != want.TestIndex[i] {
			t.Fatalf("test row %d is %d, scikit-learn's %d", i, test[i], want.TestIndex[i])
		}
	}
	got, _ := runJSON(t, options{data: fixture, json: true, workers: 2, split: "numpy", progress: "off"})
	var sk map[string]any
	json.Unmarshal(b, &sk)
	if math.Abs(got["test_roc_auc"].(float64)-sk["test_roc_auc"].(float64)) > 1e-6 {
		t.Errorf("roc auc %v on numpy's split, scikit-learn %v", got["test_roc_auc"], sk["test_roc_auc"])
	}
	// The generator itself: numpy.random.RandomState(0).permutation(10) and
	// _approximate_mode's documented examples.
	if p := newMT19937(0).permutation(10); fmt.Sprint(p) != "[2 8 4 9 1 6 7 3 0 5]" {
		t.Errorf("permutation(10) = %v", p)
	}
	for _, c := range []struct {
		counts []int
		draws  int
		seed   uint32
		want   string
	}{{[]int{4, 2}, 3, 0, "[2 1]"}, {[]int{5, 2}, 4, 0, "[3 1]"}, {[]int{2, 2, 2, 1}, 2, 0, "[0 1 1 0]"}, {[]int{2, 2, 2, 1}, 2, 42, "[1 1 0 0]"}} {
		if got := fmt.Sprint(approximateMode(c.counts, c.draws, newMT19937(c.seed))); got != c.want {
			t.Errorf("approximateMode(%v, %d, %d) = %s, want %s", c.counts, c.draws, c.seed, got, c.want)
		}
	}
	if _, _, err := numpySplit([]float64{1, 0, 0}, 0.2, 0); err == nil {
		t.Error("a class of one member accepted")
	}
}

func labels(t *testing.T) []float64 {
	t.Helper()
	f, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	y := make([]float64, len(rows)-1)
	for i, row := range rows[1:] {
		y[i], _ = strconv.ParseFloat(row[len(row)-1], 64)
	}
	return y
}

// TestReordered: on rows stored in another order, the folds hold the same
// rows, in the same order, as the splitter's folds of the first order.
func TestReordered(t *testing.T) {
	y := make([]float64, 103)
	for i := range y {
		y[i] = float64(i % 3 % 2)
	}
	orig := make([]int, len(y)) // stored row k is first-order row orig[k]
	for k := range orig {
		orig[k] = (k * 37) % len(y)
	}
	stored := make([]float64, len(y))
	for k, i := range orig {
		stored[k] = y[i]
	}
	s := evaluate.StratifiedKFold{K: 5, Shuffle: true, Seed: 0}
	want, err := s.Split(y)
	if err != nil {
		t.Fatal(err)
	}
	got, err := newReordered(s, orig).Split(stored)
	if err != nil {
		t.Fatal(err)
	}
	for f := range want {
		for _, p := range []struct{ w, g []int }{{want[f].Train, got[f].Train}, {want[f].Test, got[f].Test}} {
			if len(p.w) != len(p.g) {
				t.Fatalf("fold %d: %d rows, want %d", f, len(p.g), len(p.w))
			}
			for j := range p.w {
				if orig[p.g[j]] != p.w[j] {
					t.Fatalf("fold %d position %d: stored row %d is row %d, want %d", f, j, p.g[j], orig[p.g[j]], p.w[j])
				}
			}
		}
	}
	if _, err := newReordered(s, orig[1:]).Split(stored); err == nil {
		t.Error("a short order was accepted")
	}
}
