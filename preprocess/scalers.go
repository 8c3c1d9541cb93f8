package preprocess

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/mlpipe/mlpipe/frame"
)

// tinyScale is scikit-learn's _handle_zeros_in_scale: a scale below ten
// machine epsilons is taken as zero and replaced by 1.
func tinyScale(s float64) float64 {
	if s < 10*0x1p-52 {
		return 1
	}
	return s
}

// floatPartial is the Partial of the float scalers: moments, and when
// quantiles are needed, the values themselves.
type floatPartial struct {
	step  string
	spec  any // the spec, compared on Merge
	named []string
	keep  bool // keep a Sample of the values
	limit int  // the Samples' Limit (0: exact)
	// quantiles: the finish reads many quantiles; sort the samples first,
	// in parallel. (A finish reading a few selects them, in parallel:
	// see eachSample.)
	quantiles bool
	cols      columnSet
	moments   []Moments
	samples   []Sample
	finish    func(p *floatPartial) (Fitted, error)
}

func (p *floatPartial) Add(ctx context.Context, batch *frame.Frame) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cols, err := p.cols.resolve(p.step, batch, p.named, frame.Float)
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
		p.moments, p.samples = make([]Moments, len(cols)), p.newSamples(len(cols))
	}
	for i, m := range moments {
		if m.N > 0 && (math.IsInf(m.Min, 0) || math.IsInf(m.Max, 0)) {
			return checkFinite(p.step+" fit", p.cols.names[i], vals[i])
		}
		p.moments[i] = p.moments[i].Merge(m)
		if p.keep {
			p.samples[i].AddBatch(vals[i])
		}
	}
	return nil
}

func (p *floatPartial) Merge(other Partial) error {
	o, ok := other.(*floatPartial)
	if !ok || p.step != o.step || !reflect.DeepEqual(p.spec, o.spec) {
		return mergeError(p.step, other)
	}
	if more, err := p.cols.merge(p.step, &o.cols); !more || err != nil {
		return err
	}
	if p.moments == nil {
		p.moments, p.samples = make([]Moments, len(o.moments)), p.newSamples(len(o.moments))
	}
	for i := range p.moments {
		p.moments[i] = p.moments[i].Merge(o.moments[i])
		p.samples[i].Merge(o.samples[i])
	}
	return nil
}

func (p *floatPartial) newSamples(n int) []Sample {
	out := make([]Sample, n)
	for i := range out {
		out[i].Limit = p.limit
	}
	return out
}

func (p *floatPartial) Finish() (Fitted, error) {
	if err := p.cols.finish(p.step); err != nil {
		return nil, err
	}
	for i, m := range p.moments {
		if m.N == 0 {
			return nil, fmt.Errorf("%s fit: column %q has %d rows, all missing: %w", p.step, p.cols.names[i], p.cols.rows, ErrAllMissing)
		}
	}
	if p.quantiles {
		sortSamples(p.samples)
	}
	return p.finish(p)
}

// mapFloats applies fn to each named float column of f in parallel,
// checking kinds and infinities.
func mapFloats(ctx context.Context, step string, f *frame.Frame, names []string, fn func(i int, x float64) float64) (*frame.Frame, error) {
	return applyColumns(ctx, f, names, func(_ context.Context, i int) (frame.Column, error) {
		c, err := inputColumn(step, f, names[i], frame.Float)
		if err != nil {
			return nil, err
		}
		v := c.(*frame.FloatColumn).Values()
		out := make([]float64, len(v))
		for r, x := range v {
			if math.IsInf(x, 0) {
				return nil, infError(step, names[i], r, x)
			}
			out[r] = fn(i, x)
		}
		return frame.NewFloat(out), nil
	})
}

// MinMaxScaleSpec is the specification of a min-max scaler: each chosen
// float column is mapped linearly so that its training minimum goes to Lo
// and its maximum to Hi (scikit-learn's MinMaxScaler), computed as
// x·Scale + Offset in scikit-learn's order of operations. A constant column
// gets scale 1. NaN is ignored in fitting and stays NaN. Build it with
// [MinMaxScale]; it is an immutable value, safe for concurrent use.
type MinMaxScaleSpec struct {
	// Columns to scale; empty means every float column.
	Columns []string
	// Lo and Hi are the output range; both zero means [0, 1].
	Lo, Hi float64
	// Clip clips transformed values to [Lo, Hi] (values outside the
	// training range otherwise map outside it).
	Clip bool
}

