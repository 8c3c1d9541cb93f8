package model

import (
	"context"
	"fmt"
	"runtime"

	"gonum.org/v1/gonum/mat"
)

// rowMajor is a read-only row-major view of a matrix: row i is
// data[i*stride : i*stride+c]. It shares memory with a *mat.Dense input
// (or any mat.RawMatrixer) and is a copy otherwise.
type rowMajor struct {
	data         []float64
	r, c, stride int
}

func (m rowMajor) row(i int) []float64 { return m.data[i*m.stride : i*m.stride+m.c] }

// view returns the row-major view of X; X must not be nil.
func view(X mat.Matrix) rowMajor {
	if cm, ok := X.(*ColMatrix); ok && cm != nil {
		return cm.rowMajor()
	}
	if rm, ok := X.(mat.RawMatrixer); ok {
		raw := rm.RawMatrix()
		return rowMajor{data: raw.Data, r: raw.Rows, c: raw.Cols, stride: raw.Stride}
	}
	r, c := X.Dims()
	d := make([]float64, r*c)
	for i := range r {
		for j := range c {
			d[i*c+j] = X.At(i, j)
		}
	}
	return rowMajor{data: d, r: r, c: c, stride: c}
}

// finite reports whether v is neither NaN nor ±Inf.
func finite(v float64) bool { return v-v == 0 }

// checkX returns the view of X after checking that it is not nil, has rows
// and columns, and holds only finite values. The error names the model
// (what) and the first bad row and column.
func checkX(what string, X mat.Matrix) (rowMajor, error) {
	if X == nil {
		return rowMajor{}, fmt.Errorf("%s: X is nil: %w", what, ErrEmpty)
	}
	r, c := X.Dims()
	if r == 0 || c == 0 {
		return rowMajor{}, fmt.Errorf("%s: X has %d rows and %d columns: %w", what, r, c, ErrEmpty)
	}
	m := view(X)
	for i := range m.r {
		for j, v := range m.row(i) {
			if !finite(v) {
				return rowMajor{}, fmt.Errorf("%s: X row %d column %d is %v: %w", what, i, j, v, ErrNotFinite)
			}
		}
	}
	return m, nil
}

// checkFit checks the input of a Fit: a live context, a non-empty finite X,
// and a finite y with one value per row of X.
func checkFit(ctx context.Context, what string, X mat.Matrix, y []float64) (rowMajor, error) {
	if err := checkLive(ctx, what, X, y); err != nil {
		return rowMajor{}, err
	}
	m, err := checkX(what, X)
	if err != nil {
		return rowMajor{}, err
	}
	return m, checkY(what, y)
}

// checkFitCols is checkFit for a [ColMatrix], which it does not copy.
func checkFitCols(ctx context.Context, what string, X *ColMatrix, y []float64) error {
	if err := checkLive(ctx, what, X, y); err != nil {
		return err
	}
	if err := X.check(what); err != nil {
		return err
	}
	return checkY(what, y)
}

// checkLive checks that ctx is live and that a non-nil X has a row per
// value of y.
func checkLive(ctx context.Context, what string, X mat.Matrix, y []float64) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if X != nil {
		if r, _ := X.Dims(); r != len(y) {
			return fmt.Errorf("%s: X has %d rows but y has %d: %w", what, r, len(y), ErrLength)
		}
	}
	return nil
}

func checkY(what string, y []float64) error {
	for i, v := range y {
		if !finite(v) {
			return fmt.Errorf("%s: y[%d] is %v: %w", what, i, v, ErrNotFinite)
		}
	}
	return nil
}

// checkPredict checks the input of a Predict: a live context and a non-empty
// finite X with the number of columns the model was fitted on.
func checkPredict(ctx context.Context, what string, X mat.Matrix, features int) (rowMajor, error) {
	if err := checkWidth(ctx, what, X, features); err != nil {
		return rowMajor{}, err
	}
	return checkX(what, X)
}

// checkPredictCols is checkPredict for a [ColMatrix], which it does not copy.
func checkPredictCols(ctx context.Context, what string, X *ColMatrix, features int) error {
	if err := checkWidth(ctx, what, X, features); err != nil {
		return err
	}
	return X.check(what)
}

// checkWidth checks that ctx is live and that a non-nil X has features
// columns.
func checkWidth(ctx context.Context, what string, X mat.Matrix, features int) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if X != nil {
		if _, c := X.Dims(); c != features {
			return fmt.Errorf("%s: X has %d columns but the model was fitted on %d: %w", what, c, features, ErrFeatures)
		}
	}
	return nil
}

// workers returns n if positive, else GOMAXPROCS.
func workers(n int) int {
	if n > 0 {
		return n
	}
	return runtime.GOMAXPROCS(0)
}

// checkFinite returns an ErrState error naming field if any value of v is
// not finite.
func checkFinite(what, field string, v []float64) error {
	for i, x := range v {
		if !finite(x) {
			return fmt.Errorf("%s: %s[%d] is %v: %w", what, field, i, x, ErrState)
		}
	}
	return nil
}
