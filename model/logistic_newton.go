package model

import (
	"context"
	"errors"
	"math"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// logisticProblem is the objective of a logistic regression, normalised as
// scikit-learn's newton-cholesky solver does:
//
//	F(β) = (1/S)·Σᵢ sᵢ·ℓᵢ + (λ/2S)·Σ_r ||w_r||²,  S = Σᵢ sᵢ
//
// The parameters β hold one row of d = p (+1 with an intercept) values per
// output (1 for two classes, k for more), the intercept last.
type logisticProblem struct {
	x         rowMajor
	codes     []int32   // class index of each row
	sw        []float64 // sample weights, nil for all 1
	k         int       // classes
	intercept bool
	lambda    float64 // 1/C, or 0 without a penalty
	workers   int

	blocks []logisticBlock
	bounds []int // rows of block b are bounds[b]:bounds[b+1]
}

// logisticBlock holds the partial sums of one fixed block of rows.
type logisticBlock struct {
	loss, weight float64
	grad, hess   []float64
}

// logisticScratch is one worker's buffers.
type logisticScratch struct {
	xt, yt []float64 // d × chunk, a chunk of rows transposed
	prob   []float64 // chunk × k
	z      []float64
}

func (lp *logisticProblem) dim() int {
	if lp.intercept {
		return lp.x.c + 1
	}
	return lp.x.c
}

func (lp *logisticProblem) outputs() int {
	if lp.k == 2 {
		return 1
	}
	return lp.k
}

// chunkRows is the number of rows transposed into a scratch buffer at once:
// about 2 MiB of buffer, whatever the width.
func (lp *logisticProblem) chunkRows() int {
	return min(max((1<<18)/lp.dim(), 64), 4096)
}

// layout splits the rows into a number of blocks that depends only on the
// shape of the problem (never on the worker count), so partial sums are
// merged identically however many goroutines compute them.
func (lp *logisticProblem) layout() {
	D := lp.dim() * lp.outputs()
	n := lp.x.r
	nb := 32
	// Bound the partial Hessians to about 64 MiB in all.
	if lim := (64 << 20) / (8 * D * D); lim < nb {
		nb = max(lim, 1)
	}
	minRows := 4 * lp.chunkRows()
	nb = max(min(nb, (n+minRows-1)/minRows), 1)
	lp.bounds = make([]int, nb+1)
	for b := range nb + 1 {
		lp.bounds[b] = int(int64(n) * int64(b) / int64(nb))
	}
	lp.blocks = make([]logisticBlock, nb)
	for b := range lp.blocks {
		lp.blocks[b].grad = make([]float64, D)
	}
}

// eval returns F(β) and, when grad is not nil, writes its gradient into grad
// and, when hess is not nil, its Hessian's upper triangle (D × D, row-major)
// into hess.
func (lp *logisticProblem) eval(ctx context.Context, beta, grad, hess []float64) (float64, error) {
	D := len(beta)
	wantGrad, wantHess := grad != nil, hess != nil
	var next atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	nw := min(lp.workers, len(lp.blocks))
	for range nw {
		g.Go(func() error {
			var s logisticScratch
			for {
				b := int(next.Add(1) - 1)
				if b >= len(lp.blocks) {
					return nil
				}
				if err := gctx.Err(); err != nil {
					return err
				}
				blk := &lp.blocks[b]
				blk.loss, blk.weight = 0, 0
				if wantGrad {
					clear(blk.grad)
				}
				if wantHess {
					if blk.hess == nil {
						blk.hess = make([]float64, D*D)
					} else {
						clear(blk.hess)
					}
				}
				m := lp.chunkRows()
				for lo := lp.bounds[b]; lo < lp.bounds[b+1]; lo += m {
					hi := min(lo+m, lp.bounds[b+1])
					lp.chunk(&s, blk, beta, lo, hi, wantGrad, wantHess)
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	var loss, weight float64
	if wantGrad {
		clear(grad)
	}
	if wantHess {
		clear(hess)
	}
	for b := range lp.blocks {
		blk := &lp.blocks[b]
		loss += blk.loss
		weight += blk.weight
		if wantGrad {
			for j, v := range blk.grad {
				grad[j] += v
			}
		}
		if wantHess {
			for j, v := range blk.hess {
				hess[j] += v
			}
		}
	}
	// Normalise and add the penalty on the weights (not the intercepts).
	d, p := lp.dim(), lp.x.c
	lam := lp.lambda / weight
	loss /= weight
	for r := range lp.outputs() {
		for j := range p {
			w := beta[r*d+j]
			loss += 0.5 * lam * w * w
			if wantGrad {
				grad[r*d+j] = grad[r*d+j]/weight + lam*w
			}
		}
		if wantGrad && lp.intercept {
			grad[r*d+p] /= weight
		}
	}
	if wantHess {
		for j := range D {
			for q := j; q < D; q++ {
				hess[j*D+q] /= weight
			}
			if j%d < p {
				hess[j*D+j] += lam
			}
		}
	}
	return loss, nil
}

// chunk adds the contributions of rows lo:hi to blk.
func (lp *logisticProblem) chunk(s *logisticScratch, blk *logisticBlock, beta []float64, lo, hi int, wantGrad, wantHess bool) {
	d, p, R, k := lp.dim(), lp.x.c, lp.outputs(), lp.k
	m := hi - lo
	stride := lp.chunkRows()
	if wantHess && s.xt == nil {
		s.xt = make([]float64, d*stride)
		if R > 1 {
			s.yt = make([]float64, d*stride)
		}
	}
	if R > 1 && s.prob == nil {
		s.prob = make([]float64, stride*k)
		s.z = make([]float64, k)
	}
	var loss, weight float64
	for ii := range m {
		i := lo + ii
		x := lp.x.row(i)
		sw := 1.0
		if lp.sw != nil {
			sw = lp.sw[i]
		}
		weight += sw
		c := lp.codes[i]
		if R == 1 {
			z := dot(x, beta[:p])
			if lp.intercept {
				z += beta[p]
			}
			t := float64(c)
			loss += sw * (log1pexp(z) - t*z)
			if wantGrad {
				res := sw * (sigmoid(z) - t)
				g := blk.grad
				for j, v := range x {
					g[j] += res * v
				}
				if lp.intercept {
					g[p] += res
				}
			}
			if wantHess {
				e := math.Exp(-math.Abs(z))
				h := math.Sqrt(sw*e) / (1 + e) // sqrt(sw·p·(1-p))
				for j, v := range x {
					s.xt[j*stride+ii] = h * v
				}
				if lp.intercept {
					s.xt[p*stride+ii] = h
				}
			}
			continue
		}
		for r := range k {
			z := dot(x, beta[r*d:r*d+p])
			if lp.intercept {
				z += beta[r*d+p]
			}
			s.z[r] = z
		}
		pr := s.prob[ii*k : (ii+1)*k]
		lse := softmax(pr, s.z)
		loss += sw * (lse - s.z[c])
		if wantGrad {
			for r := range k {
				res := pr[r]
				if int32(r) == c {
					res--
				}
				res *= sw
				g := blk.grad[r*d : (r+1)*d]
				for j, v := range x {
					g[j] += res * v
				}
				if lp.intercept {
					g[p] += res
				}
			}
		}
		if wantHess {
			for j, v := range x {
				s.xt[j*stride+ii] = v
			}
			if lp.intercept {
				s.xt[p*stride+ii] = 1
			}
		}
	}
	blk.loss += loss
	blk.weight += weight
	if !wantHess {
		return
	}
	D := R * d
	if R == 1 {
		blas64.Syrk(blas.NoTrans, 1,
			blas64.General{Rows: d, Cols: m, Stride: stride, Data: s.xt},
			1, blas64.Symmetric{Uplo: blas.Upper, N: d, Stride: D, Data: blk.hess})
		return
	}
	xt := blas64.General{Rows: d, Cols: m, Stride: stride, Data: s.xt}
	for r := range k {
		for q := r; q < k; q++ {
			for ii := range m {
				pr := s.prob[ii*k : (ii+1)*k]
				v := pr[r] * (-pr[q])
				if r == q {
					v = pr[r] * (1 - pr[r])
				}
				if lp.sw != nil {
					v *= lp.sw[lo+ii]
				}
				for j := range d {
					s.yt[j*stride+ii] = v * s.xt[j*stride+ii]
				}
			}
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, xt,
				blas64.General{Rows: d, Cols: m, Stride: stride, Data: s.yt},
				1, blas64.General{Rows: d, Cols: d, Stride: D, Data: blk.hess[r*d*D+q*d:]})
		}
	}
}

// newton minimises F from β = 0 and returns β, the iterations run and
// whether max|∇F| <= tol was reached.
func (lp *logisticProblem) newton(ctx context.Context, maxIter int, tol float64) ([]float64, int, bool, error) {
	lp.layout()
	d, R := lp.dim(), lp.outputs()
	D := d * R
	beta := make([]float64, D)
	trial := make([]float64, D)
	grad := make([]float64, D)
	hess := make([]float64, D*D)
	step := mat.NewVecDense(D, nil)
	var ch mat.Cholesky
	for it := 0; it < maxIter; it++ {
		f, err := lp.eval(ctx, beta, grad, hess)
		if err != nil {
			return nil, 0, false, err
		}
		if maxAbs(grad) <= tol {
			return beta, it, true, nil
		}
		lp.gauge(hess)
		if err := solveNewton(&ch, hess, grad, step); err != nil {
			return nil, 0, false, err
		}
		dir := step.RawVector().Data
		gd := 0.0
		for j := range dir {
			gd += grad[j] * dir[j]
		}
		if gd >= 0 { // not a descent direction: Hessian too ill-conditioned
			return beta, it, false, nil
		}
		accepted := false
		slack := 16 * 0x1p-52 * math.Abs(f)
		for t := 1.0; t > 1e-12; t /= 2 {
			for j := range beta {
				trial[j] = beta[j] + t*dir[j]
			}
			ft, err := lp.eval(ctx, trial, nil, nil)
			if err != nil {
				return nil, 0, false, err
			}
			if ft <= f+1e-4*t*gd+slack {
				accepted = true
				break
			}
		}
		if !accepted {
			return beta, it, false, nil
		}
		beta, trial = trial, beta
	}
	if _, err := lp.eval(ctx, beta, grad, nil); err != nil {
		return nil, 0, false, err
	}
	return beta, maxIter, maxAbs(grad) <= tol, nil
}

// gauge removes the null directions of a softmax Hessian: a common shift of
// the intercepts (and, without a penalty, of the weights) leaves F unchanged.
// Adding μ·11ᵀ on those directions makes the Hessian definite without
// changing the Newton step on the rest, and the step stays orthogonal to the
// shift, since the gradient is.
func (lp *logisticProblem) gauge(hess []float64) {
	R := lp.outputs()
	if R == 1 {
		return
	}
	d, p := lp.dim(), lp.x.c
	D := d * R
	for j := range d {
		if j < p && lp.lambda > 0 {
			continue
		}
		var mu float64
		for r := range R {
			mu += hess[(r*d+j)*D+r*d+j]
		}
		mu /= float64(R)
		if mu <= 0 {
			mu = 1
		}
		for r := range R {
			for q := r; q < R; q++ {
				hess[(r*d+j)*D+q*d+j] += mu
			}
		}
	}
}

// solveNewton solves H·step = -g (H's upper triangle in hess), adding a
// growing multiple of the mean diagonal when H is not numerically positive
// definite, as happens when the data are separable and no penalty holds the
// weights.
func solveNewton(ch *mat.Cholesky, hess, grad []float64, step *mat.VecDense) error {
	D := len(grad)
	sym := mat.NewSymDense(D, hess)
	var mean float64
	for j := range D {
		mean += hess[j*D+j]
	}
	mean /= float64(D)
	if !(mean > 0) || !finite(mean) {
		mean = 1
	}
	neg := make([]float64, D)
	for j, v := range grad {
		neg[j] = -v
	}
	rhs := mat.NewVecDense(D, neg)
	jitter := 0.0
	for try := 0; try < 12; try++ {
		if jitter > 0 {
			add := jitter
			if try > 1 {
				add = jitter - jitter/100
			}
			for j := range D {
				hess[j*D+j] += add
			}
		}
		if ch.Factorize(sym) {
			err := ch.SolveVecTo(step, rhs)
			var cond mat.Condition
			if err == nil || errors.As(err, &cond) {
				ok := true
				for _, v := range step.RawVector().Data {
					if !finite(v) {
						ok = false
						break
					}
				}
				if ok && (err == nil || jitter > 0 || float64(cond) < 1e20) {
					return nil
				}
			}
		}
		if jitter == 0 {
			jitter = 1e-10 * mean
		} else {
			jitter *= 100
		}
	}
	return errors.New("the Newton system is not positive definite (are features constant multiples of each other?)")
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}
