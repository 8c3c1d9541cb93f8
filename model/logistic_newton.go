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

// maxNewtonDim is the most parameters solved by Newton's method: beyond,
// the D×D Hessian (its memory and its D³ factorisation) costs more than the
// many cheap iterations of L-BFGS.
var maxNewtonDim = 1024

// hessianSample is the least number of rows the Hessian is estimated on
// (tests lower it).
var hessianSample = 1 << 17

// logisticProblem is the objective of a logistic regression, normalised as
// scikit-learn's newton-cholesky solver does:
//
//	F(β) = (1/S)·Σᵢ sᵢ·ℓᵢ + (λ/2S)·Σ_r ||w_r||²,  S = Σᵢ sᵢ
//
// The parameters β hold one row of d = p (+1 with an intercept) values per
// output (1 for two classes, k for more), the intercept last.
type logisticProblem struct {
	x         rowMajor   // the rows; only x.r and x.c are set when cols is
	cols      *ColMatrix // X by columns, or nil
	codes     []int32    // class index of each row
	sw        []float64  // sample weights, nil for all 1
	k         int        // classes
	intercept bool
	lambda    float64 // 1/C, or 0 without a penalty
	workers   int

	blocks  []logisticBlock
	bounds  []int // rows of block b are bounds[b]:bounds[b+1]
	hrows   []int // the Hessian is estimated on rows bounds[b]:hrows[b]
	scratch []logisticScratch
}

// logisticBlock holds the partial sums of one fixed block of rows.
type logisticBlock struct {
	loss, weight, hweight float64
	grad, hess            []float64
}

