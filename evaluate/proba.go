package evaluate

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// positiveLabel applies scikit-learn's rule for curves without pos_label:
// y_true must take values in {0, 1} or {-1, 1} (or one of them), and 1 is
// the positive class.
func positiveLabel(metric string, yTrue []float64) error {
	for _, v := range uniqueSorted(yTrue) {
		if v != 0 && v != 1 && v != -1 {
			return fmt.Errorf("%s: y_true holds the label %v; use labels 0/1 or -1/1, with 1 the positive class: %w", metric, v, ErrLabel)
		}
	}
	if slices.Contains(yTrue, 0) && slices.Contains(yTrue, -1) {
		return fmt.Errorf("%s: y_true holds both 0 and -1; use labels 0/1 or -1/1: %w", metric, ErrLabel)
	}
	return nil
}

// ROCCurve returns the receiver operating characteristic curve of a binary
// problem, as scikit-learn 1.2.1's roc_curve(drop_intermediate=True):
// false and true positive rates at each kept threshold, thresholds
// descending, the first point (0, 0) at threshold max(score)+1. Labels
// must be 0/1 or -1/1; 1 is positive. It returns an error wrapping
// [ErrUndefined] if yTrue lacks either class, [ErrLabel] for other labels,
// and [ErrLength], [ErrEmpty] or [ErrValue] for bad input.
func ROCCurve(yTrue, score []float64) (fpr, tpr, thresholds []float64, err error) {
	if err := checkPair("roc curve", "y_true", yTrue, "score", score); err != nil {
		return nil, nil, nil, err
	}
	if err := positiveLabel("roc curve", yTrue); err != nil {
		return nil, nil, nil, err
	}
	fps, tps, thr := binaryCurve(yTrue, score, 1)
	if fps[len(fps)-1] == 0 || tps[len(tps)-1] == 0 {
		return nil, nil, nil, fmt.Errorf("roc curve: y_true holds a single class: %w", ErrUndefined)
	}
	fps, tps, thr = dropIntermediate(fps, tps, thr)
	nf, nt := fps[len(fps)-1], tps[len(tps)-1]
	fpr, tpr = []float64{0}, []float64{0}
	thresholds = append([]float64{thr[0] + 1}, thr...)
	for i := range fps {
		fpr = append(fpr, fps[i]/nf)
		tpr = append(tpr, tps[i]/nt)
	}
	return fpr, tpr, thresholds, nil
}

// PrecisionRecallCurve returns precision and recall at every distinct
// score threshold of a binary problem, as scikit-learn's
// precision_recall_curve: recall decreasing, ending with the point
// (recall 0, precision 1) that has no threshold; thresholds ascending,
// one fewer than the points. Labels must be 0/1 or -1/1; 1 is positive. It
// returns an error wrapping [ErrUndefined] if yTrue has no positive (where
// scikit-learn warns and sets recall to 1), [ErrLabel] for other labels,
// and [ErrLength], [ErrEmpty] or [ErrValue] for bad input.
func PrecisionRecallCurve(yTrue, score []float64) (precision, recall, thresholds []float64, err error) {
	if err := checkPair("precision-recall curve", "y_true", yTrue, "score", score); err != nil {
		return nil, nil, nil, err
	}
	if err := positiveLabel("precision-recall curve", yTrue); err != nil {
		return nil, nil, nil, err
	}
	precision, recall, thresholds = prCurve(yTrue, score)
	if precision == nil {
		return nil, nil, nil, fmt.Errorf("precision-recall curve: y_true has no positive sample: %w", ErrUndefined)
	}
	return precision, recall, thresholds, nil
}

func prCurve(yTrue, score []float64) (precision, recall, thresholds []float64) {
	fps, tps, thr := binaryCurve(yTrue, score, 1)
	nt := tps[len(tps)-1]
	if nt == 0 {
		return nil, nil, nil
	}
	n := len(tps)
	precision = make([]float64, n+1)
	recall = make([]float64, n+1)
	thresholds = make([]float64, n)
	for i := range n {
		k := n - 1 - i
		precision[i] = div(tps[k], tps[k]+fps[k])
		recall[i] = tps[k] / nt
		thresholds[i] = thr[k]
	}
	precision[n] = 1
	return precision, recall, thresholds
}

