// Command quickstart runs the whole mlpipe road on a small customer-churn
// table embedded in the binary, dirty on purpose. It needs no services and
// no downloads: the cache is the in-memory one.
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -out ./quickstart-out   # keep the artifact and plots
//
// It first looks at the data, then runs the six steps of an ML pipeline —
// get data, clean, engineer features, train, evaluate, deploy — as one
// [pipeline.Training] value and prints its report; runs it again to show
// the fitted pipeline coming from the cache; judges over- and underfitting
// against a baseline; draws the ROC curve, the confusion matrix and the
// learning curve; and finally loads the deployed artifact, as a server
// would, and predicts JSON records with it.
//
// Flags:
//
//	-out DIR       where the artifact, its manifest and the plots go
//	               (default: a temporary directory, removed at exit)
//	-progress MODE progress bar on stderr: auto (when stderr is a
//	               terminal), on or off
package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/evaluate/plots"
	"github.com/mlpipe/mlpipe/features"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/plot"
)

// customersCSV is 2,000 customers with the mess real exports have: missing
// values spelled five ways, ages of 999, countries in mixed case with stray
// spaces, booleans as yes/no/1/0/Y/N, dates in three layouts.
//
//go:embed customers.csv
var customersCSV []byte

func main() {
	out := flag.String("out", "", "directory for the artifact, its manifest and the plots (default: a temporary directory, removed at exit)")
	bar := flag.String("progress", "auto", "progress bar on stderr: auto, on or off")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, options{outDir: *out, progress: newProgress(*bar, os.Stderr)}); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

type options struct {
	outDir   string
	progress *progress
}

// source extracts the embedded CSV in batches. Each call returns a new
// extractor, so a Training built on it can run again.
func source() etl.Extractor[*frame.Frame] {
	return etl.CSV(bytes.NewReader(customersCSV), etl.CSVOptions{
		Name:      "customers.csv",
		NA:        []string{"????", "unknown"}, // beyond the default "", "NA", "?", "null"
		BatchRows: 128,
	})
}

// spec is the ML pipeline: every cleaning and feature step, then the model.
// Being one value, it runs the same way in training, cross-validation and
// serving.
func spec() pipeline.ML {
	numeric := []string{"age", "income", "monthly_spend", "support_tickets", "last_login_days",
		"signup_date_year", "signup_date_month", "signup_date_weekday"}
	return pipeline.ML{
		// Identifiers and free text are not inputs: serving will not need them.
		Inputs: []string{"age", "income", "monthly_spend", "support_tickets", "last_login_days",
			"country", "plan", "is_mobile", "signup_date"},
		Steps: []preprocess.Step{
			// clean: ages outside 14..110 are typos (999, -1, 0), so missing;
			// " us", "Us" and "US" are one country.
			preprocess.Range(14, 110, "age").WithAction(preprocess.ToMissing),
			preprocess.NormalizeText("country"),
			preprocess.ParseBools("is_mobile"),
			preprocess.ParseDates("signup_date"),
			// engineer features
			features.DateParts("signup_date", features.Year, features.Month, features.Weekday),
			// impute, scale, encode
			preprocess.Impute(preprocess.Median, numeric...),
			preprocess.Impute(preprocess.MostFrequent, "country", "plan"),
			preprocess.StandardScale(numeric...),
			preprocess.OneHot("country", "plan"),
		},
		Model:  model.LogisticRegression{C: 1},
		Target: "churned",
	}
}

