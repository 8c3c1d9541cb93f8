package model

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

func init() {
	Register[*GaussianNBFit]("gaussian_nb", 1)
	Register[*MultinomialNBFit]("multinomial_nb", 1)
}

// GaussianNB is Gaussian naive Bayes, as scikit-learn's GaussianNB: each
// feature is normal within each class, with the class's mean and variance
// (divided by n) plus VarSmoothing times the largest feature variance.
//
// Fit returns a *[GaussianNBFit]. It returns an error wrapping [ErrParam]
// for a negative VarSmoothing, [ErrLength], [ErrEmpty], [ErrNotFinite] or
// [ErrSingleClass] on bad input, and the context's error if ctx is done. A
// GaussianNB is safe for concurrent use.
type GaussianNB struct {
	// VarSmoothing is added, times the largest variance, to every
	// variance; 0 means 1e-9, scikit-learn's default.
	VarSmoothing float64
}

// GaussianNBFit is a fitted [GaussianNB]. Its fields are read-only once
// fitted; it is safe for concurrent use.
type GaussianNBFit struct {
	// Labels are the class labels, sorted ascending.
	Labels []float64 `json:"classes"`
	// Prior is each class's frequency in y.
	Prior []float64 `json:"class_prior"`
	// Theta and Var are the per-class (rows) feature means and smoothed
	// variances (columns).
	Theta [][]float64 `json:"theta"`
	Var   [][]float64 `json:"var"`
}

// Fit learns the per-class means and variances; see [GaussianNB].
func (m GaussianNB) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	const what = "Gaussian naive Bayes"
	vs := m.VarSmoothing
	if vs == 0 {
		vs = 1e-9
	}
	if vs < 0 || !finite(vs) {
		return nil, fmt.Errorf("%s: VarSmoothing %v must not be negative: %w", what, m.VarSmoothing, ErrParam)
	}
	xv, err := checkFit(ctx, what, X, y)
	if err != nil {
		return nil, err
	}
	classes, codes := encodeClasses(y)
	if len(classes) < 2 {
		return nil, fmt.Errorf("%s: y holds only the class %v: %w", what, classes[0], ErrSingleClass)
	}
	k, p := len(classes), xv.c
	counts := make([]float64, k)
	theta := make([][]float64, k)
	vars := make([][]float64, k)
	for c := range k {
		theta[c] = make([]float64, p)
		vars[c] = make([]float64, p)
	}
	for i, c := range codes {
		counts[c]++
		for j, v := range xv.row(i) {
			theta[c][j] += v
		}
	}
	for c := range k {
		for j := range p {
			theta[c][j] /= counts[c]
		}
	}
	for i, c := range codes {
		for j, v := range xv.row(i) {
			d := v - theta[c][j]
			vars[c][j] += d * d
		}
	}
	// epsilon = VarSmoothing × the largest variance of a feature over all rows.
	var maxVar float64
	for j := range p {
		var mean, ss float64
		for i := range xv.r {
			mean += xv.row(i)[j]
		}
		mean /= float64(xv.r)
		for i := range xv.r {
			d := xv.row(i)[j] - mean
			ss += d * d
		}
		maxVar = max(maxVar, ss/float64(xv.r))
	}
	eps := vs * maxVar
	prior := make([]float64, k)
	for c := range k {
		prior[c] = counts[c] / float64(len(y))
		for j := range p {
			vars[c][j] = vars[c][j]/counts[c] + eps
			if !(vars[c][j] > 0) {
				return nil, fmt.Errorf("%s: feature %d has zero variance in class %v (every feature is constant; raise VarSmoothing): %w",
					what, j, classes[c], ErrParam)
			}
		}
	}
	return &GaussianNBFit{Labels: classes, Prior: prior, Theta: theta, Var: vars}, nil
}

// Classes returns the class labels, sorted ascending. The slice is shared:
// do not modify it.
func (f *GaussianNBFit) Classes() []float64 { return f.Labels }

// jointLogLikelihood returns the rows × classes log P(class) + log P(x | class).
func (f *GaussianNBFit) jointLogLikelihood(ctx context.Context, X mat.Matrix) ([]float64, int, error) {
	xv, err := checkPredict(ctx, "Gaussian naive Bayes predict", X, len(f.Theta[0]))
	if err != nil {
		return nil, 0, err
	}
	k := len(f.Labels)
	consts := make([]float64, k)
	for c := range k {
		var s float64
		for _, v := range f.Var[c] {
			s += math.Log(2 * math.Pi * v)
		}
		consts[c] = math.Log(f.Prior[c]) - 0.5*s
	}
	out := make([]float64, xv.r*k)
	for i := range xv.r {
		x := xv.row(i)
		for c := range k {
			var s float64
			th, va := f.Theta[c], f.Var[c]
			for j, v := range x {
				d := v - th[j]
				s += d * d / va[j]
			}
			out[i*k+c] = consts[c] - 0.5*s
		}
	}
	return out, xv.r, nil
}

