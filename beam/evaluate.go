package mlbeam

import (
	"fmt"
	"math"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

func init() {
	register.Combiner2[Confusion, *frame.Frame](&confusionFn{})
	register.Combiner2[RegressionSums, *frame.Frame](&regressionFn{})
	register.Combiner2[AUCHistogram, *frame.Frame](&aucFn{})
}

// labelsAndScores reads the label and score columns of a scored frame.
func labelsAndScores(b *frame.Frame, label, score string) ([]float64, []float64, error) {
	y, err := b.Float(label)
	if err != nil {
		return nil, nil, fmt.Errorf("mlbeam: evaluate: %w", err)
	}
	p, err := b.Float(score)
	if err != nil {
		return nil, nil, fmt.Errorf("mlbeam: evaluate: %w", err)
	}
	return y, p, nil
}

// Confusion counts a binary classifier's outcomes: rows whose label is 1
// (positive) or 0 (negative), against a prediction of positive when the
// score reaches the threshold. Rows with a missing label or score are
// counted in Missing; other labels in Other. Confusions merge by adding
// their counts, exactly, in any order.
type Confusion struct {
	TP, FP, TN, FN int64
	Missing, Other int64
}

// Merge returns the counts of c and o together.
func (c Confusion) Merge(o Confusion) Confusion {
	return Confusion{TP: c.TP + o.TP, FP: c.FP + o.FP, TN: c.TN + o.TN, FN: c.FN + o.FN,
		Missing: c.Missing + o.Missing, Other: c.Other + o.Other}
}

// Add counts the rows of labels y and scores p at threshold t; y and p
// have the same length (Add panics if p is shorter, as indexing does).
func (c *Confusion) Add(y, p []float64, t float64) {
	for i, yi := range y {
		switch {
		case math.IsNaN(yi) || math.IsNaN(p[i]):
			c.Missing++
		case yi != 0 && yi != 1:
			c.Other++
		case yi == 1 && p[i] >= t:
			c.TP++
		case yi == 1:
			c.FN++
		case p[i] >= t:
			c.FP++
		default:
			c.TN++
		}
	}
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Accuracy returns the share of rows classified correctly (0 with none).
func (c Confusion) Accuracy() float64 { return ratio(c.TP+c.TN, c.TP+c.TN+c.FP+c.FN) }

// Precision returns TP/(TP+FP), 0 when nothing was predicted positive (as
// scikit-learn's zero_division default reports, with a warning).
func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall returns TP/(TP+FN), 0 when no label is positive.
func (c Confusion) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 returns the harmonic mean of precision and recall, 2TP/(2TP+FP+FN).
func (c Confusion) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

type confusionFn struct {
	Label, Score string
	Threshold    float64
}

func (f *confusionFn) AddInput(a Confusion, b *frame.Frame) (Confusion, error) {
	y, p, err := labelsAndScores(b, f.Label, f.Score)
	if err != nil {
		return a, err
	}
	a.Add(y, p, f.Threshold)
	return a, nil
}

func (f *confusionFn) MergeAccumulators(a, b Confusion) Confusion { return a.Merge(b) }

// ConfusionCounts returns one [Confusion]: the binary outcomes of the
// scored frames, label and score being float columns, a score at or above
// threshold predicting 1. The pipeline fails if a frame lacks either column.
func ConfusionCounts(s beam.Scope, scored beam.PCollection, label, score string, threshold float64) beam.PCollection {
	s = s.Scope("mlbeam.ConfusionCounts")
	return beam.Combine(s, &confusionFn{Label: label, Score: score, Threshold: threshold}, scored)
}

// RegressionSums are the mergeable sums behind regression metrics: the
// count, the sums of errors (prediction − label), of their absolute values
// and of their squares, and the moments of the labels (for R²). Rows with a
// missing label or prediction are counted in Missing. Sums merge by
// addition, exact to rounding in any order.
type RegressionSums struct {
	N                   int64
	Missing             int64
	SumErr, SumAbs, SSE float64
	Y                   preprocess.Moments
}

// Merge returns the sums of r and o together.
func (r RegressionSums) Merge(o RegressionSums) RegressionSums {
	return RegressionSums{N: r.N + o.N, Missing: r.Missing + o.Missing,
		SumErr: r.SumErr + o.SumErr, SumAbs: r.SumAbs + o.SumAbs, SSE: r.SSE + o.SSE, Y: r.Y.Merge(o.Y)}
}

// Add adds the rows of labels y and predictions p, of the same length (Add
// panics if p is shorter, as indexing does).
func (r *RegressionSums) Add(y, p []float64) {
	present := make([]float64, 0, len(y))
	for i, yi := range y {
		if math.IsNaN(yi) || math.IsNaN(p[i]) {
			r.Missing++
			continue
		}
		e := p[i] - yi
		r.N++
		r.SumErr += e
		r.SumAbs += math.Abs(e)
		r.SSE += e * e
		present = append(present, yi)
	}
	r.Y.AddBatch(present)
}

// MAE returns the mean absolute error (NaN with no rows).
func (r RegressionSums) MAE() float64 { return r.SumAbs / float64(r.N) }

// MSE returns the mean squared error (NaN with no rows).
func (r RegressionSums) MSE() float64 { return r.SSE / float64(r.N) }

// RMSE returns the root mean squared error (NaN with no rows).
func (r RegressionSums) RMSE() float64 { return math.Sqrt(r.MSE()) }

// Bias returns the mean error, prediction − label (NaN with no rows).
func (r RegressionSums) Bias() float64 { return r.SumErr / float64(r.N) }

// R2 returns the coefficient of determination, 1 − SSE/Σ(y−ȳ)²; as
// scikit-learn's r2_score, 1 for a perfect fit of constant labels and 0
// for an imperfect one (NaN with no rows).
func (r RegressionSums) R2() float64 {
	if r.N == 0 {
		return math.NaN()
	}
	if r.Y.M2 == 0 {
		if r.SSE == 0 {
			return 1
		}
		return 0
	}
	return 1 - r.SSE/r.Y.M2
}

type regressionFn struct {
	Label, Prediction string
}

func (f *regressionFn) AddInput(a RegressionSums, b *frame.Frame) (RegressionSums, error) {
	y, p, err := labelsAndScores(b, f.Label, f.Prediction)
	if err != nil {
		return a, err
	}
	a.Add(y, p)
	return a, nil
}

func (f *regressionFn) MergeAccumulators(a, b RegressionSums) RegressionSums { return a.Merge(b) }

// Regression returns one [RegressionSums] over the scored frames, label and
// prediction being float columns. The pipeline fails if a frame lacks
// either column.
func Regression(s beam.Scope, scored beam.PCollection, label, prediction string) beam.PCollection {
	s = s.Scope("mlbeam.Regression")
	return beam.Combine(s, &regressionFn{Label: label, Prediction: prediction}, scored)
}

// AUCHistogram counts positive and negative labels by score, in equal-width
// bins over [0, 1] (scores outside are put in the first or last bin), from
// which the area under the ROC curve follows without sorting all the
// scores. Rows with a missing label or score, or a label other than 0 and
// 1, are counted in Skipped. Histograms merge by adding their counts,
// exactly, in any order.
type AUCHistogram struct {
	Pos, Neg []int64
	Skipped  int64
}

// Merge returns the counts of h and o together; with different numbers of
// bins the result has h's and counts o's by the bin of their middle.
func (h AUCHistogram) Merge(o AUCHistogram) AUCHistogram {
	if len(h.Pos) == 0 {
		h.Pos, h.Neg = make([]int64, len(o.Pos)), make([]int64, len(o.Neg))
	}
	out := AUCHistogram{Pos: append([]int64(nil), h.Pos...), Neg: append([]int64(nil), h.Neg...), Skipped: h.Skipped + o.Skipped}
	for i := range o.Pos {
		j := i
		if len(o.Pos) != len(out.Pos) {
			j = out.bin((float64(i) + 0.5) / float64(len(o.Pos)))
		}
		out.Pos[j] += o.Pos[i]
		out.Neg[j] += o.Neg[i]
	}
	return out
}

func (h *AUCHistogram) bin(p float64) int {
	b := int(p * float64(len(h.Pos)))
	return min(max(b, 0), len(h.Pos)-1)
}

// Add counts the rows of labels y and scores p, of the same length (Add
// panics if p is shorter, as indexing does). A histogram without bins (the
// zero value) gets 10,000.
func (h *AUCHistogram) Add(y, p []float64) {
	if len(h.Pos) == 0 {
		h.Pos, h.Neg = make([]int64, 10000), make([]int64, 10000)
	}
	for i, yi := range y {
		switch {
		case math.IsNaN(yi) || math.IsNaN(p[i]) || (yi != 0 && yi != 1):
			h.Skipped++
		case yi == 1:
			h.Pos[h.bin(p[i])]++
		default:
			h.Neg[h.bin(p[i])]++
		}
	}
}

// totals returns the numbers of positive and negative rows.
func (h AUCHistogram) totals() (pos, neg float64) {
	for i := range h.Pos {
		pos += float64(h.Pos[i])
		neg += float64(h.Neg[i])
	}
	return pos, neg
}

// AUC returns the area under the ROC curve: the chance that a positive row
// scores above a negative one, ties (here, the same bin) counting half. It
// is exact when no bin holds two different scores of rows of different
// labels, and otherwise within [AUCHistogram.ErrorBound] of the exact value.
// It returns NaN if either class is absent.
func (h AUCHistogram) AUC() float64 {
	pos, neg := h.totals()
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	var area, negBelow float64
	for i := range h.Pos {
		p, n := float64(h.Pos[i]), float64(h.Neg[i])
		area += p * (negBelow + n/2)
		negBelow += n
	}
	return area / (pos * neg)
}

// ErrorBound returns the most AUC can differ from the exact area: half the
// share of positive–negative pairs that fall in the same bin.
func (h AUCHistogram) ErrorBound() float64 {
	pos, neg := h.totals()
	var same float64
	for i := range h.Pos {
		same += float64(h.Pos[i]) * float64(h.Neg[i])
	}
	return same / (2 * pos * neg)
}

type aucFn struct {
	Label, Score string
	Bins         int
}

func (f *aucFn) CreateAccumulator() AUCHistogram {
	return AUCHistogram{Pos: make([]int64, f.Bins), Neg: make([]int64, f.Bins)}
}

func (f *aucFn) AddInput(a AUCHistogram, b *frame.Frame) (AUCHistogram, error) {
	y, p, err := labelsAndScores(b, f.Label, f.Score)
	if err != nil {
		return a, err
	}
	if len(a.Pos) == 0 {
		a = f.CreateAccumulator()
	}
	a.Add(y, p)
	return a, nil
}

func (f *aucFn) MergeAccumulators(a, b AUCHistogram) AUCHistogram {
	if len(a.Pos) == 0 && len(b.Pos) == 0 {
		return f.CreateAccumulator()
	}
	return a.Merge(b)
}

// ROCAUC returns one [AUCHistogram] of the scored frames with bins bins
// (10,000 when bins <= 0), label being a 0/1 float column and score a
// float column in [0, 1] (a probability). The pipeline fails if a frame
// lacks either column.
func ROCAUC(s beam.Scope, scored beam.PCollection, label, score string, bins int) beam.PCollection {
	if bins <= 0 {
		bins = 10000
	}
	s = s.Scope("mlbeam.ROCAUC")
	return beam.Combine(s, &aucFn{Label: label, Score: score, Bins: bins}, scored)
}
