package model

import (
	"context"
	"errors"
	"fmt"
	"math"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// tsqrBlock is the number of rows factorised at once by tsqr.
const tsqrBlock = 4096

// tsqr solves min ||y - Xw - b||² + alpha·||w||² (b = 0 without an
// intercept) by a tall-skinny QR factorisation: the rows are cut into
// fixed blocks; each block of [X y] (centred) is factorised on its own, in
// parallel, and the stacked triangular factors, with √alpha·I below them,
// are factorised once more. The last factor R and Qᵀy give w by SVD
// (minimum norm when X is rank deficient, as scikit-learn's lstsq). X is
// never copied whole; the result does not depend on the worker count.
func tsqr(ctx context.Context, xv rowMajor, y []float64, intercept bool, alpha float64, nw int) ([]float64, float64, error) {
	n, p := xv.r, xv.c
	q := p + 1 // columns of [X y]
	xmean := make([]float64, p)
	var ymean float64
	if intercept {
		for i := range n {
			for j, v := range xv.row(i) {
				xmean[j] += v
			}
			ymean += y[i]
		}
		for j := range xmean {
			xmean[j] /= float64(n)
		}
		ymean /= float64(n)
	}
	nb := (n + tsqrBlock - 1) / tsqrBlock
	extra := 0
	if alpha > 0 {
		extra = p
	}
	// stacked holds each block's q×q triangular factor, then √alpha·I.
	stacked := make([]float64, (nb*q+extra)*q)
	// At most nw blocks are factorised at once, each in one of these.
	bufs := make(chan []float64, nw)
	for range nw {
		bufs <- make([]float64, min(n, tsqrBlock)*q)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(nw)
	for b := range nb {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			lo, hi := b*tsqrBlock, min((b+1)*tsqrBlock, n)
			m := hi - lo
			buf := <-bufs
			defer func() { bufs <- buf }()
			buf = buf[:m*q]
			for i := range m {
				row := buf[i*q : (i+1)*q]
				for j, v := range xv.row(lo + i) {
					row[j] = v - xmean[j]
				}
				row[p] = y[lo+i] - ymean
			}
			r := qrR(blas64.General{Rows: m, Cols: q, Stride: q, Data: buf})
			copy(stacked[b*q*q:(b+1)*q*q], r)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, 0, err
	}
	if alpha > 0 {
		s := math.Sqrt(alpha)
		base := nb * q * q
		for j := range p {
			stacked[base+j*q+j] = s
		}
	}
	r := qrR(blas64.General{Rows: nb*q + extra, Cols: q, Stride: q, Data: stacked})
	// min ||R w - z||: R is r[:p,:p], z = r[:p, p].
	R := mat.NewDense(p, p, nil)
	z := make([]float64, p)
	for i := range p {
		for j := i; j < p; j++ {
			R.Set(i, j, r[i*q+j])
		}
		z[i] = r[i*q+p]
	}
	w, err := minNormRows(R, z, max(n, p))
	if err != nil {
		return nil, 0, err
	}
	for _, v := range w {
		if !finite(v) {
			return nil, 0, fmt.Errorf("solution is not finite (features too large or collinear): %w", ErrNotFinite)
		}
	}
	b := 0.0
	if intercept {
		b = ymean - dot(xmean, w)
	}
	return w, b, nil
}

// qrR factorises a (rows ≥ 1) in place and returns its q×q upper
// triangular factor R, row-major, zero below the diagonal (and zero rows
// when a has fewer rows than columns).
func qrR(a blas64.General) []float64 {
	q := a.Cols
	k := min(a.Rows, q)
	tau := make([]float64, k)
	work := make([]float64, 1)
	lapack64.Geqrf(a, tau, work, -1)
	work = make([]float64, int(work[0]))
	lapack64.Geqrf(a, tau, work, len(work))
	r := make([]float64, q*q)
	for i := range k {
		copy(r[i*q+i:(i+1)*q], a.Data[i*a.Stride+i:i*a.Stride+q])
	}
	return r
}

// minNormRows returns the minimum-norm solution of min ||A w - z|| by SVD,
// treating singular values below eps·rows·σmax as zero (scipy's lstsq
// cutoff with the rows of the original problem).
func minNormRows(a *mat.Dense, z []float64, rows int) ([]float64, error) {
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDThin) {
		return nil, errors.New("SVD did not converge")
	}
	_, p := a.Dims()
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	s := svd.Values(nil)
	cut := 0.0
	if len(s) > 0 {
		cut = 0x1p-52 * float64(rows) * s[0]
	}
	w := make([]float64, p)
	zv := mat.NewVecDense(len(z), z)
	for k, sk := range s {
		if sk <= cut {
			break
		}
		c := mat.Dot(u.ColView(k), zv) / sk
		for j := range p {
			w[j] += c * v.At(j, k)
		}
	}
	return w, nil
}

// ridgeGram solves min ||y - Xw - b||² + alpha·||w||² (alpha > 0) by the
// normal equations (X'X + alpha·I) w = X'y on centred data, as
// scikit-learn's cholesky solver: X'X and X'y are summed over fixed blocks
// of rows in parallel and merged in block order, so the result does not
// depend on the worker count.
func ridgeGram(ctx context.Context, xv rowMajor, y []float64, intercept bool, alpha float64, nw int) ([]float64, float64, error) {
	n, p := xv.r, xv.c
	xmean := make([]float64, p)
	var ymean float64
	if intercept {
		for i := range n {
			for j, v := range xv.row(i) {
				xmean[j] += v
			}
			ymean += y[i]
		}
		for j := range xmean {
			xmean[j] /= float64(n)
		}
		ymean /= float64(n)
	}
	q := p + 1 // [X y]: the Gram of the augmented rows holds X'X and X'y
	nb := (n + tsqrBlock - 1) / tsqrBlock
	grams := make([]float64, nb*q*q)
	bufs := make(chan []float64, nw)
	for range nw {
		bufs <- make([]float64, q*min(n, tsqrBlock))
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(nw)
	for b := range nb {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			lo, hi := b*tsqrBlock, min((b+1)*tsqrBlock, n)
			m := hi - lo
			buf := <-bufs
			defer func() { bufs <- buf }()
			// Transposed block: row j holds feature j of rows lo:hi. Eight
			// rows at a time, so each write fills a cache line's worth of
			// a row of buf instead of striding m apart (which, m a power
			// of two, maps every write to the same cache set).
			for i0 := 0; i0 < m; i0 += 8 {
				i1 := min(i0+8, m)
				for i := i0; i < i1; i++ {
					buf[p*m+i] = y[lo+i] - ymean
				}
				for j := range p {
					mean, dst := xmean[j], buf[j*m:]
					for i := i0; i < i1; i++ {
						dst[i] = xv.data[(lo+i)*xv.stride+j] - mean
					}
				}
			}
			blas64.Syrk(blas.NoTrans, 1, blas64.General{Rows: q, Cols: m, Stride: m, Data: buf[:q*m]},
				0, blas64.Symmetric{Uplo: blas.Upper, N: q, Stride: q, Data: grams[b*q*q : (b+1)*q*q]})
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, 0, err
	}
	G := mat.NewSymDense(p, nil)
	rhs := mat.NewVecDense(p, nil)
	for b := range nb {
		blk := grams[b*q*q : (b+1)*q*q]
		for i := range p {
			for j := i; j < p; j++ {
				G.SetSym(i, j, G.At(i, j)+blk[i*q+j])
			}
			rhs.SetVec(i, rhs.AtVec(i)+blk[i*q+p])
		}
	}
	for j := range p {
		G.SetSym(j, j, G.At(j, j)+alpha)
	}
	var ch mat.Cholesky
	if !ch.Factorize(G) {
		return nil, 0, fmt.Errorf("X'X + alpha I is not positive definite (features too large?): %w", ErrNotFinite)
	}
	var w mat.VecDense
	if err := ch.SolveVecTo(&w, rhs); err != nil {
		var cond mat.Condition
		if !errors.As(err, &cond) {
			return nil, 0, err
		}
	}
	coef := append([]float64(nil), w.RawVector().Data...)
	if err := checkFinite("ridge", "coef", coef); err != nil {
		return nil, 0, fmt.Errorf("solution is not finite (features too large?): %w", ErrNotFinite)
	}
	b := 0.0
	if intercept {
		b = ymean - dot(xmean, coef)
	}
	return coef, b, nil
}
