package model

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Ridge is least squares with an L2 penalty: it minimises
// ||y - Xw - b||² + Alpha·||w||² (the intercept b is not penalised), as
// scikit-learn's Ridge with its Cholesky solver.
//
// Fit solves the normal equations (X'X + Alpha·I) w = X'y on centred data
// in closed form, X'X summed over blocks of rows in parallel (GOMAXPROCS
// goroutines, merged in a fixed order, so the result does not depend on
// their number), and returns a *[LinearFit]. It returns an error wrapping
// [ErrParam] for a negative or non-finite Alpha, [ErrLength], [ErrEmpty] or
// [ErrNotFinite] on bad input, and the context's error if ctx is done. A
// Ridge is safe for concurrent use.
type Ridge struct {
	// Alpha is the penalty strength; 0 means 1, scikit-learn's default
	// (use [LinearRegression] for no penalty).
	Alpha float64
	// NoIntercept fits w alone (b = 0), for data already centred.
	NoIntercept bool
}

// Fit learns the coefficients from X and y; see [Ridge].
func (m Ridge) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	const what = "ridge"
	alpha := m.Alpha
	if alpha == 0 {
		alpha = 1
	}
	if alpha < 0 || !finite(alpha) {
		return nil, fmt.Errorf("%s: alpha %v must be positive: %w", what, m.Alpha, ErrParam)
	}
	xv, err := checkFit(ctx, what, X, y)
	if err != nil {
		return nil, err
	}
	coef, intercept, err := solveLeastSquares(ctx, xv, y, !m.NoIntercept, alpha)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &LinearFit{Coef: coef, Intercept: intercept}, nil
}

// ridgeSolve solves (A'A + alpha I) w = A'y by Cholesky.
func ridgeSolve(a *mat.Dense, y []float64, alpha float64) ([]float64, error) {
	_, p := a.Dims()
	var g mat.SymDense
	g.SymOuterK(1, a.T())
	for j := range p {
		g.SetSym(j, j, g.At(j, j)+alpha)
	}
	var rhs mat.VecDense
	rhs.MulVec(a.T(), mat.NewVecDense(len(y), y))
	var ch mat.Cholesky
	if !ch.Factorize(&g) {
		return nil, fmt.Errorf("X'X + alpha I is not positive definite (features too large?): %w", ErrNotFinite)
	}
	var w mat.VecDense
	if err := ch.SolveVecTo(&w, &rhs); err != nil {
		if _, ok := err.(mat.Condition); !ok {
			return nil, err
		}
	}
	return w.RawVector().Data, nil
}