// MinMaxScale returns the specification of a min-max scaler of cols to [0, 1].
func MinMaxScale(cols ...string) MinMaxScaleSpec { return MinMaxScaleSpec{Columns: slices.Clone(cols)} }

// WithRange returns a copy of s scaling to [lo, hi].
func (s MinMaxScaleSpec) WithRange(lo, hi float64) MinMaxScaleSpec {
	s.Lo, s.Hi = lo, hi
	return s
}

func (s MinMaxScaleSpec) bounds() (float64, float64, error) {
	lo, hi := s.Lo, s.Hi
	if lo == 0 && hi == 0 {
		hi = 1
	}
	if !(lo < hi) || !finite(lo) || !finite(hi) {
		return 0, 0, fmt.Errorf("min-max scale: range [%v, %v]: %w", s.Lo, s.Hi, ErrParam)
	}
	return lo, hi, nil
}

// Fit learns each column's minimum and maximum and returns a
// [*MinMaxScaler]. It returns an error wrapping [ErrParam] for an empty
// range, frame.ErrEmpty, frame.ErrNoColumn, frame.ErrKind, [ErrNotFinite],
// [ErrAllMissing], and ctx.Err() when ctx is cancelled.
func (s MinMaxScaleSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] fitting s batch by batch (min and max
// merge exactly).
func (s MinMaxScaleSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &floatPartial{step: "min-max scale", spec: s, named: s.Columns, finish: func(p *floatPartial) (Fitted, error) {
		lo, hi, err := s.bounds()
		if err != nil {
			return nil, err
		}
		out := &MinMaxScaler{Lo: lo, Hi: hi, Clip: s.Clip, Columns: make([]MinMaxColumn, len(p.moments))}
		for i, m := range p.moments {
			scale := (hi - lo) / tinyScale(m.Max-m.Min)
			out.Columns[i] = MinMaxColumn{Name: p.cols.names[i], DataMin: m.Min, DataMax: m.Max, Scale: scale, Offset: lo - m.Min*scale}
		}
		return out, nil
	}}
}

// MinMaxScaler is a fitted [MinMaxScaleSpec]. It is immutable and safe for
// concurrent use.
type MinMaxScaler struct {
	Columns []MinMaxColumn `json:"columns"`
	Lo      float64        `json:"lo"`
	Hi      float64        `json:"hi"`
	Clip    bool           `json:"clip"`
}

// MinMaxColumn is the learned state of one column: Transform writes
// x·Scale + Offset (scikit-learn's scale_ and min_).
type MinMaxColumn struct {
	Name    string  `json:"name"`
	DataMin float64 `json:"data_min"`
	DataMax float64 `json:"data_max"`
	Scale   float64 `json:"scale"`
	Offset  float64 `json:"offset"`
}

func (s *MinMaxScaler) names() []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.Name
	}
	return out
}

// Transform returns f with each fitted column scaled. It returns an error
// wrapping frame.ErrNoColumn, frame.ErrKind or [ErrNotFinite], and
// ctx.Err() when ctx is cancelled.
func (s *MinMaxScaler) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return mapFloats(ctx, "min-max scale transform", f, s.names(), func(i int, x float64) float64 {
		c := s.Columns[i]
		y := x*c.Scale + c.Offset
		if s.Clip {
			y = math.Min(math.Max(y, s.Lo), s.Hi)
		}
		return y
	})
}

// InverseTransform maps scaled values back: (y − Offset) / Scale. Errors
// are those of Transform.
func (s *MinMaxScaler) InverseTransform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return mapFloats(ctx, "min-max scale inverse transform", f, s.names(), func(i int, x float64) float64 {
		c := s.Columns[i]
		return (x - c.Offset) / c.Scale
	})
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (s *MinMaxScaler) Validate() error {
	if len(s.Columns) == 0 || !(s.Lo < s.Hi) || !finite(s.Lo) || !finite(s.Hi) {
		return fmt.Errorf("min-max scaler: %d columns, range [%v, %v]: %w", len(s.Columns), s.Lo, s.Hi, ErrState)
	}
	for _, c := range s.Columns {
		if !finite(c.DataMin) || !finite(c.DataMax) || c.DataMin > c.DataMax || !finite(c.Scale) || c.Scale <= 0 || !finite(c.Offset) {
			return fmt.Errorf("min-max scaler: column %q: %+v: %w", c.Name, c, ErrState)
		}
	}
	return checkNames("min-max scaler", s.names())
}

