package model

import (
	"context"

	"gonum.org/v1/gonum/mat"
)

// SetHessianSample sets the least number of rows a logistic Hessian is
// estimated on and returns a function restoring the previous value.
func SetHessianSample(n int) (restore func()) {
	old := hessianSample
	hessianSample = n
	return func() { hessianSample = old }
}

// SetMaxNewtonDim sets the most parameters a logistic regression solves by
// Newton's method (beyond, L-BFGS) and returns a function restoring it.
func SetMaxNewtonDim(n int) (restore func()) {
	old := maxNewtonDim
	maxNewtonDim = n
	return func() { maxNewtonDim = old }
}

// DenseLeastSquares solves least squares by one QR (or SVD) of the whole
// centred X, the path small inputs take, for comparison with the blocked one.
func DenseLeastSquares(X mat.Matrix, y []float64, intercept bool, alpha float64) ([]float64, float64, error) {
	return leastSquares(context.Background(), view(X), y, intercept, alpha)
}
