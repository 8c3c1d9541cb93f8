package mlbeam_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	mlbeam "github.com/mlpipe/mlpipe/beam"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
)

// TestMain runs the pipelines on Prism in this process. It does not check
// for leaked goroutines (goleak): the package starts none of its own, and
// Prism's job server and the SDK harness stay up for the life of the
// process by design.
func TestMain(m *testing.M) { ptest.MainWithDefault(m, "prism") }

// writeShards writes shards CSV files of rows records each into dir, with
// three unreadable records in every third shard (a word for a number, a
// short record, and last an unterminated quote, which must not swallow the
// records of other shards), and returns their number.
func writeShards(t testing.TB, dir string, shards, rows int) (dirty int) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 11))
	plans := []string{"basic", "pro", "team", "NA"}
	countries := []string{"us", "de", "fr", "jp", "br"}
	for s := range shards {
		var b strings.Builder
		b.WriteString("id,age,income,plan,country,churned\n")
		for i := range rows {
			age := strconv.Itoa(18 + r.IntN(60))
			if r.IntN(12) == 0 {
				age = ""
			}
			income := strconv.FormatFloat(20000+r.NormFloat64()*8000+float64(r.IntN(5))*1e4, 'f', 2, 64)
			churn := 0
			if r.Float64() < 0.3 {
				churn = 1
			}
			fmt.Fprintf(&b, "c%03d-%05d,%s,%s,%s,%s,%d\n", s, i, age, income,
				plans[r.IntN(len(plans))], countries[r.IntN(len(countries))], churn)
			if s%3 == 0 && i == rows/2 {
				fmt.Fprintf(&b, "c%03d-bad1,forty,1000,pro,us,0\n", s)
				fmt.Fprintf(&b, "c%03d-bad2,40,1000\n", s)
				dirty += 2
			}
		}
		if s%3 == 0 {
			fmt.Fprintf(&b, "c%03d-bad3,\"41,1000,pro,us,0\n", s)
			dirty++
		}
		path := filepath.Join(dir, fmt.Sprintf("part-%03d.csv", s))
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dirty
}

var shardOptions = mlbeam.CSVOptions{
	Schema: map[string]frame.Kind{
		"id": frame.String, "age": frame.Float, "income": frame.Float,
		"plan": frame.Categorical, "country": frame.Categorical, "churned": frame.Float,
	},
	BatchRows: 700,
}

// readLocal reads the shards on one machine, dropping the records the
// pipeline rejects, and returns them as one frame and the number rejected.
func readLocal(t testing.TB, glob string) (*frame.Frame, int) {
	t.Helper()
	opts := etl.CSVOptions{Schema: shardOptions.Schema}
	rejected := 0
	opts.OnError = etl.Reject
	opts.Rejects = etl.LoaderFunc[etl.Rejected](func(context.Context, etl.Rejected) error { rejected++; return nil })
	src, err := etl.GlobCSV(glob, opts)
	if err != nil {
		t.Fatal(err)
	}
	var parts []*frame.Frame
	if err := src.Extract(context.Background(), func(f *frame.Frame) error { parts = append(parts, f); return nil }); err != nil {
		t.Fatal(err)
	}
	all, err := frame.Concat(parts...)
	if err != nil {
		t.Fatal(err)
	}
	return all, rejected
}