// MaxAbsScaleSpec is the specification of a max-abs scaler: each chosen
// float column is divided by its largest absolute training value, so it
// lies in [−1, 1] without being shifted (scikit-learn's MaxAbsScaler). A
// column of zeros gets scale 1. Build it with [MaxAbsScale]; it is an
// immutable value, safe for concurrent use.
type MaxAbsScaleSpec struct {
	// Columns to scale; empty means every float column.
	Columns []string
}

// MaxAbsScale returns the specification of a max-abs scaler of cols.
func MaxAbsScale(cols ...string) MaxAbsScaleSpec { return MaxAbsScaleSpec{Columns: slices.Clone(cols)} }

// Fit learns each column's largest absolute value and returns a
// [*MaxAbsScaler]. Errors are those of [MinMaxScaleSpec.Fit].
func (s MaxAbsScaleSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] fitting s batch by batch.
func (s MaxAbsScaleSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &floatPartial{step: "max-abs scale", spec: s, named: s.Columns, finish: func(p *floatPartial) (Fitted, error) {
		out := &MaxAbsScaler{Columns: make([]MaxAbsColumn, len(p.moments))}
		for i, m := range p.moments {
			a := math.Max(math.Abs(m.Min), math.Abs(m.Max))
			out.Columns[i] = MaxAbsColumn{Name: p.cols.names[i], MaxAbs: a, Scale: tinyScale(a)}
		}
		return out, nil
	}}
}

// MaxAbsScaler is a fitted [MaxAbsScaleSpec]. It is immutable and safe for
// concurrent use.
type MaxAbsScaler struct {
	Columns []MaxAbsColumn `json:"columns"`
}

// MaxAbsColumn is the learned state of one column: Transform writes x / Scale.
type MaxAbsColumn struct {
	Name   string  `json:"name"`
	MaxAbs float64 `json:"max_abs"`
	Scale  float64 `json:"scale"`
}

func (s *MaxAbsScaler) names() []string {
	out := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		out[i] = c.Name
	}
	return out
}

// Transform returns f with each fitted column divided by its scale. It
// returns an error wrapping frame.ErrNoColumn, frame.ErrKind or
// [ErrNotFinite], and ctx.Err() when ctx is cancelled.
func (s *MaxAbsScaler) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return mapFloats(ctx, "max-abs scale transform", f, s.names(), func(i int, x float64) float64 { return x / s.Columns[i].Scale })
}

// InverseTransform multiplies each fitted column by its scale. Errors are
// those of Transform.
func (s *MaxAbsScaler) InverseTransform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return mapFloats(ctx, "max-abs scale inverse transform", f, s.names(), func(i int, x float64) float64 { return x * s.Columns[i].Scale })
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (s *MaxAbsScaler) Validate() error {
	if len(s.Columns) == 0 {
		return fmt.Errorf("max-abs scaler: no columns: %w", ErrState)
	}
	for _, c := range s.Columns {
		if !finite(c.MaxAbs) || c.MaxAbs < 0 || !finite(c.Scale) || c.Scale <= 0 {
			return fmt.Errorf("max-abs scaler: column %q: %+v: %w", c.Name, c, ErrState)
		}
	}
	return checkNames("max-abs scaler", s.names())
}

// RobustScaleSpec is the specification of a robust scaler: each chosen
// float column becomes (x − median) / (q_hi − q_lo), the quantiles taken
// with numpy's linear interpolation over the present values (scikit-learn's
// RobustScaler, whose default range is the 25th to 75th percentile). A zero
// range gets scale 1. Build it with [RobustScale]; it is an immutable value,
// safe for concurrent use.
type RobustScaleSpec struct {
	// Columns to scale; empty means every float column.
	Columns []string
	// QLo and QHi are the quantile range in percent; both zero means 25, 75.
	QLo, QHi float64
	// NoCenter leaves the median in; NoScale leaves the spread alone.
	NoCenter, NoScale bool
	// UnitVariance divides the scale further by the range's width under a
	// standard normal, so that normal data ends with variance 1.
	UnitVariance bool
	// MaxValues, when positive, bounds the values held per column while
	// fitting: beyond it they go into a [Sketch] of level size MaxValues
	// and the quantiles are approximate. 0 holds every value: exact.
	MaxValues int
}

