package mlbeam_test

import (
	"math"
	"math/rand/v2"
	"testing"

	mlbeam "github.com/mlpipe/mlpipe/beam"
	"github.com/mlpipe/mlpipe/evaluate"
)

// TestMetricsMerge splits labels and scores into parts, adds each part to
// its own accumulator, merges them and compares with package evaluate on
// all rows.
func TestMetricsMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	n := 5000
	y, p := make([]float64, n), make([]float64, n)
	for i := range y {
		if r.Float64() < 0.3 {
			y[i] = 1
		}
		p[i] = math.Round(math.Min(1, math.Max(0, 0.3+0.4*(y[i]-0.3)+r.NormFloat64()*0.2))*1000) / 1000
	}
	var c mlbeam.Confusion
	var s mlbeam.RegressionSums
	h := mlbeam.AUCHistogram{}
	for lo := 0; lo < n; lo += 777 {
		hi := min(lo+777, n)
		var pc mlbeam.Confusion
		var ps mlbeam.RegressionSums
		ph := mlbeam.AUCHistogram{Pos: make([]int64, 1000), Neg: make([]int64, 1000)}
		pc.Add(y[lo:hi], p[lo:hi], 0.5)
		ps.Add(y[lo:hi], p[lo:hi])
		ph.Add(y[lo:hi], p[lo:hi])
		c, s, h = c.Merge(pc), s.Merge(ps), h.Merge(ph)
	}
	pred := make([]float64, n)
	for i := range p {
		if p[i] >= 0.5 {
			pred[i] = 1
		}
	}
	acc, _ := evaluate.Accuracy(y, pred)
	f1, _ := evaluate.F1(y, pred)
	mae, _ := evaluate.MAE(y, p)
	mse, _ := evaluate.MSE(y, p)
	r2, _ := evaluate.R2(y, p)
	auc, _ := evaluate.ROCAUC(y, p)
	for _, x := range []struct {
		name           string
		got, want, tol float64
	}{
		{"accuracy", c.Accuracy(), acc, 1e-15},
		{"f1", c.F1(), f1, 1e-15},
		{"mae", s.MAE(), mae, 1e-12},
		{"mse", s.MSE(), mse, 1e-12},
		{"r2", s.R2(), r2, 1e-12},
		{"roc auc", h.AUC(), auc, h.ErrorBound() + 1e-12},
	} {
		if math.Abs(x.got-x.want) > x.tol {
			t.Errorf("%s: %v, want %v within %g", x.name, x.got, x.want, x.tol)
		}
	}
	// Scores on a grid of 1/1000 fall one to a bin of 1000: the area is exact.
	if math.Abs(h.AUC()-auc) > 1e-12 {
		t.Errorf("roc auc on bin-aligned scores: %v, want exactly %v", h.AUC(), auc)
	}
}

func TestMetricsEmpty(t *testing.T) {
	var h mlbeam.AUCHistogram
	if !math.IsNaN(h.AUC()) {
		t.Error("AUC of nothing is not NaN")
	}
	h.Add([]float64{0, 1}, []float64{0.2, 0.9})
	if h.AUC() != 1 || len(h.Pos) != 10000 {
		t.Errorf("zero histogram after Add: AUC %v with %d bins, want 1 with 10000", h.AUC(), len(h.Pos))
	}
	var s mlbeam.RegressionSums
	if !math.IsNaN(s.R2()) {
		t.Error("R2 of nothing is not NaN")
	}
	var c mlbeam.Confusion
	if c.F1() != 0 || c.Accuracy() != 0 {
		t.Error("empty confusion is not 0")
	}
}
