package model

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

func init() {
	Register[*LogisticFit]("logistic_regression", 1)
}

// Penalty selects the regularisation of a [LogisticRegression].
type Penalty uint8

const (
	// L2 penalises ½||w||² against C times the data loss (the default).
	L2 Penalty = iota
	// NoPenalty fits the unregularised maximum likelihood; on linearly
	// separable data it has no finite solution and Fit stops at MaxIter
	// with large, finite coefficients.
	NoPenalty
)

// LogisticRegression is a logistic regression classifier, binary or
// multinomial, with scikit-learn's objective:
//
//	½||W||² + C·Σᵢ sᵢ·logloss(yᵢ, softmax(W xᵢ + b))
//
// where sᵢ is the weight of yᵢ's class (1 by default) and the intercepts b are
// not penalised. With two classes it is the usual sigmoid model on the
// larger label, as scikit-learn's binary case; with more it is multinomial
// (softmax), as scikit-learn's multi_class="multinomial".
//
// Fit solves by Newton's method with a Cholesky solve of the Hessian and a
// backtracking line search, which converges to machine precision in a few
// passes over X. On many rows it estimates the Hessian on a fixed sample of
// them and starts from the solution on a subsample; the answer is still the
// full problem's, since convergence is judged on the full gradient. With
// more than 1024 parameters (features+1, times the classes beyond two) it
// uses L-BFGS instead, whose iterations are cheap. Each pass splits the
// rows into fixed blocks whose partial sums are merged in a fixed order, so
// results are bit-identical whatever Workers is. Labels may be any float64 values; Fit returns a *[LogisticFit]
// (a [ProbaPredictor]). It returns an error wrapping [ErrParam] for bad
// parameters, [ErrLength], [ErrEmpty], [ErrNotFinite] or [ErrSingleClass] on bad
// input, and the context's error if ctx is done. The zero value is
// scikit-learn's default (C = 1, L2, with intercept). A LogisticRegression is
// safe for concurrent use.
type LogisticRegression struct {
	// C is the inverse of the regularisation strength; 0 means 1.
	C float64
	// Penalty is L2 (the default) or NoPenalty.
	Penalty Penalty
	// NoIntercept fits without intercepts.
	NoIntercept bool
	// ClassWeight maps a class label to the weight of its samples; labels
	// not listed weigh 1. Ignored when BalancedWeights is set.
	ClassWeight map[float64]float64
	// BalancedWeights weighs class k by n/(classes·nₖ), as scikit-learn's
	// class_weight="balanced".
	BalancedWeights bool
	// MaxIter bounds the Newton iterations (L-BFGS gets ten times as
	// many); 0 means 100.
	MaxIter int
	// Tol stops the iterations once every component of the gradient of the
	// objective divided by C·Σsᵢ is at most Tol; 0 means 1e-8.
	Tol float64
	// Workers bounds the goroutines used per pass over X; 0 means
	// GOMAXPROCS. The result does not depend on it.
	Workers int
}

// LogisticFit is a fitted [LogisticRegression]. Its fields are read-only
// once fitted; a LogisticFit is safe for concurrent use.
type LogisticFit struct {
	// Labels are the class labels, sorted ascending.
	Labels []float64 `json:"classes"`
	// Coef holds, for two classes, one row: the weights of the log-odds of
	// Labels[1]; for more, one row per class (as scikit-learn's coef_).
	Coef [][]float64 `json:"coef"`
	// Intercept has one value per row of Coef.
	Intercept []float64 `json:"intercept"`
	// Iterations is the number of Newton (or L-BFGS) iterations Fit ran
	// on all the rows.
	Iterations int `json:"n_iter"`
	// Converged reports whether the gradient reached Tol within MaxIter.
	Converged bool `json:"converged"`
}

