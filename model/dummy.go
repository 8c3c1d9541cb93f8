package model

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

func init() {
	Register[*DummyClassifierFit]("dummy_classifier", 1)
	Register[*DummyRegressorFit]("dummy_regressor", 1)
}

// DummyStrategy is how a [DummyClassifier] predicts.
type DummyStrategy uint8

const (
	// Prior predicts the most frequent class and gives the class
	// frequencies as probabilities (scikit-learn's default).
	Prior DummyStrategy = iota
	// MostFrequent predicts the most frequent class with probability 1.
	MostFrequent
	// Stratified draws each prediction at random from the class
	// frequencies (probability 1 on the drawn class).
	Stratified
	// Uniform draws each prediction uniformly from the classes
	// (probabilities 1/classes).
	Uniform
)

// DummyClassifier is a baseline classifier that ignores the features, as
// scikit-learn's DummyClassifier: every evaluation should show how far a
// model is above it. Ties for the most frequent class go to the smallest
// label. The random strategies draw from a generator seeded with Seed, anew
// for each call of Predict, so the same input gives the same output.
//
// Fit returns a *[DummyClassifierFit]. It returns an error wrapping
// [ErrParam] for an unknown strategy, or [ErrLength], [ErrEmpty] or
// [ErrNotFinite] (X is checked like any model's input, though its values
// are not used); a single class is accepted. A DummyClassifier is safe for concurrent use.
type DummyClassifier struct {
	// Strategy is how it predicts; the zero value is Prior.
	Strategy DummyStrategy
	// Seed seeds the Stratified and Uniform draws.
	Seed uint64
}

// DummyClassifierFit is a fitted [DummyClassifier]. Its fields are read-only
// once fitted; it is safe for concurrent use.
type DummyClassifierFit struct {
	// Strategy and Seed are the [DummyClassifier]'s.
	Strategy DummyStrategy `json:"strategy"`
	Seed     uint64        `json:"seed"`
	// Labels are the classes seen, sorted ascending.
	Labels []float64 `json:"classes"`
	// Prior holds the frequency of each class.
	Prior []float64 `json:"prior"`
	// Features is the number of columns of the training X.
	Features int `json:"n_features"`
}

// Fit learns the class frequencies of y; see [DummyClassifier].
func (m DummyClassifier) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	const what = "dummy classifier"
	if m.Strategy > Uniform {
		return nil, fmt.Errorf("%s: unknown strategy %d: %w", what, m.Strategy, ErrParam)
	}
	xv, err := checkFit(ctx, what, X, y)
	if err != nil {
		return nil, err
	}
	c := xv.c
	classes, codes := encodeClasses(y)
	prior := make([]float64, len(classes))
	for _, k := range codes {
		prior[k]++
	}
	for k := range prior {
		prior[k] /= float64(len(y))
	}
	return &DummyClassifierFit{Strategy: m.Strategy, Seed: m.Seed, Labels: classes, Prior: prior, Features: c}, nil
}

// Classes returns the class labels, sorted ascending. The slice is shared:
// do not modify it.
func (f *DummyClassifierFit) Classes() []float64 { return f.Labels }

// PredictProba returns the rows × classes probabilities of the strategy. It
// returns an error wrapping [ErrFeatures], [ErrEmpty] or [ErrNotFinite] for
// an X of the wrong width, without rows or with a non-finite value.
func (f *DummyClassifierFit) PredictProba(ctx context.Context, X mat.Matrix) (*mat.Dense, error) {
	n, err := checkRows(ctx, "dummy classifier predict", X, f.Features)
	if err != nil {
		return nil, err
	}
	k := len(f.Labels)
	out := make([]float64, n*k)
	switch f.Strategy {
	case Prior:
		for i := range n {
			copy(out[i*k:], f.Prior)
		}
	case MostFrequent:
		best := argmax(f.Prior)
		for i := range n {
			out[i*k+best] = 1
		}
	case Stratified:
		for i, c := range f.draw(n) {
			out[i*k+c] = 1
		}
	case Uniform:
		for i := range out {
			out[i] = 1 / float64(k)
		}
	}
	return mat.NewDense(n, k, out), nil
}

// draw returns n class indices drawn from the prior, the same for the same n.
func (f *DummyClassifierFit) draw(n int) []int {
	r := rand.New(rand.NewPCG(f.Seed, 0x64756d6d79))
	cum := make([]float64, len(f.Prior))
	var s float64
	for k, p := range f.Prior {
		s += p
		cum[k] = s
	}
	out := make([]int, n)
	for i := range out {
		u := r.Float64() * s
		k, _ := slices.BinarySearch(cum, u)
		out[i] = min(k, len(cum)-1)
	}
	return out
}