// logisticScratch is one worker's buffers.
type logisticScratch struct {
	xt, yt []float64 // d × chunk, a chunk of rows transposed
	z, res []float64 // chunk × k: scores or probabilities, residuals
	hs, hd []float64 // by columns: √(Hessian weight) per row; the dense columns' Gram block
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
	// The Hessian only steers the steps (the gradient, and so the
	// solution, is exact): on many rows, estimate it on a fixed sample,
	// the head of every block, large enough for a relative error of about
	// a percent. Newton then converges linearly at about that rate.
	sample := max(hessianSample, 32*D*D)
	lp.hrows = make([]int, nb)
	for b := range nb {
		rows := lp.bounds[b+1] - lp.bounds[b]
		take := rows
		if n > sample {
			take = int((int64(rows)*int64(sample) + int64(n) - 1) / int64(n))
		}
		lp.hrows[b] = lp.bounds[b] + min(rows, take)
	}
	lp.scratch = make([]logisticScratch, min(lp.workers, nb))
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
	for w := range lp.scratch {
		g.Go(func() error {
			s := &lp.scratch[w]
			for {
				b := int(next.Add(1) - 1)
				if b >= len(lp.blocks) {
					return nil
				}
				if err := gctx.Err(); err != nil {
					return err
				}
				blk := &lp.blocks[b]
				blk.loss, blk.weight, blk.hweight = 0, 0, 0
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
					lp.chunk(s, blk, beta, lo, hi, wantGrad, wantHess && lo < lp.hrows[b], lp.hrows[b])
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	var loss, weight, hweight float64
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
		hweight += blk.hweight
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
		if hweight == 0 {
			hweight = 1 // every sampled row weighs 0: the data term is 0
		}
		for j := range D {
			for q := j; q < D; q++ {
				hess[j*D+q] /= hweight
			}
			if j%d < p {
				hess[j*D+j] += lam
			}
		}
	}
	return loss, nil
}

// chunk adds the contributions of rows lo:hi to blk.
//
// Rows before hhi also add to the Hessian when wantHess is set.
func (lp *logisticProblem) chunk(s *logisticScratch, blk *logisticBlock, beta []float64, lo, hi int, wantGrad, wantHess bool, hhi int) {
	d, p, R, k := lp.dim(), lp.x.c, lp.outputs(), lp.k
	m := hi - lo
	mh := 0 // rows lo:lo+mh add to the Hessian
	if wantHess {
		mh = min(hi, hhi) - lo
	}
	if lp.cols != nil {
		lp.chunkCols(s, blk, beta, lo, hi, wantGrad, max(mh, 0))
		return
	}
	stride := lp.chunkRows()
	if s.z == nil {
		s.z = make([]float64, stride*k)
		s.res = make([]float64, stride*k)
	}
	if wantHess && s.xt == nil {
		s.xt = make([]float64, d*stride)
		if R > 1 {
			s.yt = make([]float64, d*stride)
		}
	}
	xs := lp.x.stride
	xc := blas64.General{Rows: m, Cols: p, Stride: xs, Data: lp.x.data[lo*xs : (hi-1)*xs+p]}
	var loss, weight float64
	if R == 1 {
		z, res := s.z[:m], s.res[:m]
		scores(z, lp.x, lo, beta[:p])
		b := 0.0
		if lp.intercept {
			b = beta[p]
		}
		var gb float64
		for ii := range m {
			sw := 1.0
			if lp.sw != nil {
				sw = lp.sw[lo+ii]
			}
			weight += sw
			l, r, e := binaryTerm(z[ii]+b, float64(lp.codes[lo+ii]), sw)
			loss += l
			res[ii] = r
			gb += r
			if ii < mh {
				h := math.Sqrt(sw*e) / (1 + e) // sqrt(sw·p·(1-p))
				for j, v := range lp.x.row(lo + ii) {
					s.xt[j*stride+ii] = h * v
				}
				if lp.intercept {
					s.xt[p*stride+ii] = h
				}
			}
		}
		if wantGrad {
			blas64.Gemv(blas.Trans, 1, xc, blas64.Vector{N: m, Inc: 1, Data: res}, 1, blas64.Vector{N: p, Inc: 1, Data: blk.grad[:p]})
			if lp.intercept {
				blk.grad[p] += gb
			}
		}
	} else {
		for ii := range m {
			i := lo + ii
			x := lp.x.row(i)
			sw := 1.0
			if lp.sw != nil {
				sw = lp.sw[i]
			}
			weight += sw
			c := lp.codes[i]
			z := s.res[ii*k : (ii+1)*k]
			for r := range k {
				z[r] = dot(x, beta[r*d:r*d+p])
				if lp.intercept {
					z[r] += beta[r*d+p]
				}
			}
			pr := s.z[ii*k : (ii+1)*k]
			lse := softmax(pr, z)
			loss += sw * (lse - z[c])
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
			if ii < mh {
				for j, v := range x {
					s.xt[j*stride+ii] = v
				}
				if lp.intercept {
					s.xt[p*stride+ii] = 1
				}
			}
		}
	}
	blk.loss += loss
	blk.weight += weight
	if mh <= 0 {
		return
	}
	if lp.sw == nil {
		blk.hweight += float64(mh)
	} else {
		for _, v := range lp.sw[lo : lo+mh] {
			blk.hweight += v
		}
	}
	m = mh
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
				pr := s.z[ii*k : (ii+1)*k]
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

// solve minimises F. On many rows it first solves the problem on an evenly
// spaced sample of them (every step-th row, with the penalty scaled to the
// sample's weight, so both problems have nearly the same solution) and
// starts from that solution: Newton's method then needs only its last, fast
// iterations on all the rows. The answer is the full problem's either way,
// since convergence is judged on the full gradient.
func (lp *logisticProblem) solve(ctx context.Context, maxIter int, tol float64) ([]float64, int, bool, error) {
	if lp.dim()*lp.outputs() > maxNewtonDim {
		return lp.lbfgs(ctx, maxIter, tol)
	}
	n := lp.x.r
	if n < 4*hessianSample {
		return lp.newton(ctx, nil, maxIter, tol)
	}
	step := 2 * n / hessianSample // about hessianSample/2 rows
	sub := *lp
	sub.x.r = (n + step - 1) / step
	sub.x.stride = lp.x.stride * step
	if lp.cols != nil {
		sub.cols = lp.cols.sample(step)
	}
	sub.codes = make([]int32, sub.x.r)
	for i := range sub.codes {
		sub.codes[i] = lp.codes[i*step]
	}
	var S, Ssub float64 = float64(n), float64(sub.x.r)
	if lp.sw != nil {
		S, Ssub = 0, 0
		sub.sw = make([]float64, sub.x.r)
		for i, v := range lp.sw {
			S += v
			if i%step == 0 {
				sub.sw[i/step] = v
				Ssub += v
			}
		}
		if Ssub == 0 {
			return lp.newton(ctx, nil, maxIter, tol)
		}
	}
	sub.lambda = lp.lambda * Ssub / S
	sub.blocks, sub.bounds, sub.hrows, sub.scratch = nil, nil, nil, nil
	start, _, _, err := sub.newton(ctx, nil, maxIter, max(tol, 1e-6))
	if err != nil {
		return nil, 0, false, err
	}
	return lp.newton(ctx, start, maxIter, tol)
}

// newton minimises F from β = start (nil for 0) and returns β, the iterations run and
// whether max|∇F| <= tol was reached.
//
// Each iteration costs one pass over X: the trial point of the line search
// is evaluated with its gradient (and Hessian), which serve the next
// iteration when the step is accepted, as it nearly always is. Once the
// gradient shrinks fast (the quadratic phase), the last Hessian's
// factorisation is reused for the next step and the Hessian, the expensive
// part of a pass, is skipped; it is recomputed as soon as progress slows.
func (lp *logisticProblem) newton(ctx context.Context, start []float64, maxIter int, tol float64) ([]float64, int, bool, error) {
	lp.layout()
	d, R := lp.dim(), lp.outputs()
	D := d * R
	beta, trial := make([]float64, D), make([]float64, D)
	copy(beta, start)
	grad, gradT := make([]float64, D), make([]float64, D)
	hess, hessT := make([]float64, D*D), make([]float64, D*D)
	step := mat.NewVecDense(D, nil)
	var ch mat.Cholesky
	f, err := lp.eval(ctx, beta, grad, hess)
	if err != nil {
		return nil, 0, false, err
	}
	fresh := true // hess holds the Hessian at beta, not yet factorised
	ratio := 1.0  // max|∇F| after the last step over before it
	for it := 0; it < maxIter; it++ {
		gmax := maxAbs(grad)
		if gmax <= tol {
			return beta, it, true, nil
		}
		if fresh {
			lp.gauge(hess)
			if err := factorNewton(&ch, hess); err != nil {
				return nil, 0, false, err
			}
			fresh = false
		}
		dir, gd := newtonStep(&ch, grad, step)
		wantHess := ratio > 0.05
		accepted := false
		if gd < 0 {
			slack := 16 * 0x1p-52 * math.Abs(f)
			for t := 1.0; t > 1e-12; t /= 2 {
				for j := range beta {
					trial[j] = beta[j] + t*dir[j]
				}
				var h []float64
				if wantHess {
					h = hessT
				}
				ft, err := lp.eval(ctx, trial, gradT, h)
				if err != nil {
					return nil, 0, false, err
				}
				if ft <= f+1e-4*t*gd+slack {
					accepted, f = true, ft
					break
				}
			}
		}
		if !accepted {
			if !wantHess && ratio <= 0.05 {
				// The reused Hessian failed: recompute it at beta.
				if f, err = lp.eval(ctx, beta, grad, hess); err != nil {
					return nil, 0, false, err
				}
				fresh, ratio = true, 1
				continue
			}
			return beta, it, false, nil
		}
		beta, trial = trial, beta
		grad, gradT = gradT, grad
		if wantHess {
			hess, hessT = hessT, hess
			fresh = true
		}
		ratio = maxAbs(grad) / gmax
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

// factorNewton factorises H (its upper triangle in hess), adding a growing
// multiple of the mean diagonal when H is not numerically positive definite,
// as happens when the data are separable and no penalty holds the weights.
func factorNewton(ch *mat.Cholesky, hess []float64) error {
	D := int(math.Sqrt(float64(len(hess))))
	sym := mat.NewSymDense(D, hess)
	var mean float64
	for j := range D {
		mean += hess[j*D+j]
	}
	mean /= float64(D)
	if !(mean > 0) || !finite(mean) {
		mean = 1
	}
	added := 0.0
	for try := 0; try < 12; try++ {
		if ch.Factorize(sym) && (ch.Cond() < 1e14 || try == 11) {
			return nil
		}
		jitter := 1e-12 * mean
		for range try {
			jitter *= 100
		}
		for j := range D {
			hess[j*D+j] += jitter - added
		}
		added = jitter
	}
	return errors.New("the Newton system is not positive definite (are features constant multiples of each other?)")
}

// newtonStep solves H·step = -grad with the factorised H and returns the
// step and grad·step (negative for a descent direction; 0 when the solve
// fails).
func newtonStep(ch *mat.Cholesky, grad []float64, step *mat.VecDense) ([]float64, float64) {
	neg := make([]float64, len(grad))
	for j, v := range grad {
		neg[j] = -v
	}
	err := ch.SolveVecTo(step, mat.NewVecDense(len(neg), neg))
	var cond mat.Condition
	if err != nil && !errors.As(err, &cond) {
		return nil, 0
	}
	dir := step.RawVector().Data
	gd := 0.0
	for j := range dir {
		if !finite(dir[j]) {
			return nil, 0
		}
		gd += grad[j] * dir[j]
	}
	return dir, gd
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}

// scores writes X[lo+i]·w into z[i] for each i. (Reading X from memory is
// the bound here; register blocking over rows does not help.)
func scores(z []float64, x rowMajor, lo int, w []float64) {
	m := len(z)
	i := 0
	for ; i < m; i++ {
		z[i] = dot(x.row(lo+i), w)
	}
}

// lbfgs minimises F by limited-memory BFGS (the last 20 steps), for
// problems with too many parameters for Newton's method. Each evaluation
// is one pass over X giving F and its gradient together; steps are found by
// a backtracking line search. The iteration limit is 10·maxIter.
func (lp *logisticProblem) lbfgs(ctx context.Context, maxIter int, tol float64) ([]float64, int, bool, error) {
	lp.layout()
	D := lp.dim() * lp.outputs()
	const memory = 20
	beta, trial := make([]float64, D), make([]float64, D)
	grad, gradT := make([]float64, D), make([]float64, D)
	dir := make([]float64, D)
	var sHist, yHist [][]float64
	var rho []float64
	alpha := make([]float64, memory)
	f, err := lp.eval(ctx, beta, grad, nil)
	if err != nil {
		return nil, 0, false, err
	}
	stalled := 0
	it := 0
	for ; it < 10*maxIter; it++ {
		if maxAbs(grad) <= tol {
			break
		}
		// Two-loop recursion: dir = -H·grad.
		for j, v := range grad {
			dir[j] = -v
		}
		for k := len(sHist) - 1; k >= 0; k-- {
			alpha[k] = rho[k] * dot(sHist[k], dir)
			axpy(-alpha[k], yHist[k], dir)
		}
		scale := 1.0
		if n := len(sHist); n > 0 {
			scale = dot(sHist[n-1], yHist[n-1]) / dot(yHist[n-1], yHist[n-1])
		} else {
			scale = 1 / max(maxAbs(grad)*math.Sqrt(float64(D)), 1)
		}
		for j := range dir {
			dir[j] *= scale
		}
		for k := range sHist {
			b := rho[k] * dot(yHist[k], dir)
			axpy(alpha[k]-b, sHist[k], dir)
		}
		gd := dot(grad, dir)
		if gd >= 0 { // not a descent direction: restart from the gradient
			sHist, yHist, rho = nil, nil, nil
			for j, v := range grad {
				dir[j] = -v / max(maxAbs(grad), 1)
			}
			gd = dot(grad, dir)
		}
		accepted := false
		var ft float64
		slack := 16 * 0x1p-52 * math.Abs(f)
		for t := 1.0; t > 1e-20; t /= 2 {
			for j := range beta {
				trial[j] = beta[j] + t*dir[j]
			}
			if ft, err = lp.eval(ctx, trial, gradT, nil); err != nil {
				return nil, 0, false, err
			}
			if ft <= f+1e-4*t*gd+slack {
				accepted = true
				break
			}
		}
		if !accepted {
			break
		}
		sv, yv := make([]float64, D), make([]float64, D)
		for j := range sv {
			sv[j] = trial[j] - beta[j]
			yv[j] = gradT[j] - grad[j]
		}
		if sy := dot(sv, yv); sy > 1e-300 {
			if len(sHist) == memory {
				sHist, yHist, rho = sHist[1:], yHist[1:], rho[1:]
			}
			sHist, yHist, rho = append(sHist, sv), append(yHist, yv), append(rho, 1/sy)
		}
		if f-ft <= 1e-15*math.Abs(f) {
			stalled++
		} else {
			stalled = 0
		}
		beta, trial = trial, beta
		grad, gradT = gradT, grad
		f = ft
		if stalled >= 10 {
			break
		}
	}
	if lp.outputs() > 1 {
		lp.centreShift(beta)
	}
	return beta, it, maxAbs(grad) <= tol, nil
}

// centreShift removes, from a softmax's parameters, the common shift of the
// weights of each feature across classes when there is no penalty (the
// intercepts are centred by the caller), so the answer is the one with
// zero sum, as Newton's method gives.
func (lp *logisticProblem) centreShift(beta []float64) {
	if lp.lambda > 0 {
		return
	}
	d, R := lp.dim(), lp.outputs()
	for j := range lp.x.c {
		var s float64
		for r := range R {
			s += beta[r*d+j]
		}
		s /= float64(R)
		for r := range R {
			beta[r*d+j] -= s
		}
	}
}

// binaryTerm returns one row's part of the binary logistic loss and its
// gradient: the weighted loss sw·(log(1+exp(z)) − t·z), the residual
// sw·(p − t) with p = 1/(1+exp(−z)), and e = exp(−|z|), which also gives
// the Hessian weight. One exponential serves all three, and the forms
// used stay finite for any z.
func binaryTerm(z, t, sw float64) (loss, res, e float64) {
	e = math.Exp(-math.Abs(z))
	loss = sw * (max(z, 0) + math.Log1p(e) - t*z)
	p := 1 / (1 + e)
	if z < 0 {
		p = e / (1 + e)
	}
	return loss, sw * (p - t), e
}
