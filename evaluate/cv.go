package evaluate

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mlpipe/mlpipe/frame"
	"golang.org/x/sync/errgroup"
)

// CVOptions configures [CrossValidate]. The zero value works.
type CVOptions struct {
	// Splitter makes the folds. Default: StratifiedKFold{K: 5} when the
	// target holds class labels (a bool column, or integer values — the rule
	// of scikit-learn's type_of_target), KFold{K: 5} otherwise. Neither
	// default shuffles, so the folds depend on the row order.
	Splitter Splitter
	// Scorers score each fold. Default: [ScoreAccuracy] for class labels,
	// [ScoreR2] otherwise. Names must be distinct.
	Scorers []Scorer
	// TrainScores also scores each fitted predictor on its own training
	// rows, which an overfitting diagnosis compares with the test scores.
	TrainScores bool
	// Workers bounds the folds fitted at once. Default: runtime.GOMAXPROCS(0).
	Workers int
}

// FoldResult is one fold's outcome. Test (and Train, when asked for) hold
// one score per scorer, in the order of [CVResult].Scorers.
type FoldResult struct {
	Fold      int           // fold number, from 0
	TrainRows int           // rows fitted on
	TestRows  int           // rows scored
	Test      []float64     // scores on the held-out rows
	Train     []float64     // scores on the training rows; nil unless CVOptions.TrainScores
	FitTime   time.Duration // time in Learner.Fit
	ScoreTime time.Duration // time scoring the held-out rows
}

// CVResult holds the outcome of [CrossValidate]: the scorer names and one
// [FoldResult] per fold, in fold order. Scores do not depend on the number
// of workers; times do. A CVResult is not modified after it is returned and
// is safe for concurrent reads.
type CVResult struct {
	Scorers []string
	Folds   []FoldResult
}

func (r *CVResult) scorer(name string) int {
	for i, n := range r.Scorers {
		if n == name {
			return i
		}
	}
	return -1
}

func (r *CVResult) scores(name string, train bool) []float64 {
	j := r.scorer(name)
	if j < 0 {
		return nil
	}
	out := make([]float64, 0, len(r.Folds))
	for _, f := range r.Folds {
		s := f.Test
		if train {
			s = f.Train
		}
		if s == nil {
			return nil
		}
		out = append(out, s[j])
	}
	return out
}

// TestScores returns the per-fold test scores of the named scorer, or nil
// for an unknown name.
func (r *CVResult) TestScores(name string) []float64 { return r.scores(name, false) }

// TrainScores returns the per-fold training scores of the named scorer, or
// nil for an unknown name or when training scores were not computed.
func (r *CVResult) TrainScores(name string) []float64 { return r.scores(name, true) }

// Mean returns the mean test score of the named scorer over the folds, or
// NaN for an unknown name.
func (r *CVResult) Mean(name string) float64 { return meanOrNaN(r.TestScores(name)) }

// Std returns the population standard deviation (numpy's np.std, as
// scikit-learn reports) of the named scorer's test scores, or NaN for an
// unknown name.
func (r *CVResult) Std(name string) float64 { return stdOrNaN(r.TestScores(name)) }

// TrainMean returns the mean training score of the named scorer, or NaN
// for an unknown name or when training scores were not computed.
func (r *CVResult) TrainMean(name string) float64 { return meanOrNaN(r.TrainScores(name)) }

// TrainStd returns the population standard deviation of the named scorer's
// training scores, or NaN as for [CVResult.TrainMean].
func (r *CVResult) TrainStd(name string) float64 { return stdOrNaN(r.TrainScores(name)) }

func meanOrNaN(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	return mean(v)
}

func stdOrNaN(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	m := mean(v)
	d := make([]float64, len(v))
	for i, x := range v {
		d[i] = (x - m) * (x - m)
	}
	return math.Sqrt(mean(d))
}

// String renders the result as a table: one row per fold with its sizes,
// times and scores, then the mean and standard deviation of each score.
func (r *CVResult) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	hasTrain := len(r.Folds) > 0 && r.Folds[0].Train != nil
	fmt.Fprint(w, "fold\ttrain rows\ttest rows\tfit\tscore\t")
	for _, s := range r.Scorers {
		fmt.Fprintf(w, "%s\t", s)
		if hasTrain {
			fmt.Fprintf(w, "train %s\t", s)
		}
	}
	fmt.Fprintln(w)
	for _, f := range r.Folds {
		fmt.Fprintf(w, "%d\t%d\t%d\t%v\t%v\t", f.Fold, f.TrainRows, f.TestRows, roundDuration(f.FitTime), roundDuration(f.ScoreTime))
		for j := range r.Scorers {
			fmt.Fprintf(w, "%.4f\t", f.Test[j])
			if hasTrain {
				fmt.Fprintf(w, "%.4f\t", f.Train[j])
			}
		}
		fmt.Fprintln(w)
	}
	for _, stat := range []struct {
		name string
		f    func([]float64) float64
	}{{"mean", meanOrNaN}, {"std", stdOrNaN}} {
		fmt.Fprintf(w, "%s\t\t\t\t\t", stat.name)
		for _, s := range r.Scorers {
			fmt.Fprintf(w, "%.4f\t", stat.f(r.TestScores(s)))
			if hasTrain {
				fmt.Fprintf(w, "%.4f\t", stat.f(r.TrainScores(s)))
			}
		}
		fmt.Fprintln(w)
	}
	w.Flush()
	return b.String()
}

