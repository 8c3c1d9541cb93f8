package model

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// ElasticNet is linear regression with combined L1 and L2 penalties, with
// scikit-learn's objective:
//
//	1/(2n)·||y - Xw - b||² + Alpha·L1Ratio·||w||₁ + ½·Alpha·(1-L1Ratio)·||w||²
//
// solved by cyclic coordinate descent on centred data, stopping on
// scikit-learn's duality-gap criterion. Fit returns a *[LinearFit]. It
// returns an error wrapping [ErrParam] for a negative Alpha, an L1Ratio
// outside [0, 1] or a negative Tol or MaxIter, [ErrLength], [ErrEmpty] or
// [ErrNotFinite] on bad input, and the context's error if ctx is done. An
// ElasticNet is safe for concurrent use.
type ElasticNet struct {
	// Alpha is the penalty strength; 0 means 1, scikit-learn's default.
	Alpha float64
	// L1Ratio is the L1 share of the penalty, in [0, 1]; 0 means 0.5,
	// scikit-learn's default (use [Ridge] for a pure L2 penalty).
	L1Ratio float64
	// NoIntercept fits w alone (b = 0).
	NoIntercept bool
	// MaxIter bounds the passes over the features; 0 means 1000.
	MaxIter int
	// Tol stops the descent once the duality gap is at most Tol·||y||²
	// (y centred); 0 means 1e-4, scikit-learn's default.
	Tol float64
}

// Lasso is linear regression with an L1 penalty: [ElasticNet] with
// L1Ratio 1, as scikit-learn's Lasso. Its sparse coefficients select
// features. Fit returns a *[LinearFit] and the errors of [ElasticNet.Fit].
type Lasso struct {
	// Alpha is the penalty strength; 0 means 1, scikit-learn's default.
	Alpha float64
	// NoIntercept fits w alone (b = 0).
	NoIntercept bool
	// MaxIter bounds the passes over the features; 0 means 1000.
	MaxIter int
	// Tol is the duality-gap tolerance; 0 means 1e-4.
	Tol float64
}

// Fit learns the coefficients; see [Lasso].
func (m Lasso) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	return ElasticNet{Alpha: m.Alpha, L1Ratio: 1, NoIntercept: m.NoIntercept, MaxIter: m.MaxIter, Tol: m.Tol}.fit(ctx, "lasso", X, y)
}

// Fit learns the coefficients; see [ElasticNet].
func (m ElasticNet) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	return m.fit(ctx, "elastic net", X, y)
}

func (m ElasticNet) fit(ctx context.Context, what string, X mat.Matrix, y []float64) (Predictor, error) {
	alpha, l1 := m.Alpha, m.L1Ratio
	if alpha == 0 {
		alpha = 1
	}
	if l1 == 0 {
		l1 = 0.5
	}
	if alpha < 0 || !finite(alpha) || !(l1 >= 0 && l1 <= 1) || m.Tol < 0 || m.MaxIter < 0 {
		return nil, fmt.Errorf("%s: Alpha %v, L1Ratio %v, Tol %v, MaxIter %d: %w", what, m.Alpha, m.L1Ratio, m.Tol, m.MaxIter, ErrParam)
	}
	maxIter := m.MaxIter
	if maxIter == 0 {
		maxIter = 1000
	}
	tol := m.Tol
	if tol == 0 {
		tol = 1e-4
	}
	xv, err := checkFit(ctx, what, X, y)
	if err != nil {
		return nil, err
	}
	xc, xmean, yc, ymean := centre(xv, y, !m.NoIntercept)
	n, p := xc.Dims()
	// Columns of X, contiguous, for the coordinate updates.
	cols := make([][]float64, p)
	raw := xc.RawMatrix()
	for j := range p {
		c := make([]float64, n)
		for i := range n {
			c[i] = raw.Data[i*raw.Stride+j]
		}
		cols[j] = c
	}
	var w []float64
	if n >= 2*p {
		w = gramDescent(ctx, cols, yc, alpha*l1*float64(n), alpha*(1-l1)*float64(n), maxIter, tol)
	} else {
		w = coordinateDescent(ctx, cols, yc, alpha*l1*float64(n), alpha*(1-l1)*float64(n), maxIter, tol)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	b := 0.0
	if !m.NoIntercept {
		b = ymean - dot(xmean, w)
	}
	return &LinearFit{Coef: w, Intercept: b}, nil
}

// coordinateDescent minimises ½||y - Xw||² + a·||w||₁ + ½·b·||w||² over w,
// as scikit-learn's enet_coordinate_descent (cyclic, from w = 0), checking
// the duality gap once the largest coefficient change falls below tol.
func coordinateDescent(ctx context.Context, cols [][]float64, y []float64, a, b float64, maxIter int, tol float64) []float64 {
	p := len(cols)
	w := make([]float64, p)
	norms := make([]float64, p)
	for j, c := range cols {
		norms[j] = dot(c, c)
	}
	r := append([]float64(nil), y...)
	dwTol := tol
	tol *= dot(y, y)
	xta := make([]float64, p)
	for iter := 0; iter < maxIter; iter++ {
		if iter%16 == 0 && ctx.Err() != nil {
			return w
		}
		var wMax, dMax float64
		for j, c := range cols {
			if norms[j] == 0 {
				continue
			}
			old := w[j]
			if old != 0 {
				axpy(old, c, r)
			}
			t := dot(c, r)
			nw := 0.0 // +0, never -0, for a coefficient set to zero
			if m := math.Abs(t) - a; m > 0 {
				nw = math.Copysign(m, t) / (norms[j] + b)
			}
			w[j] = nw
			if nw != 0 {
				axpy(-nw, c, r)
			}
			dMax = max(dMax, math.Abs(nw-old))
			wMax = max(wMax, math.Abs(nw))
		}
		if wMax == 0 || dMax/wMax < dwTol || iter == maxIter-1 {
			// The duality gap, as scikit-learn computes it.
			var dual float64
			for j, c := range cols {
				xta[j] = dot(c, r) - b*w[j]
				dual = max(dual, math.Abs(xta[j]))
			}
			rn := dot(r, r)
			wn := dot(w, w)
			var gap, cst float64
			if dual > a {
				cst = a / dual
				gap = 0.5 * (rn + rn*cst*cst)
			} else {
				cst = 1
				gap = rn
			}
			var l1 float64
			for _, v := range w {
				l1 += math.Abs(v)
			}
			gap += a*l1 - cst*dot(r, y) + 0.5*b*(1+cst*cst)*wn
			if gap < tol {
				return w
			}
		}
	}
	return w
}

// axpy sets y += a·x.
func axpy(a float64, x, y []float64) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += a * v
	}
}

