package evaluate

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Average says how a per-class metric is combined over the classes, as
// scikit-learn's average= argument.
type Average int

const (
	// Binary scores the positive class, label 1, alone; the labels must be
	// binary (at most two, and 1 among them if two).
	Binary Average = iota
	// Macro is the unweighted mean of the per-class scores.
	Macro
	// Micro computes the score from true and false positives summed over
	// the classes.
	Micro
	// Weighted is the mean of the per-class scores weighted by each class's
	// number of true instances (its support).
	Weighted
)

// String returns scikit-learn's name for the average.
func (a Average) String() string {
	switch a {
	case Binary:
		return "binary"
	case Macro:
		return "macro"
	case Micro:
		return "micro"
	case Weighted:
		return "weighted"
	}
	return "Average(" + strconv.Itoa(int(a)) + ")"
}

// ClassScores holds per-class precision, recall, F-score and support (the
// number of true instances) for each label, ascending: what
// scikit-learn's precision_recall_fscore_support(average=None) returns.
type ClassScores struct {
	Labels    []float64
	Precision []float64
	Recall    []float64
	FScore    []float64
	Support   []int
	tp, pred  []float64
}

// PerClass returns the precision, recall, F-beta score and support of every
// label found in yTrue or yPred, as scikit-learn's
// precision_recall_fscore_support with average=None: an undefined
// precision or recall (no predictions, or no instances, of a class) is 0.
// It returns an error wrapping [ErrLength], [ErrEmpty] or [ErrValue] for bad
// input, and [ErrValue] for a negative or NaN beta.
func PerClass(yTrue, yPred []float64, beta float64) (*ClassScores, error) {
	if err := checkPair("per-class scores", "y_true", yTrue, "y_pred", yPred); err != nil {
		return nil, err
	}
	if !(beta >= 0) || math.IsInf(beta, 0) {
		return nil, fmt.Errorf("per-class scores: beta %v must be finite and non-negative: %w", beta, ErrValue)
	}
	labels := uniqueSorted(yTrue, yPred)
	return perClass(yTrue, yPred, labels, beta), nil
}

func perClass(yTrue, yPred, labels []float64, beta float64) *ClassScores {
	k := len(labels)
	cs := &ClassScores{
		Labels:    labels,
		Precision: make([]float64, k),
		Recall:    make([]float64, k),
		FScore:    make([]float64, k),
		Support:   make([]int, k),
		tp:        make([]float64, k),
		pred:      make([]float64, k),
	}
	index := func(v float64) int {
		i, ok := slices.BinarySearch(labels, v)
		if !ok {
			return -1
		}
		return i
	}
	for i := range yTrue {
		t, p := index(yTrue[i]), index(yPred[i])
		if t >= 0 {
			cs.Support[t]++
		}
		if p >= 0 {
			cs.pred[p]++
			if t == p {
				cs.tp[t]++
			}
		}
	}
	beta2 := beta * beta
	for j := range labels {
		cs.Precision[j] = div(cs.tp[j], cs.pred[j])
		cs.Recall[j] = div(cs.tp[j], float64(cs.Support[j]))
		cs.FScore[j] = fBeta(cs.Precision[j], cs.Recall[j], beta2)
	}
	return cs
}

// averaged returns scikit-learn's average of a per-class metric.
func (cs *ClassScores) averaged(v []float64, avg Average) float64 {
	if avg == Weighted {
		w := make([]float64, len(v))
		var total float64
		for j := range v {
			w[j] = v[j] * float64(cs.Support[j])
			total += float64(cs.Support[j])
		}
		return sum(w) / total
	}
	return mean(v)
}

