package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
)

// PowerTransformSpec is the specification of a power transform making each
// chosen float column more normal (scikit-learn's PowerTransformer): the
// Yeo-Johnson transform (any values) or, with BoxCox, the Box-Cox transform
// (positive values only), with the λ of each column chosen by maximum
// likelihood with scipy's Brent method (the same bracket search from
// (−2, 2), the same steps and tolerance, 1.48e-8), and then, unless
// NoStandardize, standard scaling of the result. The optimum is flat, so the
// last bits of the log-likelihood (Go's math.Pow against C's pow) can stop
// the search at another point within its tolerance: λ agrees with
// scikit-learn's to about 1e-7, and the output to the same degree. NaN
// is ignored in fitting and stays NaN. Build it with [PowerTransform]; it is
// an immutable value, safe for concurrent use.
type PowerTransformSpec struct {
	// Columns to transform; empty means every float column.
	Columns []string
	// BoxCox uses the Box-Cox transform instead of Yeo-Johnson.
	BoxCox bool
	// NoStandardize skips the standard scaling of the output.
	NoStandardize bool
}

// PowerTransform returns the specification of a Yeo-Johnson power
// transform of cols, standardised.
func PowerTransform(cols ...string) PowerTransformSpec {
	return PowerTransformSpec{Columns: slices.Clone(cols)}
}

// Fit chooses each column's λ and returns a [*PowerTransformer]. It returns
// an error wrapping [ErrParam] for a value that is not positive under
// Box-Cox or a constant column, frame.ErrEmpty, frame.ErrNoColumn,
// frame.ErrKind, [ErrNotFinite], [ErrAllMissing], and ctx.Err() when ctx is
// cancelled.
func (s PowerTransformSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] for s; it holds the present values.
func (s PowerTransformSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &floatPartial{step: "power transform", spec: s, named: s.Columns, keep: true, finish: func(p *floatPartial) (Fitted, error) {
		out := &PowerTransformer{BoxCox: s.BoxCox, Columns: make([]PowerColumn, len(p.samples))}
		for i := range p.samples {
			x := p.samples[i].Values
			name := p.cols.names[i]
			if s.BoxCox {
				if p.moments[i].Min <= 0 {
					return nil, fmt.Errorf("power transform: Box-Cox needs positive values, column %q has %v (use Yeo-Johnson): %w", name, p.moments[i].Min, ErrParam)
				}
				if p.moments[i].Min == p.moments[i].Max {
					return nil, fmt.Errorf("power transform: column %q is constant: %w", name, ErrParam)
				}
			}
			var lambda float64
			if s.BoxCox {
				lambda = brent(func(l float64) float64 { return -boxCoxLLF(l, x) })
			} else {
				lambda = brent(func(l float64) float64 { return yeoJohnsonNLL(l, x) })
			}
			out.Columns[i] = s.column(name, x, lambda)
		}
		return out, nil
	}}
}

// column returns the state of a column of training values x transformed
// with lambda: standardised unless NoStandardize.
func (s PowerTransformSpec) column(name string, x []float64, lambda float64) PowerColumn {
	c := PowerColumn{Name: name, Lambda: lambda, Center: 0, Scale: 1}
	if s.NoStandardize {
		return c
	}
	t := make([]float64, len(x))
	for k, v := range x {
		t[k] = powerForward(s.BoxCox, v, lambda)
	}
	var m Moments
	m.AddBatch(t)
	c.Center = m.Mean
	if !constantFeature(m.Variance(), m.Mean, m.N) {
		c.Scale = math.Sqrt(m.Variance())
	}
	return c
}

// PowerTransformer is a fitted [PowerTransformSpec]: per column, λ and the
// standard scaling of the transformed values (centre 0 and scale 1 without
// it). It is immutable and safe for concurrent use.
type PowerTransformer struct {
	Columns []PowerColumn `json:"columns"`
	BoxCox  bool          `json:"box_cox"`
}

// PowerColumn is the learned state of one column.
type PowerColumn struct {
	Name   string  `json:"name"`
	Lambda float64 `json:"lambda"`
	Center float64 `json:"center"`
	Scale  float64 `json:"scale"`
}

func (p *PowerTransformer) names() []string {
	out := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		out[i] = c.Name
	}
	return out
}

// Transform returns f with each fitted column transformed. Under Box-Cox a
// value that is not positive becomes NaN. It returns an error wrapping
// frame.ErrNoColumn, frame.ErrKind or [ErrNotFinite], and ctx.Err() when ctx
// is cancelled.
func (p *PowerTransformer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return mapFloats(ctx, "power transform", f, p.names(), func(i int, x float64) float64 {
		c := p.Columns[i]
		return (powerForward(p.BoxCox, x, c.Lambda) - c.Center) / c.Scale
	})
}

