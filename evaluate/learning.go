package evaluate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mlpipe/mlpipe/frame"
)

// LearningCurveOptions configures [LearningCurve]. The zero value works.
type LearningCurveOptions struct {
	// CV gives the splitter, the scorer (the first of CV.Scorers; the
	// defaults are as for [CrossValidate]) and the workers. Training
	// scores are always computed.
	CV CVOptions
	// Sizes are the training-set sizes, as fractions in (0, 1] of the
	// first fold's training rows. Default: 0.1, 0.325, 0.55, 0.775, 1
	// (scikit-learn's np.linspace(0.1, 1, 5)).
	Sizes []float64
	// Shuffle permutes each fold's training rows (seeded by Seed and the
	// fold number) before taking the first n, so small sizes are not the
	// first rows of the file; without it they are, as in scikit-learn.
	Shuffle bool
	Seed    uint64
}

// LearningCurveResult holds training and validation scores for growing
// training sets: Train[i][k] and Test[i][k] are the scores with Sizes[i]
// training rows on fold k.
type LearningCurveResult struct {
	Scorer      string
	Sizes       []int
	Train, Test [][]float64
}

// TrainMean returns the mean training score at each size.
func (r *LearningCurveResult) TrainMean() []float64 { return mapMean(r.Train) }

// TestMean returns the mean validation score at each size.
func (r *LearningCurveResult) TestMean() []float64 { return mapMean(r.Test) }

func mapMean(v [][]float64) []float64 {
	out := make([]float64, len(v))
	for i := range v {
		out[i] = meanOrNaN(v[i])
	}
	return out
}

// String renders the curve as a table of size, training and validation
// score (mean ± std over folds).
func (r *LearningCurveResult) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "train rows\ttrain %s\t±\tvalidation %s\t±\t\n", r.Scorer, r.Scorer)
	for i, n := range r.Sizes {
		fmt.Fprintf(w, "%d\t%.4f\t%.4f\t%.4f\t%.4f\t\n", n, meanOrNaN(r.Train[i]), stdOrNaN(r.Train[i]),
			meanOrNaN(r.Test[i]), stdOrNaN(r.Test[i]))
	}
	w.Flush()
	return b.String()
}

// LearningCurve cross-validates l on growing subsets of each fold's
// training rows, as scikit-learn's learning_curve: for every size and
// fold, fit on the first n training rows and score on those rows and on
// the fold's test rows. Sizes × folds fits run concurrently, bounded by
// opts.CV.Workers; results do not depend on the number of workers.
// Duplicate sizes (after rounding down) are dropped.
//
// It returns the errors of [CrossValidate], and one wrapping [ErrValue] for
// a size fraction outside (0, 1].
func LearningCurve(ctx context.Context, l Learner, data *frame.Frame, target string, opts LearningCurveOptions) (*LearningCurveResult, error) {
	if l == nil {
		return nil, fmt.Errorf("learning curve: nil learner")
	}
	cv, err := setup(data, target, opts.CV)
	if err != nil {
		return nil, fmt.Errorf("learning curve: %w", err)
	}
	fracs := opts.Sizes
	if len(fracs) == 0 {
		fracs = []float64{0.1, 0.325, 0.55, 0.775, 1}
	}
	nMax := len(cv.folds[0].Train)
	var sizes []int
	for _, f := range fracs {
		if !(f > 0 && f <= 1) {
			return nil, fmt.Errorf("learning curve: size fraction %v is not in (0, 1]: %w", f, ErrValue)
		}
		sizes = append(sizes, min(max(int(f*float64(nMax)), 1), nMax))
	}
	slices.Sort(sizes)
	sizes = slices.Compact(sizes)

	train := make([][]int, len(cv.folds))
	for k, f := range cv.folds {
		train[k] = slices.Clone(f.Train)
		if opts.Shuffle {
			r := rand.New(rand.NewPCG(opts.Seed, uint64(k)))
			r.Shuffle(len(train[k]), func(i, j int) { train[k][i], train[k][j] = train[k][j], train[k][i] })
		}
	}
	var tasks []task
	for _, n := range sizes {
		for k, f := range cv.folds {
			sub := slices.Clone(train[k][:min(n, len(train[k]))])
			slices.Sort(sub)
			tasks = append(tasks, task{learner: l, fold: Fold{Train: sub, Test: f.Test}})
		}
	}
	scorer := cv.scorers[:1]
	results, err := runTasks(ctx, data, target, cv.y, tasks, scorer, true, opts.CV.Workers)
	if err != nil {
		return nil, fmt.Errorf("learning curve: %w", err)
	}
	res := &LearningCurveResult{Scorer: cv.names[0], Sizes: sizes,
		Train: make([][]float64, len(sizes)), Test: make([][]float64, len(sizes))}
	nf := len(cv.folds)
	for i := range sizes {
		for k := range nf {
			fr := results[i*nf+k]
			res.Train[i] = append(res.Train[i], fr.Train[0])
			res.Test[i] = append(res.Test[i], fr.Test[0])
		}
	}
	return res, nil
}