// roundDuration keeps about three significant digits of a duration.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	case d >= time.Microsecond:
		return d.Round(10 * time.Nanosecond)
	}
	return d
}

// Target returns the named column of data as numbers, the form metrics and
// splitters take: a float column as it is, a bool column as 0 and 1. It
// returns an error wrapping frame.ErrNoColumn for an unknown column,
// frame.ErrKind for another kind of column, and frame.ErrMissing (naming
// the row) for a missing or infinite value.
func Target(data *frame.Frame, name string) ([]float64, error) {
	c, err := data.Col(name)
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	var y []float64
	switch c := c.(type) {
	case *frame.FloatColumn:
		y = c.Values()
		for i, v := range y {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("target %q row %d is %v: %w", name, i, v, frame.ErrMissing)
			}
		}
	case *frame.BoolColumn:
		y = make([]float64, c.Len())
		for i, v := range c.Values() {
			if c.IsNA(i) {
				return nil, fmt.Errorf("target %q row %d is missing: %w", name, i, frame.ErrMissing)
			}
			if v {
				y[i] = 1
			}
		}
	default:
		return nil, fmt.Errorf("target %q is %v; use a float or bool column: %w", name, c.Kind(), frame.ErrKind)
	}
	return y, nil
}

// isClassTarget is scikit-learn's type_of_target test for "binary" or
// "multiclass" on floats: every value is an integer.
func isClassTarget(y []float64) bool {
	for _, v := range y {
		if v != math.Trunc(v) {
			return false
		}
	}
	return true
}

// CrossValidate fits l on each fold's training rows of data and scores the
// fitted predictor on the fold's held-out rows, as scikit-learn's
// cross_validate. target names the label column (float, or bool read as
// 0/1); the Learner receives the training rows with every column, and the
// Predictor the held-out rows without the target. Because each fold fits l
// afresh on its training rows only, nothing learned from a fold's test
// rows — imputation values, scales, categories — reaches its model.
//
// Folds run concurrently, at most opts.Workers at a time. The folds are made
// before any work starts and each fold's result has its own slot, so the
// scores are the same whatever the number of workers. The first error (a
// fit, a prediction, a score, or ctx being cancelled) cancels the folds
// still running and is returned, wrapped with the fold number; no goroutine
// outlives the call.
//
// CrossValidate returns an error wrapping frame.ErrEmpty for a frame
// without rows, the errors of [Target] for a bad target column, the
// splitter's errors (for example [ErrTooFewMembers]), and [ErrScorer] for a
// scorer without a function or a repeated name.
func CrossValidate(ctx context.Context, l Learner, data *frame.Frame, target string, opts CVOptions) (*CVResult, error) {
	if l == nil {
		return nil, fmt.Errorf("cross-validate: nil learner")
	}
	cv, err := setup(data, target, opts)
	if err != nil {
		return nil, fmt.Errorf("cross-validate: %w", err)
	}
	// The folds wait their turn packed, at half the memory, and each is
	// unpacked only while its rows are taken.
	tasks := make([]task, len(cv.folds))
	for k, f := range cv.folds {
		tasks[k] = task{learner: l, fold: packFold(f)}
		cv.folds[k] = Fold{}
	}
	results, err := runTasks(ctx, data, target, cv.y, tasks, cv.scorers, opts.TrainScores, opts.Workers)
	if err != nil {
		return nil, fmt.Errorf("cross-validate: %w", err)
	}
	return cv.result(results), nil
}

// cvSetup holds what the cross-validation entry points share: the target,
// the folds, the scorers and their names.
type cvSetup struct {
	y       []float64
	folds   []Fold
	scorers []Scorer
	names   []string
}

// setup validates the inputs shared by the cross-validation entry points
// and resolves the default splitter and scorers.
func setup(data *frame.Frame, target string, opts CVOptions) (*cvSetup, error) {
	if data == nil || data.NumRows() == 0 {
		return nil, fmt.Errorf("no rows: %w", frame.ErrEmpty)
	}
	y, err := Target(data, target)
	if err != nil {
		return nil, err
	}
	class := isClassTarget(y)
	split := opts.Splitter
	if split == nil {
		if class {
			split = StratifiedKFold{K: 5}
		} else {
			split = KFold{K: 5}
		}
	}
	scorers := opts.Scorers
	if len(scorers) == 0 {
		if class {
			scorers = []Scorer{ScoreAccuracy}
		} else {
			scorers = []Scorer{ScoreR2}
		}
	}
	names := make([]string, len(scorers))
	for i, s := range scorers {
		if s.Score == nil {
			return nil, fmt.Errorf("scorer %q has no Score function: %w", s.Name, ErrScorer)
		}
		if slices.Contains(names[:i], s.Name) {
			return nil, fmt.Errorf("scorer name %q given twice: %w", s.Name, ErrScorer)
		}
		names[i] = s.Name
	}
	folds, err := split.Split(y)
	if err != nil {
		return nil, err
	}
	return &cvSetup{y: y, folds: folds, scorers: scorers, names: names}, nil
}

