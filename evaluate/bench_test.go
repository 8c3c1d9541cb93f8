package evaluate

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
)

// benchData is a deterministic churn-like table of n rows: eight numeric
// features and a binary target from a noisy linear rule. testdata/bench_cv.py
// builds the same table for scikit-learn's timing.
func benchData(b *testing.B, n int) *frame.Frame {
	b.Helper()
	const features = 8
	cols := make([][]float64, features)
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	y := make([]float64, n)
	w := []float64{1.5, -2, 0.7, 0, 0.3, -0.8, 1.1, 0.05}
	for i := range n {
		z := -0.3
		for j := range features {
			v := math.Sin(float64(i)*0.7+float64(j)*1.3)*float64(j+1) + math.Cos(float64(i)*0.013*float64(j+1))
			cols[j][i] = v
			z += w[j] * v
		}
		s := math.Sin(float64(i)*12.9898) * 43758.5453
		noise := (s - math.Floor(s) - 0.5) * 6
		if z+noise > 0 {
			y[i] = 1
		}
	}
	var series []frame.Series
	for j, c := range cols {
		series = append(series, frame.Floats(fmt.Sprintf("f%d", j), c))
	}
	series = append(series, frame.Floats("churn", y))
	f, err := frame.New(series...)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// BenchmarkCrossValidate: 5-fold stratified cross-validation of a logistic
// regression, scored by accuracy and ROC AUC. Compare with
// testdata/bench_cv.py (scikit-learn, same data, same protocol).
func BenchmarkCrossValidate(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			data := benchData(b, n)
			l := ModelLearner(model.LogisticRegression{}, "churn")
			opts := CVOptions{Splitter: StratifiedKFold{K: 5}, Scorers: []Scorer{ScoreAccuracy, ScoreROCAUC}}
			b.ResetTimer()
			for b.Loop() {
				res, err := CrossValidate(context.Background(), l, data, "churn", opts)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(res.Mean("roc_auc"), "auc")
			}
		})
	}
}

// BenchmarkROCAUC: the area under the ROC curve of n scores with ties.
func BenchmarkROCAUC(b *testing.B) {
	const n = 1_000_000
	y, s := make([]float64, n), make([]float64, n)
	for i := range n {
		y[i] = float64(i % 3 % 2)
		s[i] = math.Round((math.Sin(float64(i))+y[i])*1000) / 1000
	}
	for b.Loop() {
		if _, err := ROCAUC(y, s); err != nil {
			b.Fatal(err)
		}
	}
}