// readLines returns the lines of the files textio.Write wrote at path.
func readLines(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func run(t testing.TB, p *beam.Pipeline) beam.PipelineResult {
	t.Helper()
	res, err := ptest.RunWithMetrics(p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var fitSpecs = []preprocess.Incremental{
	preprocess.Impute(preprocess.Median, "age"),
	preprocess.ImputeSpec{Strategy: preprocess.Median, Columns: []string{"income"}, MaxValues: 256},
	preprocess.StandardScale("age"),
	preprocess.Impute(preprocess.MostFrequent, "plan"),
	preprocess.OneHot("plan", "country"),
	preprocess.MinMaxScale("income"),
}

// TestFitMatchesLocal fits steps on 24 shards on Prism and on one machine,
// and compares the fitted states: counts and categories exactly, moments
// to rounding, the sketched median within its rank error. It checks the
// dead letter and its counter too.
func TestFitMatchesLocal(t *testing.T) {
	dir := t.TempDir()
	dirty := writeShards(t, dir, 24, 500)
	glob := filepath.Join(dir, "part-*.csv")
	out := filepath.Join(dir, "steps.json")
	deadOut := filepath.Join(dir, "dead.txt")

	p, s := beam.NewPipelineWithRoot()
	frames, dead, err := mlbeam.ReadCSV(s, glob, shardOptions)
	if err != nil {
		t.Fatal(err)
	}
	steps, _, err := mlbeam.FitSteps(s, fitSpecs, frames)
	if err != nil {
		t.Fatal(err)
	}
	textio.Write(s, out, beam.ParDo(s, bytesToString, steps))
	textio.Write(s, deadOut, beam.ParDo(s, rejectLine, dead))
	res := run(t, p)

	if got := mlbeam.Counter(res, "rejected"); got != int64(dirty) {
		t.Errorf("rejected counter %d, want %d", got, dirty)
	}
	deadLines := readLines(t, deadOut)
	if len(deadLines) != dirty {
		t.Errorf("%d dead letters, want %d: %q", len(deadLines), dirty, deadLines)
	}
	for _, l := range deadLines {
		if !strings.Contains(l, "part-") || !strings.Contains(l, "-bad") {
			t.Errorf("dead letter %q lacks its file or record", l)
		}
	}

	local, localRejected := readLocal(t, glob)
	if localRejected != dirty {
		t.Fatalf("local read rejected %d, want %d", localRejected, dirty)
	}
	if got := mlbeam.Counter(res, "rows"); got != int64(local.NumRows()) {
		t.Errorf("rows counter %d, want %d", got, local.NumRows())
	}
	got, err := mlbeam.DecodeSteps([]byte(readLines(t, out)[0]))
	if err != nil {
		t.Fatal(err)
	}
	cur := local
	for i, spec := range fitSpecs {
		want, err := spec.Fit(context.Background(), cur)
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			checkSketchedMedian(t, cur, got[i])
		} else {
			compareFitted(t, fmt.Sprintf("step %d (%T)", i, spec), got[i], want)
		}
		if cur, err = want.Transform(context.Background(), cur); err != nil {
			t.Fatal(err)
		}
	}
}

func bytesToString(b []byte) string { return string(b) }

func rejectLine(r mlbeam.Reject) string { return r.Source + "\t" + r.Raw + "\t" + r.Error }

func init() {
	beam.RegisterFunction(bytesToString)
	beam.RegisterFunction(rejectLine)
}

// compareFitted compares two fitted steps through their JSON: numbers to
// a relative 1e-9, everything else exactly.
func compareFitted(t *testing.T, name string, got, want preprocess.Fitted) {
	t.Helper()
	var g, w any
	for _, x := range []struct {
		f   preprocess.Fitted
		dst *any
	}{{got, &g}, {want, &w}} {
		b, err := preprocess.MarshalFitted(x.f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, x.dst); err != nil {
			t.Fatal(err)
		}
	}
	if diff := jsonDiff("", g, w); diff != "" {
		t.Errorf("%s: distributed and local fits differ: %s", name, diff)
	}
}

func jsonDiff(path string, g, w any) string {
	switch w := w.(type) {
	case float64:
		gf, ok := g.(float64)
		if !ok || math.Abs(gf-w) > 1e-9*math.Max(1, math.Abs(w)) {
			return fmt.Sprintf("%s: %v, want %v", path, g, w)
		}
	case map[string]any:
		gm, ok := g.(map[string]any)
		if !ok || len(gm) != len(w) {
			return fmt.Sprintf("%s: %v, want %v", path, g, w)
		}
		for k := range w {
			if d := jsonDiff(path+"."+k, gm[k], w[k]); d != "" {
				return d
			}
		}
	case []any:
		gs, ok := g.([]any)
		if !ok || len(gs) != len(w) {
			return fmt.Sprintf("%s: %v, want %v", path, g, w)
		}
		for i := range w {
			if d := jsonDiff(fmt.Sprintf("%s[%d]", path, i), gs[i], w[i]); d != "" {
				return d
			}
		}
	default:
		if g != w {
			return fmt.Sprintf("%s: %v, want %v", path, g, w)
		}
	}
	return ""
}

// checkSketchedMedian checks that the sketched median of income is within
// the sketch's stated rank error H·N/K of the exact median.
func checkSketchedMedian(t *testing.T, f *frame.Frame, got preprocess.Fitted) {
	t.Helper()
	imp, ok := got.(*preprocess.Imputer)
	if !ok {
		t.Fatalf("step 1 is a %T", got)
	}
	vals, err := f.Float("income")
	if err != nil {
		t.Fatal(err)
	}
	sorted := slices.Clone(vals)
	slices.Sort(sorted)
	n := float64(len(sorted))
	fill := imp.Columns[0].Value
	rank, _ := slices.BinarySearch(sorted, fill)
	const k = 256
	h := math.Ceil(math.Log2(n/k)) + 1
	if bound := h * n / k; math.Abs(float64(rank)-n/2) > bound {
		t.Errorf("sketched median %v has rank %d of %v, beyond %v of the middle", fill, rank, n, bound)
	}
}

// TestScoreMatchesLocal scores the shards on Prism with a pipeline fitted
// on one machine, and checks every score against the local one, and the
// merged metrics against package evaluate's.
func TestScoreMatchesLocal(t *testing.T) {
	dir := t.TempDir()
	writeShards(t, dir, 16, 400)
	glob := filepath.Join(dir, "part-*.csv")
	local, _ := readLocal(t, glob)
	ctx := context.Background()
	ml := pipeline.ML{
		Steps: []preprocess.Step{
			preprocess.Impute(preprocess.Median, "age"),
			preprocess.StandardScale("age", "income"),
			preprocess.Impute(preprocess.MostFrequent, "plan"),
			preprocess.OneHot("plan", "country"),
		},
		Model:  model.LogisticRegression{C: 1},
		Target: "churned",
	}
	train, err := local.Drop("id")
	if err != nil {
		t.Fatal(err)
	}
	fitted, err := ml.Fit(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	opts := mlbeam.ScoreOptions{Keep: []string{"id", "churned"}}

	out := filepath.Join(dir, "scores.csv")
	metricsOut := filepath.Join(dir, "metrics.json")
	p, s := beam.NewPipelineWithRoot()
	frames, _, err := mlbeam.ReadCSV(s, glob, shardOptions)
	if err != nil {
		t.Fatal(err)
	}
	scored, err := mlbeam.Score(s, fitted, frames, opts)
	if err != nil {
		t.Fatal(err)
	}
	textio.Write(s, out, mlbeam.FormatCSV(s, scored, etl.CSVWriterOptions{}))
	conf := mlbeam.ConfusionCounts(s, scored, "churned", "score", 0.5)
	reg := mlbeam.Regression(s, scored, "churned", "score")
	auc := mlbeam.ROCAUC(s, scored, "churned", "score", 0)
	textio.Write(s, metricsOut, beam.Flatten(s,
		beam.ParDo(s, toJSON, conf), beam.ParDo(s, toJSON, reg), beam.ParDo(s, toJSON, auc)))
	run(t, p)

	want, err := mlbeam.ScoreFrame(ctx, fitted, local, opts)
	if err != nil {
		t.Fatal(err)
	}
	ids := want.NumRows()
	wantByID := make(map[string]string, ids)
	idCol, _ := want.Col("id")
	scores, _ := want.Float("score")
	for i := range ids {
		wantByID[idCol.Value(i).(string)] = strconv.FormatFloat(scores[i], 'g', -1, 64)
	}
	lines := readLines(t, out)
	if len(lines) != ids {
		t.Fatalf("%d scores, want %d", len(lines), ids)
	}
	for _, l := range lines {
		f := strings.Split(l, ",")
		if w, ok := wantByID[f[0]]; !ok || f[2] != w {
			t.Fatalf("score line %q, want score %s", l, w)
		}
	}

	y, _ := want.Float("churned")
	pred := make([]float64, len(scores))
	for i, p := range scores {
		if p >= 0.5 {
			pred[i] = 1
		}
	}
	var c mlbeam.Confusion
	var r mlbeam.RegressionSums
	var h mlbeam.AUCHistogram
	for _, l := range readLines(t, metricsOut) {
		var probe map[string]any
		if err := json.Unmarshal([]byte(l), &probe); err != nil {
			t.Fatal(err)
		}
		var dst any = &c
		switch {
		case probe["Pos"] != nil:
			dst = &h
		case probe["SSE"] != nil:
			dst = &r
		}
		if err := json.Unmarshal([]byte(l), dst); err != nil {
			t.Fatal(err)
		}
	}
	acc, _ := evaluate.Accuracy(y, pred)
	f1, _ := evaluate.F1(y, pred)
	mse, _ := evaluate.MSE(y, scores)
	r2, _ := evaluate.R2(y, scores)
	aucWant, _ := evaluate.ROCAUC(y, scores)
	for _, x := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"accuracy", c.Accuracy(), acc, 1e-15},
		{"f1", c.F1(), f1, 1e-15},
		{"mse", r.MSE(), mse, 1e-12},
		{"r2", r.R2(), r2, 1e-12},
		{"roc auc", h.AUC(), aucWant, h.ErrorBound() + 1e-12},
	} {
		if math.Abs(x.got-x.want) > x.tol {
			t.Errorf("%s: %v, want %v (within %g)", x.name, x.got, x.want, x.tol)
		}
	}
	if int(c.TP+c.FP+c.TN+c.FN) != ids {
		t.Errorf("confusion counts %+v, want %d rows", c, ids)
	}
}

func toJSON(v beam.T) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func init() { beam.RegisterFunction(toJSON) }