// PredictProba returns the rows × classes posterior probabilities. It
// returns an error wrapping [ErrFeatures], [ErrEmpty] or [ErrNotFinite] for
// an X of the wrong width, without rows or with a non-finite value.
func (f *GaussianNBFit) PredictProba(ctx context.Context, X mat.Matrix) (*mat.Dense, error) {
	jll, n, err := f.jointLogLikelihood(ctx, X)
	if err != nil {
		return nil, err
	}
	return posterior(jll, n, len(f.Labels)), nil
}

// Predict returns the most probable class of each row of X. It returns the
// errors of [GaussianNBFit.PredictProba].
func (f *GaussianNBFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	jll, n, err := f.jointLogLikelihood(ctx, X)
	if err != nil {
		return nil, err
	}
	return argmaxLabels(jll, n, f.Labels), nil
}

// Validate reports an error wrapping [ErrState] if the state is unusable:
// lengths that disagree, unsorted classes, a variance that is not positive.
// [Unmarshal] calls it.
func (f *GaussianNBFit) Validate() error {
	const what = "Gaussian naive Bayes"
	k := len(f.Labels)
	if k < 2 || len(f.Prior) != k || len(f.Theta) != k || len(f.Var) != k || len(f.Theta[0]) == 0 {
		return fmt.Errorf("%s: %d classes, %d priors, %d means, %d variances: %w", what, k, len(f.Prior), len(f.Theta), len(f.Var), ErrState)
	}
	if err := checkSortedClasses(what, f.Labels); err != nil {
		return err
	}
	p := len(f.Theta[0])
	for c := range k {
		if len(f.Theta[c]) != p || len(f.Var[c]) != p {
			return fmt.Errorf("%s: class %d has %d means and %d variances for %d features: %w", what, c, len(f.Theta[c]), len(f.Var[c]), p, ErrState)
		}
		if err := checkFinite(what, "theta", f.Theta[c]); err != nil {
			return err
		}
		for _, v := range f.Var[c] {
			if !(v > 0) || !finite(v) {
				return fmt.Errorf("%s: variance %v: %w", what, v, ErrState)
			}
		}
		if !(f.Prior[c] > 0 && f.Prior[c] <= 1) {
			return fmt.Errorf("%s: prior %v: %w", what, f.Prior[c], ErrState)
		}
	}
	return nil
}

// posterior normalises rows of joint log likelihoods into probabilities.
func posterior(jll []float64, n, k int) *mat.Dense {
	out := make([]float64, n*k)
	for i := range n {
		softmax(out[i*k:(i+1)*k], jll[i*k:(i+1)*k])
	}
	return mat.NewDense(n, k, out)
}

// argmaxLabels returns, per row of scores, the label of the largest (the
// first on ties).
func argmaxLabels(scores []float64, n int, labels []float64) []float64 {
	k := len(labels)
	out := make([]float64, n)
	for i := range n {
		out[i] = labels[argmax(scores[i*k:(i+1)*k])]
	}
	return out
}

// MultinomialNB is multinomial naive Bayes for count features (word counts,
// frequencies), as scikit-learn's MultinomialNB: with additive (Laplace)
// smoothing Alpha and class priors learned from y.
//
// Fit returns a *[MultinomialNBFit]. It returns an error wrapping [ErrParam]
// for a negative Alpha, [ErrNegative] for a negative value in X (naming the
// row and column), [ErrLength], [ErrEmpty], [ErrNotFinite] or
// [ErrSingleClass] on bad input, and the context's error if ctx is done. A
// MultinomialNB is safe for concurrent use.
type MultinomialNB struct {
	// Alpha is the additive smoothing; 0 means 1, scikit-learn's default.
	// Values below 1e-10 are raised to 1e-10, as scikit-learn does.
	Alpha float64
	// UniformPrior uses equal class priors instead of the frequencies in y
	// (scikit-learn's fit_prior=False).
	UniformPrior bool
}

// MultinomialNBFit is a fitted [MultinomialNB]. Its fields are read-only once
// fitted; it is safe for concurrent use.
type MultinomialNBFit struct {
	// Labels are the class labels, sorted ascending.
	Labels []float64 `json:"classes"`
	// ClassLogPrior is the log prior of each class.
	ClassLogPrior []float64 `json:"class_log_prior"`
	// FeatureLogProb is, per class (row), the log probability of each
	// feature (column).
	FeatureLogProb [][]float64 `json:"feature_log_prob"`
}

