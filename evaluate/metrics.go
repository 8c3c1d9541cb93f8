package evaluate

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// checkPair validates a pair of equally long, non-empty, finite inputs for
// the metric named metric.
func checkPair(metric, aName string, a []float64, bName string, b []float64) error {
	if len(a) != len(b) {
		return fmt.Errorf("%s: %s has %d values but %s has %d: %w", metric, aName, len(a), bName, len(b), ErrLength)
	}
	if len(a) == 0 {
		return fmt.Errorf("%s: no values: %w", metric, ErrEmpty)
	}
	if err := checkFinite(metric, aName, a); err != nil {
		return err
	}
	return checkFinite(metric, bName, b)
}

func checkFinite(metric, name string, v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s: %s[%d] is %v: %w", metric, name, i, x, ErrValue)
		}
	}
	return nil
}

// uniqueSorted returns the distinct values of the given slices, ascending.
func uniqueSorted(vs ...[]float64) []float64 {
	var u []float64
	for _, v := range vs {
		u = append(u, v...)
	}
	slices.Sort(u)
	return slices.Compact(u)
}

// Accuracy returns the fraction of positions where yPred equals yTrue, as
// scikit-learn's accuracy_score. Labels are compared as numbers, so any
// label coding works. It returns an error wrapping [ErrLength] if the
// slices differ in length, [ErrEmpty] if they are empty, and [ErrValue] for
// NaN or infinite labels. Like every metric here it only reads its
// arguments and is safe for concurrent use.
func Accuracy(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("accuracy", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	n := 0
	for i := range yTrue {
		if yTrue[i] == yPred[i] {
			n++
		}
	}
	return float64(n) / float64(len(yTrue)), nil
}

// binaryCounts returns true positives, false positives and false negatives
// for positive label pos.
func binaryCounts(yTrue, yPred []float64, pos float64) (tp, fp, fn float64) {
	for i := range yTrue {
		t, p := yTrue[i] == pos, yPred[i] == pos
		switch {
		case t && p:
			tp++
		case p:
			fp++
		case t:
			fn++
		}
	}
	return tp, fp, fn
}

// div divides, giving 0 for a zero denominator: scikit-learn's
// zero_division="warn" result.
func div(num, den float64) float64 {
	if den == 0 {
		return 0
	}
	return num / den
}

// fBeta is scikit-learn's F-beta from precision and recall, in its order of
// operations.
func fBeta(p, r, beta2 float64) float64 {
	den := float64(beta2*p) + r
	if den == 0 {
		den = 1
	}
	return float64(float64((1+beta2)*p)*r) / den
}

// checkBinaryLabels applies scikit-learn's rule for average="binary" with
// pos_label=1: at most two distinct labels, and if two, one of them is 1.
func checkBinaryLabels(metric string, yTrue, yPred []float64) error {
	labels := uniqueSorted(yTrue, yPred)
	if len(labels) > 2 {
		return fmt.Errorf("%s: binary metric given %d labels %v; use an averaged form for multiclass: %w",
			metric, len(labels), labels, ErrLabel)
	}
	if len(labels) == 2 && !slices.Contains(labels, 1) {
		return fmt.Errorf("%s: positive label 1 is not among the labels %v: %w", metric, labels, ErrLabel)
	}
	return nil
}

// F1 returns the binary F1 score with positive label 1, as scikit-learn's
// f1_score(average="binary"): 2·precision·recall / (precision + recall),
// where an undefined precision or recall (no predicted or no true positives)
// counts as 0, and F1 is 0 when both are 0. It returns an error wrapping
// [ErrLength], [ErrEmpty] or [ErrValue] for bad input, and [ErrLabel] if the
// labels are not binary (more than two distinct values, or two without 1).
func F1(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("f1", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	if err := checkBinaryLabels("f1", yTrue, yPred); err != nil {
		return math.NaN(), err
	}
	tp, fp, fn := binaryCounts(yTrue, yPred, 1)
	return fBeta(div(tp, tp+fp), div(tp, tp+fn), 1), nil
}

// binaryCurve is scikit-learn's _binary_clf_curve: for each distinct score,
// from the highest down, the false and true positives counted at that
// threshold, and the thresholds. Positive means yTrue == pos. Ties in the
// scores fall into one threshold, so their order does not matter.
func binaryCurve(yTrue, score []float64, pos float64) (fps, tps, thresholds []float64) {
	type point struct {
		score float64
		pos   bool
	}
	pts := make([]point, len(score))
	for i := range pts {
		pts[i] = point{score[i], yTrue[i] == pos}
	}
	// Descending by score; the order within a tie does not matter, as a
	// tie's counts are taken only after its last member.
	slices.SortFunc(pts, func(a, b point) int { return cmp.Compare(b.score, a.score) })
	var cum float64
	for k, p := range pts {
		if p.pos {
			cum++
		}
		if k == len(pts)-1 || pts[k+1].score != p.score {
			tps = append(tps, cum)
			fps = append(fps, float64(k+1)-cum)
			thresholds = append(thresholds, p.score)
		}
	}
	return fps, tps, thresholds
}

// dropIntermediate keeps the points of a curve where its slope changes, the
// first and the last (scikit-learn's drop_intermediate=True).
func dropIntermediate(fps, tps, thr []float64) ([]float64, []float64, []float64) {
	if len(fps) <= 2 {
		return fps, tps, thr
	}
	var f, t, th []float64
	for i := range fps {
		keep := i == 0 || i == len(fps)-1 ||
			fps[i+1]-2*fps[i]+fps[i-1] != 0 || tps[i+1]-2*tps[i]+tps[i-1] != 0
		if keep {
			f, t, th = append(f, fps[i]), append(t, tps[i]), append(th, thr[i])
		}
	}
	return f, t, th
}

// trapezoid integrates y over x with the trapezoidal rule in numpy's order
// of operations (np.trapz).
func trapezoid(x, y []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	terms := make([]float64, len(x)-1)
	for i := range terms {
		terms[i] = float64((x[i+1]-x[i])*(y[i+1]+y[i])) / 2
	}
	return sum(terms)
}

// rocAUCBinary computes the area under the ROC curve with yTrue == pos as
// the positive class; yTrue must hold both classes.
func rocAUCBinary(yTrue, score []float64, pos float64) float64 {
	fps, tps, thr := binaryCurve(yTrue, score, pos)
	fps, tps, _ = dropIntermediate(fps, tps, thr)
	fpr := make([]float64, len(fps)+1)
	tpr := make([]float64, len(tps)+1)
	nf, nt := fps[len(fps)-1], tps[len(tps)-1]
	for i := range fps {
		fpr[i+1] = fps[i] / nf
		tpr[i+1] = tps[i] / nt
	}
	return trapezoid(fpr, tpr)
}

// ROCAUC returns the area under the ROC curve of a binary problem, as
// scikit-learn's roc_auc_score: yTrue holds two distinct labels, the larger
// being the positive class, and score is any score that is higher for the
// positive class (a probability, a decision value). Tied scores are one
// threshold, so a tie between a positive and a negative counts one half,
// exactly as in scikit-learn.
//
// It returns an error wrapping [ErrUndefined] if yTrue holds a single class,
// [ErrLabel] if it holds more than two (see [ROCAUCOvR]), and [ErrLength],
// [ErrEmpty] or [ErrValue] for bad input.
func ROCAUC(yTrue, score []float64) (float64, error) {
	if err := checkPair("roc auc", "y_true", yTrue, "score", score); err != nil {
		return math.NaN(), err
	}
	labels := uniqueSorted(yTrue)
	switch {
	case len(labels) < 2:
		return math.NaN(), fmt.Errorf("roc auc: y_true holds only the class %v: %w", labels[0], ErrUndefined)
	case len(labels) > 2:
		return math.NaN(), fmt.Errorf("roc auc: binary metric given %d classes; use ROCAUCOvR: %w", len(labels), ErrLabel)
	}
	return rocAUCBinary(yTrue, score, labels[1]), nil
}

// R2 returns the coefficient of determination 1 − SS_res/SS_tot, as
// scikit-learn's r2_score. When yTrue is constant (SS_tot = 0) it returns 1
// for a perfect prediction and 0 otherwise, as scikit-learn does
// (force_finite). It returns an error wrapping [ErrUndefined] for fewer than
// two samples, and [ErrLength], [ErrEmpty] or [ErrValue] for bad input.
func R2(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("r2", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	if len(yTrue) < 2 {
		return math.NaN(), fmt.Errorf("r2: needs at least two samples, got %d: %w", len(yTrue), ErrUndefined)
	}
	d := make([]float64, len(yTrue))
	for i := range d {
		r := yTrue[i] - yPred[i]
		d[i] = r * r
	}
	num := sum(d)
	m := mean(yTrue)
	for i := range d {
		r := yTrue[i] - m
		d[i] = r * r
	}
	den := sum(d)
	switch {
	case den != 0:
		return 1 - num/den, nil
	case num == 0:
		return 1, nil
	default:
		return 0, nil
	}
}

// MSE returns the mean squared error, as scikit-learn's mean_squared_error.
// It returns an error wrapping [ErrLength], [ErrEmpty] or [ErrValue] for bad
// input.
func MSE(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("mse", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	return mse(yTrue, yPred), nil
}

func mse(yTrue, yPred []float64) float64 {
	d := make([]float64, len(yTrue))
	for i := range d {
		r := yTrue[i] - yPred[i]
		d[i] = r * r
	}
	return mean(d)
}

// RMSE returns the root mean squared error, as scikit-learn's
// mean_squared_error(squared=False). It returns an error wrapping
// [ErrLength], [ErrEmpty] or [ErrValue] for bad input.
func RMSE(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("rmse", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	return math.Sqrt(mse(yTrue, yPred)), nil
}
