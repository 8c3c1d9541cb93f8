// Command churn runs the churn benchmark: the work that
// ../shared/bench/sklearn_baseline.py does with pandas and scikit-learn,
// done with mlpipe, phase by phase, on the same CSV:
//
//	read     the CSV, with the file's missing-value spellings
//	clean    out-of-range ages to missing, trimmed case-folded countries,
//	         booleans, dates in three layouts to year, month and weekday
//	split    stratified 80/20 train/test split, seed 0
//	fit      median impute + standard scale on numbers and date parts,
//	         most-frequent impute + one-hot on categories, then logistic
//	         regression (C=1), fitted on train
//	predict  transform + probabilities on test; accuracy, F1, ROC AUC
//	cv       stratified 5-fold (shuffled, seed 0) cross-validation of the
//	         whole pipeline on all rows, ROC AUC
//
// Usage:
//
//	go run ./examples/churn -data churn.csv [-json] [-workers N] [-save model.json] [-split numpy]
//
// Make a file with python3 ../shared/bench/gen_churn.py 100000 churn.csv.
// With -json it prints one JSON line with the same keys as the scikit-learn
// script (read_s … total_s, the metrics, peak_rss_mb, rows); without it, a
// readable report ending with that JSON line, which is what
// ../shared/bench/compare.sh reads. With -save it also saves the fitted
// pipeline — the cleaning steps included, so it predicts from raw records —
// and its manifest, ready for examples/serve.
//
// The held-out rows come from evaluate.TrainTestSplit (seeded, stratified),
// which cannot draw the rows numpy's generator draws, so the held-out
// metrics of the two programs differ by sampling noise (about ±0.005 ROC AUC
// at 100,000 rows). With -split numpy the program holds out exactly
// scikit-learn's rows, and its held-out metrics agree with scikit-learn's to
// the sixth digit.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/features"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
)

// The columns, as in the scikit-learn script. The date parts are made by
// the cleaning steps from signup_date.
var (
	numeric = []string{"age", "income", "monthly_spend", "support_tickets", "last_login_days",
		"signup_date_year", "signup_date_month", "signup_date_weekday", "is_mobile"}
	categories = []string{"country", "plan"}
	// inputs are the raw columns the pipeline reads.
	inputs = []string{"signup_date", "age", "income", "country", "plan", "monthly_spend",
		"support_tickets", "last_login_days", "is_mobile"}
)

const target = "churned"

// missing lists the file's missing-value spellings beyond the reader's
// defaults ("", "NA", "?", "null").
var missing = []string{"????", "unknown"}

func main() {
	var o options
	flag.StringVar(&o.data, "data", "", "churn CSV file (required)")
	flag.BoolVar(&o.json, "json", false, "print only the JSON line")
	flag.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "goroutines for parsing, fitting and cross-validation")
	flag.StringVar(&o.save, "save", "", "save the fitted pipeline (cleaning included) and its manifest to this file")
	flag.StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (when a terminal), on, off")
	flag.StringVar(&o.split, "split", "mlpipe", "hold-out split: mlpipe (evaluate.TrainTestSplit, seed 0) or numpy (the rows scikit-learn's train_test_split draws with random_state=0)")
	flag.StringVar(&o.testIndex, "test-index", "", "JSON file whose test_index lists the held-out rows, replacing the seeded split (for parity checks: see testdata/sklearn_split.py)")
	flag.Parse()
	if o.data == "" {
		fmt.Fprintln(os.Stderr, "churn: -data FILE is required (make one with gen_churn.py)")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "churn:", err)
		os.Exit(1)
	}
}

type options struct {
	data, save, progress string
	testIndex, split     string
	json                 bool
	workers              int
}

