// Command beam-churn fits the churn benchmark's preprocessing on Apache
// Beam over a directory of CSV shards, scores the shards with the fitted
// pipeline, writes the scores, and prints the fitted state side by side
// with the same fit made on one machine.
//
// It runs two Beam pipelines and the single-machine work between them:
//
//	fit     (Beam) read the shards through textio, clean each batch (the
//	        churn example's cleaning steps), fit median imputation and
//	        standard scaling of the numbers, most-frequent imputation and
//	        one-hot encoding of the categories as combines; write the
//	        fitted steps and the rejected records
//	local   read the same shards on one machine, clean, fit the same
//	        steps, compare the fitted states; train a logistic regression
//	        on the transformed rows (or load -model)
//	score   (Beam) score every record with the whole fitted pipeline,
//	        write the scores (customer_id, churned, score); merge accuracy,
//	        F1, Brier score and ROC AUC as combines; check every score
//	        against the single-machine score
//
// Usage:
//
//	go run ./examples/beam-churn -data 'shards/*.csv' -out out [-model churn.json] [Beam flags]
//
// Without Beam flags it runs on the Prism runner, in-process. The same
// program runs on Flink, Spark or Dataflow with Beam's flags (--runner,
// --endpoint, --environment_type, ...): see the module's README.md. Make
// shards with the shared generator (see the README):
//
//	python3 gen_churn.py 1000000 churn.csv
//	tail -n +2 churn.csv | split -n l/16 -d --additional-suffix=.csv - shards/body-
//	for f in shards/body-*.csv; do (head -1 churn.csv; cat $f) > ${f/body/part}; rm $f; done
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
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	mlbeam "github.com/mlpipe/mlpipe/beam"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/features"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
)

const (
	target = "churned"
	id     = "customer_id"
)

var (
	numeric = []string{"age", "income", "monthly_spend", "support_tickets", "last_login_days",
		"signup_date_year", "signup_date_month", "signup_date_weekday", "is_mobile"}
	categories = []string{"country", "plan"}
	inputs     = []string{"signup_date", "age", "income", "country", "plan", "monthly_spend",
		"support_tickets", "last_login_days", "is_mobile"}
)

// csvOptions read the shards as examples/churn reads its file.
var csvOptions = mlbeam.CSVOptions{
	NA: []string{"????", "unknown"},
	Schema: map[string]frame.Kind{
		"age": frame.Float, "income": frame.Float, "monthly_spend": frame.Float,
		"support_tickets": frame.Float, "last_login_days": frame.Float, target: frame.Float,
		"signup_date": frame.Categorical, "country": frame.Categorical, "plan": frame.Categorical,
		"is_mobile": frame.Categorical, id: frame.String, "notes": frame.String,
	},
}

// cleanSpecs are examples/churn's cleaning steps. None learns from the
// data (they only count what they change), so they are fitted on a sample
// and applied to every batch.
func cleanSpecs() []preprocess.Step {
	return []preprocess.Step{
		preprocess.Range(14, 110, "age").WithAction(preprocess.ToMissing),
		preprocess.TextSpec{Columns: []string{"country"}, Trim: true, Fold: true},
		preprocess.TextSpec{Columns: []string{"is_mobile"}, Trim: true, Fold: true, Synonyms: map[string]string{
			"true": "1", "yes": "1", "y": "1", "false": "0", "no": "0", "n": "0"}},
		preprocess.ParseNumbers("is_mobile"),
		preprocess.ParseDates("signup_date"),
		features.DateParts("signup_date", features.Year, features.Month, features.Weekday),
	}
}

// modelSpecs are the steps fitted on all rows: examples/churn's
// ColumnTransformer.
func modelSpecs(maxValues int) []preprocess.Incremental {
	return []preprocess.Incremental{
		preprocess.ImputeSpec{Strategy: preprocess.Median, Columns: numeric, MaxValues: maxValues},
		preprocess.StandardScale(numeric...),
		preprocess.Impute(preprocess.MostFrequent, categories...),
		preprocess.OneHot(categories...),
	}
}

// selectColumns keeps the columns the pipeline reads, the target and the
// key: an mlpipe Transformer, run on Beam as a DoFn.
func selectColumns(_ context.Context, b *frame.Frame) (*frame.Frame, error) {
	return b.Select(append(slices.Clone(inputs), target, id)...)
}