// result numbers per-fold results into a CVResult.
func (cv *cvSetup) result(folds []FoldResult) *CVResult {
	for k := range folds {
		folds[k].Fold = k
	}
	return &CVResult{Scorers: cv.names, Folds: folds}
}

// A task is one fit of a learner on a fold's training rows, scored on its
// test rows.
type task struct {
	learner Learner
	fold    foldRows
}

// foldRows is a fold's rows: a [Fold], or a packedFold.
type foldRows interface {
	trainRows() []int
	testRows() []int
	sizes() (train, test int)
}

func (f Fold) trainRows() []int  { return f.Train }
func (f Fold) testRows() []int   { return f.Test }
func (f Fold) sizes() (int, int) { return len(f.Train), len(f.Test) }

// packedFold is a fold whose row numbers fit in int32, held as such.
type packedFold struct{ train, test []int32 }

// packFold returns f packed, or f itself when a row number does not fit.
func packFold(f Fold) foldRows {
	pack := func(rows []int) ([]int32, bool) {
		out := make([]int32, len(rows))
		for j, i := range rows {
			if i != int(int32(i)) {
				return nil, false
			}
			out[j] = int32(i)
		}
		return out, true
	}
	train, ok := pack(f.Train)
	if !ok {
		return f
	}
	test, ok := pack(f.Test)
	if !ok {
		return f
	}
	return packedFold{train, test}
}

func unpack(rows []int32) []int {
	out := make([]int, len(rows))
	for j, i := range rows {
		out[j] = int(i)
	}
	return out
}

func (p packedFold) trainRows() []int  { return unpack(p.train) }
func (p packedFold) testRows() []int   { return unpack(p.test) }
func (p packedFold) sizes() (int, int) { return len(p.train), len(p.test) }

// runTasks runs the tasks concurrently, at most workers (default
// GOMAXPROCS) at a time, each result in its own slot so the outcome does
// not depend on scheduling. The first error cancels the rest; it is
// returned wrapped with the task's position. No goroutine outlives it.
func runTasks(ctx context.Context, data *frame.Frame, target string, y []float64, tasks []task,
	scorers []Scorer, trainScores bool, workers int) ([]FoldResult, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]FoldResult, len(tasks))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for k, t := range tasks {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			fr, err := runFold(gctx, t.learner, data, target, y, t.fold, scorers, trainScores)
			if err != nil {
				return fmt.Errorf("fold %d: %w", k, err)
			}
			out[k] = fr
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func runFold(ctx context.Context, l Learner, data *frame.Frame, target string, y []float64,
	fold foldRows, scorers []Scorer, trainScores bool) (FoldResult, error) {
	var fr FoldResult
	fr.TrainRows, fr.TestRows = fold.sizes()
	if err := ctx.Err(); err != nil {
		return fr, err
	}
	trainRows := fold.trainRows()
	train, err := data.Take(trainRows)
	if err != nil {
		return fr, err
	}
	// The training rows are held past the fit only to be scored: otherwise
	// the fit may let go of them as soon as its first step has run. The
	// test rows are taken after the fit, so a fold holds one copy at a time.
	var trainX *frame.Frame
	var trainY []float64
	if trainScores {
		if trainX, err = train.Drop(target); err != nil {
			return fr, err
		}
		trainY = pick(y, trainRows)
	}
	start := time.Now()
	p, err := l.Fit(ctx, train)
	fr.FitTime = time.Since(start)
	if err != nil {
		return fr, fmt.Errorf("fit: %w", err)
	}
	if p == nil {
		return fr, fmt.Errorf("fit returned a nil predictor")
	}
	if err := ctx.Err(); err != nil {
		return fr, err
	}
	start = time.Now()
	testRows := fold.testRows()
	test, err := data.Take(testRows)
	if err != nil {
		return fr, err
	}
	if test, err = test.Drop(target); err != nil {
		return fr, err
	}
	if fr.Test, err = scoreAll(ctx, scorers, p, test, pick(y, testRows)); err != nil {
		return fr, fmt.Errorf("test rows: %w", err)
	}
	fr.ScoreTime = time.Since(start)
	if trainScores {
		if fr.Train, err = scoreAll(ctx, scorers, p, trainX, trainY); err != nil {
			return fr, fmt.Errorf("training rows: %w", err)
		}
	}
	return fr, nil
}

func scoreAll(ctx context.Context, scorers []Scorer, p Predictor, x *frame.Frame, y []float64) ([]float64, error) {
	out := make([]float64, len(scorers))
	for i, s := range scorers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v, err := s.Score(ctx, p, x, y)
		if err != nil {
			return nil, fmt.Errorf("scorer %s: %w", s.Name, err)
		}
		out[i] = v
	}
	return out, nil
}

func pick(y []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = y[j]
	}
	return out
}