// prf computes precision, recall and F-beta under an average.
func prf(metric string, yTrue, yPred []float64, beta float64, avg Average) (p, r, f float64, err error) {
	nan := math.NaN()
	if err := checkPair(metric, "y_true", yTrue, "y_pred", yPred); err != nil {
		return nan, nan, nan, err
	}
	beta2 := beta * beta
	switch avg {
	case Binary:
		if err := checkBinaryLabels(metric, yTrue, yPred); err != nil {
			return nan, nan, nan, err
		}
		tp, fp, fn := binaryCounts(yTrue, yPred, 1)
		p, r = div(tp, tp+fp), div(tp, tp+fn)
		return p, r, fBeta(p, r, beta2), nil
	case Micro:
		cs := perClass(yTrue, yPred, uniqueSorted(yTrue, yPred), beta)
		var tp, pred, support float64
		for j := range cs.Labels {
			tp += cs.tp[j]
			pred += cs.pred[j]
			support += float64(cs.Support[j])
		}
		p, r = div(tp, pred), div(tp, support)
		return p, r, fBeta(p, r, beta2), nil
	case Macro, Weighted:
		cs := perClass(yTrue, yPred, uniqueSorted(yTrue, yPred), beta)
		return cs.averaged(cs.Precision, avg), cs.averaged(cs.Recall, avg), cs.averaged(cs.FScore, avg), nil
	}
	return nan, nan, nan, fmt.Errorf("%s: unknown average %v: %w", metric, avg, ErrValue)
}

// Precision returns tp / (tp + fp) under the given average, as
// scikit-learn's precision_score (a class never predicted has precision 0).
// With [Binary] the labels must be binary and 1 is the positive class. It
// returns an error wrapping [ErrLength], [ErrEmpty] or [ErrValue] for bad
// input, and [ErrLabel] for non-binary labels under Binary.
func Precision(yTrue, yPred []float64, avg Average) (float64, error) {
	p, _, _, err := prf("precision", yTrue, yPred, 1, avg)
	return p, err
}

// Recall returns tp / (tp + fn) under the given average, as scikit-learn's
// recall_score. Errors are as for [Precision].
func Recall(yTrue, yPred []float64, avg Average) (float64, error) {
	_, r, _, err := prf("recall", yTrue, yPred, 1, avg)
	return r, err
}

// F1Avg returns the F1 score under the given average, as scikit-learn's
// f1_score; F1Avg(y, p, Binary) is [F1]. Errors are as for [Precision].
func F1Avg(yTrue, yPred []float64, avg Average) (float64, error) {
	_, _, f, err := prf("f1", yTrue, yPred, 1, avg)
	return f, err
}

// FBeta returns the F-beta score (recall weighted beta times as much as
// precision) under the given average, as scikit-learn's fbeta_score.
// Errors are as for [Precision], plus [ErrValue] for a negative or NaN beta.
func FBeta(yTrue, yPred []float64, beta float64, avg Average) (float64, error) {
	if !(beta >= 0) || math.IsInf(beta, 0) {
		return math.NaN(), fmt.Errorf("fbeta: beta %v must be finite and non-negative: %w", beta, ErrValue)
	}
	_, _, f, err := prf("fbeta", yTrue, yPred, beta, avg)
	return f, err
}

// BalancedAccuracy returns the mean recall over the classes present in
// yTrue, as scikit-learn's balanced_accuracy_score (classes only predicted,
// never true, are left out). Errors are as for [Accuracy].
func BalancedAccuracy(yTrue, yPred []float64) (float64, error) {
	if err := checkPair("balanced accuracy", "y_true", yTrue, "y_pred", yPred); err != nil {
		return math.NaN(), err
	}
	cs := perClass(yTrue, yPred, uniqueSorted(yTrue, yPred), 1)
	var rec []float64
	for j := range cs.Labels {
		if cs.Support[j] > 0 {
			rec = append(rec, cs.tp[j]/float64(cs.Support[j]))
		}
	}
	return mean(rec), nil
}

// Confusion is a confusion matrix: Counts[i][j] is the number of samples of
// true label Labels[i] predicted as Labels[j]. Labels are ascending.
type Confusion struct {
	Labels []float64
	Counts [][]int
}