// result is the JSON line: the keys of sklearn_baseline.py's output.
type result struct {
	Rows          int     `json:"rows"`
	Workers       int     `json:"workers"`
	ReadS         float64 `json:"read_s"`
	CleanS        float64 `json:"clean_s"`
	SplitS        float64 `json:"split_s"`
	FitS          float64 `json:"fit_s"`
	PredictS      float64 `json:"predict_s"`
	CVS           float64 `json:"cv_s"`
	TotalS        float64 `json:"total_s"`
	TestAccuracy  float64 `json:"test_accuracy"`
	TestF1        float64 `json:"test_f1"`
	TestROCAUC    float64 `json:"test_roc_auc"`
	CVROCAUCMean  float64 `json:"cv_roc_auc_mean"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
	ReadMBPerS    float64 `json:"read_mb_per_s"`
	NewtonIters   int     `json:"newton_iterations"`
	TrainRows     int     `json:"train_rows"`
	TestRows      int     `json:"test_rows"`
	Features      int     `json:"features"`
	cvFolds       []float64
	missingCounts map[string]int
	cleanReport   []string
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	workers := max(o.workers, 1)
	var r result
	r.Workers = workers
	phase := func(d *float64, start time.Time) { *d = time.Since(start).Seconds() }

	// read
	start := time.Now()
	raw, bytes, err := read(ctx, o, workers, stderr)
	if err != nil {
		return err
	}
	phase(&r.ReadS, start)
	r.Rows = raw.NumRows()
	r.ReadMBPerS = float64(bytes) / 1e6 / r.ReadS

	// clean
	start = time.Now()
	data, cleanSteps, cleanFitted, err := clean(ctx, raw)
	if err != nil {
		return err
	}
	phase(&r.CleanS, start)
	if o.save == "" {
		raw = nil // only -save needs the raw columns (identifiers, notes) again
	}
	r.missingCounts = map[string]int{}
	for _, n := range append(slicesClone(numeric), categories...) {
		c, _ := data.Col(n)
		r.missingCounts[n] = frame.Missing(c)
	}
	for i, f := range cleanFitted {
		r.cleanReport = append(r.cleanReport, fmt.Sprintf("%T: %s", cleanSteps[i], describeClean(f)))
	}

	// split
	start = time.Now()
	y, err := evaluate.Target(data, target)
	if err != nil {
		return err
	}
	var trainIdx, testIdx []int
	switch o.split {
	case "mlpipe", "":
		trainIdx, testIdx, err = evaluate.TrainTestSplit(y, 0.2, 0, true)
	case "numpy":
		trainIdx, testIdx, err = numpySplit(y, 0.2, 0)
	default:
		err = fmt.Errorf("-split %q: want mlpipe or numpy", o.split)
	}
	if err != nil {
		return err
	}
	if o.testIndex != "" {
		if trainIdx, testIdx, err = readSplit(o.testIndex, len(y)); err != nil {
			return err
		}
	}
	train, err := data.Take(trainIdx)
	if err != nil {
		return err
	}
	test, err := data.Take(testIdx)
	if err != nil {
		return err
	}
	phase(&r.SplitS, start)
	r.TrainRows, r.TestRows = train.NumRows(), test.NumRows()

	// fit
	start = time.Now()
	spec := modelSpec(workers)
	fitted, err := spec.Fit(ctx, train)
	if err != nil {
		return err
	}
	phase(&r.FitS, start)
	r.Features = len(fitted.Features)
	if lf, ok := fitted.Predictor.(*model.LogisticFit); ok {
		r.NewtonIters = lf.Iterations
	}

	// predict
	start = time.Now()
	xTest, err := test.Drop(target)
	if err != nil {
		return err
	}
	proba, err := fitted.PredictProba(ctx, xTest)
	if err != nil {
		return err
	}
	yTest := make([]float64, len(testIdx))
	score := make([]float64, len(testIdx))
	pred := make([]float64, len(testIdx))
	for i, row := range testIdx {
		yTest[i] = y[row]
		score[i] = proba.At(i, 1)
		if score[i] >= 0.5 {
			pred[i] = 1
		}
	}
	if r.TestAccuracy, err = evaluate.Accuracy(yTest, pred); err != nil {
		return err
	}
	if r.TestF1, err = evaluate.F1(yTest, pred); err != nil {
		return err
	}
	if r.TestROCAUC, err = evaluate.ROCAUC(yTest, score); err != nil {
		return err
	}
	phase(&r.PredictS, start)

	// cv
	start = time.Now()
	cv, err := evaluate.CrossValidate(ctx, spec.Learner(), data, target, evaluate.CVOptions{
		Splitter: evaluate.StratifiedKFold{K: 5, Shuffle: true, Seed: 0},
		Scorers:  []evaluate.Scorer{evaluate.ScoreROCAUC},
		Workers:  workers,
	})
	if err != nil {
		return err
	}
	phase(&r.CVS, start)
	r.CVROCAUCMean = cv.Mean("roc_auc")
	r.cvFolds = cv.TestScores("roc_auc")

	r.TotalS = r.ReadS + r.CleanS + r.SplitS + r.FitS + r.PredictS + r.CVS
	r.PeakRSSMB = peakRSSMB()

	if o.save != "" {
		if err := save(o.save, raw, cleanSteps, cleanFitted, spec, fitted, &r); err != nil {
			return err
		}
	}
	if !o.json {
		printReport(stdout, o, &r)
	}
	return printJSON(stdout, &r)
}

// read streams the CSV in batches (parsed on all workers) into one frame,
// drawing a progress bar on stderr.
func read(ctx context.Context, o options, workers int, stderr io.Writer) (*frame.Frame, int64, error) {
	src, err := etl.OpenCSV(o.data, etl.CSVOptions{
		NA:      missing,
		Workers: workers,
		// Numbers are read as numbers (what pandas' to_numeric does in the
		// scikit-learn script's clean phase); the text columns as
		// categories, cleaned below.
		Schema: map[string]frame.Kind{
			"age": frame.Float, "income": frame.Float, "monthly_spend": frame.Float,
			"support_tickets": frame.Float, "last_login_days": frame.Float, target: frame.Float,
			"signup_date": frame.Categorical, "country": frame.Categorical, "plan": frame.Categorical,
			"is_mobile": frame.Categorical,
		},
		Strings: []string{"customer_id", "notes"},
	})
	if err != nil {
		return nil, 0, err
	}
	defer src.Close()
	var size int64
	if st, err := os.Stat(o.data); err == nil {
		size = st.Size()
	}
	bar := newProgress(o.progress, stderr, size)
	var batches []*frame.Frame
	rows := 0
	err = src.Extract(ctx, func(f *frame.Frame) error {
		batches = append(batches, f)
		rows += f.NumRows()
		bar.update(rows, src.Stats().Bytes)
		return nil
	})
	bar.done(rows, src.Stats().Bytes)
	if err != nil {
		return nil, 0, err
	}
	if rows == 0 {
		return nil, 0, errors.New("the file has no rows")
	}
	all, err := frame.Concat(batches...)
	if err != nil {
		return nil, 0, err
	}
	return all, src.Stats().Bytes, nil
}

// cleanSpecs are the cleaning steps, as the scikit-learn script's clean
// phase: none learns anything from the data (they only count what they
// changed), so fitting them on all rows before the split leaks nothing.
func cleanSpecs() []preprocess.Step {
	return []preprocess.Step{
		// df.loc[(age < 14) | (age > 110), "age"] = NaN
		preprocess.Range(14, 110, "age").WithAction(preprocess.ToMissing),
		// country.str.strip().str.upper(): trimmed and case-folded (lower
		// case rather than upper: the same categories).
		preprocess.TextSpec{Columns: []string{"country"}, Trim: true, Fold: true},
		// is_mobile.str.lower().map({"true": 1, "yes": 1, "1": 1, "y": 1,
		// "false": 0, "no": 0, "0": 0, "n": 0}): spellings to 1 and 0, any
		// other text to missing.
		preprocess.TextSpec{Columns: []string{"is_mobile"}, Trim: true, Fold: true, Synonyms: map[string]string{
			"true": "1", "yes": "1", "y": "1", "false": "0", "no": "0", "n": "0"}},
		preprocess.ParseNumbers("is_mobile"),
		// Dates in three layouts (ISO date, ISO date-time in UTC, US
		// month/day/year) to instants, then year, month and day of week
		// (Monday 0, as pandas).
		preprocess.ParseDates("signup_date"),
		features.DateParts("signup_date", features.Year, features.Month, features.Weekday),
	}
}

func clean(ctx context.Context, raw *frame.Frame) (*frame.Frame, []preprocess.Step, []preprocess.Fitted, error) {
	cur, err := raw.Select(append(slicesClone(inputs), target)...)
	if err != nil {
		return nil, nil, nil, err
	}
	steps := cleanSpecs()
	var fitted []preprocess.Fitted
	for i, s := range steps {
		f, err := s.Fit(ctx, cur)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("clean step %d (%T): %w", i, s, err)
		}
		if cur, err = f.Transform(ctx, cur); err != nil {
			return nil, nil, nil, fmt.Errorf("clean step %d (%T): %w", i, s, err)
		}
		fitted = append(fitted, f)
	}
	return cur, steps, fitted, nil
}

// describeClean says what a fitted cleaning step found.
func describeClean(f preprocess.Fitted) string {
	b, err := json.Marshal(f)
	if err != nil {
		return "?"
	}
	var state map[string]any
	json.Unmarshal(b, &state)
	for _, k := range []string{"Report", "report", "Outside", "outside", "Changed", "changed"} {
		if v, ok := state[k]; ok {
			s, _ := json.Marshal(v)
			if len(s) > 160 {
				s = append(s[:160], "…"...)
			}
			return string(s)
		}
	}
	return "done"
}

// modelSpec is the scikit-learn script's Pipeline: the ColumnTransformer's
// imputers, scaler and encoder, then the logistic regression.
func modelSpec(workers int) pipeline.ML {
	return pipeline.ML{
		Steps: []preprocess.Step{
			preprocess.Impute(preprocess.Median, numeric...),
			preprocess.StandardScale(numeric...),
			preprocess.Impute(preprocess.MostFrequent, categories...),
			preprocess.OneHot(categories...),
		},
		Model:  model.LogisticRegression{C: 1, Workers: workers},
		Target: target,
	}
}

// save writes the whole pipeline — the fitted cleaning steps, then the
// fitted model steps and model — so that it predicts from raw records, and
// its manifest.
func save(path string, raw *frame.Frame, cleanSteps []preprocess.Step, cleanFitted []preprocess.Fitted,
	spec pipeline.ML, fitted *pipeline.Fitted, r *result) error {
	in, err := raw.Select(inputs...)
	if err != nil {
		return err
	}
	whole := &pipeline.Fitted{
		Steps:     append(slicesClone(cleanFitted), fitted.Steps...),
		Predictor: fitted.Predictor,
		Target:    fitted.Target,
		Features:  fitted.Features,
		Schema:    pipeline.Schema(in),
	}
	all, _ := raw.Select(append(slicesClone(inputs), target)...)
	m := pipeline.NewManifest()
	m.Data = pipeline.DataInfo{SHA256: pipeline.Fingerprint(all), Rows: all.NumRows(),
		Columns: pipeline.Schema(all), TrainRows: r.TrainRows, TestRows: r.TestRows}
	m.Params = pipeline.ParamsOf(pipeline.ML{Steps: append(slicesClone(cleanSteps), spec.Steps...), Model: spec.Model, Target: target})
	m.Params.Evaluation = json.RawMessage(`{"test_fraction":0.2,"stratify":true,"seed":0,"cv":"StratifiedKFold(5, shuffle, seed 0)"}`)
	m.Metrics = map[string]float64{"test_accuracy": r.TestAccuracy, "test_f1": r.TestF1,
		"test_roc_auc": r.TestROCAUC, "cv_roc_auc_mean": r.CVROCAUCMean}
	return whole.SaveFileWithManifest(path, m)
}

// readSplit reads held-out row indices from the test_index array of a JSON
// file and returns the other rows as the training rows.
func readSplit(path string, n int) (train, test []int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var v struct {
		TestIndex []int `json:"test_index"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	held := make([]bool, n)
	for _, i := range v.TestIndex {
		if i < 0 || i >= n || held[i] {
			return nil, nil, fmt.Errorf("read %s: test row %d out of range or repeated (%d rows)", path, i, n)
		}
		held[i] = true
	}
	for i, h := range held {
		if h {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	if len(test) == 0 || len(train) == 0 {
		return nil, nil, fmt.Errorf("read %s: empty training or test set", path)
	}
	return train, test, nil
}

func slicesClone[T any](s []T) []T { return append([]T(nil), s...) }

func printReport(w io.Writer, o options, r *result) {
	fmt.Fprintf(w, "churn pipeline on %s: %d rows, %d workers\n\n", o.data, r.Rows, r.Workers)
	fmt.Fprintf(w, "%-9s %9s\n", "phase", "seconds")
	for _, p := range []struct {
		name string
		s    float64
		note string
	}{
		{"read", r.ReadS, fmt.Sprintf("%.0f MB/s", r.ReadMBPerS)},
		{"clean", r.CleanS, ""},
		{"split", r.SplitS, fmt.Sprintf("%d train, %d test", r.TrainRows, r.TestRows)},
		{"fit", r.FitS, fmt.Sprintf("%d features, %d Newton iterations", r.Features, r.NewtonIters)},
		{"predict", r.PredictS, ""},
		{"cv", r.CVS, "5 stratified folds"},
		{"total", r.TotalS, fmt.Sprintf("peak RSS %.0f MB", r.PeakRSSMB)},
	} {
		fmt.Fprintf(w, "%-9s %9.3f  %s\n", p.name, p.s, p.note)
	}
	fmt.Fprintln(w, "\nmissing values after cleaning (imputed in the pipeline):")
	for _, n := range append(slicesClone(numeric), categories...) {
		if m := r.missingCounts[n]; m > 0 {
			fmt.Fprintf(w, "  %-20s %7d  %5.2f%%\n", n, m, 100*float64(m)/float64(r.Rows))
		}
	}
	fmt.Fprintln(w, "\ncleaning steps:")
	for _, s := range r.cleanReport {
		fmt.Fprintln(w, " ", s)
	}
	fmt.Fprintf(w, "\nheld out:  accuracy %.4f  F1 %.4f  ROC AUC %.4f\n", r.TestAccuracy, r.TestF1, r.TestROCAUC)
	folds := make([]string, len(r.cvFolds))
	for i, f := range r.cvFolds {
		folds[i] = fmt.Sprintf("%.4f", f)
	}
	fmt.Fprintf(w, "5-fold CV: ROC AUC %.4f (folds %s)\n", r.CVROCAUCMean, strings.Join(folds, " "))
	if o.save != "" {
		fmt.Fprintf(w, "saved:     %s (manifest %s)\n", o.save, pipeline.ManifestPath(o.save))
	}
	fmt.Fprintln(w, "\nas JSON:")
}

func printJSON(w io.Writer, r *result) error {
	round := func(v float64, digits int) float64 {
		p := math.Pow(10, float64(digits))
		return math.Round(v*p) / p
	}
	out := *r
	for _, p := range []*float64{&out.ReadS, &out.CleanS, &out.SplitS, &out.FitS, &out.PredictS, &out.CVS, &out.TotalS} {
		*p = round(*p, 4)
	}
	for _, p := range []*float64{&out.TestAccuracy, &out.TestF1, &out.TestROCAUC, &out.CVROCAUCMean} {
		*p = round(*p, 6)
	}
	out.PeakRSSMB = round(out.PeakRSSMB, 1)
	out.ReadMBPerS = round(out.ReadMBPerS, 1)
	b, err := json.Marshal(out)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

// peakRSSMB is the process's peak resident set size in MB, as the
// scikit-learn script measures it (ru_maxrss, KiB on Linux, / 1024).
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
