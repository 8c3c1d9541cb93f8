package model_test

import (
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// BenchmarkLogisticFitColMatrix and BenchmarkLogisticFitDense fit one
// binary logistic regression on the same 400,000 × 9 matrix (two dense
// columns and seven one-hot indicators over two categorical columns), held
// by columns and dense.
func BenchmarkLogisticFitColMatrix(b *testing.B) {
	cm, _, y := mixed(400_000, 5)
	benchLogisticFit(b, cm, y)
}

func BenchmarkLogisticFitDense(b *testing.B) {
	_, dense, y := mixed(400_000, 5)
	benchLogisticFit(b, dense, y)
}

func benchLogisticFit(b *testing.B, X mat.Matrix, y []float64) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (model.LogisticRegression{}).Fit(ctx(), X, y); err != nil {
			b.Fatal(err)
		}
	}
}