// clean fits the cleaning steps to a frame and applies them.
func clean(ctx context.Context, b *frame.Frame) (*frame.Frame, []preprocess.Fitted, error) {
	cur, err := selectColumns(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	var fitted []preprocess.Fitted
	for i, s := range cleanSpecs() {
		f, err := s.Fit(ctx, cur)
		if err != nil {
			return nil, nil, fmt.Errorf("clean step %d (%T): %w", i, s, err)
		}
		if cur, err = f.Transform(ctx, cur); err != nil {
			return nil, nil, fmt.Errorf("clean step %d (%T): %w", i, s, err)
		}
		fitted = append(fitted, f)
	}
	return cur, fitted, nil
}

// sampleClean fits the cleaning steps on the first rows of the first
// shard.
func sampleClean(ctx context.Context, glob string) ([]preprocess.Fitted, error) {
	fs, err := filesystem.New(ctx, glob)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	files, err := fs.List(ctx, glob)
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("%s: no file matches (%v)", glob, err)
	}
	slices.Sort(files)
	r, err := fs.OpenRead(ctx, files[0])
	if err != nil {
		return nil, err
	}
	defer r.Close()
	src := etl.CSV(r, etl.CSVOptions{Name: files[0], NA: csvOptions.NA, Schema: csvOptions.Schema, BatchRows: 5000,
		OnError: etl.Reject, Rejects: etl.LoaderFunc[etl.Rejected](func(context.Context, etl.Rejected) error { return nil })})
	var sample *frame.Frame
	errStop := errors.New("sampled")
	if err := src.Extract(ctx, func(f *frame.Frame) error { sample = f; return errStop }); !errors.Is(err, errStop) {
		return nil, fmt.Errorf("%s: no sample: %v", files[0], err)
	}
	_, fitted, err := clean(ctx, sample)
	return fitted, err
}

func init() {
	mlbeam.RegisterTransformer("churn-select", etl.TransformerFunc[*frame.Frame, *frame.Frame](selectColumns))
	register.Function1x1(bytesToString)
	register.Function1x1(rejectLine)
	register.Function1x2(confusionLine)
	register.Function1x2(sumsLine)
	register.Function1x2(aucLine)
}

func bytesToString(b []byte) string { return string(b) }

func rejectLine(r mlbeam.Reject) string {
	return strconv.Quote(r.Source) + "\t" + strconv.Quote(r.Raw) + "\t" + r.Error
}

// metricsLine tags a merged metric with its type, as one JSON line. Beam
// registers functions by name, so each type has a function of its own.
func metricsLine(v any) (string, error) {
	b, err := json.Marshal(map[string]any{fmt.Sprintf("%T", v): v})
	return string(b), err
}

func confusionLine(c mlbeam.Confusion) (string, error) { return metricsLine(c) }
func sumsLine(r mlbeam.RegressionSums) (string, error) { return metricsLine(r) }
func aucLine(h mlbeam.AUCHistogram) (string, error)    { return metricsLine(h) }

// cpuTime returns the CPU time (user and system) this process has used:
// Prism and its workers run in it, so a phase's CPU time is all its work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// phase is the wall and CPU time of a part of the run.
type phase struct {
	start time.Time
	cpu   time.Duration
}

func begin() phase { return phase{time.Now(), cpuTime()} }

func (p phase) String() string {
	return fmt.Sprintf("%.2fs wall, %.2fs CPU", time.Since(p.start).Seconds(), (cpuTime() - p.cpu).Seconds())
}

type options struct {
	data, out, model string
	maxValues        int
	compare          bool
}

