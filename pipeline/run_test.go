package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/testredis"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
	"github.com/redis/go-redis/v9"
)

// churnCSV returns a small classification data set as CSV text: two numeric
// columns (one with missing values), a category and a 0/1 label drawn from
// a logistic model of them.
func churnCSV(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	var b bytes.Buffer
	b.WriteString("tenure,spend,plan,churned\n")
	plans := []string{"basic", "plus", "pro"}
	for range n {
		tenure := rng.Float64() * 60
		spend := 20 + rng.NormFloat64()*8
		plan := rng.IntN(3)
		z := 1.5 - 0.06*tenure + 0.05*(spend-20) - 0.7*float64(plan)
		y := 0
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			y = 1
		}
		ts := fmt.Sprintf("%.2f", tenure)
		if rng.Float64() < 0.1 {
			ts = "NA"
		}
		fmt.Fprintf(&b, "%s,%.2f,%s,%d\n", ts, spend, plans[plan], y)
	}
	return b.Bytes()
}

func churnSpec(workers int) ML {
	return ML{
		Steps: []preprocess.Step{
			preprocess.Impute(preprocess.Median, "tenure"),
			preprocess.StandardScale("tenure", "spend"),
			preprocess.OneHot("plan"),
		},
		Model:  model.LogisticRegression{Workers: workers},
		Target: "churned",
	}
}

func churnTraining(data []byte, opts etl.CSVOptions, workers int) *Training {
	return &Training{
		Name:   "churn",
		Source: etl.CSV(bytes.NewReader(data), opts),
		ML:     churnSpec(workers),
		Eval: Evaluation{Stratify: true, Seed: 1, Workers: workers,
			CV: evaluate.StratifiedKFold{K: 3, Shuffle: true, Seed: 2}},
	}
}