// AveragePrecision returns the average precision of a binary score, as
// scikit-learn's average_precision_score: Σ (R_n − R_{n−1}) P_n over the
// precision-recall curve, without interpolation. Labels must be 0/1 or
// -1/1; 1 is positive. It returns an error wrapping [ErrUndefined] if
// yTrue has no positive, [ErrLabel] for other labels, and [ErrLength],
// [ErrEmpty] or [ErrValue] for bad input.
func AveragePrecision(yTrue, score []float64) (float64, error) {
	p, r, _, err := PrecisionRecallCurve(yTrue, score)
	if err != nil {
		return math.NaN(), fmt.Errorf("average precision: %w", err)
	}
	terms := make([]float64, len(r)-1)
	for i := range terms {
		terms[i] = (r[i+1] - r[i]) * p[i]
	}
	return -sum(terms), nil
}

// checkProba validates an n × k probability matrix against n labels.
func checkProba(metric string, yTrue []float64, proba mat.Matrix) (int, error) {
	if len(yTrue) == 0 {
		return 0, fmt.Errorf("%s: no values: %w", metric, ErrEmpty)
	}
	if proba == nil {
		return 0, fmt.Errorf("%s: no probabilities: %w", metric, ErrEmpty)
	}
	r, c := proba.Dims()
	if r != len(yTrue) {
		return 0, fmt.Errorf("%s: y_true has %d values but the probabilities have %d rows: %w", metric, len(yTrue), r, ErrLength)
	}
	if err := checkFinite(metric, "y_true", yTrue); err != nil {
		return 0, err
	}
	for i := range r {
		for j := range c {
			if v := proba.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("%s: probability [%d, %d] is %v: %w", metric, i, j, v, ErrValue)
			}
		}
	}
	return c, nil
}

// classLabels returns the labels indexing the probability columns: classes
// if given (ascending, distinct, covering yTrue), else yTrue's own labels.
func classLabels(metric string, yTrue, classes []float64) ([]float64, error) {
	if classes == nil {
		return uniqueSorted(yTrue), nil
	}
	if !slices.IsSorted(classes) || len(slices.Compact(slices.Clone(classes))) != len(classes) {
		return nil, fmt.Errorf("%s: classes %v are not ascending and distinct: %w", metric, classes, ErrLabel)
	}
	for _, v := range yTrue {
		if _, ok := slices.BinarySearch(classes, v); !ok {
			return nil, fmt.Errorf("%s: y_true holds %v, which is not among the classes %v: %w", metric, v, classes, ErrLabel)
		}
	}
	return classes, nil
}

// LogLoss returns the mean negative log-likelihood of the true labels under
// predicted probabilities, as scikit-learn's log_loss (probabilities
// clipped to [ε, 1−ε] with ε the float64 epsilon, then each row
// renormalised). proba has one row per sample and one column per class,
// columns in the order of classes, ascending; classes nil means the labels
// found in yTrue (scikit-learn's default). A single column is the
// probability of the larger of two classes. It returns an error wrapping
// [ErrUndefined] if only one class is known, [ErrLabel] if the columns do
// not match the classes or yTrue has a label outside them, and
// [ErrLength], [ErrEmpty] or [ErrValue] for bad input.
func LogLoss(yTrue []float64, proba mat.Matrix, classes []float64) (float64, error) {
	cols, err := checkProba("log loss", yTrue, proba)
	if err != nil {
		return math.NaN(), err
	}
	labels, err := classLabels("log loss", yTrue, classes)
	if err != nil {
		return math.NaN(), err
	}
	if len(labels) < 2 {
		return math.NaN(), fmt.Errorf("log loss: only one class %v; give the classes: %w", labels, ErrUndefined)
	}
	binaryColumn := cols == 1
	if binaryColumn {
		cols = 2
	}
	if cols != len(labels) {
		return math.NaN(), fmt.Errorf("log loss: %d probability columns for %d classes %v: %w", cols, len(labels), labels, ErrLabel)
	}
	const eps = 0x1p-52
	clip := func(v float64) float64 { return min(max(v, eps), 1-eps) }
	loss := make([]float64, len(yTrue))
	row := make([]float64, cols)
	for i, y := range yTrue {
		if binaryColumn {
			p := clip(proba.At(i, 0))
			row[0], row[1] = 1-p, p
		} else {
			for j := range cols {
				row[j] = clip(proba.At(i, j))
			}
		}
		s := pairwise(row)
		t, _ := slices.BinarySearch(labels, y)
		// Only the true class's term is non-zero in scikit-learn's sum.
		loss[i] = -math.Log(row[t] / s)
	}
	return mean(loss), nil
}

