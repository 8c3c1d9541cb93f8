package preprocess

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
)

// StandardScaleSpec is the specification of a standard scaler: each chosen
// float column becomes (x − mean) / std, with the population standard
// deviation (divided by n, as scikit-learn's StandardScaler). Missing values
// (NaN) are left out of the statistics and stay missing. A column whose
// variance is zero, or indistinguishable from zero by scikit-learn's
// rounding-error bound, gets scale 1, so it is only centred. Build it with
// [StandardScale]; it is an immutable value, safe for concurrent use.
type StandardScaleSpec struct {
	// Columns to scale; empty means every float column.
	Columns []string
	// NoCenter leaves the mean in (scikit-learn's with_mean=False).
	NoCenter bool
	// NoScale leaves the spread alone (scikit-learn's with_std=False).
	NoScale bool
}

// StandardScale returns the specification of a standard scaler of cols
// (every float column when none are named).
func StandardScale(cols ...string) StandardScaleSpec {
	return StandardScaleSpec{Columns: slices.Clone(cols)}
}

// Fit learns each column's mean and standard deviation from f, over all
// cores, and returns a [*StandardScaler]. It returns an error wrapping
// frame.ErrEmpty for a frame with no rows, frame.ErrNoColumn for an unknown
// column, frame.ErrKind for a column that is not float, [ErrNotFinite] for
// an infinite value, [ErrAllMissing] for a column with no present value, and
// ctx.Err() when ctx is cancelled. Fit is safe for concurrent use.
func (s StandardScaleSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] that fits s batch by batch; its
// statistics are [Moments], merged exactly (to rounding).
func (s StandardScaleSpec) Begin() Partial {
	return &scalePartial{spec: StandardScaleSpec{Columns: slices.Clone(s.Columns), NoCenter: s.NoCenter, NoScale: s.NoScale}}
}

const scaleStep = "standard scale"

type scalePartial struct {
	spec    StandardScaleSpec
	cols    columnSet
	moments []Moments
}

func (p *scalePartial) Add(ctx context.Context, batch *frame.Frame) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cols, err := p.cols.resolve(scaleStep, batch, p.spec.Columns, frame.Float)
	if err != nil {
		return err
	}
	vals := make([][]float64, len(cols))
	for i, c := range cols {
		vals[i] = c.(*frame.FloatColumn).Values()
	}
	moments, err := floatMoments(ctx, vals)
	if err != nil {
		return err
	}
	if p.moments == nil {
		p.moments = make([]Moments, len(cols))
	}
	for i, m := range moments {
		if m.N > 0 && (math.IsInf(m.Min, 0) || math.IsInf(m.Max, 0)) {
			return checkFinite(scaleStep+" fit", p.cols.names[i], vals[i])
		}
		p.moments[i] = p.moments[i].Merge(m)
	}
	return nil
}

func (p *scalePartial) Merge(other Partial) error {
	o, ok := other.(*scalePartial)
	if !ok || !reflect.DeepEqual(p.spec, o.spec) {
		return mergeError(scaleStep, other)
	}
	if more, err := p.cols.merge(scaleStep, &o.cols); !more || err != nil {
		return err
	}
	if p.moments == nil {
		p.moments = make([]Moments, len(o.moments))
	}
	for i := range p.moments {
		p.moments[i] = p.moments[i].Merge(o.moments[i])
	}
	return nil
}

func (p *scalePartial) Finish() (Fitted, error) {
	if err := p.cols.finish(scaleStep); err != nil {
		return nil, err
	}
	out := &StandardScaler{Columns: make([]ScaleColumn, len(p.moments))}
	for i, m := range p.moments {
		name := p.cols.names[i]
		if m.N == 0 {
			return nil, fmt.Errorf("%s fit: column %q has %d rows, all missing: %w", scaleStep, name, p.cols.rows, ErrAllMissing)
		}
		sc := ScaleColumn{Name: name, Mean: m.Mean, Var: m.Variance(), N: m.N, Center: 0, Scale: 1}
		if !p.spec.NoCenter {
			sc.Center = m.Mean
		}
		if !p.spec.NoScale && !constantFeature(sc.Var, sc.Mean, m.N) {
			sc.Scale = math.Sqrt(sc.Var)
		}
		out.Columns[i] = sc
	}
	return out, nil
}