func TestTrainingRun(t *testing.T) {
	ctx := context.Background()
	data := churnCSV(600, 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "churn.json")
	tr := churnTraining(data, etl.CSVOptions{BatchRows: 100}, 0)
	tr.Deploy = DeployFile(path)
	var progress []RunProgress
	tr.Progress = func(p RunProgress) { progress = append(progress, p) }
	var logs bytes.Buffer
	tr.Logger = slog.New(slog.NewTextHandler(&logs, nil))

	rep, err := tr.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The data summary matches the CSV.
	wantMissing := strings.Count(string(data), "\nNA,")
	if rep.Data.Rows != 600 || rep.Data.Columns != 4 || rep.Data.Batches < 6 || rep.Data.Bytes != int64(len(data)) {
		t.Errorf("data summary %+v", rep.Data)
	}
	if m := rep.Data.Missing[0]; m.Name != "tenure" || m.Missing != wantMissing || math.Abs(m.Rate-float64(wantMissing)/600) > 1e-12 {
		t.Errorf("missing %+v, want %d in tenure", m, wantMissing)
	}
	// Every step is there, in order, with its rows.
	var names []string
	for _, s := range rep.Steps {
		names = append(names, s.Name)
	}
	want := []string{"extract", "fingerprint", "split", "fit: profile",
		"fit: step 0 preprocess.ImputeSpec", "fit: step 1 preprocess.StandardScaleSpec",
		"fit: step 2 preprocess.OneHotSpec", "fit: model model.LogisticRegression", "fit",
		"evaluate", "cross-validate (3 folds)", "deploy"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("steps\n%v\nwant\n%v", names, want)
	}
	if s := rep.Steps[2]; s.RowsIn != 600 || s.RowsOut != 480 {
		t.Errorf("split rows %d → %d, want 600 → 480", s.RowsIn, s.RowsOut)
	}
	// Metrics: the hold-out scores are those of the deployed pipeline.
	if len(rep.Metrics) != 2 || rep.Metrics[0].Name != "accuracy" || rep.Metrics[1].Name != "roc_auc" {
		t.Fatalf("metrics %+v", rep.Metrics)
	}
	src := etl.CSV(bytes.NewReader(data), etl.CSVOptions{})
	var all []*frame.Frame
	if err := src.Extract(ctx, func(f *frame.Frame) error { all = append(all, f); return nil }); err != nil {
		t.Fatal(err)
	}
	whole, _ := frame.Concat(all...)
	y, _ := evaluate.Target(whole, "churned")
	_, testIdx, _ := evaluate.TrainTestSplit(y, 0.2, 1, true)
	test, _ := whole.Take(testIdx)
	proba, err := rep.Fitted.PredictProba(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	yTest, _ := evaluate.Target(test, "churned")
	score := make([]float64, len(yTest))
	for i := range score {
		score[i] = proba.At(i, 1)
	}
	auc, _ := evaluate.ROCAUC(yTest, score)
	if math.Abs(auc-rep.Metrics[1].Value) > 1e-12 || auc < 0.6 {
		t.Errorf("roc auc %v in the report, %v recomputed", rep.Metrics[1].Value, auc)
	}
	if len(rep.CV) != 2 || len(rep.CV[1].Folds) != 3 || rep.CV[1].Mean < 0.6 {
		t.Errorf("cv %+v", rep.CV)
	}
	// The artifact and manifest were deployed and agree.
	if rep.Artifact.Location != path {
		t.Errorf("artifact location %q", rep.Artifact.Location)
	}
	loaded, man, err := LoadFileWithManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := loaded.PredictProba(ctx, test)
	if !equalFloats(again.RawMatrix().Data, proba.RawMatrix().Data) {
		t.Error("reloaded pipeline predicts differently")
	}
	if man.Data.SHA256 != Fingerprint(whole) || man.Data.TrainRows != 480 || man.Data.TestRows != 120 {
		t.Errorf("manifest data %+v", man.Data)
	}
	if man.Metrics["test_roc_auc"] != rep.Metrics[1].Value || man.Metrics["cv_roc_auc_mean"] != rep.CV[1].Mean {
		t.Errorf("manifest metrics %v", man.Metrics)
	}
	var ev map[string]any
	json.Unmarshal(man.Params.Evaluation, &ev)
	if len(man.Params.Steps) != 3 || man.Params.Model.Type != "model.LogisticRegression" || !man.Params.Complete() ||
		ev["stratify"] != true || ev["seed"] != 1.0 {
		t.Errorf("manifest params %+v", man.Params)
	}
	if loaded.Profile == nil || len(loaded.Profile.Columns) != 3 {
		t.Errorf("profile %+v", loaded.Profile)
	}
	// Progress: rows and bytes grow, every step is announced.
	var last RunProgress
	steps := map[string]bool{}
	for _, p := range progress {
		if p.Rows < last.Rows || p.Elapsed < last.Elapsed {
			t.Errorf("progress went back: %+v after %+v", p, last)
		}
		last = p
		steps[p.Step] = true
	}
	if last.Rows != 600 || last.Bytes != int64(len(data)) || len(steps) != 6 {
		t.Errorf("last progress %+v, steps %v", last, steps)
	}
	// The report prints and marshals.
	text := rep.String()
	for _, s := range []string{"600 rows, 4 columns", "tenure", "cross-validate (3 folds)", "roc_auc", path} {
		if !strings.Contains(text, s) {
			t.Errorf("report text lacks %q:\n%s", s, text)
		}
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back RunReport
	if err := json.Unmarshal(js, &back); err != nil || back.Data.Rows != 600 || len(back.Steps) != len(rep.Steps) {
		t.Errorf("json round trip: %v %+v", err, back.Data)
	}
	if !strings.Contains(logs.String(), "step=deploy") {
		t.Errorf("log lacks the deploy step:\n%s", logs.String())
	}
}

// equalFloats reports whether a and b hold the same values, NaN equal to NaN.
func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// TestTrainingRejects: rows the source rejects are counted in the report,
// not silently lost.
func TestTrainingRejects(t *testing.T) {
	data := string(churnCSV(200, 6)) + "1.5,20\n3,4,pro,1,extra\n"
	rejects := new(etl.Memory[etl.Rejected])
	tr := churnTraining([]byte(data), etl.CSVOptions{OnError: etl.Reject, Rejects: rejects}, 1)
	tr.Eval.CV = nil
	rep, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Data.Rows != 200 || rep.Data.Rejected != 2 || rejects.Len() != 2 || !strings.Contains(rep.String(), "2 records rejected") {
		t.Errorf("rows %d, rejected %d (%d in the sink)\n%s", rep.Data.Rows, rep.Data.Rejected, rejects.Len(), rep)
	}
}

// TestTrainingByteIdentical: the same data and seeds give the same artifact
// and manifest bytes whatever the number of workers and the batch size.
func TestTrainingByteIdentical(t *testing.T) {
	data := churnCSV(800, 3)
	var firstA, firstM []byte
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct{ parse, batch, workers, procs int }{{1, 800, 1, 1}, {4, 64, 4, 4}, {2, 100, 3, 2}} {
		runtime.GOMAXPROCS(c.procs)
		dir := t.TempDir()
		path := filepath.Join(dir, "m.json")
		tr := churnTraining(data, etl.CSVOptions{Workers: c.parse, BatchRows: c.batch}, c.workers)
		tr.Deploy = DeployFile(path)
		tr.Eval.RefitAll = true
		if _, err := tr.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		a, _ := os.ReadFile(path)
		m, _ := os.ReadFile(ManifestPath(path))
		if firstA == nil {
			firstA, firstM = a, m
			continue
		}
		if !bytes.Equal(a, firstA) {
			t.Errorf("workers %+v: artifact differs", c)
		}
		if !bytes.Equal(m, firstM) {
			t.Errorf("workers %+v: manifest differs:\n%s\n%s", c, m, firstM)
		}
	}
	if len(firstA) == 0 || !bytes.Contains(firstM, []byte(`"train_rows": 800`)) {
		t.Errorf("refit on all rows not recorded:\n%s", firstM)
	}
}

// failingCache answers every call with an error, as a Redis outage does.
type failingCache struct{ calls int }

func (c *failingCache) Get(context.Context, string) ([]byte, bool, error) {
	c.calls++
	return nil, false, errors.New("connection refused")
}
func (c *failingCache) Set(context.Context, string, []byte, time.Duration) error {
	c.calls++
	return errors.New("connection refused")
}
func (c *failingCache) Delete(context.Context, ...string) error { return nil }

func TestTrainingCache(t *testing.T) {
	ctx := context.Background()
	data := churnCSV(300, 5)
	mem, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	run := func(c cache.Cache) *RunReport {
		t.Helper()
		tr := churnTraining(data, etl.CSVOptions{}, 1)
		tr.Eval.CV = nil
		tr.Cache = c
		rep, err := tr.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	first := run(mem)
	second := run(mem)
	if first.Cache != (CacheSummary{Used: true, Misses: 1}) || second.Cache != (CacheSummary{Used: true, Hits: 1}) {
		t.Errorf("cache: first %+v, second %+v", first.Cache, second.Cache)
	}
	if first.Artifact.SHA256 != second.Artifact.SHA256 {
		t.Error("the cached pipeline differs from the fitted one")
	}
	fitStep := func(r *RunReport) RunStep {
		for _, s := range r.Steps {
			if s.Name == "fit" {
				return s
			}
		}
		return RunStep{}
	}
	if fitStep(first).Cache != "miss" || fitStep(second).Cache != "hit" || len(second.Steps) >= len(first.Steps) {
		t.Errorf("fit steps: %+v then %+v", first.Steps, second.Steps)
	}
	// Another seed is another training set: no hit.
	tr := churnTraining(data, etl.CSVOptions{}, 1)
	tr.Eval.Seed = 99
	tr.Cache = mem
	rep, err := tr.Run(ctx)
	if err != nil || rep.Cache.Hits != 0 {
		t.Errorf("other split: %v %+v", err, rep.Cache)
	}
	// An outage is not a failure.
	bad := &failingCache{}
	out := run(bad)
	if out.Cache.Errors != 2 || bad.calls != 2 || out.Artifact.SHA256 != first.Artifact.SHA256 {
		t.Errorf("outage: %+v after %d calls", out.Cache, bad.calls)
	}
	// A step made from a func is not recorded, so never cached.
	tr = churnTraining(data, etl.CSVOptions{}, 1)
	tr.ML.Steps = append(tr.ML.Steps, preprocess.StepFunc(func(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
		return &centered{Col: "spend"}, nil
	}))
	tr.Cache = mem
	if rep, err := tr.Run(ctx); err != nil || rep.Cache.Used {
		t.Errorf("func step: %v, cache %+v", err, rep.Cache)
	}
}

func TestTrainingDeployCache(t *testing.T) {
	ctx := context.Background()
	mem, _ := cache.NewMemory(cache.MemoryOptions{})
	defer mem.Close()
	tr := churnTraining(churnCSV(200, 9), etl.CSVOptions{}, 1)
	tr.Eval = Evaluation{TestFraction: -1}
	tr.Deploy = DeployCache(mem, "models:churn")
	rep, err := tr.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Artifact.Location != "cache key models:churn" || len(rep.Metrics) != 0 {
		t.Errorf("report %+v", rep.Artifact)
	}
	f, m, err := LoadCache(ctx, mem, "models:churn")
	if err != nil {
		t.Fatal(err)
	}
	if m.Data.TestRows != 0 || m.Data.TrainRows != 200 || len(f.Features) != 5 {
		t.Errorf("manifest %+v, features %v", m.Data, f.Features)
	}
	if _, _, err := LoadCache(ctx, mem, "models:none"); !errors.Is(err, ErrArtifact) {
		t.Errorf("absent key: %v", err)
	}
	art, _, _ := mem.Get(ctx, "models:churn")
	mem.Set(ctx, "models:churn", append(bytes.Clone(art[:len(art)-1]), ' ', '\n'), 0)
	if _, _, err := LoadCache(ctx, mem, "models:churn"); !errors.Is(err, ErrManifest) {
		t.Errorf("tampered artifact: %v", err)
	}
	mem.Set(ctx, "models:churn:manifest", []byte("{"), 0)
	if _, _, err := LoadCache(ctx, mem, "models:churn"); !errors.Is(err, ErrManifest) {
		t.Errorf("corrupt manifest: %v", err)
	}
	if _, _, err := LoadCache(ctx, &failingCache{}, "x"); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("cache outage: %v", err)
	}
}

func TestTrainingErrors(t *testing.T) {
	ctx := context.Background()
	data := churnCSV(100, 2)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	boom := errors.New("boom")
	tests := []struct {
		name string
		ctx  context.Context
		edit func(*Training)
		want error
		text string
	}{
		{"no source", ctx, func(tr *Training) { tr.Source = nil }, ErrNoSource, ""},
		{"no model", ctx, func(tr *Training) { tr.ML.Model = nil }, nil, "no model"},
		{"no rows", ctx, func(tr *Training) { tr.Source = etl.Slice[*frame.Frame]{} }, ErrNoSource, "extract"},
		{"extract error", ctx, func(tr *Training) {
			tr.Source = etl.ExtractorFunc[*frame.Frame](func(context.Context, func(*frame.Frame) error) error { return boom })
		}, boom, "extract"},
		{"bad csv", ctx, func(tr *Training) {
			tr.Source = etl.CSV(strings.NewReader("a,b\n1,2\n3\n"), etl.CSVOptions{})
		}, etl.ErrFieldCount, "extract"},
		{"unknown target", ctx, func(tr *Training) { tr.ML.Target = "nope" }, ErrTarget, "split"},
		{"bad split", ctx, func(tr *Training) { tr.Eval.TestFraction = 1.5 }, evaluate.ErrSplit, "split"},
		{"bad step", ctx, func(tr *Training) {
			tr.ML.Steps = append(tr.ML.Steps, preprocess.StandardScale("nope"))
		}, frame.ErrNoColumn, "fit"},
		{"deploy error", ctx, func(tr *Training) {
			tr.Deploy = etl.LoaderFunc[*Deployment](func(context.Context, *Deployment) error { return boom })
		}, boom, "deploy"},
		{"deploy to a missing directory", ctx, func(tr *Training) {
			tr.Deploy = DeployFile(filepath.Join(t.TempDir(), "no", "such", "dir", "m.json"))
		}, os.ErrNotExist, "deploy"},
		{"cancelled", cancelled, func(*Training) {}, context.Canceled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := churnTraining(data, etl.CSVOptions{}, 1)
			tt.edit(tr)
			_, err := tr.Run(tt.ctx)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not mention %q", err, tt.text)
			}
		})
	}
}