func main() {
	var o options
	flag.StringVar(&o.data, "data", "", "pattern of the CSV shards, such as 'shards/*.csv' (required)")
	flag.StringVar(&o.out, "out", "beam-churn-out", "directory for the fitted steps, the rejects, the scores and the metrics")
	flag.StringVar(&o.model, "model", "", "score with this saved pipeline (examples/churn -save) instead of one trained here")
	flag.BoolVar(&o.compare, "compare", true, "read the shards on this machine too: fit and score them there, and compare (needs the shards readable here; without it, give -model)")
	flag.IntVar(&o.maxValues, "max-values", 0, "bound the median's memory with a quantile sketch of this level size (0: exact, every value sent to one worker)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (Prism and its workers run in this process) to this file")
	flag.Parse()
	beam.Init()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "beam-churn:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if o.data == "" {
		fmt.Fprintln(os.Stderr, "beam-churn: -data PATTERN is required")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "beam-churn:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, stdout io.Writer) error {
	if !strings.Contains(o.out, "://") {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return err
		}
	}
	if !o.compare && o.model == "" {
		return errors.New("-compare=false needs -model: the model is trained on the rows read on this machine")
	}
	outPath := func(name string) string { return strings.TrimSuffix(o.out, "/") + "/" + name }
	stepsPath, rejectsPath := outPath("fitted-steps.json"), outPath("rejects.tsv")
	specs := modelSpecs(o.maxValues)

	// fit, on Beam
	start := begin()
	cleanSample, err := sampleClean(ctx, o.data)
	if err != nil {
		return err
	}
	p, s := beam.NewPipelineWithRoot()
	raw, dead, err := mlbeam.ReadCSV(s, o.data, csvOptions)
	if err != nil {
		return err
	}
	cleaned, err := mlbeam.Transform(s, "churn-select", raw)
	if err != nil {
		return err
	}
	for _, f := range cleanSample {
		state, err := preprocess.MarshalFitted(f)
		if err != nil {
			return err
		}
		cleaned = mlbeam.Apply(s, beam.Create(s, state), cleaned)
	}
	steps, _, err := mlbeam.FitSteps(s, specs, cleaned)
	if err != nil {
		return err
	}
	textio.Write(s, stepsPath, beam.ParDo(s, bytesToString, steps))
	textio.Write(s, rejectsPath, beam.ParDo(s, rejectLine, dead))
	res, err := beamx.RunWithMetrics(ctx, p)
	if err != nil {
		return fmt.Errorf("fit pipeline: %w", err)
	}
	fmt.Fprintf(stdout, "beam fit: %d rows read in %d batches, %d rejected (%s), %v\n",
		mlbeam.Counter(res, "rows"), mlbeam.Counter(res, "batches"), mlbeam.Counter(res, "rejected"), rejectsPath, start)
	stepsJSON, err := readFile(ctx, stepsPath)
	if err != nil {
		return err
	}
	beamSteps, err := mlbeam.DecodeSteps(stepsJSON)
	if err != nil {
		return err
	}
	if !o.compare {
		fitted, err := pipeline.LoadFile(o.model)
		if err != nil {
			return err
		}
		return score(ctx, o, stdout, fitted, nil)
	}

	// the same fit, on one machine
	start = begin()
	local, localRejected, err := readLocal(ctx, o.data)
	if err != nil {
		return err
	}
	data, cleanFitted, err := clean(ctx, local)
	if err != nil {
		return err
	}
	cur := data
	localSteps := make([]preprocess.Fitted, len(specs))
	for i, spec := range specs {
		if localSteps[i], err = spec.Fit(ctx, cur); err != nil {
			return err
		}
		if cur, err = localSteps[i].Transform(ctx, cur); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "local fit: %d rows read, %d rejected, %v\n\n", local.NumRows(), localRejected, start)
	if err := sideBySide(stdout, specs, beamSteps, localSteps); err != nil {
		return err
	}

	// the pipeline that scores
	fitted, err := scoringPipeline(ctx, o, local, data, cleanFitted, beamSteps)
	if err != nil {
		return err
	}
	return score(ctx, o, stdout, fitted, local)
}