// Fit learns the coefficients from X and y; see [LogisticRegression].
func (m LogisticRegression) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	const what = "logistic regression"
	C := m.C
	if C == 0 {
		C = 1
	}
	if C < 0 || !finite(C) {
		return nil, fmt.Errorf("%s: C %v must be positive: %w", what, m.C, ErrParam)
	}
	if m.Penalty > NoPenalty {
		return nil, fmt.Errorf("%s: unknown penalty %d: %w", what, m.Penalty, ErrParam)
	}
	if m.MaxIter < 0 || m.Tol < 0 || m.Workers < 0 {
		return nil, fmt.Errorf("%s: MaxIter %d, Tol %v and Workers %d must not be negative: %w", what, m.MaxIter, m.Tol, m.Workers, ErrParam)
	}
	cm, byCols := X.(*ColMatrix)
	byCols = byCols && cm != nil
	var xv rowMajor
	var err error
	if byCols {
		err = checkFitCols(ctx, what, cm, y)
		xv.r, xv.c = cm.Dims()
	} else {
		xv, err = checkFit(ctx, what, X, y)
	}
	if err != nil {
		return nil, err
	}
	classes, codes := encodeClasses(y)
	if len(classes) < 2 {
		return nil, fmt.Errorf("%s: y holds only the class %v: %w", what, classes[0], ErrSingleClass)
	}
	if byCols && (len(classes) > 2 || xv.c+1 > maxNewtonDim) {
		// The column kernels serve the binary Newton solver; the others
		// read rows.
		xv, byCols = cm.rowMajor(), false
	}
	sw, err := classWeights(what, classes, codes, m.ClassWeight, m.BalancedWeights)
	if err != nil {
		return nil, err
	}
	maxIter := m.MaxIter
	if maxIter == 0 {
		maxIter = 100
	}
	tol := m.Tol
	if tol == 0 {
		tol = 1e-8
	}
	lambda := 0.0
	if m.Penalty == L2 {
		lambda = 1 / C
	}
	prob := &logisticProblem{
		x: xv, codes: codes, sw: sw, k: len(classes), intercept: !m.NoIntercept,
		lambda: lambda, workers: workers(m.Workers),
	}
	if byCols {
		prob.cols = cm
	}
	beta, iters, converged, err := prob.solve(ctx, maxIter, tol)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	f := &LogisticFit{Labels: classes, Iterations: iters, Converged: converged}
	d := prob.dim()
	rows := prob.outputs()
	for r := range rows {
		b := beta[r*d : (r+1)*d]
		f.Coef = append(f.Coef, append([]float64(nil), b[:xv.c]...))
		icpt := 0.0
		if prob.intercept {
			icpt = b[xv.c]
		}
		f.Intercept = append(f.Intercept, icpt)
	}
	if rows > 1 && prob.intercept {
		// The intercepts of a softmax are determined up to a common shift
		// (and so are unpenalised weights); report the representative
		// with zero sum, as scikit-learn's solvers do.
		centreRows(f.Intercept)
	}
	return f, nil
}

func centreRows(v []float64) {
	var s float64
	for _, x := range v {
		s += x
	}
	s /= float64(len(v))
	for i := range v {
		v[i] -= s
	}
}

// encodeClasses returns the sorted distinct values of y and each value's
// index among them. Few distinct values (the usual case) are found by a
// linear scan, without sorting y.
func encodeClasses(y []float64) ([]float64, []int32) {
	var classes []float64
	const few = 32
	for _, v := range y {
		if !slices.Contains(classes, v) {
			if len(classes) == few {
				classes = nil
				break
			}
			classes = append(classes, v)
		}
	}
	if classes == nil {
		classes = slices.Clone(y)
	}
	slices.Sort(classes)
	classes = slices.Compact(classes)
	codes := make([]int32, len(y))
	if len(classes) <= few {
		for i, v := range y {
			j, _ := slices.BinarySearch(classes, v)
			codes[i] = int32(j)
		}
		return classes, codes
	}
	idx := make(map[float64]int32, len(classes))
	for i, c := range classes {
		idx[c] = int32(i)
	}
	for i, v := range y {
		codes[i] = idx[v]
	}
	return classes, codes
}

// classWeights returns per-sample weights for the given class weighting, or
// nil when every sample weighs 1.
func classWeights(what string, classes []float64, codes []int32, cw map[float64]float64, balanced bool) ([]float64, error) {
	if !balanced && len(cw) == 0 {
		return nil, nil
	}
	w := make([]float64, len(classes))
	if balanced {
		counts := make([]float64, len(classes))
		for _, c := range codes {
			counts[c]++
		}
		for k := range w {
			w[k] = float64(len(codes)) / (float64(len(classes)) * counts[k])
		}
	} else {
		for k, c := range classes {
			w[k] = 1
			if v, ok := cw[c]; ok {
				if v < 0 || !finite(v) {
					return nil, fmt.Errorf("%s: weight %v of class %v must be finite and not negative: %w", what, v, c, ErrParam)
				}
				w[k] = v
			}
		}
	}
	sw := make([]float64, len(codes))
	var total float64
	for i, c := range codes {
		sw[i] = w[c]
		total += sw[i]
	}
	if total == 0 {
		return nil, fmt.Errorf("%s: every sample has weight 0: %w", what, ErrParam)
	}
	return sw, nil
}

// Classes returns the class labels, sorted ascending. The slice is shared:
// do not modify it.
func (f *LogisticFit) Classes() []float64 { return f.Labels }