// closingSource records that the training closed it.
type closingSource struct {
	etl.Slice[*frame.Frame]
	closed int
}

func (c *closingSource) Close() error { c.closed++; return nil }

func TestTrainingRegressionDefaults(t *testing.T) {
	x := make([]float64, 50)
	y := make([]float64, 50)
	for i := range x {
		x[i] = float64(i)
		y[i] = 3*float64(i) - 1
	}
	f, _ := frame.New(frame.Floats("x", x), frame.Floats("y", y))
	src := &closingSource{Slice: etl.Slice[*frame.Frame]{f}}
	dest := new(etl.Memory[*Deployment])
	tr := &Training{Source: src, ML: ML{Model: model.LinearRegression{}, Target: "y"}, Deploy: dest}
	rep, err := tr.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if src.closed != 1 {
		t.Errorf("source closed %d times", src.closed)
	}
	if len(rep.Metrics) != 2 || rep.Metrics[0].Name != "r2" || math.Abs(rep.Metrics[0].Value-1) > 1e-9 ||
		rep.Metrics[1].Name != "neg_root_mean_squared_error" || math.Abs(rep.Metrics[1].Value) > 1e-9 {
		t.Errorf("metrics %+v", rep.Metrics)
	}
	if dest.Len() != 1 || rep.Artifact.Location != "" {
		t.Errorf("deployed %d, location %q", dest.Len(), rep.Artifact.Location)
	}
	dep := dest.Items()[0]
	if err := dep.Manifest.Verify(dep.Artifact); err != nil {
		t.Error(err)
	}
	if !strings.Contains(rep.String(), "no missing values") {
		t.Errorf("report:\n%s", rep)
	}
}