// BrierScore returns the mean squared difference between the predicted
// probability of the positive class and the outcome, as scikit-learn's
// brier_score_loss: the positive class is 1 when the labels are 0/1 or
// -1/1, else the larger label. It returns an error wrapping [ErrLabel] for
// more than two labels or non-integer labels, [ErrValue] for a probability outside [0, 1], and
// [ErrLength], [ErrEmpty] or [ErrValue] for bad input.
func BrierScore(yTrue, prob []float64) (float64, error) {
	if err := checkPair("brier score", "y_true", yTrue, "probability", prob); err != nil {
		return math.NaN(), err
	}
	labels := uniqueSorted(yTrue)
	if len(labels) > 2 || !isClassTarget(labels) {
		return math.NaN(), fmt.Errorf("brier score: binary metric given the labels %v: %w", labels, ErrLabel)
	}
	for i, p := range prob {
		if p < 0 || p > 1 {
			return math.NaN(), fmt.Errorf("brier score: probability[%d] = %v is outside [0, 1]: %w", i, p, ErrValue)
		}
	}
	pos := labels[len(labels)-1]
	if positiveLabel("", yTrue) == nil {
		pos = 1
	}
	d := make([]float64, len(yTrue))
	for i := range d {
		var t float64
		if yTrue[i] == pos {
			t = 1
		}
		d[i] = (t - prob[i]) * (t - prob[i])
	}
	return mean(d), nil
}

// ROCAUCOvR returns the one-vs-rest ROC AUC of a multiclass problem, as
// scikit-learn's roc_auc_score(multi_class="ovr"): the binary AUC of each
// class against the rest, averaged with [Macro] or [Weighted] (by class
// support). proba holds one row per sample and one column per class, in
// the order of classes (ascending; nil means the labels found in yTrue),
// and each row must sum to 1 (within numpy's allclose). With two classes it
// is the binary [ROCAUC] of the second column, without the row-sum check. It returns an error wrapping
// [ErrUndefined] if some class has no sample in yTrue or yTrue has one
// class, [ErrLabel] if the columns do not match the classes, [ErrValue] for
// rows that are not probabilities or an average other than Macro or
// Weighted, and [ErrLength] or [ErrEmpty] for bad input.
func ROCAUCOvR(yTrue []float64, proba mat.Matrix, classes []float64, avg Average) (float64, error) {
	cols, err := checkProba("roc auc ovr", yTrue, proba)
	if err != nil {
		return math.NaN(), err
	}
	if avg != Macro && avg != Weighted {
		return math.NaN(), fmt.Errorf("roc auc ovr: average %v; use macro or weighted: %w", avg, ErrValue)
	}
	labels, err := classLabels("roc auc ovr", yTrue, classes)
	if err != nil {
		return math.NaN(), err
	}
	if cols != len(labels) {
		return math.NaN(), fmt.Errorf("roc auc ovr: %d probability columns for %d classes %v: %w", cols, len(labels), labels, ErrLabel)
	}
	if len(labels) < 2 {
		return math.NaN(), fmt.Errorf("roc auc ovr: y_true holds only the class %v: %w", labels[0], ErrUndefined)
	}
	if len(labels) == 2 {
		return ROCAUC(yTrue, mat.Col(nil, 1, proba))
	}
	for i := range len(yTrue) {
		s := pairwise(mat.Row(nil, i, proba))
		if !(math.Abs(1-s) <= 1e-8+1e-5*math.Abs(s)) {
			return math.NaN(), fmt.Errorf("roc auc ovr: probabilities in row %d sum to %v, not 1: %w", i, s, ErrValue)
		}
	}
	scores := make([]float64, len(labels))
	support := make([]float64, len(labels))
	for j, l := range labels {
		for _, y := range yTrue {
			if y == l {
				support[j]++
			}
		}
		if support[j] == 0 || support[j] == float64(len(yTrue)) {
			return math.NaN(), fmt.Errorf("roc auc ovr: class %v is the only class, or absent, in y_true: %w", l, ErrUndefined)
		}
		scores[j] = rocAUCBinary(yTrue, mat.Col(nil, j, proba), l)
	}
	if avg == Macro {
		return mean(scores), nil
	}
	w := make([]float64, len(scores))
	for j := range w {
		w[j] = scores[j] * support[j]
	}
	return sum(w) / sum(support), nil
}

