package evaluate

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mlpipe/mlpipe/frame"
)

// ParamCurve holds a validation curve: Results[i] is the cross-validation,
// with training scores, of the learner built from Values[i].
type ParamCurve[P any] struct {
	Values  []P
	Results []*CVResult
}

// String renders the curve as a table of value, training and validation
// score (mean ± std) for the first scorer.
func (c *ParamCurve[P]) String() string {
	var b strings.Builder
	if len(c.Results) == 0 {
		return ""
	}
	s := c.Results[0].Scorers[0]
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "value\ttrain %s\t±\tvalidation %s\t±\t\n", s, s)
	for i, v := range c.Values {
		r := c.Results[i]
		fmt.Fprintf(w, "%v\t%.4f\t%.4f\t%.4f\t%.4f\t\n", v, r.TrainMean(s), r.TrainStd(s), r.Mean(s), r.Std(s))
	}
	w.Flush()
	return b.String()
}

// ValidationCurve cross-validates the learner build(v) for each value v of
// one parameter, as scikit-learn's validation_curve, with training scores,
// so under- and over-fitting show as the parameter moves. All values ×
// folds fits run concurrently, bounded by opts.Workers, on the same folds.
// It returns the errors of [CrossValidate], and build's error (wrapped with
// the value) if it fails.
func ValidationCurve[P any](ctx context.Context, values []P, build func(P) (Learner, error),
	data *frame.Frame, target string, opts CVOptions) (*ParamCurve[P], error) {
	learners := make([]Learner, len(values))
	for i, v := range values {
		l, err := build(v)
		if err != nil {
			return nil, fmt.Errorf("validation curve: value %v: %w", v, err)
		}
		if l == nil {
			return nil, fmt.Errorf("validation curve: value %v: nil learner", v)
		}
		learners[i] = l
	}
	opts.TrainScores = true
	results, err := crossValidateMany(ctx, learners, data, target, opts)
	if err != nil {
		return nil, fmt.Errorf("validation curve: %w", err)
	}
	return &ParamCurve[P]{Values: values, Results: results}, nil
}

// crossValidateMany cross-validates several learners on the same folds,
// all learners × folds fits in one bounded group.
func crossValidateMany(ctx context.Context, learners []Learner, data *frame.Frame, target string, opts CVOptions) ([]*CVResult, error) {
	if len(learners) == 0 {
		return nil, fmt.Errorf("no candidates: %w", ErrEmpty)
	}
	cv, err := setup(data, target, opts)
	if err != nil {
		return nil, err
	}
	var tasks []task
	for _, l := range learners {
		for _, f := range cv.folds {
			tasks = append(tasks, task{learner: l, fold: f})
		}
	}
	results, err := runTasks(ctx, data, target, cv.y, tasks, cv.scorers, opts.TrainScores, opts.Workers)
	if err != nil {
		return nil, err
	}
	nf := len(cv.folds)
	out := make([]*CVResult, len(learners))
	for i := range learners {
		out[i] = cv.result(results[i*nf : (i+1)*nf])
	}
	return out, nil
}

// Params is one set of parameter values, by name.
type Params map[string]any

// String renders the parameters as "name=value" pairs, sorted by name.
func (p Params) String() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, p[k])
	}
	return strings.Join(parts, " ")
}

// SearchOptions configures [GridSearch] and [RandomSearch]. The zero value
// works.
type SearchOptions struct {
	// CV gives the folds, the scorers and the workers bounding the
	// candidates × folds fits run at once. Candidates are ranked by the
	// first scorer's mean validation score.
	CV CVOptions
	// Refit fits the best candidate on all of data and returns it as
	// SearchResult.Best.
	Refit bool
}

// Candidate is one parameter set tried by a search, with its
// cross-validation and its rank (1 is best; ties share a rank).
type Candidate struct {
	Params Params
	Result *CVResult
	Mean   float64 // mean validation score of the ranking scorer
	Std    float64
	Rank   int
}

// SearchResult is the outcome of a search: every candidate in the order
// tried, the index of the best (the first of those ranked 1), and, with
// SearchOptions.Refit, the best learner fitted on all the data.
type SearchResult struct {
	Scorer     string
	Candidates []Candidate
	BestIndex  int
	Best       Predictor
}

// BestParams returns the parameters of the best candidate.
func (r *SearchResult) BestParams() Params { return r.Candidates[r.BestIndex].Params }

// String renders the candidates as a table ordered by rank.
func (r *SearchResult) String() string {
	order := make([]int, len(r.Candidates))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(r.Candidates[a].Rank, r.Candidates[b].Rank) })
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "rank\t%s\t±\tparams\n", r.Scorer)
	for _, i := range order {
		c := r.Candidates[i]
		fmt.Fprintf(w, "%d\t%.4f\t%.4f\t%s\n", c.Rank, c.Mean, c.Std, c.Params)
	}
	w.Flush()
	return b.String()
}