// ConfusionMatrix counts predictions against truth over the labels found
// in either slice, as scikit-learn's confusion_matrix. It returns an error
// wrapping [ErrLength], [ErrEmpty] or [ErrValue] for bad input.
func ConfusionMatrix(yTrue, yPred []float64) (*Confusion, error) {
	if err := checkPair("confusion matrix", "y_true", yTrue, "y_pred", yPred); err != nil {
		return nil, err
	}
	labels := uniqueSorted(yTrue, yPred)
	c := &Confusion{Labels: labels, Counts: make([][]int, len(labels))}
	for i := range c.Counts {
		c.Counts[i] = make([]int, len(labels))
	}
	for i := range yTrue {
		t, _ := slices.BinarySearch(labels, yTrue[i])
		p, _ := slices.BinarySearch(labels, yPred[i])
		c.Counts[t][p]++
	}
	return c, nil
}

// String renders the matrix with true labels down the side and predicted
// labels across the top.
func (c *Confusion) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(w, "true \\ predicted\t")
	for _, l := range c.Labels {
		fmt.Fprintf(w, "%s\t", fmtLabel(l))
	}
	fmt.Fprintln(w)
	for i, row := range c.Counts {
		fmt.Fprintf(w, "%s\t", fmtLabel(c.Labels[i]))
		for _, n := range row {
			fmt.Fprintf(w, "%d\t", n)
		}
		fmt.Fprintln(w)
	}
	w.Flush()
	return b.String()
}