// RobustScale returns the specification of a robust scaler of cols.
func RobustScale(cols ...string) RobustScaleSpec { return RobustScaleSpec{Columns: slices.Clone(cols)} }

func (s RobustScaleSpec) rangeOf() (float64, float64, error) {
	lo, hi := s.QLo, s.QHi
	if lo == 0 && hi == 0 {
		lo, hi = 25, 75
	}
	if !(0 <= lo && lo <= hi && hi <= 100) {
		return 0, 0, fmt.Errorf("robust scale: quantile range (%v, %v): %w", s.QLo, s.QHi, ErrParam)
	}
	return lo, hi, nil
}

// Fit learns each column's median and quantile range, exactly (the values
// are held in memory), and returns a [*RobustScaler]. Errors are those of
// [MinMaxScaleSpec.Fit].
func (s RobustScaleSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] fitting s batch by batch; it holds the
// present values of each column, for exact quantiles.
func (s RobustScaleSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &floatPartial{step: "robust scale", spec: s, named: s.Columns, keep: true, limit: s.MaxValues, finish: func(p *floatPartial) (Fitted, error) {
		lo, hi, err := s.rangeOf()
		if err != nil {
			return nil, err
		}
		out := &RobustScaler{Columns: make([]ScaleColumn, len(p.moments))}
		eachSample(p.samples, func(i int, smp *Sample) {
			c := ScaleColumn{Name: p.cols.names[i], N: p.moments[i].N, Mean: p.moments[i].Mean, Var: p.moments[i].Variance(), Scale: 1}
			if !s.NoCenter {
				c.Center = smp.Median()
			}
			if !s.NoScale {
				q := smp.quantiles(hi/100, lo/100)
				c.Scale = tinyScale(q[0] - q[1])
				if s.UnitVariance {
					c.Scale /= distuv.UnitNormal.Quantile(hi/100) - distuv.UnitNormal.Quantile(lo/100)
				}
			}
			out.Columns[i] = c
		})
		return out, nil
	}}
}

// RobustScaler is a fitted [RobustScaleSpec]: Transform writes
// (x − Center) / Scale for each column (Mean, Var and N are reported as
// seen). It is immutable and safe for concurrent use.
type RobustScaler struct {
	Columns []ScaleColumn `json:"columns"`
}

// Transform returns f with each fitted column scaled. It returns an error
// wrapping frame.ErrNoColumn, frame.ErrKind or [ErrNotFinite], and
// ctx.Err() when ctx is cancelled.
func (s *RobustScaler) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return (&StandardScaler{Columns: s.Columns}).apply(ctx, f, "robust scale transform", false)
}

// InverseTransform maps scaled values back: y·Scale + Center. Errors are
// those of Transform.
func (s *RobustScaler) InverseTransform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	return (&StandardScaler{Columns: s.Columns}).apply(ctx, f, "robust scale inverse transform", true)
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (s *RobustScaler) Validate() error {
	if err := (&StandardScaler{Columns: s.Columns}).Validate(); err != nil {
		return fmt.Errorf("robust scaler: %w", err)
	}
	return nil
}

// RowNorm is the norm [NormalizeRows] divides each row by.
type RowNorm uint8

// The row norms. They are saved by name ("l2", "l1", "max").
const (
	L2      RowNorm = iota // square root of the sum of squares (the default)
	L1                     // sum of absolute values
	MaxNorm                // largest absolute value
)

var normNames = [...]string{"l2", "l1", "max"}

// String returns "l2", "l1" or "max".
func (n RowNorm) String() string {
	if int(n) < len(normNames) {
		return normNames[n]
	}
	return fmt.Sprintf("RowNorm(%d)", uint8(n))
}

// MarshalText returns the norm's name; it fails for an unknown norm.
func (n RowNorm) MarshalText() ([]byte, error) {
	if int(n) >= len(normNames) {
		return nil, fmt.Errorf("row norm %d: %w", uint8(n), ErrParam)
	}
	return []byte(normNames[n]), nil
}