// CalibrationCurve bins predicted probabilities of the positive class and
// returns, for each non-empty bin, the fraction of positives (probTrue)
// and the mean predicted probability (probPred), as scikit-learn's
// calibration_curve. Bins are nBins equal widths of [0, 1], or with
// quantile true, nBins equal counts (edges at numpy's linear percentiles).
// Labels must be 0/1 or -1/1; 1 is positive. It returns an error wrapping
// [ErrValue] for nBins < 1 or a probability outside [0, 1], [ErrLabel] for
// other labels, and [ErrLength] or [ErrEmpty] for bad input.
func CalibrationCurve(yTrue, prob []float64, nBins int, quantile bool) (probTrue, probPred []float64, err error) {
	if err := checkPair("calibration curve", "y_true", yTrue, "probability", prob); err != nil {
		return nil, nil, err
	}
	if nBins < 1 {
		return nil, nil, fmt.Errorf("calibration curve: %d bins: %w", nBins, ErrValue)
	}
	if err := positiveLabel("calibration curve", yTrue); err != nil {
		return nil, nil, err
	}
	for i, p := range prob {
		if p < 0 || p > 1 {
			return nil, nil, fmt.Errorf("calibration curve: probability[%d] = %v is outside [0, 1]: %w", i, p, ErrValue)
		}
	}
	edges := make([]float64, nBins+1)
	step := 1 / float64(nBins)
	for i := range edges {
		edges[i] = float64(i) * step
	}
	edges[nBins] = 1
	if quantile {
		sorted := slices.Clone(prob)
		slices.Sort(sorted)
		for i, q := range edges {
			edges[i] = percentile(sorted, q*100)
		}
	}
	inner := edges[1:nBins]
	sums := make([]float64, nBins+1)
	trues := make([]float64, nBins+1)
	counts := make([]float64, nBins+1)
	for i, p := range prob {
		b, _ := slices.BinarySearch(inner, p) // numpy searchsorted, side="left"
		sums[b] += p
		if yTrue[i] == 1 {
			trues[b]++
		}
		counts[b]++
	}
	for b := range counts {
		if counts[b] != 0 {
			probTrue = append(probTrue, trues[b]/counts[b])
			probPred = append(probPred, sums[b]/counts[b])
		}
	}
	return probTrue, probPred, nil
}

// percentile is numpy's np.percentile(sorted, q) with the default linear
// method, in numpy's order of operations; sorted must be ascending and not
// empty.
func percentile(sorted []float64, q float64) float64 {
	n := len(sorted)
	v := float64(n-1) * (q / 100)
	prev := math.Floor(v)
	lo, hi := int(prev), int(prev)+1
	if v >= float64(n-1) {
		lo, hi = n-1, n-1
		prev = -1
	}
	if v < 0 {
		lo, hi, prev = 0, 0, 0
	}
	g := v - prev
	a, b := sorted[lo], sorted[hi]
	d := b - a
	if g >= 0.5 {
		return b - d*(1-g)
	}
	return a + d*g
}