// TestTrainingCancelledMidRun: cancelling during the fit stops the run with
// the context's error, and (checked by goleak in TestMain) leaves no
// goroutine behind.
func TestTrainingCancelledMidRun(t *testing.T) {
	for _, step := range []string{"fit", "cross-validate"} {
		t.Run(step, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tr := churnTraining(churnCSV(400, 4), etl.CSVOptions{}, 2)
			tr.Progress = func(p RunProgress) {
				if p.Step == step {
					cancel()
				}
			}
			start := time.Now()
			_, err := tr.Run(ctx)
			if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), step) {
				t.Errorf("error %v, want context.Canceled in %s", err, step)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to stop", d)
			}
		})
	}
}

// TestDeployRedis deploys to a real Redis and loads the pipeline back.
func TestDeployRedis(t *testing.T) {
	srv := testredis.Start(t)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer client.Close()
	rc, err := cache.NewRedis(client, cache.RedisOptions{Prefix: "pipeline-test:"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tr := churnTraining(churnCSV(200, 8), etl.CSVOptions{}, 1)
	tr.Eval.CV = nil
	tr.Deploy = DeployCache(rc, "models:churn")
	rep, err := tr.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Delete(ctx, "models:churn", "models:churn:manifest")
	f, m, err := LoadCache(ctx, rc, "models:churn")
	if err != nil {
		t.Fatal(err)
	}
	if m.Artifact.SHA256 != rep.Artifact.SHA256 || len(f.Features) != len(rep.Fitted.Features) {
		t.Errorf("loaded %+v, deployed %+v", m.Artifact, rep.Artifact)
	}
}