// UnmarshalText reads a norm name; it fails with an error wrapping
// [ErrParam] for an unknown one.
func (n *RowNorm) UnmarshalText(b []byte) error {
	i := slices.Index(normNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("row norm %q (want l2, l1 or max): %w", b, ErrParam)
	}
	*n = RowNorm(i)
	return nil
}

// NormalizeRowsSpec is the specification of a row normaliser: the chosen
// float columns of each row are divided by the row's norm over them, so
// each row has norm 1 (scikit-learn's Normalizer); a row of zeros stays
// zeros. It learns nothing. Build it with [NormalizeRows]; it is an
// immutable value, safe for concurrent use.
type NormalizeRowsSpec struct {
	// Columns to normalise together; empty means every float column.
	Columns []string
	Norm    RowNorm
}

// NormalizeRows returns the specification of a row normaliser over cols
// with the given norm.
func NormalizeRows(norm RowNorm, cols ...string) NormalizeRowsSpec {
	return NormalizeRowsSpec{Columns: slices.Clone(cols), Norm: norm}
}

// Fit checks the columns of f and returns a [*RowNormalizer]. It returns
// an error wrapping [ErrParam] for an unknown norm, frame.ErrEmpty,
// frame.ErrNoColumn or frame.ErrKind, and ctx.Err() when ctx is cancelled.
func (s NormalizeRowsSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if int(s.Norm) >= len(normNames) {
		return nil, fmt.Errorf("normalize rows: norm %d: %w", s.Norm, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.NumRows() == 0 {
		return nil, fmt.Errorf("normalize rows fit: %w", frame.ErrEmpty)
	}
	var cs columnSet
	if _, err := cs.resolve("normalize rows", f, s.Columns, frame.Float); err != nil {
		return nil, err
	}
	return &RowNormalizer{Columns: cs.names, Norm: s.Norm}, nil
}

// RowNormalizer is a fitted [NormalizeRowsSpec]. It is immutable and safe
// for concurrent use.
type RowNormalizer struct {
	Columns []string `json:"columns"`
	Norm    RowNorm  `json:"norm"`
}

// Transform returns f with the rows of the columns normalised. A missing or
// infinite value makes the row's norm undefined: it returns an error
// wrapping frame.ErrMissing or [ErrNotFinite] naming the row, as well as
// frame.ErrNoColumn or frame.ErrKind, and ctx.Err() when ctx is cancelled.
func (n *RowNormalizer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "normalize rows transform"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	in := make([][]float64, len(n.Columns))
	for j, name := range n.Columns {
		c, err := inputColumn(step, f, name, frame.Float)
		if err != nil {
			return nil, err
		}
		in[j] = c.(*frame.FloatColumn).Values()
		for r, x := range in[j] {
			if math.IsNaN(x) {
				return nil, fmt.Errorf("%s: column %q row %d is missing (impute first): %w", step, name, r, frame.ErrMissing)
			}
			if math.IsInf(x, 0) {
				return nil, infError(step, name, r, x)
			}
		}
	}
	rows := f.NumRows()
	norms := make([]float64, rows)
	for r := range rows {
		var s float64
		for j := range in {
			x := in[j][r]
			switch n.Norm {
			case L2:
				s += x * x
			case L1:
				s += math.Abs(x)
			case MaxNorm:
				s = math.Max(s, math.Abs(x))
			}
		}
		if n.Norm == L2 {
			s = math.Sqrt(s)
		}
		norms[r] = tinyScale(s)
	}
	out := f
	for j, name := range n.Columns {
		v := make([]float64, rows)
		for r, x := range in[j] {
			v[r] = x / norms[r]
		}
		var err error
		if out, err = out.With(name, frame.NewFloat(v)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (n *RowNormalizer) Validate() error {
	if len(n.Columns) == 0 || int(n.Norm) >= len(normNames) {
		return fmt.Errorf("row normalizer: %d columns, norm %d: %w", len(n.Columns), n.Norm, ErrState)
	}
	return checkNames("row normalizer", n.Columns)
}

func init() {
	Register[*MinMaxScaler]("preprocess.min_max_scale", 1)
	Register[*MaxAbsScaler]("preprocess.max_abs_scale", 1)
	Register[*RobustScaler]("preprocess.robust_scale", 1)
	Register[*RowNormalizer]("preprocess.normalize_rows", 1)
}
