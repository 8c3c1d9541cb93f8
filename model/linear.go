package model

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

func init() {
	Register[*LinearFit]("linear_regression", 1)
}

// LinearRegression is ordinary least squares: it minimises ||y - Xw - b||²,
// as scikit-learn's LinearRegression. The zero value fits an intercept.
//
// Fit centres X and y (when fitting an intercept) and solves the least
// squares problem by a tall-skinny QR factorisation: blocks of rows of
// [X y] are factorised in parallel (GOMAXPROCS goroutines) and their
// triangular factors once more, so X is read once and never copied whole,
// and the result does not depend on the number of goroutines. The last
// small factor is solved by SVD, which gives the minimum-norm solution when
// X is rank deficient, as scikit-learn's lstsq does. Fit returns a *[LinearFit]. It returns an
// error wrapping [ErrLength], [ErrEmpty] or [ErrNotFinite] on bad input and
// the context's error if ctx is done. A LinearRegression is safe for
// concurrent use.
type LinearRegression struct {
	// NoIntercept fits w alone (b = 0), for data already centred.
	NoIntercept bool
}

// Fit learns the coefficients from X and y; see [LinearRegression].
func (m LinearRegression) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	const what = "linear regression"
	xv, err := checkFit(ctx, what, X, y)
	if err != nil {
		return nil, err
	}
	coef, intercept, err := solveLeastSquares(ctx, xv, y, !m.NoIntercept, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &LinearFit{Coef: coef, Intercept: intercept}, nil
}

// LinearFit is a fitted linear model: Predict returns X·Coef + Intercept.
// It is the fitted form of [LinearRegression], [Ridge], [Lasso] and
// [ElasticNet]. Its fields are read-only once fitted; a LinearFit is safe for
// concurrent use.
type LinearFit struct {
	// Coef holds one coefficient per feature (column of X).
	Coef []float64 `json:"coef"`
	// Intercept is the constant term (0 without an intercept).
	Intercept float64 `json:"intercept"`
}

// Predict returns X·Coef + Intercept for each row of X. It returns an error
// wrapping [ErrFeatures] if X's column count differs from len(Coef),
// [ErrEmpty] or [ErrNotFinite] for an empty or non-finite X.
func (f *LinearFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	xv, err := checkPredict(ctx, "linear model predict", X, len(f.Coef))
	if err != nil {
		return nil, err
	}
	out := make([]float64, xv.r)
	for i := range out {
		out[i] = dot(xv.row(i), f.Coef) + f.Intercept
	}
	return out, nil
}

// Validate reports an error wrapping [ErrState] if the state is unusable: no
// coefficients or a non-finite value. [Unmarshal] calls it.
func (f *LinearFit) Validate() error {
	if len(f.Coef) == 0 {
		return fmt.Errorf("linear model: no coefficients: %w", ErrState)
	}
	if err := checkFinite("linear model", "coef", f.Coef); err != nil {
		return err
	}
	return checkFinite("linear model", "intercept", []float64{f.Intercept})
}

func dot(a, b []float64) float64 {
	var s0, s1, s2, s3 float64
	b = b[:len(a)]
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// centre returns a dense copy of X with its column means removed (when
// intercept is set), those means, and y likewise centred.
func centre(xv rowMajor, y []float64, intercept bool) (xc *mat.Dense, xmean []float64, yc []float64, ymean float64) {
	n, p := xv.r, xv.c
	data := make([]float64, n*p)
	xmean = make([]float64, p)
	for i := range n {
		copy(data[i*p:(i+1)*p], xv.row(i))
	}
	yc = append([]float64(nil), y...)
	if intercept {
		for i := range n {
			row := data[i*p : (i+1)*p]
			for j, v := range row {
				xmean[j] += v
			}
		}
		for j := range xmean {
			xmean[j] /= float64(n)
		}
		for i := range n {
			row := data[i*p : (i+1)*p]
			for j := range row {
				row[j] -= xmean[j]
			}
		}
		for _, v := range y {
			ymean += v
		}
		ymean /= float64(n)
		for i := range yc {
			yc[i] -= ymean
		}
	}
	return mat.NewDense(n, p, data), xmean, yc, ymean
}

// solveLeastSquares solves min ||y - Xw - b||² + alpha||w||² by tsqr (or,
// with a penalty, ridgeGram) when X has enough rows for their blocks, and
// by leastSquares otherwise.
func solveLeastSquares(ctx context.Context, xv rowMajor, y []float64, intercept bool, alpha float64) ([]float64, float64, error) {
	if xv.r >= 2*(xv.c+1) {
		if alpha > 0 {
			return ridgeGram(ctx, xv, y, intercept, alpha, workers(0))
		}
		return tsqr(ctx, xv, y, intercept, alpha, workers(0))
	}
	return leastSquares(ctx, xv, y, intercept, alpha)
}

// leastSquares solves min ||y - Xw - b||² + alpha||w||² (b = 0 without an
// intercept). alpha = 0 is solved by QR (SVD when rank deficient); alpha > 0
// by the Cholesky factorisation of X'X + alpha I, as scikit-learn's ridge.
func leastSquares(ctx context.Context, xv rowMajor, y []float64, intercept bool, alpha float64) ([]float64, float64, error) {
	xc, xmean, yc, ymean := centre(xv, y, intercept)
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	n, p := xc.Dims()
	var w []float64
	if alpha > 0 {
		var err error
		if w, err = ridgeSolve(xc, yc, alpha); err != nil {
			return nil, 0, err
		}
	} else {
		var solved bool
		if n >= p {
			var qr mat.QR
			qr.Factorize(xc)
			var dst mat.Dense
			err := qr.SolveTo(&dst, false, mat.NewDense(n, 1, yc))
			var cond mat.Condition
			// QR without pivoting does not reveal rank reliably: leave
			// nearly singular problems to the SVD, which gives the
			// minimum-norm solution.
			if err == nil && qr.Cond() < 1/(0x1p-52*float64(max(n, p))) {
				w = dst.RawMatrix().Data
				if len(w) > p { // defensive: SolveTo sizes dst p×1
					w = w[:p]
				}
				solved = true
			} else if err != nil && !errors.As(err, &cond) {
				return nil, 0, fmt.Errorf("QR solve: %w", err)
			}
		}
		if !solved {
			var err error
			if w, err = minNorm(xc, yc); err != nil {
				return nil, 0, err
			}
		}
	}
	b := 0.0
	if intercept {
		b = ymean - dot(xmean, w)
	}
	w = append([]float64(nil), w...)
	for _, v := range w {
		if !finite(v) {
			return nil, 0, fmt.Errorf("solution is not finite (features too large or collinear): %w", ErrNotFinite)
		}
	}
	return w, b, nil
}

// minNorm returns the minimum-norm least squares solution of A w = y by SVD,
// treating singular values below eps·max(n,p)·σmax as zero.
func minNorm(a *mat.Dense, y []float64) ([]float64, error) {
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, errors.New("SVD did not converge")
	}
	n, p := a.Dims()
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	s := svd.Values(nil)
	cut := 0.0
	if len(s) > 0 {
		cut = math.Nextafter(1, 2) - 1
		cut *= float64(max(n, p)) * s[0]
	}
	w := make([]float64, p)
	yv := mat.NewVecDense(n, y)
	for k, sk := range s {
		if sk <= cut {
			break
		}
		c := mat.Dot(u.ColView(k), yv) / sk
		for j := range p {
			w[j] += c * v.At(j, k)
		}
	}
	return w, nil
}