// Fit learns the smoothed per-class feature frequencies; see [MultinomialNB].
func (m MultinomialNB) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	const what = "multinomial naive Bayes"
	alpha := m.Alpha
	if alpha == 0 {
		alpha = 1
	}
	if alpha < 0 || !finite(alpha) {
		return nil, fmt.Errorf("%s: Alpha %v must not be negative: %w", what, m.Alpha, ErrParam)
	}
	alpha = max(alpha, 1e-10)
	xv, err := checkFit(ctx, what, X, y)
	if err != nil {
		return nil, err
	}
	if err := checkNonNegative(what, xv); err != nil {
		return nil, err
	}
	classes, codes := encodeClasses(y)
	if len(classes) < 2 {
		return nil, fmt.Errorf("%s: y holds only the class %v: %w", what, classes[0], ErrSingleClass)
	}
	k, p := len(classes), xv.c
	counts := make([]float64, k)
	fc := make([][]float64, k)
	for c := range k {
		fc[c] = make([]float64, p)
	}
	for i, c := range codes {
		counts[c]++
		row := fc[c]
		for j, v := range xv.row(i) {
			row[j] += v
		}
	}
	f := &MultinomialNBFit{Labels: classes, ClassLogPrior: make([]float64, k), FeatureLogProb: fc}
	for c := range k {
		var total float64
		for j := range p {
			fc[c][j] += alpha
			total += fc[c][j]
		}
		lt := math.Log(total)
		for j := range p {
			fc[c][j] = math.Log(fc[c][j]) - lt
		}
		if m.UniformPrior {
			f.ClassLogPrior[c] = -math.Log(float64(k))
		} else {
			f.ClassLogPrior[c] = math.Log(counts[c]) - math.Log(float64(len(y)))
		}
	}
	return f, nil
}

func checkNonNegative(what string, xv rowMajor) error {
	for i := range xv.r {
		for j, v := range xv.row(i) {
			if v < 0 {
				return fmt.Errorf("%s: X row %d column %d is %v (counts must not be negative): %w", what, i, j, v, ErrNegative)
			}
		}
	}
	return nil
}

// Classes returns the class labels, sorted ascending. The slice is shared:
// do not modify it.
func (f *MultinomialNBFit) Classes() []float64 { return f.Labels }

func (f *MultinomialNBFit) jointLogLikelihood(ctx context.Context, X mat.Matrix) ([]float64, int, error) {
	const what = "multinomial naive Bayes predict"
	xv, err := checkPredict(ctx, what, X, len(f.FeatureLogProb[0]))
	if err != nil {
		return nil, 0, err
	}
	if err := checkNonNegative(what, xv); err != nil {
		return nil, 0, err
	}
	k := len(f.Labels)
	out := make([]float64, xv.r*k)
	for i := range xv.r {
		x := xv.row(i)
		for c := range k {
			out[i*k+c] = dot(x, f.FeatureLogProb[c]) + f.ClassLogPrior[c]
		}
	}
	return out, xv.r, nil
}

// PredictProba returns the rows × classes posterior probabilities. It
// returns an error wrapping [ErrFeatures], [ErrEmpty], [ErrNotFinite] or
// [ErrNegative] for an X of the wrong width, without rows, with a
// non-finite or a negative value.
func (f *MultinomialNBFit) PredictProba(ctx context.Context, X mat.Matrix) (*mat.Dense, error) {
	jll, n, err := f.jointLogLikelihood(ctx, X)
	if err != nil {
		return nil, err
	}
	return posterior(jll, n, len(f.Labels)), nil
}

// Predict returns the most probable class of each row of X. It returns the
// errors of [MultinomialNBFit.PredictProba].
func (f *MultinomialNBFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	jll, n, err := f.jointLogLikelihood(ctx, X)
	if err != nil {
		return nil, err
	}
	return argmaxLabels(jll, n, f.Labels), nil
}

// Validate reports an error wrapping [ErrState] if the state is unusable.
// [Unmarshal] calls it.
func (f *MultinomialNBFit) Validate() error {
	const what = "multinomial naive Bayes"
	k := len(f.Labels)
	if k < 2 || len(f.ClassLogPrior) != k || len(f.FeatureLogProb) != k || len(f.FeatureLogProb[0]) == 0 {
		return fmt.Errorf("%s: %d classes, %d priors, %d probability rows: %w", what, k, len(f.ClassLogPrior), len(f.FeatureLogProb), ErrState)
	}
	if err := checkSortedClasses(what, f.Labels); err != nil {
		return err
	}
	if err := checkFinite(what, "class_log_prior", f.ClassLogPrior); err != nil {
		return err
	}
	for c, row := range f.FeatureLogProb {
		if len(row) != len(f.FeatureLogProb[0]) {
			return fmt.Errorf("%s: row %d has %d features, row 0 has %d: %w", what, c, len(row), len(f.FeatureLogProb[0]), ErrState)
		}
		if err := checkFinite(what, "feature_log_prob", row); err != nil {
			return err
		}
	}
	return nil
}