// gramDescent is coordinateDescent working on the Gram matrix X'X and X'y
// instead of the residual, as scikit-learn's precomputed variant: each
// coordinate update costs O(p) instead of O(n), so for many more rows than
// features a pass is far cheaper.
func gramDescent(ctx context.Context, cols [][]float64, y []float64, a, b float64, maxIter int, tol float64) []float64 {
	p := len(cols)
	gram := make([]float64, p*p)
	xty := make([]float64, p)
	for j := range p {
		xty[j] = dot(cols[j], y)
		for k := j; k < p; k++ {
			gram[j*p+k] = dot(cols[j], cols[k])
			gram[k*p+j] = gram[j*p+k]
		}
	}
	yy := dot(y, y)
	w := make([]float64, p)
	q := slices.Clone(xty) // q = X'y - X'X w = X'r
	dwTol := tol
	tol *= yy
	for iter := 0; iter < maxIter; iter++ {
		if iter%64 == 0 && ctx.Err() != nil {
			return w
		}
		var wMax, dMax float64
		for j := range p {
			norm := gram[j*p+j]
			if norm == 0 {
				continue
			}
			old := w[j]
			t := q[j] + old*norm
			nw := 0.0
			if m := math.Abs(t) - a; m > 0 {
				nw = math.Copysign(m, t) / (norm + b)
			}
			if d := nw - old; d != 0 {
				w[j] = nw
				row := gram[j*p : (j+1)*p]
				for k := range q {
					q[k] -= d * row[k]
				}
			}
			dMax = max(dMax, math.Abs(nw-old))
			wMax = max(wMax, math.Abs(nw))
		}
		if wMax == 0 || dMax/wMax < dwTol || iter == maxIter-1 {
			// The duality gap with r·r = y·y - 2w·X'y + w'X'Xw and r·y = y·y - w·X'y.
			var dual, wGw, l1 float64
			for j := range p {
				dual = max(dual, math.Abs(q[j]-b*w[j]))
				wGw += w[j] * (xty[j] - q[j])
				l1 += math.Abs(w[j])
			}
			wy := dot(w, xty)
			rn := max(yy-2*wy+wGw, 0)
			ry := yy - wy
			var gap, cst float64
			if dual > a {
				cst = a / dual
				gap = 0.5 * (rn + rn*cst*cst)
			} else {
				cst = 1
				gap = rn
			}
			gap += a*l1 - cst*ry + 0.5*b*(1+cst*cst)*dot(w, w)
			if gap < tol {
				return w
			}
		}
	}
	return w
}