func run(ctx context.Context, w io.Writer, o options) error {
	start := time.Now()
	section := func(title string) { fmt.Fprintf(w, "\n== %s\n", title) }
	dir := o.outDir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "mlpipe-quickstart"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	// Look before building anything: stream the CSV through a flow into
	// memory and describe it.
	section("the data, as read")
	var batches etl.Memory[*frame.Frame]
	if _, err := pipeline.To(pipeline.From(source(), pipeline.Name("read csv")), &batches, pipeline.Name("collect")).Run(ctx); err != nil {
		return err
	}
	data, err := frame.Concat(batches.Items()...)
	if err != nil {
		return err
	}
	fmt.Fprint(w, data.Head(5))
	fmt.Fprintln(w)
	fmt.Fprint(w, data.Describe())

	// The six steps as one value: get data, clean, engineer features,
	// train, evaluate, deploy. The fitted pipeline is cached under a
	// fingerprint of the training rows and every parameter.
	mem, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		return err
	}
	artifact := filepath.Join(dir, "churn-pipeline.json")
	training := func() *pipeline.Training {
		return &pipeline.Training{
			Name:   "churn",
			Source: source(),
			ML:     spec(),
			Eval: pipeline.Evaluation{
				TestFraction: 0.2, Stratify: true, Seed: 42,
				CV:      evaluate.StratifiedKFold{K: 5, Shuffle: true, Seed: 1},
				Scorers: []evaluate.Scorer{evaluate.ScoreROCAUC, evaluate.ScoreAccuracy, evaluate.ScoreF1},
			},
			Deploy:   pipeline.DeployFile(artifact),
			Cache:    mem,
			Progress: o.progress.update,
		}
	}
	section("the six steps: get data → clean → features → train → evaluate → deploy")
	rep, err := training().Run(ctx)
	o.progress.done()
	if err != nil {
		return err
	}
	fmt.Fprint(w, rep)
	if lf, ok := rep.Fitted.Predictor.(*model.LogisticFit); ok {
		fmt.Fprintf(w, "\n%d features; the logistic regression converged in %d Newton iterations; largest weights:\n",
			len(rep.Fitted.Features), lf.Iterations)
		for _, c := range topWeights(rep.Fitted.Features, lf.Coef[0], 5) {
			fmt.Fprintf(w, "  %-22s %+.3f\n", c.name, c.weight)
		}
	}

	section("the same run again: the fitted pipeline comes from the cache")
	again, err := training().Run(ctx)
	o.progress.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "first run %v (cache hits %d, misses %d); second run %v (cache hits %d, misses %d); same artifact: %v\n",
		rep.Wall.Round(time.Millisecond), rep.Cache.Hits, rep.Cache.Misses,
		again.Wall.Round(time.Millisecond), again.Cache.Hits, again.Cache.Misses,
		again.Artifact.SHA256 == rep.Artifact.SHA256)

	// Honest evaluation: how far above a baseline, and over- or underfitting?
	section("is it any good? against a baseline, and over- or underfitting")
	diag, curve, err := diagnose(ctx, w, data)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "verdict: %s\n", diag)
	cd, err := evaluate.DiagnoseCurve(curve, 0.5)
	if err != nil {
		return err
	}
	// The curve's verdict repeats the one above, then says whether more
	// rows would help.
	fmt.Fprintf(w, "learning curve: %s\n", strings.TrimSpace(strings.TrimPrefix(cd.Text, diag.Text)))

	section("plots")
	paths, err := drawPlots(ctx, dir, rep, curve)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(w, "wrote", filepath.Join(filepath.Base(dir), filepath.Base(p)))
	}
	if o.outDir == "" {
		fmt.Fprintln(w, "(in a temporary directory removed at exit: keep them with -out DIR)")
	}

	// Deploy, the serving side: load the artifact as a server would and
	// predict JSON records, which carry only the input columns.
	section("serving: load the artifact, predict JSON records")
	served, err := pipeline.LoadFile(artifact)
	if err != nil {
		return err
	}
	records, _, err := pipeline.DecodeRecords(strings.NewReader(`[
		{"age": 34, "income": 52000, "monthly_spend": 61.5, "support_tickets": 0, "last_login_days": 3,
		 "country": "us", "plan": "premium", "is_mobile": "yes", "signup_date": "2021-03-14"},
		{"age": null, "income": 18000, "monthly_spend": 12, "support_tickets": 7, "last_login_days": 60,
		 "country": " DE ", "plan": "basic", "is_mobile": "N", "signup_date": "14/03/2024"}
	]`))
	if err != nil {
		return err
	}
	got, err := served.PredictRecords(ctx, records)
	if err != nil {
		return err
	}
	want, err := rep.Fitted.PredictRecords(ctx, records)
	if err != nil {
		return err
	}
	for i, p := range got {
		b, _ := json.Marshal(p)
		fmt.Fprintf(w, "record %d → %s\n", i, b)
		if p.Probabilities[1] != want[i].Probabilities[1] {
			return fmt.Errorf("record %d: the loaded pipeline predicts %v, the one in memory %v", i, p.Probabilities[1], want[i].Probabilities[1])
		}
	}
	fmt.Fprintln(w, "the loaded artifact predicts exactly as the pipeline in memory")
	fmt.Fprintf(w, "\ndone in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// diagnose cross-validates the pipeline and a baseline that always predicts
// the class prior, with training scores, prints both, and judges the
// pipeline's fit against the baseline; it also returns a learning curve.
func diagnose(ctx context.Context, w io.Writer, data *frame.Frame) (*evaluate.Diagnosis, *evaluate.LearningCurveResult, error) {
	opts := evaluate.CVOptions{
		Splitter:    evaluate.StratifiedKFold{K: 5, Shuffle: true, Seed: 1},
		Scorers:     []evaluate.Scorer{evaluate.ScoreROCAUC},
		TrainScores: true,
	}
	ml := spec()
	cv, err := evaluate.CrossValidate(ctx, ml.Learner(), data, ml.Target, opts)
	if err != nil {
		return nil, nil, err
	}
	base := ml
	base.Model = model.DummyClassifier{Strategy: model.Prior}
	bcv, err := evaluate.CrossValidate(ctx, base.Learner(), data, ml.Target, opts)
	if err != nil {
		return nil, nil, err
	}
	fmt.Fprintln(w, "ROC AUC, 5 stratified folds   training   validation")
	for _, r := range []struct {
		name string
		cv   *evaluate.CVResult
	}{{"logistic regression", cv}, {"baseline (class prior)", bcv}} {
		fmt.Fprintf(w, "  %-27s %8.3f   %6.3f ± %.3f\n", r.name,
			r.cv.TrainMean("roc_auc"), r.cv.Mean("roc_auc"), r.cv.Std("roc_auc"))
	}
	diag, err := evaluate.Diagnose(cv, "roc_auc", bcv.Mean("roc_auc"))
	if err != nil {
		return nil, nil, err
	}
	curve, err := evaluate.LearningCurve(ctx, ml.Learner(), data, ml.Target, evaluate.LearningCurveOptions{
		CV: opts, Shuffle: true, Seed: 1,
	})
	if err != nil {
		return nil, nil, err
	}
	return diag, curve, nil
}

// drawPlots writes the ROC curve and the confusion matrix of the held-out
// rows and the learning curve as PNG files in dir, and returns their paths.
func drawPlots(ctx context.Context, dir string, rep *pipeline.RunReport, curve *evaluate.LearningCurveResult) ([]string, error) {
	yTest, err := evaluate.Target(rep.Test, "churned")
	if err != nil {
		return nil, err
	}
	proba, err := rep.Fitted.PredictProba(ctx, rep.Test)
	if err != nil {
		return nil, err
	}
	pred, err := rep.Fitted.Predict(ctx, rep.Test)
	if err != nil {
		return nil, err
	}
	cm, err := evaluate.ConfusionMatrix(yTest, pred)
	if err != nil {
		return nil, err
	}
	roc, err := plots.ROC("Churn, held-out customers", plots.Scores{
		Name: "logistic regression", YTrue: yTest, Score: mat.Col(nil, 1, proba)})
	if err != nil {
		return nil, err
	}
	conf, err := plots.Confusion("Churn, held-out customers", cm, []string{"stayed", "churned"})
	if err != nil {
		return nil, err
	}
	lc, err := plots.LearningCurve("Learning curve (ROC AUC)", curve)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, x := range []struct {
		name string
		plot *plot.Plot
	}{{"roc.png", roc}, {"confusion.png", conf}, {"learning-curve.png", lc}} {
		path := filepath.Join(dir, x.name)
		if err := plots.Save(x.plot, path, 0, 0); err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

type weight struct {
	name   string
	weight float64
}

func topWeights(names []string, coef []float64, n int) []weight {
	ws := make([]weight, len(names))
	for i := range names {
		ws[i] = weight{names[i], coef[i]}
	}
	for i := range ws { // selection of the n largest by magnitude
		for j := i + 1; j < len(ws); j++ {
			if abs(ws[j].weight) > abs(ws[i].weight) {
				ws[i], ws[j] = ws[j], ws[i]
			}
		}
		if i == n-1 {
			break
		}
	}
	return ws[:min(n, len(ws))]
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