// Decision returns the raw linear scores: for two classes one column, the
// log-odds of Labels[1]; for more, one column per class. It returns the
// errors of [LogisticFit.Predict].
func (f *LogisticFit) Decision(ctx context.Context, X mat.Matrix) (*mat.Dense, error) {
	const what = "logistic regression predict"
	rows := len(f.Coef)
	if cm, ok := X.(*ColMatrix); ok && cm != nil {
		if err := checkPredictCols(ctx, what, cm, len(f.Coef[0])); err != nil {
			return nil, err
		}
		out := make([]float64, cm.rows*rows)
		z := make([]float64, cm.rows)
		for k, w := range f.Coef {
			for i := range z {
				z[i] = f.Intercept[k]
			}
			cm.addScores(z, 0, w)
			for i, v := range z {
				out[i*rows+k] = v
			}
		}
		return mat.NewDense(cm.rows, rows, out), nil
	}
	xv, err := checkPredict(ctx, what, X, len(f.Coef[0]))
	if err != nil {
		return nil, err
	}
	out := make([]float64, xv.r*rows)
	for i := range xv.r {
		x := xv.row(i)
		for k, w := range f.Coef {
			out[i*rows+k] = dot(x, w) + f.Intercept[k]
		}
	}
	return mat.NewDense(xv.r, rows, out), nil
}

// PredictProba returns the rows × classes matrix of class probabilities,
// column j for Labels[j]. It returns the errors of [LogisticFit.Predict].
func (f *LogisticFit) PredictProba(ctx context.Context, X mat.Matrix) (*mat.Dense, error) {
	z, err := f.Decision(ctx, X)
	if err != nil {
		return nil, err
	}
	n, _ := z.Dims()
	k := len(f.Labels)
	out := make([]float64, n*k)
	raw := z.RawMatrix().Data
	if len(f.Coef) == 1 {
		for i, v := range raw {
			p := sigmoid(v)
			out[2*i], out[2*i+1] = 1-p, p
		}
	} else {
		for i := range n {
			softmax(out[i*k:(i+1)*k], raw[i*k:(i+1)*k])
		}
	}
	return mat.NewDense(n, k, out), nil
}

// Predict returns the most probable class label of each row of X. It returns
// an error wrapping [ErrFeatures] if X's column count differs from the
// fitted one, [ErrEmpty] or [ErrNotFinite] for an empty or non-finite X.
func (f *LogisticFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	z, err := f.Decision(ctx, X)
	if err != nil {
		return nil, err
	}
	n, k := z.Dims()
	raw := z.RawMatrix().Data
	out := make([]float64, n)
	for i := range n {
		if k == 1 {
			out[i] = f.Labels[0]
			if raw[i] > 0 {
				out[i] = f.Labels[1]
			}
			continue
		}
		out[i] = f.Labels[argmax(raw[i*k:(i+1)*k])]
	}
	return out, nil
}

// Validate reports an error wrapping [ErrState] if the state is unusable:
// fewer than two classes or unsorted ones, coefficient rows of unequal
// lengths or a count that does not fit the classes, or a non-finite value.
// [Unmarshal] calls it.
func (f *LogisticFit) Validate() error {
	const what = "logistic regression"
	if len(f.Labels) < 2 {
		return fmt.Errorf("%s: %d classes: %w", what, len(f.Labels), ErrState)
	}
	if err := checkSortedClasses(what, f.Labels); err != nil {
		return err
	}
	want := len(f.Labels)
	if want == 2 {
		want = 1
	}
	if len(f.Coef) != want || len(f.Intercept) != want {
		return fmt.Errorf("%s: %d coefficient rows and %d intercepts for %d classes: %w",
			what, len(f.Coef), len(f.Intercept), len(f.Labels), ErrState)
	}
	if len(f.Coef[0]) == 0 {
		return fmt.Errorf("%s: no coefficients: %w", what, ErrState)
	}
	for k, w := range f.Coef {
		if len(w) != len(f.Coef[0]) {
			return fmt.Errorf("%s: coefficient row %d has %d values, row 0 has %d: %w", what, k, len(w), len(f.Coef[0]), ErrState)
		}
		if err := checkFinite(what, fmt.Sprintf("coef[%d]", k), w); err != nil {
			return err
		}
	}
	return checkFinite(what, "intercept", f.Intercept)
}

func argmax(v []float64) int {
	best := 0
	for j, x := range v {
		if x > v[best] {
			best = j
		}
	}
	return best
}

// sigmoid returns 1/(1+exp(-z)) without overflow.
func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// softmax writes the softmax of z into dst and returns log Σ exp(z).
func softmax(dst, z []float64) float64 {
	m := z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	var s float64
	for j, v := range z {
		dst[j] = math.Exp(v - m)
		s += dst[j]
	}
	for j := range dst {
		dst[j] /= s
	}
	return m + math.Log(s)
}