// constantFeature is scikit-learn's _is_constant_feature: a variance within
// the rounding error bound of the two-pass algorithm (Chan, Golub and
// LeVeque) is taken as zero.
func constantFeature(variance, mean float64, n int64) bool {
	const eps = 0x1p-52
	nf := float64(n)
	bound := nf*eps*variance + (nf*mean*eps)*(nf*mean*eps)
	return variance <= bound
}

// StandardScaler is a fitted [StandardScaleSpec]: per column, the learned
// mean and variance, and the centre subtracted and the scale divided by.
// Its fields are its saved state. It is immutable and safe for concurrent
// use.
type StandardScaler struct {
	Columns []ScaleColumn `json:"columns"`
}

// ScaleColumn is the learned state of one scaled column: Transform writes
// (x − Center) / Scale.
type ScaleColumn struct {
	Name string `json:"name"`
	// Mean, Var (population variance) and N (present values) are the
	// statistics seen in fitting, as scikit-learn's mean_, var_ and
	// n_samples_seen_.
	Mean float64 `json:"mean"`
	Var  float64 `json:"var"`
	N    int64   `json:"n"`
	// Center is Mean, or 0 without centring.
	Center float64 `json:"center"`
	// Scale is the standard deviation, or 1 without scaling or for a
	// constant column.
	Scale float64 `json:"scale"`
}

// Transform returns f with each fitted column standardised; NaN stays NaN.
// It returns an error wrapping frame.ErrNoColumn or frame.ErrKind when a
// fitted column is absent or not float, [ErrNotFinite] for an infinite
// value, and ctx.Err() when ctx is cancelled.
func (s *StandardScaler) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return s.apply(ctx, f, "standard scale transform", false)
}

// InverseTransform undoes Transform: it returns f with each fitted column
// mapped back to x·Scale + Center. Errors are those of Transform.
func (s *StandardScaler) InverseTransform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return s.apply(ctx, f, "standard scale inverse transform", true)
}

func (s *StandardScaler) apply(ctx context.Context, f *frame.Frame, step string, inverse bool) (*frame.Frame, error) {
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = c.Name
	}
	return applyColumns(ctx, f, names, func(_ context.Context, i int) (frame.Column, error) {
		sc := s.Columns[i]
		c, err := inputColumn(step, f, sc.Name, frame.Float)
		if err != nil {
			return nil, err
		}
		return affine(step, sc.Name, c.(*frame.FloatColumn).Values(), sc.Center, sc.Scale, inverse)
	})
}

// affine writes (x − center) / scale, or x·scale + center when inverse, in
// the order of operations scikit-learn uses (so results agree to the bit).
func affine(step, name string, v []float64, center, scale float64, inverse bool) (frame.Column, error) {
	out := make([]float64, len(v))
	bad := false
	if inverse {
		for i, x := range v {
			out[i] = x*scale + center
			bad = bad || (x-x != 0 && x == x) // ±Inf: x−x is NaN
		}
	} else {
		for i, x := range v {
			out[i] = (x - center) / scale
			bad = bad || (x-x != 0 && x == x)
		}
	}
	if bad {
		return nil, checkFinite(step, name, v)
	}
	return frame.NewFloat(out), nil
}

// Validate reports whether the state is usable: named unique columns,
// finite statistics, a positive variance count and a positive finite scale.
// It returns an error wrapping [ErrState] otherwise.
func (s *StandardScaler) Validate() error {
	if len(s.Columns) == 0 {
		return fmt.Errorf("standard scaler: no columns: %w", ErrState)
	}
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = c.Name
		if !finite(c.Mean) || !finite(c.Var) || c.Var < 0 || c.N <= 0 || !finite(c.Center) || !finite(c.Scale) || c.Scale <= 0 {
			return fmt.Errorf("standard scaler: column %q: mean %v var %v n %d center %v scale %v: %w",
				c.Name, c.Mean, c.Var, c.N, c.Center, c.Scale, ErrState)
		}
	}
	return checkNames("standard scaler", names)
}

func init() {
	Register[*StandardScaler]("preprocess.standard_scale", 1)
}