func fmtLabel(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// MatthewsCorrCoef returns the Matthews correlation coefficient of the
// predictions, multiclass included, as scikit-learn's matthews_corrcoef: 1
// for perfect, 0 for no better than chance (and when it is undefined, as
// scikit-learn returns), −1 for total disagreement. Errors are as for
// [Accuracy].
func MatthewsCorrCoef(yTrue, yPred []float64) (float64, error) {
	c, err := ConfusionMatrix(yTrue, yPred)
	if err != nil {
		return math.NaN(), fmt.Errorf("matthews: %w", err)
	}
	k := len(c.Labels)
	t, p := make([]float64, k), make([]float64, k)
	var correct, n float64
	for i := range k {
		for j := range k {
			v := float64(c.Counts[i][j])
			t[i] += v
			p[j] += v
		}
		correct += float64(c.Counts[i][i])
	}
	for _, v := range p {
		n += v
	}
	var tp, pp, tt float64
	for i := range k {
		tp += t[i] * p[i]
		pp += p[i] * p[i]
		tt += t[i] * t[i]
	}
	covYtYp := correct*n - tp
	covYpYp := n*n - pp
	covYtYt := n*n - tt
	if covYpYp*covYtYt == 0 {
		return 0, nil
	}
	return covYtYp / math.Sqrt(covYtYt*covYpYp), nil
}

// CohenKappa returns Cohen's kappa, the agreement between two labelings
// beyond chance, as scikit-learn's cohen_kappa_score without weights. It
// returns an error wrapping [ErrLength], [ErrEmpty] or [ErrValue] for bad
// input. When both labelings hold the same single label, kappa is 0/0 and
// it returns NaN with an error wrapping [ErrUndefined].
func CohenKappa(y1, y2 []float64) (float64, error) {
	return kappa("cohen kappa", y1, y2, func(i, j int) float64 {
		if i == j {
			return 0
		}
		return 1
	})
}

// WeightedKappa returns Cohen's kappa for ordered labels, where a
// disagreement costs its distance in class positions (linear) or that
// distance squared (quadratic), as scikit-learn's cohen_kappa_score with
// weights="linear" or "quadratic". Classes are the labels found in either
// slice, ascending; positions, not label values, measure the distance, as
// in scikit-learn. Errors are as for [CohenKappa].
func WeightedKappa(y1, y2 []float64, quadratic bool) (float64, error) {
	return kappa("weighted kappa", y1, y2, func(i, j int) float64 {
		d := float64(i - j)
		if quadratic {
			return d * d
		}
		return math.Abs(d)
	})
}

func kappa(metric string, y1, y2 []float64, weight func(i, j int) float64) (float64, error) {
	c, err := ConfusionMatrix(y1, y2)
	if err != nil {
		return math.NaN(), fmt.Errorf("%s: %w", metric, err)
	}
	k := len(c.Labels)
	sum0, sum1 := make([]float64, k), make([]float64, k)
	for i := range k {
		for j := range k {
			sum0[j] += float64(c.Counts[i][j])
			sum1[i] += float64(c.Counts[i][j])
		}
	}
	total := sum(sum0)
	obs := make([]float64, 0, k*k)
	exp := make([]float64, 0, k*k)
	for i := range k {
		for j := range k {
			w := weight(i, j)
			obs = append(obs, w*float64(c.Counts[i][j]))
			exp = append(exp, w*(sum0[i]*sum1[j]/total))
		}
	}
	den := sum(exp)
	if den == 0 {
		return math.NaN(), fmt.Errorf("%s: chance disagreement is zero (a single label): %w", metric, ErrUndefined)
	}
	return 1 - sum(obs)/den, nil
}

// ClassificationReport renders scikit-learn's classification_report,
// character for character: per class precision, recall, F1 and support,
// then accuracy and the macro and weighted averages, to digits decimals (2
// if digits < 1). names, if not nil, gives a display name per label of the
// ascending labels found in yTrue and yPred (scikit-learn's
// target_names); without it labels print as Go formats them ("1", where
// scikit-learn, given floats, prints "1.0"). It returns an error wrapping
// [ErrLength], [ErrEmpty] or [ErrValue] for bad input, and [ErrLength] if
// names has the wrong length.
func ClassificationReport(yTrue, yPred []float64, names []string, digits int) (string, error) {
	cs, err := PerClass(yTrue, yPred, 1)
	if err != nil {
		return "", fmt.Errorf("classification report: %w", err)
	}
	if names != nil && len(names) != len(cs.Labels) {
		return "", fmt.Errorf("classification report: %d names for %d labels %v: %w", len(names), len(cs.Labels), cs.Labels, ErrLength)
	}
	if digits < 1 {
		digits = 2
	}
	if names == nil {
		for _, l := range cs.Labels {
			names = append(names, fmtLabel(l))
		}
	}
	width := max(len("weighted avg"), digits)
	for _, n := range names {
		width = max(width, len(n))
	}
	// scikit-learn 1.2.1 counts support in floats, printed "4.0", when no
	// prediction at all is correct; the report keeps that quirk so that it
	// matches character for character.
	supportFmt := "%9d"
	if slices.Max(cs.tp) == 0 {
		supportFmt = "%7d.0"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%*s  %9s %9s %9s %9s\n\n", width, "", "precision", "recall", "f1-score", "support")
	row := func(name string, p, r, f float64, support int) {
		fmt.Fprintf(&b, "%*s  %9.*f %9.*f %9.*f "+supportFmt+"\n", width, name, digits, p, digits, r, digits, f, support)
	}
	for j, n := range names {
		row(n, cs.Precision[j], cs.Recall[j], cs.FScore[j], cs.Support[j])
	}
	b.WriteString("\n")
	_, _, micro, _ := prf("classification report", yTrue, yPred, 1, Micro)
	fmt.Fprintf(&b, "%*s  %9s %9s %9.*f "+supportFmt+"\n", width, "accuracy", "", "", digits, micro, len(yTrue))
	for _, avg := range []Average{Macro, Weighted} {
		row(avg.String()+" avg", cs.averaged(cs.Precision, avg), cs.averaged(cs.Recall, avg), cs.averaged(cs.FScore, avg), len(yTrue))
	}
	return b.String(), nil
}