// Predict returns a class label per row of X by the strategy. It returns the
// errors of [DummyClassifierFit.PredictProba].
func (f *DummyClassifierFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	n, err := checkRows(ctx, "dummy classifier predict", X, f.Features)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	switch f.Strategy {
	case Prior, MostFrequent:
		best := f.Labels[argmax(f.Prior)]
		for i := range out {
			out[i] = best
		}
	case Stratified:
		for i, c := range f.draw(n) {
			out[i] = f.Labels[c]
		}
	case Uniform:
		r := rand.New(rand.NewPCG(f.Seed, 0x756e69666f726d))
		for i := range out {
			out[i] = f.Labels[r.IntN(len(f.Labels))]
		}
	}
	return out, nil
}

// Validate reports an error wrapping [ErrState] if the state is unusable.
// [Unmarshal] calls it.
func (f *DummyClassifierFit) Validate() error {
	const what = "dummy classifier"
	if f.Strategy > Uniform || len(f.Labels) == 0 || len(f.Prior) != len(f.Labels) || f.Features <= 0 {
		return fmt.Errorf("%s: strategy %d, %d classes, %d priors, %d features: %w",
			what, f.Strategy, len(f.Labels), len(f.Prior), f.Features, ErrState)
	}
	if err := checkSortedClasses(what, f.Labels); err != nil {
		return err
	}
	for _, p := range f.Prior {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("%s: prior %v: %w", what, p, ErrState)
		}
	}
	return nil
}

// checkSortedClasses reports an ErrState error unless labels are finite,
// sorted and distinct.
func checkSortedClasses(what string, labels []float64) error {
	if err := checkFinite(what, "classes", labels); err != nil {
		return err
	}
	for i := 1; i < len(labels); i++ {
		if labels[i] <= labels[i-1] {
			return fmt.Errorf("%s: classes are not sorted and distinct: %w", what, ErrState)
		}
	}
	return nil
}

// RegressorStrategy is how a [DummyRegressor] predicts.
type RegressorStrategy uint8

const (
	// Mean predicts the mean of y (scikit-learn's default).
	Mean RegressorStrategy = iota
	// Median predicts the median of y (the mean of the middle two for an
	// even count, as numpy).
	Median
)

// DummyRegressor is a baseline regressor that predicts one constant, as
// scikit-learn's DummyRegressor. Fit returns a *[DummyRegressorFit]; it
// returns an error wrapping [ErrParam] for an unknown strategy, or
// [ErrLength], [ErrEmpty] or [ErrNotFinite].
// A DummyRegressor is safe for concurrent use.
type DummyRegressor struct {
	// Strategy is Mean (the default) or Median.
	Strategy RegressorStrategy
}

// DummyRegressorFit is a fitted [DummyRegressor]: it predicts Constant.
type DummyRegressorFit struct {
	// Constant is the prediction; Features the number of columns of X.
	Constant float64 `json:"constant"`
	Features int     `json:"n_features"`
}

// Fit learns the constant from y; see [DummyRegressor].
func (m DummyRegressor) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	const what = "dummy regressor"
	if m.Strategy > Median {
		return nil, fmt.Errorf("%s: unknown strategy %d: %w", what, m.Strategy, ErrParam)
	}
	xv, err := checkFit(ctx, what, X, y)
	if err != nil {
		return nil, err
	}
	c := xv.c
	var v float64
	switch m.Strategy {
	case Mean:
		for _, x := range y {
			v += x
		}
		v /= float64(len(y))
	case Median:
		s := slices.Clone(y)
		slices.Sort(s)
		n := len(s)
		v = s[n/2]
		if n%2 == 0 {
			v = (s[n/2-1] + s[n/2]) / 2
		}
	}
	return &DummyRegressorFit{Constant: v, Features: c}, nil
}

// Predict returns Constant for each row of X. It returns an error wrapping
// [ErrFeatures], [ErrEmpty] or [ErrNotFinite] for an X of the wrong width,
// without rows or with a non-finite value.
func (f *DummyRegressorFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	n, err := checkRows(ctx, "dummy regressor predict", X, f.Features)
	if err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = f.Constant
	}
	return out, nil
}

// Validate reports an error wrapping [ErrState] if the state is unusable.
// [Unmarshal] calls it.
func (f *DummyRegressorFit) Validate() error {
	if !finite(f.Constant) || f.Features <= 0 {
		return fmt.Errorf("dummy regressor: constant %v, %d features: %w", f.Constant, f.Features, ErrState)
	}
	return nil
}

// checkRows checks a Predict's input as every model does (a dummy model
// does not use the values, but a NaN is still reported) and returns the
// number of rows.
func checkRows(ctx context.Context, what string, X mat.Matrix, features int) (int, error) {
	xv, err := checkPredict(ctx, what, X, features)
	return xv.r, err
}