// Verdict is the outcome of a fit diagnosis.
type Verdict int

const (
	// GoodFit: training and validation scores are close and, when a
	// baseline is known, clearly above it.
	GoodFit Verdict = iota
	// Overfit: the training score exceeds the validation score by more
	// than the tolerance — the model memorises its training rows.
	Overfit
	// Underfit: the model scores barely above the baseline even on its own
	// training rows — it cannot capture the signal.
	Underfit
)

// String returns "good fit", "overfit" or "underfit".
func (v Verdict) String() string {
	switch v {
	case Overfit:
		return "overfit"
	case Underfit:
		return "underfit"
	}
	return "good fit"
}

// Diagnosis explains whether a model under- or over-fits, with the numbers
// behind the verdict. Scores follow the greater-is-better convention.
type Diagnosis struct {
	Verdict   Verdict
	Scorer    string
	Train     float64 // mean training score
	Test      float64 // mean validation score
	TestStd   float64 // standard deviation of the validation score over folds
	Folds     int     // number of folds behind the means
	Gap       float64 // Train − Test
	Tolerance float64 // gap treated as noise
	Baseline  float64 // a trivial model's score; NaN if not given
	Perfect   float64 // the scorer's best possible score (1, or 0 for an error); NaN if unknown
	// Learned is the share of the room between Baseline and Perfect that
	// the training score covers: (Train − Baseline) / (Perfect − Baseline);
	// NaN when either is unknown.
	Learned float64
	// From the learning curve, when diagnosed from one: the validation
	// score at the smallest and largest training sizes.
	SmallTest, LargeTest float64
	SmallRows, LargeRows int
	Text                 string // the verdict in words, with the numbers
}

// String returns the diagnosis in words.
func (d *Diagnosis) String() string { return d.Text }

// Diagnose judges over- and under-fitting from a cross-validation run made
// with CVOptions.TrainScores, for the named scorer. baseline is the same
// scorer's cross-validated score for a trivial model (a dummy predicting
// the majority class or the mean), or NaN if unknown; without it
// underfitting cannot be judged.
//
// The rule. The tolerance is 5% of the larger score magnitude, and at
// least two standard errors of the mean validation score (2·std/√folds),
// so fold noise is not called a gap. The model underfits if, with a
// baseline, its training score covers less than 10% of the room between
// the baseline and the scorer's perfect score (1 for accuracy, F1, ROC AUC,
// R² and the like; 0 for the negated errors "neg_…" and "max_error"), or,
// for a scorer whose perfect score is unknown, is within the tolerance of
// the baseline. Underfitting is checked first: a model that learns nothing
// cannot overfit. Otherwise the model overfits if its training score
// exceeds its validation score by more than the tolerance, and fits well
// if not.
//
// It returns an error wrapping [ErrScorer] for an unknown scorer and
// [ErrUndefined] if the run has no training scores.
func Diagnose(cv *CVResult, scorer string, baseline float64) (*Diagnosis, error) {
	if cv == nil || cv.TestScores(scorer) == nil {
		return nil, fmt.Errorf("diagnose: no scores for %q: %w", scorer, ErrScorer)
	}
	if cv.TrainScores(scorer) == nil {
		return nil, fmt.Errorf("diagnose: no training scores; cross-validate with TrainScores: %w", ErrUndefined)
	}
	d := &Diagnosis{Scorer: scorer, Train: cv.TrainMean(scorer), Test: cv.Mean(scorer), TestStd: cv.Std(scorer),
		Folds: len(cv.Folds), Baseline: baseline, SmallTest: math.NaN(), LargeTest: math.NaN()}
	d.judge()
	return d, nil
}

