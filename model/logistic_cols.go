package model

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// chunkCols is chunk for a binary problem whose X is a [ColMatrix]: the
// scores, gradient and Hessian are summed column by column, dense columns
// with vector kernels and indicators by their codes, so one-hot features
// cost one code per row instead of a float64 per row and category.
//
// Rows lo:lo+mh add to the Hessian. Its dense part (dense columns and the
// intercept) is one symmetric rank-k update on those rows scaled by
// √(sᵢpᵢ(1−pᵢ)); an indicator adds its weight to its own diagonal entry,
// its products with the dense columns and with the indicators of the other
// blocks, row by row.
func (lp *logisticProblem) chunkCols(s *logisticScratch, blk *logisticBlock, beta []float64, lo, hi int, wantGrad bool, mh int) {
	cm, p := lp.cols, lp.x.c
	m := hi - lo
	stride := lp.chunkRows()
	if s.z == nil {
		s.z = make([]float64, stride)
		s.res = make([]float64, stride)
	}
	if mh > 0 && s.hs == nil {
		s.hs = make([]float64, stride)
		s.xt = make([]float64, lp.dim()*stride)
	}
	z, res, hs := s.z[:m], s.res[:m], s.hs
	clear(z)
	cm.addScores(z, lo, beta[:p])
	b := 0.0
	if lp.intercept {
		b = beta[p]
	}
	var loss, weight, gb float64
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
			hs[ii] = math.Sqrt(sw*e) / (1 + e) // sqrt(sw·p·(1-p))
		}
	}
	blk.loss += loss
	blk.weight += weight
	if wantGrad {
		g := blk.grad
		for _, dc := range cm.dense {
			g[dc.j] += dot(dc.v[lo:hi], res)
		}
		for _, bl := range cm.blocks {
			for ii, code := range bl.codes[lo:hi] {
				if code >= 0 {
					if j := bl.col[code]; j >= 0 {
						g[j] += res[ii]
					}
				}
			}
		}
		if lp.intercept {
			g[p] += gb
		}
	}
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
	lp.hessCols(s, blk, lo, mh)
}

// hessCols adds rows lo:lo+mh of the Hessian's data term to blk.hess, with
// s.hs holding each row's √weight.
func (lp *logisticProblem) hessCols(s *logisticScratch, blk *logisticBlock, lo, mh int) {
	cm, p, D := lp.cols, lp.x.c, lp.dim()
	stride := lp.chunkRows()
	hs := s.hs[:mh]
	// The dense columns, then the intercept, scaled and laid out as rows.
	nd := len(cm.dense)
	dd := nd
	if lp.intercept {
		dd++
	}
	pos := make([]int, 0, dd) // matrix column of each of the dd rows
	for a, dc := range cm.dense {
		row := s.xt[a*stride : a*stride+mh]
		for ii, v := range dc.v[lo : lo+mh] {
			row[ii] = hs[ii] * v
		}
		pos = append(pos, dc.j)
	}
	if lp.intercept {
		copy(s.xt[nd*stride:nd*stride+mh], hs)
		pos = append(pos, p)
	}
	h := blk.hess
	if dd > 0 {
		if len(s.hd) < dd*dd {
			s.hd = make([]float64, dd*dd)
		}
		hd := s.hd[:dd*dd]
		blas64.Syrk(blas.NoTrans, 1,
			blas64.General{Rows: dd, Cols: mh, Stride: stride, Data: s.xt},
			0, blas64.Symmetric{Uplo: blas.Upper, N: dd, Stride: dd, Data: hd})
		for a := range dd {
			for c := a; c < dd; c++ {
				addSym(h, D, pos[a], pos[c], hd[a*dd+c])
			}
		}
	}
	for bi, bl := range cm.blocks {
		for ii, code := range bl.codes[lo : lo+mh] {
			if code < 0 {
				continue
			}
			j := int(bl.col[code])
			if j < 0 {
				continue
			}
			w := hs[ii]
			h[j*D+j] += w * w
			for a := range dd {
				addSym(h, D, pos[a], j, w*s.xt[a*stride+ii])
			}
			for _, other := range cm.blocks[bi+1:] {
				if c2 := other.codes[lo+ii]; c2 >= 0 {
					if j2 := int(other.col[c2]); j2 >= 0 {
						addSym(h, D, j, j2, w*w)
					}
				}
			}
		}
	}
}

// addSym adds v to entry (a, b) of the upper triangle of the D × D
// row-major h.
func addSym(h []float64, D, a, b int, v float64) {
	if a > b {
		a, b = b, a
	}
	h[a*D+b] += v
}