// score scores the shards on Beam with fitted, merges the metrics, and
// compares every score with the single-machine score of local's rows
// (unless local is nil).
func score(ctx context.Context, o options, stdout io.Writer, fitted *pipeline.Fitted, local *frame.Frame) error {
	scoreOpts := mlbeam.ScoreOptions{Keep: []string{id, target}}
	scoresPath := strings.TrimSuffix(o.out, "/") + "/scores.csv"
	metricsPath := strings.TrimSuffix(o.out, "/") + "/metrics.json"
	start := begin()
	p, s := beam.NewPipelineWithRoot()
	raw, _, err := mlbeam.ReadCSV(s, o.data, csvOptions)
	if err != nil {
		return err
	}
	scored, err := mlbeam.Score(s, fitted, raw, scoreOpts)
	if err != nil {
		return err
	}
	textio.Write(s, scoresPath, mlbeam.FormatCSV(s, scored, etl.CSVWriterOptions{}))
	conf := mlbeam.ConfusionCounts(s, scored, target, "score", 0.5)
	brier := mlbeam.Regression(s, scored, target, "score")
	auc := mlbeam.ROCAUC(s, scored, target, "score", 0)
	textio.Write(s, metricsPath, beam.Flatten(s,
		beam.ParDo(s, confusionLine, conf),
		beam.ParDo(s, sumsLine, brier),
		beam.ParDo(s, aucLine, auc)))
	if _, err := beamx.RunWithMetrics(ctx, p); err != nil {
		return fmt.Errorf("score pipeline: %w", err)
	}
	beamScore := start.String()
	if local == nil {
		fmt.Fprintf(stdout, "\nbeam score: scores in %s, %s\n", scoresPath, beamScore)
		return printMetrics(ctx, stdout, metricsPath)
	}

	// the same scores, on one machine
	start = begin()
	want, err := mlbeam.ScoreFrame(ctx, fitted, local, scoreOpts)
	if err != nil {
		return err
	}
	localScore := start.String()
	same, total, err := compareScores(scoresPath, want)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nbeam score: %d scores in %s, %s; identical to the single-machine scores: %d of %d (local scoring %s)\n",
		total, scoresPath, beamScore, same, want.NumRows(), localScore)
	return printMetrics(ctx, stdout, metricsPath)
}

// readFile reads a file on any filesystem Beam knows (local, gs://).
func readFile(ctx context.Context, path string) ([]byte, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return nil, err
	}
	defer fs.Close()
	r, err := fs.OpenRead(ctx, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// readLocal reads the shards on one machine with the options the pipeline
// uses, counting the records it rejects.
func readLocal(ctx context.Context, glob string) (*frame.Frame, int, error) {
	opts := etl.CSVOptions{NA: csvOptions.NA, Schema: csvOptions.Schema, OnError: etl.Reject}
	rejected := 0
	opts.Rejects = etl.LoaderFunc[etl.Rejected](func(context.Context, etl.Rejected) error { rejected++; return nil })
	src, err := etl.GlobCSV(glob, opts)
	if err != nil {
		return nil, 0, err
	}
	var parts []*frame.Frame
	if err := src.Extract(ctx, func(f *frame.Frame) error { parts = append(parts, f); return nil }); err != nil {
		return nil, 0, err
	}
	all, err := frame.Concat(parts...)
	return all, rejected, err
}

// scoringPipeline returns the pipeline -model names, or one made of the
// cleaning steps, the steps fitted on Beam and a logistic regression
// trained on one machine on the rows those steps transform.
func scoringPipeline(ctx context.Context, o options, raw, data *frame.Frame, cleanFitted, beamSteps []preprocess.Fitted) (*pipeline.Fitted, error) {
	if o.model != "" {
		return pipeline.LoadFile(o.model)
	}
	X := data
	for _, st := range beamSteps {
		var err error
		if X, err = st.Transform(ctx, X); err != nil {
			return nil, err
		}
	}
	X, err := X.Drop(id)
	if err != nil {
		return nil, err
	}
	ml := pipeline.ML{Model: model.LogisticRegression{C: 1}, Target: target}
	trained, err := ml.Fit(ctx, X)
	if err != nil {
		return nil, err
	}
	in, err := raw.Select(inputs...)
	if err != nil {
		return nil, err
	}
	return &pipeline.Fitted{
		Steps:     append(slices.Clone(cleanFitted), beamSteps...),
		Predictor: trained.Predictor,
		Target:    target,
		Features:  trained.Features,
		Schema:    pipeline.Schema(in),
	}, nil
}

// sideBySide prints every number and short text of the fitted states,
// Beam's beside the single machine's, and the largest difference.
func sideBySide(w io.Writer, specs []preprocess.Incremental, beamSteps, localSteps []preprocess.Fitted) error {
	fmt.Fprintf(w, "%-58s %22s %22s\n", "fitted state", "beam (merged partials)", "single machine")
	var maxRel float64
	differ := 0
	for i := range specs {
		var b, l []leaf
		for _, x := range []struct {
			f   preprocess.Fitted
			dst *[]leaf
		}{{beamSteps[i], &b}, {localSteps[i], &l}} {
			raw, err := preprocess.MarshalFitted(x.f)
			if err != nil {
				return err
			}
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			flatten(fmt.Sprintf("%d", i), v, x.dst)
		}
		if len(b) != len(l) {
			return fmt.Errorf("step %d: the fitted states differ in shape (%d and %d values)", i, len(b), len(l))
		}
		for k := range b {
			bs, ls := b[k].text(), l[k].text()
			mark := ""
			if b[k].path != l[k].path || bs != ls {
				if rel := b[k].relDiff(l[k]); !math.IsNaN(rel) {
					maxRel = math.Max(maxRel, rel)
					mark = fmt.Sprintf("  (rel. diff %.1g)", rel)
				} else {
					differ++
					mark = "  DIFFERENT"
				}
			}
			if b[k].show() {
				fmt.Fprintf(w, "%-58s %22s %22s%s\n", b[k].path, bs, ls, mark)
			}
		}
	}
	fmt.Fprintf(w, "largest relative difference of a number: %.2g; other values that differ: %d\n", maxRel, differ)
	return nil
}

type leaf struct {
	path string
	v    any
}

func flatten(path string, v any, out *[]leaf) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		name := ""
		if n, ok := v["name"].(string); ok {
			name = n
		}
		for _, k := range keys {
			p := path + "." + k
			if name != "" && k != "name" {
				p = path + "." + name + "." + k
			}
			if k == "name" && name != "" {
				continue
			}
			flatten(p, v[k], out)
		}
	case []any:
		for i, x := range v {
			flatten(fmt.Sprintf("%s[%d]", path, i), x, out)
		}
	default:
		*out = append(*out, leaf{strings.Replace(path, "state.", "", 1), v})
	}
}

