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
//	go run ./examples/churn -data churn.csv [-json] [-workers N] [-save model.json] [-split numpy|mlpipe]
//	    [-fold-workers N] [-memlimit X] [-cpuprofile FILE] [-memprofile FILE]
//
// Make a file with python3 ../shared/bench/gen_churn.py 100000 churn.csv.
// With -json it prints one JSON line with the same keys as the scikit-learn
// script (read_s … total_s, the metrics, peak_rss_mb, rows); without it, a
// readable report ending with that JSON line, which is what
// ../shared/bench/compare.sh reads. With -save it also saves the fitted
// pipeline — the cleaning steps included, so it predicts from raw records —
// and its manifest, ready for examples/serve.
//
// Memory: the program keeps only the columns the pipeline reads, holds the
// training and test rows as slices of one copy, fits one cross-validation
// fold at a time (-fold-workers), and sets a soft limit on the Go heap of
// -memlimit times the input's size (3 by default; 0 turns it off), so that
// its peak resident set is about 3 times the file's size instead of twice
// the data it holds at its peak.
//
// By default (-split numpy) the program holds out exactly the rows
// scikit-learn's train_test_split holds out, so that the held-out metrics
// of the two programs compare the models, not the draws: they agree to the
// sixth digit. With -split mlpipe the held-out rows come from
// evaluate.TrainTestSplit (seeded, stratified), which cannot draw the rows
// numpy's generator draws, and the held-out metrics differ from
// scikit-learn's by sampling noise (about ±0.005 ROC AUC at 100,000 rows,
// ±0.003 at 1,000,000).
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
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
	"golang.org/x/sync/errgroup"
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
	flag.IntVar(&o.folds, "fold-workers", 1, "cross-validation folds fitted at once, each fit using -workers goroutines (more holds more folds in memory at once)")
	flag.Float64Var(&o.memLimit, "memlimit", 3, "soft limit on the Go heap (debug.SetMemoryLimit) as a multiple of the input file's size; 0 leaves the heap to GOGC alone; ignored when GOMEMLIMIT is set")
	flag.StringVar(&o.save, "save", "", "save the fitted pipeline (cleaning included) and its manifest to this file")
	flag.StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (when a terminal), on, off")
	flag.StringVar(&o.split, "split", "numpy", "hold-out split: numpy (the rows scikit-learn's train_test_split draws with random_state=0) or mlpipe (evaluate.TrainTestSplit, seed 0)")
	flag.StringVar(&o.testIndex, "test-index", "", "JSON file whose test_index lists the held-out rows, replacing the seeded split (for parity checks: see testdata/sklearn_split.py)")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.StringVar(&o.memProfile, "memprofile", "", "write an allocation profile, taken at the end of the run, to this file")
	flag.Parse()
	if o.data == "" {
		fmt.Fprintln(os.Stderr, "churn: -data FILE is required (make one with gen_churn.py)")
		flag.Usage()
		os.Exit(2)
	}
	stop, err := startProfiles(o)
	if err == nil {
		err = run(context.Background(), o, os.Stdout, os.Stderr)
		if perr := stop(); err == nil {
			err = perr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "churn:", err)
		os.Exit(1)
	}
}

// startProfiles starts the CPU profile asked for by o and returns the
// function that stops it and writes the allocation profile.
func startProfiles(o options) (stop func() error, err error) {
	var cpu *os.File
	if o.cpuProfile != "" {
		if cpu, err = os.Create(o.cpuProfile); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, err
		}
	}
	return func() error {
		if cpu != nil {
			pprof.StopCPUProfile()
			if err := cpu.Close(); err != nil {
				return err
			}
		}
		if o.memProfile == "" {
			return nil
		}
		f, err := os.Create(o.memProfile)
		if err != nil {
			return err
		}
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}, nil
}

