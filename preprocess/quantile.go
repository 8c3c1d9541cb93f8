package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/mlpipe/mlpipe/frame"
)

// QuantileTransformSpec is the specification of a quantile transformer:
// each chosen float column is mapped through its training distribution
// function to a uniform distribution on [0, 1] or, with Normal, to a
// standard normal (scikit-learn's QuantileTransformer). The distribution
// function is estimated at Quantiles evenly spaced quantiles (numpy's
// linear interpolation) and interpolated linearly between them, averaging
// both directions over repeated values as scikit-learn does. Values beyond
// the training range map to the ends (0 and 1, or ±5.199 for Normal). NaN
// stays NaN.
//
// scikit-learn estimates the quantiles from a random subsample of 100,000
// rows on larger data; here they are always exact over every row (the rows
// are held in memory while fitting), so results match scikit-learn up to
// 100,000 rows, or with its subsample set above the row count. Build it
// with [QuantileTransform]; it is an immutable value, safe for concurrent
// use.
type QuantileTransformSpec struct {
	// Columns to transform; empty means every float column.
	Columns []string
	// Quantiles is the number of quantiles estimated (at most the number
	// of rows); 0 means 1000.
	Quantiles int
	// Normal maps to a standard normal instead of a uniform distribution.
	Normal bool
	// MaxValues, when positive, bounds the values held per column while
	// fitting: beyond it they go into a [Sketch] of level size MaxValues
	// and the quantiles are approximate. 0 holds every value: exact.
	MaxValues int
}

// QuantileTransform returns the specification of a quantile transformer of
// cols to a uniform distribution with 1000 quantiles.
func QuantileTransform(cols ...string) QuantileTransformSpec {
	return QuantileTransformSpec{Columns: slices.Clone(cols)}
}

// Fit learns each column's quantiles and returns a [*QuantileTransformer].
// It returns an error wrapping [ErrParam] for a negative Quantiles,
// frame.ErrEmpty, frame.ErrNoColumn, frame.ErrKind, [ErrNotFinite],
// [ErrAllMissing], and ctx.Err() when ctx is cancelled.
func (s QuantileTransformSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] fitting s batch by batch; it holds the
// present values of each column, for exact quantiles.
func (s QuantileTransformSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &floatPartial{step: "quantile transform", spec: s, named: s.Columns, keep: true, limit: s.MaxValues, quantiles: true, finish: func(p *floatPartial) (Fitted, error) {
		nq := s.Quantiles
		if nq < 0 {
			return nil, fmt.Errorf("quantile transform: %d quantiles: %w", nq, ErrParam)
		}
		if nq == 0 {
			nq = 1000
		}
		nq = int(max(1, min(int64(nq), p.cols.rows)))
		refs := quantileReferences(nq)
		out := &QuantileTransformer{Normal: s.Normal, Columns: make([]QuantileColumn, len(p.samples))}
		for i := range p.samples {
			q := make([]float64, nq)
			for k, r := range refs {
				// numpy receives the references in percent and divides
				// by 100: do the same, for the same rounding.
				q[k] = p.samples[i].Quantile(r * 100 / 100)
				if k > 0 && q[k] < q[k-1] {
					q[k] = q[k-1] // monotonic, as np.maximum.accumulate
				}
			}
			out.Columns[i] = QuantileColumn{Name: p.cols.names[i], Quantiles: q}
		}
		return out, nil
	}}
}

// quantileReferences is np.linspace(0, 1, n).
func quantileReferences(n int) []float64 {
	refs := make([]float64, n)
	if n == 1 {
		return refs
	}
	step := 1 / float64(n-1)
	for k := range refs {
		refs[k] = float64(k) * step
	}
	refs[n-1] = 1
	return refs
}

// QuantileTransformer is a fitted [QuantileTransformSpec]: per column, the
// quantiles at evenly spaced probabilities from 0 to 1. It is immutable and
// safe for concurrent use.
type QuantileTransformer struct {
	Columns []QuantileColumn `json:"columns"`
	Normal  bool             `json:"normal"`
}

// QuantileColumn is the learned state of one column.
type QuantileColumn struct {
	Name      string    `json:"name"`
	Quantiles []float64 `json:"quantiles"`
}

// boundsThreshold is scikit-learn's BOUNDS_THRESHOLD.
const boundsThreshold = 1e-7

func (q *QuantileTransformer) names() []string {
	out := make([]string, len(q.Columns))
	for i, c := range q.Columns {
		out[i] = c.Name
	}
	return out
}