// InverseTransform maps transformed values back. Errors are those of
// Transform.
func (p *PowerTransformer) InverseTransform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return mapFloats(ctx, "power inverse transform", f, p.names(), func(i int, y float64) float64 {
		c := p.Columns[i]
		y = y*c.Scale + c.Center
		if p.BoxCox {
			if c.Lambda == 0 {
				return math.Exp(y)
			}
			return math.Pow(y*c.Lambda+1, 1/c.Lambda)
		}
		return yeoJohnsonInverse(y, c.Lambda)
	})
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (p *PowerTransformer) Validate() error {
	if len(p.Columns) == 0 {
		return fmt.Errorf("power transformer: no columns: %w", ErrState)
	}
	for _, c := range p.Columns {
		if !finite(c.Lambda) || !finite(c.Center) || !finite(c.Scale) || c.Scale <= 0 {
			return fmt.Errorf("power transformer: column %q: %+v: %w", c.Name, c, ErrState)
		}
	}
	return checkNames("power transformer", p.names())
}

const spacing1 = 0x1p-52 // np.spacing(1.0)

func powerForward(boxCox bool, x, lambda float64) float64 {
	if x != x {
		return x
	}
	if boxCox {
		if x <= 0 {
			return math.NaN()
		}
		// scipy.special.boxcox
		if math.Abs(lambda) < 1e-19 {
			return math.Log(x)
		}
		return math.Expm1(lambda*math.Log(x)) / lambda
	}
	return yeoJohnson(x, lambda)
}

// yeoJohnson is scikit-learn's _yeo_johnson_transform of one value.
func yeoJohnson(x, lambda float64) float64 {
	if x >= 0 {
		if math.Abs(lambda) < spacing1 {
			return math.Log1p(x)
		}
		return (math.Pow(x+1, lambda) - 1) / lambda
	}
	if math.Abs(lambda-2) > spacing1 {
		return -(math.Pow(-x+1, 2-lambda) - 1) / (2 - lambda)
	}
	return -math.Log1p(-x)
}

func yeoJohnsonInverse(y, lambda float64) float64 {
	if y >= 0 {
		if math.Abs(lambda) < spacing1 {
			return math.Exp(y) - 1
		}
		return math.Pow(y*lambda+1, 1/lambda) - 1
	}
	if math.Abs(lambda-2) > spacing1 {
		return 1 - math.Pow(-(2-lambda)*y+1, 1/(2-lambda))
	}
	return 1 - math.Exp(-y)
}

// pairwiseSum is numpy's pairwise summation of a contiguous array.
func pairwiseSum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		var res float64
		for _, v := range a {
			res += v
		}
		return res
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := range 8 {
				r[j] += a[i+j]
			}
		}
		res := ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	}
	n2 := n / 2
	n2 -= n2 % 8
	return pairwiseSum(a[:n2]) + pairwiseSum(a[n2:])
}

// npVar is numpy's var (population), summing as numpy does.
func npVar(x []float64) float64 {
	n := float64(len(x))
	mean := pairwiseSum(x) / n
	d := make([]float64, len(x))
	for i, v := range x {
		d[i] = (v - mean) * (v - mean)
	}
	return pairwiseSum(d) / n
}

// yeoJohnsonNLL is scikit-learn's negative log-likelihood of λ.
func yeoJohnsonNLL(lambda float64, x []float64) float64 {
	t := make([]float64, len(x))
	for i, v := range x {
		t[i] = yeoJohnson(v, lambda)
	}
	v := npVar(t)
	if v < 0x1p-1022 { // np.finfo(np.float64).tiny
		return math.Inf(1)
	}
	loglike := -float64(len(x)) / 2 * math.Log(v)
	s := make([]float64, len(x))
	for i, v := range x {
		sign := 0.0
		switch {
		case v > 0:
			sign = 1
		case v < 0:
			sign = -1
		}
		s[i] = sign * math.Log1p(math.Abs(v))
	}
	loglike += (lambda - 1) * pairwiseSum(s)
	return -loglike
}

// boxCoxLLF is scipy's boxcox_llf.
func boxCoxLLF(lambda float64, x []float64) float64 {
	n := float64(len(x))
	logx := make([]float64, len(x))
	for i, v := range x {
		logx[i] = math.Log(v)
	}
	var variance float64
	if lambda == 0 {
		variance = npVar(logx)
	} else {
		t := make([]float64, len(x))
		for i, v := range x {
			t[i] = math.Pow(v, lambda) / lambda
		}
		variance = npVar(t)
	}
	return (lambda-1)*pairwiseSum(logx) - n/2*math.Log(variance)
}

