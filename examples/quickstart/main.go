// Command quickstart runs the whole mlpipe road on a small customer-churn
// table embedded in the binary, dirty on purpose: extract → clean → engineer
// features → train → evaluate → save → load → predict. It needs no services
// and no downloads: the cache is the in-memory one.
//
//	go run ./examples/quickstart
//
// The -out flag keeps the saved pipeline in a directory of your choice.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
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
	"github.com/mlpipe/mlpipe/features"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
)

// customersCSV is 2,000 customers with the mess real exports have: missing
// values spelled five ways, ages of 999, countries in mixed case with stray
// spaces, booleans as yes/no/1/0/Y/N, dates in three layouts.
//
//go:embed customers.csv
var customersCSV []byte

func main() {
	out := flag.String("out", "", "directory to save the fitted pipeline in (default: a temporary directory, removed at exit)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *out); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// spec is the ML pipeline: every cleaning and feature step, then the model.
// Being one value, it runs the same way in training, cross-validation and
// serving.
func spec() pipeline.ML {
	numeric := []string{"age", "income", "monthly_spend", "support_tickets", "last_login_days",
		"signup_date_year", "signup_date_month", "signup_date_weekday"}
	return pipeline.ML{
		Steps: []preprocess.Step{
			// clean: ages outside 14..110 are typos (999, -1, 0), so missing;
			// " us", "Us" and "US" are one country.
			preprocess.Range(14, 110, "age").WithAction(preprocess.ToMissing),
			preprocess.NormalizeText("country"),
			preprocess.ParseBools("is_mobile"),
			preprocess.ParseDates("signup_date"),
			// features
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

func run(ctx context.Context, w io.Writer, outDir string) error {
	start := time.Now()
	section := func(title string) { fmt.Fprintf(w, "\n== %s\n", title) }

	// 1. Extract: stream the CSV in batches through a flow into memory.
	section("1. extract")
	src := etl.CSV(bytes.NewReader(customersCSV), etl.CSVOptions{
		Name:      "customers.csv",
		NA:        []string{"????", "unknown"}, // beyond the default "", "NA", "?", "null"
		BatchRows: 128,
	})
	var batches etl.Memory[*frame.Frame]
	report, err := pipeline.To(pipeline.From(src, pipeline.Name("read csv")), &batches, pipeline.Name("collect")).Run(ctx)
	if err != nil {
		return err
	}
	fmt.Fprint(w, report)
	raw, err := frame.Concat(batches.Items()...)
	if err != nil {
		return err
	}
	// Identifiers and free text are not features here.
	data, err := raw.Drop("customer_id", "notes")
	if err != nil {
		return err
	}

	section("2. the data, as read")
	fmt.Fprint(w, data.Head(5))
	fmt.Fprintln(w)
	fmt.Fprint(w, data.Describe())

	// 2. Split: a stratified, seeded hold-out set the model never sees.
	y, err := evaluate.Target(data, "churned")
	if err != nil {
		return err
	}
	trainIdx, testIdx, err := evaluate.TrainTestSplit(y, 0.2, 42, true)
	if err != nil {
		return err
	}
	train, err := data.Take(trainIdx)
	if err != nil {
		return err
	}
	test, err := data.Take(testIdx)
	if err != nil {
		return err
	}

	// 3. Cross-validate on the training rows: every step is refitted inside
	// each fold, so nothing leaks from a fold's test rows.
	section("3. cross-validation (5 stratified folds on the training rows)")
	ml := spec()
	cv, err := evaluate.CrossValidate(ctx, ml.Learner(), train, "churned", evaluate.CVOptions{
		Splitter: evaluate.StratifiedKFold{K: 5, Shuffle: true, Seed: 1},
		Scorers:  []evaluate.Scorer{evaluate.ScoreROCAUC, evaluate.ScoreAccuracy},
	})
	if err != nil {
		return err
	}
	fmt.Fprint(w, cv)

	// 4. Train on all training rows. The fitted pipeline is cached under a
	// fingerprint of the data and the spec: a second fit of the same thing
	// is a cache hit.
	section("4. train (cached by a fingerprint of data and spec)")
	mem, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		return err
	}
	key := fingerprint(customersCSV, trainIdx, ml)
	var fitted *pipeline.Fitted
	for attempt := 1; attempt <= 2; attempt++ {
		t0 := time.Now()
		saved, err := cache.GetOrLoad(ctx, mem, key, time.Hour, func(ctx context.Context) (json.RawMessage, error) {
			f, err := ml.Fit(ctx, train)
			if err != nil {
				return nil, err
			}
			return json.Marshal(f)
		})
		if err != nil {
			return err
		}
		fitted = new(pipeline.Fitted)
		if err := json.Unmarshal(saved, fitted); err != nil {
			return err
		}
		st := mem.Stats()
		fmt.Fprintf(w, "fit #%d: %8v  (cache hits %d, misses %d)\n", attempt, time.Since(t0).Round(time.Microsecond), st.Hits, st.Misses)
	}
	if lf, ok := fitted.Predictor.(*model.LogisticFit); ok {
		fmt.Fprintf(w, "%d features; logistic regression converged in %d Newton iterations\n", len(fitted.Features), lf.Iterations)
		fmt.Fprintln(w, "largest weights:")
		for _, c := range topWeights(fitted.Features, lf.Coef[0], 5) {
			fmt.Fprintf(w, "  %-22s %+.3f\n", c.name, c.weight)
		}
	}

	// 5. Evaluate on the hold-out set.
	section("5. held-out evaluation")
	yTest, _ := evaluate.Target(test, "churned")
	features, err := test.Drop("churned")
	if err != nil {
		return err
	}
	pred, err := fitted.Predict(ctx, features)
	if err != nil {
		return err
	}
	proba, err := fitted.PredictProba(ctx, features)
	if err != nil {
		return err
	}
	p1 := make([]float64, len(pred))
	for i := range p1 {
		p1[i] = proba.At(i, 1)
	}
	acc, _ := evaluate.Accuracy(yTest, pred)
	f1, _ := evaluate.F1(yTest, pred)
	auc, err := evaluate.ROCAUC(yTest, p1)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "rows %d  accuracy %.3f  F1 %.3f  ROC AUC %.3f\n", len(yTest), acc, f1, auc)
	cm, err := evaluate.ConfusionMatrix(yTest, pred)
	if err != nil {
		return err
	}
	fmt.Fprint(w, "confusion matrix (rows: true, columns: predicted)\n", cm)

	// 6. Deploy: save the fitted pipeline, load it back, predict.
	section("6. save, load, predict")
	dir := outDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "mlpipe-quickstart"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	path := filepath.Join(dir, "churn-pipeline.json")
	if err := fitted.SaveFile(path); err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	loaded, err := pipeline.LoadFile(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "saved %s (%d bytes), loaded it back\n", filepath.Base(path), info.Size())
	few, err := features.Slice(0, 5)
	if err != nil {
		return err
	}
	again, err := loaded.PredictProba(ctx, few)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "age   country  plan        P(churn) loaded  in memory  actual")
	for i := range few.NumRows() {
		fmt.Fprintf(w, "%-5s %-8s %-11s %15.3f %10.3f %7.0f\n",
			show(few, "age", i), show(few, "country", i), show(few, "plan", i),
			again.At(i, 1), proba.At(i, 1), yTest[i])
		if again.At(i, 1) != proba.At(i, 1) {
			return fmt.Errorf("row %d: loaded pipeline predicts %v, in-memory %v", i, again.At(i, 1), proba.At(i, 1))
		}
	}
	fmt.Fprintf(w, "\ndone in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// fingerprint keys the fitted pipeline by the input bytes, the training rows
// and the spec's parameters.
func fingerprint(data []byte, rows []int, ml pipeline.ML) string {
	h := sha256.New()
	h.Write(data)
	fmt.Fprint(h, rows)
	fmt.Fprintf(h, "%#v", ml)
	return "quickstart/fit/" + hex.EncodeToString(h.Sum(nil))[:16]
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

func show(f *frame.Frame, col string, i int) string {
	c, err := f.Col(col)
	if err != nil {
		return "?"
	}
	v := c.Value(i)
	if v == nil {
		return "NA"
	}
	return strings.TrimSpace(fmt.Sprint(v))
}
