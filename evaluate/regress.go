package evaluate

import (
	"math"
	"slices"
)

// MAE returns the mean absolute error, as scikit-learn's
// mean_absolute_error. It returns an error wrapping [ErrLength], [ErrEmpty]
// or [ErrValue] for bad input.
func MAE(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("mae", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	return mean(absDiff(yTrue, yPred)), nil
}

func absDiff(yTrue, yPred []float64) []float64 {
	d := make([]float64, len(yTrue))
	for i := range d {
		d[i] = math.Abs(yPred[i] - yTrue[i])
	}
	return d
}

// MAPE returns the mean absolute percentage error as a fraction (0.1 is
// 10%), as scikit-learn's mean_absolute_percentage_error: |y−ŷ| / max(|y|,
// ε) with ε the float64 epsilon, so a zero truth gives a huge, finite
// error. It returns an error wrapping [ErrLength], [ErrEmpty] or [ErrValue]
// for bad input.
func MAPE(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("mape", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	const eps = 0x1p-52
	d := absDiff(yTrue, yPred)
	for i := range d {
		d[i] /= max(math.Abs(yTrue[i]), eps)
	}
	return mean(d), nil
}

// MedianAE returns the median absolute error, as scikit-learn's
// median_absolute_error (the mean of the two middle values for an even
// count). It returns an error wrapping [ErrLength], [ErrEmpty] or
// [ErrValue] for bad input.
func MedianAE(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("median absolute error", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	d := absDiff(yTrue, yPred)
	slices.Sort(d)
	n := len(d)
	if n%2 == 1 {
		return d[n/2], nil
	}
	return (d[n/2-1] + d[n/2]) / 2, nil
}

// MaxError returns the largest absolute error, as scikit-learn's
// max_error. It returns an error wrapping [ErrLength], [ErrEmpty] or
// [ErrValue] for bad input.
func MaxError(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("max error", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	return slices.Max(absDiff(yTrue, yPred)), nil
}

// ExplainedVariance returns 1 − Var(y−ŷ)/Var(y), as scikit-learn's
// explained_variance_score; like [R2] it is 1 for a perfect prediction of
// a constant truth and 0 for an imperfect one. It returns an error wrapping
// [ErrLength], [ErrEmpty] or [ErrValue] for bad input.
func ExplainedVariance(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("explained variance", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	n := len(yTrue)
	diff := make([]float64, n)
	for i := range diff {
		diff[i] = yTrue[i] - yPred[i]
	}
	dm := mean(diff)
	d := make([]float64, n)
	for i := range d {
		r := yTrue[i] - yPred[i] - dm
		d[i] = r * r
	}
	num := mean(d)
	tm := mean(yTrue)
	for i := range d {
		r := yTrue[i] - tm
		d[i] = r * r
	}
	den := mean(d)
	switch {
	case den != 0:
		return 1 - num/den, nil
	case num == 0:
		return 1, nil
	default:
		return 0, nil
	}
}