// DiagnoseCurve judges fitting as [Diagnose] does, from the largest
// training size of a learning curve, and adds what the curve says about
// more data: whether the validation score was still rising between the two
// largest sizes. baseline is as for Diagnose. It returns an error wrapping
// [ErrEmpty] for a curve without points.
func DiagnoseCurve(lc *LearningCurveResult, baseline float64) (*Diagnosis, error) {
	if lc == nil || len(lc.Sizes) == 0 {
		return nil, fmt.Errorf("diagnose: empty learning curve: %w", ErrEmpty)
	}
	last := len(lc.Sizes) - 1
	prev := max(last-1, 0)
	d := &Diagnosis{Scorer: lc.Scorer, Train: meanOrNaN(lc.Train[last]), Test: meanOrNaN(lc.Test[last]),
		TestStd: stdOrNaN(lc.Test[last]), Folds: len(lc.Test[last]), Baseline: baseline,
		SmallTest: meanOrNaN(lc.Test[prev]), LargeTest: meanOrNaN(lc.Test[last]),
		SmallRows: lc.Sizes[prev], LargeRows: lc.Sizes[last]}
	d.judge()
	return d, nil
}

func (d *Diagnosis) judge() {
	d.Gap = d.Train - d.Test
	d.Tolerance = max(0.05*max(math.Abs(d.Train), math.Abs(d.Test)), 2*d.TestStd/math.Sqrt(float64(max(d.Folds, 1))))
	haveBase := !math.IsNaN(d.Baseline)
	d.Perfect = perfectScore(d.Scorer)
	d.Learned = math.NaN()
	if haveBase && d.Perfect != d.Baseline {
		d.Learned = (d.Train - d.Baseline) / (d.Perfect - d.Baseline)
	}
	const advice = " Try a more flexible model, weaker regularisation or better features; more rows will not help."
	var b strings.Builder
	switch {
	case !math.IsNaN(d.Learned) && d.Learned < 0.1:
		d.Verdict = Underfit
		fmt.Fprintf(&b, "underfits: training %s %.4f covers only %.0f%% of the way from the baseline's %.4f to a perfect %g, so the model learns little even from the rows it was fitted on (validation %.4f).",
			d.Scorer, d.Train, 100*max(d.Learned, 0), d.Baseline, d.Perfect, d.Test)
		b.WriteString(advice)
	case haveBase && math.IsNaN(d.Perfect) && d.Train-d.Baseline <= d.Tolerance:
		d.Verdict = Underfit
		fmt.Fprintf(&b, "underfits: training %s %.4f is within %.4f of the baseline's %.4f, so the model learns little even from the rows it was fitted on (validation %.4f).",
			d.Scorer, d.Train, d.Tolerance, d.Baseline, d.Test)
		b.WriteString(advice)
	case d.Gap > d.Tolerance:
		d.Verdict = Overfit
		fmt.Fprintf(&b, "overfits: training %s %.4f vs validation %.4f ± %.4f, a gap of %.4f (tolerance %.4f). Regularise or simplify the model, or add rows.",
			d.Scorer, d.Train, d.Test, d.TestStd, d.Gap, d.Tolerance)
	default:
		d.Verdict = GoodFit
		fmt.Fprintf(&b, "fits well: training %s %.4f vs validation %.4f ± %.4f, a gap of %.4f (tolerance %.4f)",
			d.Scorer, d.Train, d.Test, d.TestStd, d.Gap, d.Tolerance)
		if haveBase {
			fmt.Fprintf(&b, ", %.4f above the baseline's %.4f", d.Test-d.Baseline, d.Baseline)
		} else {
			b.WriteString("; give a baseline score to judge underfitting")
		}
		b.WriteString(".")
	}
	if d.LargeRows > d.SmallRows {
		rise := d.LargeTest - d.SmallTest
		if rise > d.Tolerance/2 {
			fmt.Fprintf(&b, " The validation score still rose from %.4f at %d rows to %.4f at %d: more rows should help.",
				d.SmallTest, d.SmallRows, d.LargeTest, d.LargeRows)
		} else {
			fmt.Fprintf(&b, " The validation score has levelled off (%.4f at %d rows, %.4f at %d): more rows alone will not help much.",
				d.SmallTest, d.SmallRows, d.LargeTest, d.LargeRows)
		}
	}
	d.Text = b.String()
}

// perfectScore is the best value of a predefined scorer: 1 for scores, 0
// for negated errors; NaN for a name it does not know.
func perfectScore(name string) float64 {
	if strings.HasPrefix(name, "neg_") || name == "max_error" {
		return 0
	}
	for _, prefix := range []string{"accuracy", "balanced_accuracy", "f1", "precision", "recall", "roc_auc",
		"average_precision", "r2", "explained_variance", "matthews_corrcoef"} {
		if name == prefix || strings.HasPrefix(name, prefix+"_") {
			return 1
		}
	}
	return math.NaN()
}
