package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/mat"
)

func init() {
	Register[*ForestFit]("random_forest_classifier", 1)
	Register[*ForestRegressorFit]("random_forest_regressor", 1)
}

// RandomForest is a random forest of CART trees, as scikit-learn's
// RandomForestClassifier (Criterion Gini or Entropy) and
// RandomForestRegressor (SquaredError): each tree is grown on a bootstrap
// sample of the rows, examining MaxFeatures random features per split; a
// classifier averages the trees' class probabilities, a regressor their
// predictions.
//
// Trees are fitted concurrently by a bounded errgroup; tree t draws its
// bootstrap sample and feature orders from a generator seeded with (Seed,
// t), so the forest is the same whatever Workers is. The numbers cannot
// equal scikit-learn's, whose generator differs; they agree in
// distribution.
//
// Fit returns a *[ForestFit] (a classifier) or a *[ForestRegressorFit]. It
// returns an error wrapping [ErrParam] for
// a negative parameter or unknown criterion, [ErrLength], [ErrEmpty],
// [ErrNotFinite] or (for a classifier) [ErrSingleClass] on bad input, and
// the context's error if ctx is done (no goroutine outlives Fit). A
// RandomForest is safe for concurrent use.
type RandomForest struct {
	// Criterion is Gini (the default) or Entropy for a classifier,
	// SquaredError for a regressor.
	Criterion Criterion
	// Trees is the number of trees; 0 means 100.
	Trees int
	// MaxFeatures is the number of features examined per split; 0 means
	// √p (rounded down, at least 1) for a classifier and p for a
	// regressor, scikit-learn's defaults.
	MaxFeatures int
	// MaxDepth, MinSamplesSplit and MinSamplesLeaf limit each tree as in
	// [DecisionTree].
	MaxDepth, MinSamplesSplit, MinSamplesLeaf int
	// NoBootstrap grows every tree on all the rows (no out-of-bag score).
	NoBootstrap bool
	// Seed seeds the bootstrap samples and feature orders.
	Seed uint64
	// Workers bounds the trees fitted at once; 0 means GOMAXPROCS.
	Workers int
}

// Forest is the state of a fitted random forest, embedded in [ForestFit]
// and [ForestRegressorFit].
type Forest struct {
	// Features is the number of columns of X; Trees are the fitted trees.
	Features int     `json:"n_features"`
	Trees    []Nodes `json:"trees"`
	// Importances is the mean of the trees' normalised impurity
	// decreases (scikit-learn's feature_importances_).
	Importances []float64 `json:"feature_importances"`
	// OOBScore is the accuracy (classifier) or R² (regressor) of each row's
	// prediction by the trees whose bootstrap sample left it out, over the
	// rows left out by at least one tree. HasOOB is false, and OOBScore 0,
	// without bootstrap or when no row was left out.
	OOBScore float64 `json:"oob_score"`
	HasOOB   bool    `json:"has_oob"`
}

// ForestFit is a fitted random forest classifier. Its fields are read-only
// once fitted; it is safe for concurrent use.
type ForestFit struct {
	// Labels are the class labels, sorted ascending.
	Labels []float64 `json:"classes"`
	Forest
}

// ForestRegressorFit is a fitted random forest regressor. Its fields are
// read-only once fitted; it is safe for concurrent use.
type ForestRegressorFit struct {
	Forest
}