func (l leaf) text() string {
	if f, ok := l.v.(float64); ok {
		return strconv.FormatFloat(f, 'g', 10, 64)
	}
	return fmt.Sprint(l.v)
}

// show reports whether the leaf is worth a line: numbers and category
// names, not the version and kind fields or zero-valued defaults.
func (l leaf) show() bool {
	switch v := l.v.(type) {
	case float64:
		return v != 0 && !strings.HasSuffix(l.path, "version") && !strings.HasSuffix(l.path, ".kind")
	case string:
		return v != "" && !strings.HasSuffix(l.path, "kind") && !strings.Contains(l.path, "unknown") && !strings.Contains(l.path, "drop")
	}
	return false
}

func (l leaf) relDiff(o leaf) float64 {
	a, ok1 := l.v.(float64)
	b, ok2 := o.v.(float64)
	if !ok1 || !ok2 || l.path != o.path {
		return math.NaN()
	}
	return math.Abs(a-b) / math.Max(math.Abs(b), 1e-300)
}

// compareScores counts the lines of the scores file whose score is the
// single-machine score of the same customer, bit for bit.
func compareScores(path string, want *frame.Frame) (same, total int, err error) {
	ids, err := want.Col(id)
	if err != nil {
		return 0, 0, err
	}
	scores, err := want.Float("score")
	if err != nil {
		return 0, 0, err
	}
	byID := make(map[string]float64, want.NumRows())
	for i := range want.NumRows() {
		byID[ids.Value(i).(string)] = scores[i]
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Split(strings.TrimSpace(line), ",")
		if len(f) != 3 {
			continue
		}
		total++
		got, err := strconv.ParseFloat(f[2], 64)
		if w, ok := byID[f[0]]; err == nil && ok && got == w {
			same++
		}
	}
	return same, total, nil
}

func printMetrics(ctx context.Context, w io.Writer, path string) error {
	b, err := readFile(ctx, path)
	if err != nil {
		return err
	}
	for line := range strings.Lines(string(b)) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			return err
		}
		for k, v := range m {
			switch k {
			case "mlbeam.Confusion":
				var c mlbeam.Confusion
				json.Unmarshal(v, &c)
				fmt.Fprintf(w, "merged confusion: accuracy %.4f, precision %.4f, recall %.4f, F1 %.4f (%+v)\n",
					c.Accuracy(), c.Precision(), c.Recall(), c.F1(), c)
			case "mlbeam.RegressionSums":
				var r mlbeam.RegressionSums
				json.Unmarshal(v, &r)
				fmt.Fprintf(w, "merged sums: Brier score (MSE of the probability) %.4f over %d rows\n", r.MSE(), r.N)
			case "mlbeam.AUCHistogram":
				var h mlbeam.AUCHistogram
				json.Unmarshal(v, &h)
				fmt.Fprintf(w, "merged histogram: ROC AUC %.4f (within %.1g of the exact area)\n", h.AUC(), h.ErrorBound())
			}
		}
	}
	return nil
}
