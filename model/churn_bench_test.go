package model_test

import (
	"sync"
	"testing"

	"github.com/mlpipe/mlpipe/internal/churnbench"
	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

var churn struct {
	sync.Once
	X   *mat.Dense
	y   []float64
	err error
}

// churnMatrix returns the churn benchmark matrix and its labels (see
// internal/churnbench: testdata/bench_churn.py makes the file and times
// scikit-learn on it). Without python3, pandas and scikit-learn the
// benchmark is skipped.
func churnMatrix(b *testing.B) (*mat.Dense, []float64) {
	churn.Do(func() {
		x, p, y, err := churnbench.Load("..")
		if err != nil {
			churn.err = err
			return
		}
		churn.X, churn.y = mat.NewDense(churnbench.Rows, p, x), y
	})
	if churn.err != nil {
		b.Skipf("no churn benchmark data: %v", churn.err)
	}
	return churn.X, churn.y
}

// BenchmarkChurnLogisticFit fits a logistic regression (C=1, L2) on the
// churn matrix. testdata/bench_churn.py times scikit-learn's
// LogisticRegression on the same file; "intercept" is there to check that
// both reach the same optimum.
func BenchmarkChurnLogisticFit(b *testing.B) {
	lf := benchChurnFit(b, model.LogisticRegression{C: 1}).(*model.LogisticFit)
	b.ReportMetric(float64(lf.Iterations), "iters")
	b.ReportMetric(lf.Intercept[0], "intercept")
}

// BenchmarkChurnForestFit fits a random forest of 10 trees of depth at
// most 12, √p features per split, bootstrapped with the out-of-bag score,
// on the churn matrix: scikit-learn's RandomForestClassifier(n_estimators=10,
// max_depth=12, max_features="sqrt", oob_score=True, n_jobs=2) in
// testdata/bench_churn.py.
func BenchmarkChurnForestFit(b *testing.B) {
	f := benchChurnFit(b, model.RandomForest{Trees: 10, MaxDepth: 12, Seed: 1, Workers: 2}).(*model.ForestFit)
	b.ReportMetric(f.OOBScore, "oob")
}

// benchChurnFit times m.Fit on the churn matrix, with the CPU time per
// fit, and returns the last fit.
func benchChurnFit(b *testing.B, m model.Model) model.Predictor {
	X, y := churnMatrix(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU(b)
	defer cpu.stop()
	var p model.Predictor
	var err error
	for b.Loop() {
		if p, err = m.Fit(ctx(), X, y); err != nil {
			b.Fatal(err)
		}
	}
	return p
}