// Fit grows the forest; see [RandomForest].
func (m RandomForest) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	what := "random forest regressor"
	if m.Criterion.classifier() {
		what = "random forest classifier"
	}
	if m.Trees < 0 || m.Workers < 0 {
		return nil, fmt.Errorf("%s: Trees %d, Workers %d: %w", what, m.Trees, m.Workers, ErrParam)
	}
	xv, err := checkFit(ctx, what, X, y)
	if err != nil {
		return nil, err
	}
	dt := DecisionTree{Criterion: m.Criterion, MaxDepth: m.MaxDepth, MinSamplesSplit: m.MinSamplesSplit,
		MinSamplesLeaf: m.MinSamplesLeaf, MaxFeatures: m.MaxFeatures}
	if dt.MaxFeatures == 0 && m.Criterion.classifier() {
		dt.MaxFeatures = max(int(math.Sqrt(float64(xv.c))), 1)
	}
	tp, err := dt.params(what, xv.c)
	if err != nil {
		return nil, err
	}
	ntrees := m.Trees
	if ntrees == 0 {
		ntrees = 100
	}
	f := &Forest{Features: xv.c, Trees: make([]Nodes, ntrees)}
	labels, codes, err := treeClasses(what, m.Criterion, y)
	if err != nil {
		return nil, err
	}
	n := xv.r
	rk, err := rankColumns(ctx, xv, workers(m.Workers))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	imps := make([][]float64, ntrees)
	inBag := make([][]uint64, ntrees) // per tree, a bit per row drawn, for the OOB score
	// At most Workers trees grow at once, each borrowing one of these.
	nw := workers(m.Workers)
	scratch := make(chan *treeScratch, nw)
	for range nw {
		scratch <- &treeScratch{}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(nw)
	for t := range ntrees {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			sc := <-scratch
			defer func() { scratch <- sc }()
			rng := rand.New(rand.NewPCG(m.Seed, uint64(t)))
			var sw []uint32
			if !m.NoBootstrap {
				sw = make([]uint32, n)
				for range n {
					sw[rng.IntN(n)]++
				}
				bits := make([]uint64, (n+63)/64)
				for i, c := range sw {
					if c > 0 {
						bits[i/64] |= 1 << (i % 64)
					}
				}
				inBag[t] = bits
			}
			b := newTreeBuilder(rk, y, codes, len(labels), sw, tp, rng, sc)
			if err := b.build(gctx); err != nil {
				return err
			}
			f.Trees[t], imps[t] = b.t, b.importances()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	// Importances: the mean over trees that split at all, normalised.
	f.Importances = make([]float64, xv.c)
	for t, imp := range imps {
		if len(f.Trees[t].Feature) > 1 {
			for j, v := range imp {
				f.Importances[j] += v
			}
		}
	}
	var s float64
	for j := range f.Importances {
		s += f.Importances[j]
	}
	if s > 0 {
		for j := range f.Importances {
			f.Importances[j] /= s
		}
	}
	if !m.NoBootstrap {
		if f.OOBScore, f.HasOOB, err = f.oob(ctx, xv, y, codes, inBag, labels != nil, nw); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	if labels == nil {
		return &ForestRegressorFit{*f}, nil
	}
	return &ForestFit{Labels: labels, Forest: *f}, nil
}

// oob returns the out-of-bag score, and false when it is undefined. Rows
// are predicted in chunks by up to nw goroutines; the score adds them up
// in row order, so it does not depend on nw.
func (f *Forest) oob(ctx context.Context, xv rowMajor, y []float64, codes []int32, inBag [][]uint64, classifier bool, nw int) (float64, bool, error) {
	out := f.Trees[0].Outputs
	// pred[i] is row i's predicted class index or value, NaN when every
	// tree drew it.
	pred := make([]float64, xv.r)
	const chunk = 4096
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(nw)
	for lo := 0; lo < xv.r; lo += chunk {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			sum := make([]float64, out)
			for i := lo; i < min(lo+chunk, xv.r); i++ {
				clear(sum)
				votes := 0
				x := xv.row(i)
				for t := range f.Trees {
					if inBag[t][i/64]&(1<<(i%64)) != 0 {
						continue
					}
					for c, v := range f.Trees[t].value(x) {
						sum[c] += v
					}
					votes++
				}
				switch {
				case votes == 0:
					pred[i] = math.NaN()
				case classifier:
					pred[i] = float64(argmax(sum))
				default:
					pred[i] = sum[0] / float64(votes)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, false, err
	}
	var correct, used, mean float64
	for i, p := range pred {
		if math.IsNaN(p) {
			continue
		}
		used++
		if classifier {
			if p == float64(codes[i]) {
				correct++
			}
		} else {
			mean += y[i]
		}
	}
	if used == 0 {
		return 0, false, nil
	}
	if classifier {
		return correct / used, true, nil
	}
	mean /= used
	var res, ss float64
	for i, p := range pred {
		if !math.IsNaN(p) {
			res += (y[i] - p) * (y[i] - p)
			ss += (y[i] - mean) * (y[i] - mean)
		}
	}
	if ss == 0 {
		return 0, false, nil
	}
	return 1 - res/ss, true, nil
}

// Classes returns the class labels, sorted ascending. The slice is shared:
// do not modify it.
func (f *ForestFit) Classes() []float64 { return f.Labels }

// mean returns the rows × outputs mean of the trees' leaf values.
func (f *Forest) mean(ctx context.Context, what string, X mat.Matrix) ([]float64, int, error) {
	xv, err := checkPredict(ctx, what, X, f.Features)
	if err != nil {
		return nil, 0, err
	}
	out := f.Trees[0].Outputs
	res := make([]float64, xv.r*out)
	// Rows in chunks across GOMAXPROCS goroutines; each row's sum runs over
	// the trees in order, so the result does not depend on the split.
	const chunk = 1024
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers(0))
	for lo := 0; lo < xv.r; lo += chunk {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			for i := lo; i < min(lo+chunk, xv.r); i++ {
				x := xv.row(i)
				row := res[i*out : (i+1)*out]
				for t := range f.Trees {
					for c, v := range f.Trees[t].value(x) {
						row[c] += v
					}
				}
				for c := range row {
					row[c] /= float64(len(f.Trees))
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", what, err)
	}
	return res, xv.r, nil
}

// PredictProba returns the rows × classes mean of the trees' class
// probabilities, rows split across GOMAXPROCS goroutines. It returns an error wrapping [ErrFeatures], [ErrEmpty] or
// [ErrNotFinite] for an X of the wrong width, without rows or with a
// non-finite value.
func (f *ForestFit) PredictProba(ctx context.Context, X mat.Matrix) (*mat.Dense, error) {
	res, n, err := f.mean(ctx, "random forest classifier predict", X)
	if err != nil {
		return nil, err
	}
	return mat.NewDense(n, len(f.Labels), res), nil
}

// Predict returns, per row of X, the class of highest mean probability (the
// smallest on ties). It returns the errors of [ForestFit.PredictProba].
func (f *ForestFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	res, n, err := f.mean(ctx, "random forest classifier predict", X)
	if err != nil {
		return nil, err
	}
	return argmaxLabels(res, n, f.Labels), nil
}

// Predict returns, per row of X, the mean of the trees' predictions (rows
// split across GOMAXPROCS goroutines). It returns an error wrapping [ErrFeatures], [ErrEmpty] or [ErrNotFinite] for
// an X of the wrong width, without rows or with a non-finite value.
func (f *ForestRegressorFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	res, _, err := f.mean(ctx, "random forest regressor predict", X)
	return res, err
}

func (f *Forest) validate(what string, outputs int) error {
	if len(f.Trees) == 0 || f.Features < 1 || len(f.Importances) != f.Features || !finite(f.OOBScore) {
		return fmt.Errorf("%s: %d trees, %d features, %d importances: %w", what, len(f.Trees), f.Features, len(f.Importances), ErrState)
	}
	for t := range f.Trees {
		if err := f.Trees[t].validate(fmt.Sprintf("%s tree %d", what, t), f.Features); err != nil {
			return err
		}
		if f.Trees[t].Outputs != outputs {
			return fmt.Errorf("%s: tree %d has %d outputs, want %d: %w", what, t, f.Trees[t].Outputs, outputs, ErrState)
		}
	}
	return nil
}

// Validate reports an error wrapping [ErrState] if the state is unusable:
// no trees, a malformed tree, outputs that do not fit the classes.
// [Unmarshal] calls it.
func (f *ForestFit) Validate() error {
	const what = "random forest classifier"
	if len(f.Labels) < 2 {
		return fmt.Errorf("%s: %d classes: %w", what, len(f.Labels), ErrState)
	}
	if err := checkSortedClasses(what, f.Labels); err != nil {
		return err
	}
	return f.validate(what, len(f.Labels))
}

// Validate reports an error wrapping [ErrState] if the state is unusable:
// no trees, a malformed tree, more than one output. [Unmarshal] calls it.
func (f *ForestRegressorFit) Validate() error {
	return f.validate("random forest regressor", 1)
}