// Transform returns f with each fitted column mapped to the uniform or
// normal distribution. It returns an error wrapping frame.ErrNoColumn,
// frame.ErrKind or [ErrNotFinite], and ctx.Err() when ctx is cancelled.
func (q *QuantileTransformer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	refs := make([][]float64, len(q.Columns))
	negQ := make([][]float64, len(q.Columns))
	negR := make([][]float64, len(q.Columns))
	for i, c := range q.Columns {
		n := len(c.Quantiles)
		refs[i] = quantileReferences(n)
		negQ[i], negR[i] = make([]float64, n), make([]float64, n)
		for k := range n {
			negQ[i][k] = -c.Quantiles[n-1-k]
			negR[i][k] = -refs[i][n-1-k]
		}
	}
	clipMin := distuv.UnitNormal.Quantile(boundsThreshold - 0x1p-52)
	clipMax := distuv.UnitNormal.Quantile(1 - (boundsThreshold - 0x1p-52))
	return mapFloats(ctx, "quantile transform", f, q.names(), func(i int, x float64) float64 {
		qs := q.Columns[i].Quantiles
		if math.IsNaN(x) {
			return x
		}
		lo, hi := qs[0], qs[len(qs)-1]
		var y float64
		switch {
		case q.Normal && x-boundsThreshold < lo, !q.Normal && x == lo:
			y = 0
		case q.Normal && x+boundsThreshold > hi, !q.Normal && x == hi:
			y = 1
		default:
			y = 0.5 * (interp(x, qs, refs[i]) - interp(-x, negQ[i], negR[i]))
		}
		if q.Normal {
			y = math.Min(math.Max(distuv.UnitNormal.Quantile(y), clipMin), clipMax)
		}
		return y
	})
}

// InverseTransform maps transformed values back through the quantiles.
// Errors are those of Transform.
func (q *QuantileTransformer) InverseTransform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	refs := make([][]float64, len(q.Columns))
	for i, c := range q.Columns {
		refs[i] = quantileReferences(len(c.Quantiles))
	}
	return mapFloats(ctx, "quantile inverse transform", f, q.names(), func(i int, x float64) float64 {
		qs := q.Columns[i].Quantiles
		if math.IsNaN(x) {
			return x
		}
		if q.Normal {
			x = distuv.UnitNormal.CDF(x)
		}
		switch {
		case q.Normal && x-boundsThreshold < 0, !q.Normal && x == 0:
			return qs[0]
		case q.Normal && x+boundsThreshold > 1, !q.Normal && x == 1:
			return qs[len(qs)-1]
		}
		return interp(x, refs[i], qs)
	})
}

// interp is numpy's interp for one point: linear interpolation of (xp, fp)
// at x, clamped to the end values, taking the last of repeated xp.
func interp(x float64, xp, fp []float64) float64 {
	n := len(xp)
	switch {
	case math.IsNaN(x):
		return x
	case x < xp[0]:
		return fp[0]
	case x > xp[n-1]:
		return fp[n-1]
	}
	// j: the last index with xp[j] <= x (xp[0] <= x here).
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if xp[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	j := lo - 1
	if j == n-1 || xp[j] == x {
		return fp[j]
	}
	slope := (fp[j+1] - fp[j]) / (xp[j+1] - xp[j])
	y := slope*(x-xp[j]) + fp[j]
	if math.IsNaN(y) {
		y = slope*(x-xp[j+1]) + fp[j+1]
		if math.IsNaN(y) && fp[j] == fp[j+1] {
			y = fp[j]
		}
	}
	return y
}

// Validate reports whether the state is usable: named unique columns with
// at least one finite quantile each, in non-decreasing order. It returns an
// error wrapping [ErrState] otherwise.
func (q *QuantileTransformer) Validate() error {
	if len(q.Columns) == 0 {
		return fmt.Errorf("quantile transformer: no columns: %w", ErrState)
	}
	for _, c := range q.Columns {
		if len(c.Quantiles) == 0 {
			return fmt.Errorf("quantile transformer: column %q has no quantiles: %w", c.Name, ErrState)
		}
		for k, v := range c.Quantiles {
			if !finite(v) || (k > 0 && v < c.Quantiles[k-1]) {
				return fmt.Errorf("quantile transformer: column %q quantile %d = %v: %w", c.Name, k, v, ErrState)
			}
		}
	}
	return checkNames("quantile transformer", q.names())
}

func init() {
	Register[*QuantileTransformer]("preprocess.quantile_transform", 1)
}