type options struct {
	data, save, progress string
	testIndex, split     string
	cpuProfile           string
	memProfile           string
	json                 bool
	workers, folds       int
	memLimit             float64
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
	setMemoryLimit(o)
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
	// The rows are stored once more, training rows first, and the first
	// order let go: the training and test sets are slices of the one copy,
	// not copies of their own (cross-validation maps its folds to it).
	order := append(slicesClone(trainIdx), testIdx...)
	if len(order) != data.NumRows() {
		return fmt.Errorf("split: %d training and %d test rows of %d", len(trainIdx), len(testIdx), data.NumRows())
	}
	if data, err = data.Take(order); err != nil {
		return err
	}
	train, err := data.Slice(0, len(trainIdx))
	if err != nil {
		return err
	}
	test, err := data.Slice(len(trainIdx), len(order))
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
		Splitter: newReordered(evaluate.StratifiedKFold{K: 5, Shuffle: true, Seed: 0}, order),
		Scorers:  []evaluate.Scorer{evaluate.ScoreROCAUC},
		Workers:  cmp.Or(o.folds, workers),
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

// reordered gives data whose rows are stored in another order the folds
// its Splitter makes of them in their first order, row for row: stored row
// k is row orig[k] of the first order. Each fold holds the same rows in the
// same order as on the data in its first order, so its scores are the same.
type reordered struct {
	evaluate.Splitter
	orig []int32
}

// newReordered returns s for data stored in the order orig, which it keeps
// as int32 (the order lives through the cross-validation).
func newReordered(s evaluate.Splitter, orig []int) reordered {
	o := make([]int32, len(orig))
	for k, i := range orig {
		o[k] = int32(i)
	}
	return reordered{s, o}
}

// Split makes the folds of y, given in the stored order.
func (r reordered) Split(y []float64) ([]evaluate.Fold, error) {
	if len(y) != len(r.orig) {
		return nil, fmt.Errorf("reordered split: %d rows, %d in the order", len(y), len(r.orig))
	}
	first := make([]float64, len(y))
	pos := make([]int, len(y)) // stored position of each row of the first order
	for k, i := range r.orig {
		first[i], pos[i] = y[k], k
	}
	folds, err := r.Splitter.Split(first)
	if err != nil {
		return nil, err
	}
	for _, f := range folds {
		for _, rows := range [][]int{f.Train, f.Test} {
			for j, i := range rows {
				rows[j] = pos[i]
			}
		}
	}
	return folds, nil
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
	// Only -save needs the identifiers and notes again: without it, each
	// batch keeps just the pipeline's columns, and the rest is garbage at
	// once.
	keep := append(slicesClone(inputs), target)
	if o.save != "" {
		keep = nil
	}
	var batches []*frame.Frame
	rows := 0
	err = src.Extract(ctx, func(f *frame.Frame) error {
		if keep != nil {
			var err error
			if f, err = f.Select(keep...); err != nil {
				return err
			}
		}
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
	all, err := concat(batches, workers)
	if err != nil {
		return nil, 0, err
	}
	return all, src.Stats().Bytes, nil
}

// concat is frame.Concat column by column, on up to workers goroutines,
// letting go of each column's batches once it is joined, so that the
// batches and the whole are not all held at once.
func concat(batches []*frame.Frame, workers int) (*frame.Frame, error) {
	if len(batches) == 1 {
		return batches[0], nil
	}
	names := batches[0].Names()
	parts := make([][]*frame.Frame, len(names)) // parts[j]: column j of each batch
	for j, n := range names {
		parts[j] = make([]*frame.Frame, len(batches))
		for b, f := range batches {
			if f.NumCols() != len(names) || !f.Has(n) {
				return frame.Concat(batches...) // let Concat name the mismatch
			}
			if parts[j][b], _ = f.Select(n); parts[j][b] == nil {
				return nil, fmt.Errorf("batch %d: no column %q", b, n)
			}
		}
	}
	clear(batches)
	series := make([]frame.Series, len(names))
	var g errgroup.Group
	g.SetLimit(workers)
	for j, n := range names {
		g.Go(func() error {
			whole, err := frame.Concat(parts[j]...)
			if err != nil {
				return err
			}
			parts[j] = nil
			col, _ := whole.Col(n)
			series[j] = frame.Series{Name: n, Col: col}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return frame.New(series...)
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

// setMemoryLimit sets the soft limit on the Go heap that o asks for, unless
// GOMEMLIMIT set one. The data held at once peaks near 2.8 times the
// input's size (the cleaned columns, the folds' row numbers, a fold's rows
// and their imputed copies); by default the collector lets the heap grow to twice what
// it holds after each cycle, so the process would reach twice that. Near
// the limit it collects more often instead, which costs little here: the
// heap is mostly large slices of numbers, which it does not scan.
func setMemoryLimit(o options) {
	if o.memLimit <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	st, err := os.Stat(o.data)
	if err != nil {
		return
	}
	debug.SetMemoryLimit(int64(o.memLimit * float64(st.Size())))
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