// GridSearch cross-validates build(p) for every combination p of the
// grid's values, as scikit-learn's GridSearchCV, and ranks the candidates.
// Combinations are enumerated with parameter names sorted and the last
// name varying fastest (scikit-learn's ParameterGrid order). All
// candidates × folds fits run concurrently, bounded by opts.CV.Workers, on
// the same folds; results do not depend on the number of workers.
//
// It returns an error wrapping [ErrEmpty] for an empty grid or a parameter
// without values, build's error wrapped with the parameters, and the
// errors of [CrossValidate].
func GridSearch(ctx context.Context, build func(Params) (Learner, error), grid map[string][]any,
	data *frame.Frame, target string, opts SearchOptions) (*SearchResult, error) {
	if len(grid) == 0 {
		return nil, fmt.Errorf("grid search: empty grid: %w", ErrEmpty)
	}
	keys := make([]string, 0, len(grid))
	for k, v := range grid {
		if len(v) == 0 {
			return nil, fmt.Errorf("grid search: parameter %q has no values: %w", k, ErrEmpty)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var cands []Params
	var walk func(i int, cur Params)
	walk = func(i int, cur Params) {
		if i == len(keys) {
			p := make(Params, len(cur))
			for k, v := range cur {
				p[k] = v
			}
			cands = append(cands, p)
			return
		}
		for _, v := range grid[keys[i]] {
			cur[keys[i]] = v
			walk(i+1, cur)
		}
	}
	walk(0, Params{})
	return search(ctx, "grid search", build, cands, data, target, opts)
}

// A Distribution is a parameter's sampling distribution for
// [RandomSearch]: Sample draws one value from r. Implementations must be
// deterministic given r.
type Distribution interface {
	Sample(r *rand.Rand) any
}

type choice []any

func (c choice) Sample(r *rand.Rand) any { return c[r.IntN(len(c))] }

// Choice returns a Distribution picking one of values uniformly. It panics
// if values is empty, as a programming error.
func Choice(values ...any) Distribution {
	if len(values) == 0 {
		panic("evaluate: Choice of no values")
	}
	return choice(values)
}

type uniform struct {
	lo, hi float64
	log    bool
}

func (u uniform) Sample(r *rand.Rand) any {
	if u.log {
		return math.Exp(math.Log(u.lo) + r.Float64()*(math.Log(u.hi)-math.Log(u.lo)))
	}
	return u.lo + r.Float64()*(u.hi-u.lo)
}

// Uniform returns a Distribution of float64 values uniform on [lo, hi).
func Uniform(lo, hi float64) Distribution { return uniform{lo: lo, hi: hi} }

// LogUniform returns a Distribution of float64 values whose logarithm is
// uniform on [log lo, log hi): the usual choice for a regularisation
// strength. lo and hi must be positive; otherwise samples are NaN.
func LogUniform(lo, hi float64) Distribution { return uniform{lo: lo, hi: hi, log: true} }

type intRange struct{ lo, hi int }

func (d intRange) Sample(r *rand.Rand) any { return d.lo + r.IntN(d.hi-d.lo+1) }

// IntRange returns a Distribution of int values uniform on [lo, hi]. It
// panics if hi < lo, as a programming error.
func IntRange(lo, hi int) Distribution {
	if hi < lo {
		panic("evaluate: IntRange with hi < lo")
	}
	return intRange{lo, hi}
}

// RandomSearch cross-validates build(p) for n parameter sets p sampled
// from space (names sorted, then sampled in turn, from a generator seeded
// with seed), as scikit-learn's RandomizedSearchCV, and ranks them. The
// same seed gives the same candidates. Fits run as in [GridSearch], and
// errors are as for it, plus [ErrEmpty] for n < 1.
func RandomSearch(ctx context.Context, build func(Params) (Learner, error), space map[string]Distribution, n int, seed uint64,
	data *frame.Frame, target string, opts SearchOptions) (*SearchResult, error) {
	if len(space) == 0 || n < 1 {
		return nil, fmt.Errorf("random search: %d parameters, %d candidates: %w", len(space), n, ErrEmpty)
	}
	keys := make([]string, 0, len(space))
	for k := range space {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	r := newRNG(seed)
	cands := make([]Params, n)
	for i := range cands {
		cands[i] = make(Params, len(keys))
		for _, k := range keys {
			cands[i][k] = space[k].Sample(r)
		}
	}
	return search(ctx, "random search", build, cands, data, target, opts)
}

func search(ctx context.Context, name string, build func(Params) (Learner, error), cands []Params,
	data *frame.Frame, target string, opts SearchOptions) (*SearchResult, error) {
	learners := make([]Learner, len(cands))
	for i, p := range cands {
		l, err := build(p)
		if err != nil {
			return nil, fmt.Errorf("%s: candidate %s: %w", name, p, err)
		}
		if l == nil {
			return nil, fmt.Errorf("%s: candidate %s: nil learner", name, p)
		}
		learners[i] = l
	}
	results, err := crossValidateMany(ctx, learners, data, target, opts.CV)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	scorer := results[0].Scorers[0]
	res := &SearchResult{Scorer: scorer, Candidates: make([]Candidate, len(cands))}
	for i, r := range results {
		res.Candidates[i] = Candidate{Params: cands[i], Result: r, Mean: r.Mean(scorer), Std: r.Std(scorer)}
	}
	for i := range res.Candidates {
		rank := 1
		for j := range res.Candidates {
			if res.Candidates[j].Mean > res.Candidates[i].Mean {
				rank++
			}
		}
		res.Candidates[i].Rank = rank
	}
	for i, c := range res.Candidates {
		if c.Rank == 1 {
			res.BestIndex = i
			break
		}
	}
	if opts.Refit {
		p, err := learners[res.BestIndex].Fit(ctx, data)
		if err != nil {
			return nil, fmt.Errorf("%s: refit %s: %w", name, cands[res.BestIndex], err)
		}
		res.Best = p
	}
	return res, nil
}