// brent minimises f as scipy.optimize.brent(f, brack=(-2, 2)) does: the
// same bracket search and the same Brent iterations (tol 1.48e-8, at most
// 500), so it lands on the same point.
func brent(f func(float64) float64) float64 {
	xa, xb, xc, _, fb, _ := bracket(f, -2, 2)
	const tol, mintol, cg = 1.48e-8, 1.0e-11, 0.3819660
	x, w, v := xb, xb, xb
	fx, fw, fv := fb, fb, fb
	a, b := xc, xa
	if xa < xc {
		a, b = xa, xc
	}
	var deltax, rat float64
	for iter := 0; iter < 500; iter++ {
		tol1 := tol*math.Abs(x) + mintol
		tol2 := 2 * tol1
		xmid := 0.5 * (a + b)
		if math.Abs(x-xmid) < tol2-0.5*(b-a) {
			break
		}
		if math.Abs(deltax) <= tol1 {
			if x >= xmid {
				deltax = a - x
			} else {
				deltax = b - x
			}
			rat = cg * deltax
		} else {
			tmp1 := (x - w) * (fx - fv)
			tmp2 := (x - v) * (fx - fw)
			p := (x-v)*tmp2 - (x-w)*tmp1
			tmp2 = 2 * (tmp2 - tmp1)
			if tmp2 > 0 {
				p = -p
			}
			tmp2 = math.Abs(tmp2)
			dxTemp := deltax
			deltax = rat
			if p > tmp2*(a-x) && p < tmp2*(b-x) && math.Abs(p) < math.Abs(0.5*tmp2*dxTemp) {
				rat = p * 1.0 / tmp2
				u := x + rat
				if u-a < tol2 || b-u < tol2 {
					if xmid-x >= 0 {
						rat = tol1
					} else {
						rat = -tol1
					}
				}
			} else {
				if x >= xmid {
					deltax = a - x
				} else {
					deltax = b - x
				}
				rat = cg * deltax
			}
		}
		var u float64
		if math.Abs(rat) < tol1 {
			if rat >= 0 {
				u = x + tol1
			} else {
				u = x - tol1
			}
		} else {
			u = x + rat
		}
		fu := f(u)
		if fu > fx {
			if u < x {
				a = u
			} else {
				b = u
			}
			if fu <= fw || w == x {
				v, w, fv, fw = w, u, fw, fu
			} else if fu <= fv || v == x || v == w {
				v, fv = u, fu
			}
		} else {
			if u >= x {
				a = x
			} else {
				b = x
			}
			v, w, x = w, x, u
			fv, fw, fx = fw, fx, fu
		}
	}
	return x
}

// bracket is scipy.optimize.bracket (grow limit 110, at most 1000 steps).
func bracket(f func(float64) float64, xa, xb float64) (float64, float64, float64, float64, float64, float64) {
	const gold, verySmall, growLimit = 1.618034, 1e-21, 110.0
	fa, fb := f(xa), f(xb)
	if fa < fb {
		xa, xb, fa, fb = xb, xa, fb, fa
	}
	xc := xb + gold*(xb-xa)
	fc := f(xc)
	for iter := 0; fc < fb && iter <= 1000; iter++ {
		tmp1 := (xb - xa) * (fb - fc)
		tmp2 := (xb - xc) * (fb - fa)
		val := tmp2 - tmp1
		denom := 2 * val
		if math.Abs(val) < verySmall {
			denom = 2 * verySmall
		}
		w := xb - ((xb-xc)*tmp2-(xb-xa)*tmp1)/denom
		wlim := xb + growLimit*(xc-xb)
		var fw float64
		switch {
		case (w-xc)*(xb-w) > 0:
			fw = f(w)
			if fw < fc {
				return xb, w, xc, fb, fw, fc
			} else if fw > fb {
				return xa, xb, w, fa, fb, fw
			}
			w = xc + gold*(xc-xb)
			fw = f(w)
		case (w-wlim)*(wlim-xc) >= 0:
			w = wlim
			fw = f(w)
		case (w-wlim)*(xc-w) > 0:
			fw = f(w)
			if fw < fc {
				xb, xc, w = xc, w, w+gold*(w-xc)
				fb, fc = fc, fw
				fw = f(w)
			}
		default:
			w = xc + gold*(xc-xb)
			fw = f(w)
		}
		xa, xb, xc = xb, xc, w
		fa, fb, fc = fb, fc, fw
	}
	return xa, xb, xc, fa, fb, fc
}

func init() {
	Register[*PowerTransformer]("preprocess.power_transform", 1)
}
