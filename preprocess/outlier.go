package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
)

// OutlierAction is what an outlier step does with a value outside its
// bounds. It is saved by name ("clip", "missing").
type OutlierAction uint8

// The outlier actions.
const (
	// Clip replaces the value by the nearest bound (the default).
	Clip OutlierAction = iota
	// ToMissing replaces the value by NaN, for an imputer to fill.
	ToMissing
)

var actionNames = [...]string{"clip", "missing"}

// String returns "clip" or "missing".
func (a OutlierAction) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("OutlierAction(%d)", uint8(a))
}

// MarshalText returns the action's name; it fails for an unknown action.
func (a OutlierAction) MarshalText() ([]byte, error) {
	if int(a) >= len(actionNames) {
		return nil, fmt.Errorf("outlier action %d: %w", uint8(a), ErrParam)
	}
	return []byte(actionNames[a]), nil
}

// UnmarshalText reads an action name; it fails with an error wrapping
// [ErrParam] for an unknown one.
func (a *OutlierAction) UnmarshalText(b []byte) error {
	i := slices.Index(actionNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("outlier action %q (want clip or missing): %w", b, ErrParam)
	}
	*a = OutlierAction(i)
	return nil
}

// Bounds are the accepted range of one column; a nil bound is open.
type Bounds struct {
	Name string   `json:"name"`
	Lo   *float64 `json:"lo,omitempty"`
	Hi   *float64 `json:"hi,omitempty"`
}

func bound(x float64) *float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return nil
	}
	return &x
}

// OutlierFilter is the fitted form of every outlier step ([Range], [IQR],
// [ZScore], [Winsorize]): per column, the bounds, and what happens to a
// value outside them. Method names the step that fitted it; Changed counts,
// per column, the training values outside the bounds (-1 when the step was
// fitted with MaxValues and did not hold them all). It is immutable and
// safe for concurrent use.
type OutlierFilter struct {
	Method  string        `json:"method"`
	Action  OutlierAction `json:"action"`
	Columns []Bounds      `json:"columns"`
	Changed []int64       `json:"changed"`
}

func (o *OutlierFilter) names() []string {
	out := make([]string, len(o.Columns))
	for i, c := range o.Columns {
		out[i] = c.Name
	}
	return out
}

// Transform returns f with the values outside each column's bounds clipped
// or made missing; NaN stays NaN, and an infinite value is treated as out of
// bounds when the bound on its side is closed. It returns an error wrapping
// frame.ErrNoColumn or frame.ErrKind, and ctx.Err() when ctx is cancelled.
func (o *OutlierFilter) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	out, _, err := o.apply(ctx, f)
	return out, err
}

// Count returns, per column, how many values of f are outside the bounds.
// Its errors are those of Transform.
func (o *OutlierFilter) Count(ctx context.Context, f *frame.Frame) ([]int64, error) {
	_, n, err := o.apply(ctx, f)
	return n, err
}

func (o *OutlierFilter) apply(ctx context.Context, f *frame.Frame) (*frame.Frame, []int64, error) {
	changed := make([]int64, len(o.Columns))
	out, err := applyColumns(ctx, f, o.names(), func(_ context.Context, i int) (frame.Column, error) {
		b := o.Columns[i]
		c, err := inputColumn(o.Method, f, b.Name, frame.Float)
		if err != nil {
			return nil, err
		}
		lo, hi := math.Inf(-1), math.Inf(1)
		if b.Lo != nil {
			lo = *b.Lo
		}
		if b.Hi != nil {
			hi = *b.Hi
		}
		v := c.(*frame.FloatColumn).Values()
		res := make([]float64, len(v))
		for r, x := range v {
			switch {
			case x < lo:
				changed[i]++
				if x = lo; o.Action == ToMissing {
					x = math.NaN()
				}
			case x > hi:
				changed[i]++
				if x = hi; o.Action == ToMissing {
					x = math.NaN()
				}
			}
			res[r] = x
		}
		return frame.NewFloat(res), nil
	})
	return out, changed, err
}

// Validate reports whether the state is usable: a known action, named
// unique columns with a count each, finite bounds in order. It returns an
// error wrapping [ErrState] otherwise.
func (o *OutlierFilter) Validate() error {
	if int(o.Action) >= len(actionNames) || len(o.Columns) == 0 || len(o.Changed) != len(o.Columns) {
		return fmt.Errorf("outlier filter: action %d, %d columns, %d counts: %w", o.Action, len(o.Columns), len(o.Changed), ErrState)
	}
	for i, b := range o.Columns {
		if o.Changed[i] < -1 {
			return fmt.Errorf("outlier filter: column %q changed count %d: %w", b.Name, o.Changed[i], ErrState)
		}
		if (b.Lo != nil && !finite(*b.Lo)) || (b.Hi != nil && !finite(*b.Hi)) || (b.Lo != nil && b.Hi != nil && *b.Lo > *b.Hi) {
			return fmt.Errorf("outlier filter: column %q bounds: %w", b.Name, ErrState)
		}
	}
	return checkNames("outlier filter", o.names())
}

// finishOutliers builds the filter from bounds and counts the training
// values outside them.
func finishOutliers(ctx context.Context, method string, action OutlierAction, bounds []Bounds, p *floatPartial) (Fitted, error) {
	if int(action) >= len(actionNames) {
		return nil, fmt.Errorf("%s: action %d: %w", method, action, ErrParam)
	}
	o := &OutlierFilter{Method: method, Action: action, Columns: bounds, Changed: make([]int64, len(bounds))}
	if p != nil && p.samples != nil {
		for i := range bounds {
			if !p.samples[i].Exact() {
				o.Changed[i] = -1 // the values were not all held
				continue
			}
			f, err := frame.New(frame.Floats(bounds[i].Name, p.samples[i].Values))
			if err != nil {
				return nil, err
			}
			n, err := (&OutlierFilter{Method: method, Action: action, Columns: bounds[i : i+1], Changed: []int64{0}}).Count(ctx, f)
			if err != nil {
				return nil, err
			}
			o.Changed[i] = n[0]
		}
	}
	return o, nil
}

// RangeSpec is the specification of a rule on the valid range of float
// columns ("an age is between 0 and 120"): values outside [Lo, Hi] are
// clipped or, with [ToMissing], made missing. It learns nothing from the
// data but the count of values outside. Build it with [Range]; it is an
// immutable value, safe for concurrent use.
type RangeSpec struct {
	// Columns to check; empty means every float column.
	Columns []string
	// Lo and Hi bound the valid values; an infinite bound is open.
	Lo, Hi float64
	Action OutlierAction
	// MaxValues, when positive, bounds the values held per column while
	// fitting (see [Sketch]); Changed is then not counted (-1).
	MaxValues int
}

// Range returns the specification of the rule lo <= x <= hi on cols; pass
// math.Inf(-1) or math.Inf(1) for an open side.
func Range(lo, hi float64, cols ...string) RangeSpec {
	return RangeSpec{Columns: slices.Clone(cols), Lo: lo, Hi: hi}
}

// WithAction returns a copy of s with the given action.
func (s RangeSpec) WithAction(a OutlierAction) RangeSpec {
	s.Action = a
	return s
}

// Fit checks the columns of f and returns an [*OutlierFilter] with the
// rule's bounds. It returns an error wrapping [ErrParam] for Lo > Hi, NaN
// bounds or an unknown action, frame.ErrEmpty, frame.ErrNoColumn,
// frame.ErrKind, [ErrNotFinite] for an infinite training value (Transform
// clips those), and ctx.Err() when ctx is cancelled.
func (s RangeSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return fitOnce(ctx, s, f)
}

func (s RangeSpec) check() error {
	if math.IsNaN(s.Lo) || math.IsNaN(s.Hi) || s.Lo > s.Hi {
		return fmt.Errorf("range: bounds [%v, %v]: %w", s.Lo, s.Hi, ErrParam)
	}
	return nil
}

// Begin returns an empty [Partial] for s.
func (s RangeSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &floatPartial{step: "range", spec: s, named: s.Columns, keep: true, limit: s.MaxValues, finish: func(p *floatPartial) (Fitted, error) {
		if err := s.check(); err != nil {
			return nil, err
		}
		bounds := make([]Bounds, len(p.cols.names))
		for i, n := range p.cols.names {
			bounds[i] = Bounds{Name: n, Lo: bound(s.Lo), Hi: bound(s.Hi)}
		}
		return finishOutliers(context.Background(), "range", s.Action, bounds, p)
	}}
}

// IQRSpec is the specification of Tukey's fences: values below
// Q1 − K·(Q3 − Q1) or above Q3 + K·(Q3 − Q1), the quartiles learned from
// the training data (numpy's linear interpolation), are clipped or made
// missing. Build it with [IQR]; it is an immutable value, safe for
// concurrent use.
type IQRSpec struct {
	// Columns to check; empty means every float column.
	Columns []string
	// K is the fence distance in interquartile ranges; 0 means 1.5.
	K      float64
	Action OutlierAction
	// MaxValues, when positive, bounds the values held per column while
	// fitting: beyond it they go into a [Sketch] and the quartiles are
	// approximate, and Changed is not counted (-1). 0: exact.
	MaxValues int
}

// IQR returns the specification of Tukey's fences (K 1.5) on cols.
func IQR(cols ...string) IQRSpec { return IQRSpec{Columns: slices.Clone(cols)} }

// Fit learns each column's quartiles and returns an [*OutlierFilter]. It
// returns an error wrapping [ErrParam] for a negative K, frame.ErrEmpty,
// frame.ErrNoColumn, frame.ErrKind, [ErrNotFinite], [ErrAllMissing], and
// ctx.Err() when ctx is cancelled.
func (s IQRSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return fitOnce(ctx, s, f)
}

func (s IQRSpec) check() error {
	if s.K < 0 || math.IsNaN(s.K) {
		return fmt.Errorf("iqr: k %v: %w", s.K, ErrParam)
	}
	return nil
}

// Begin returns an empty [Partial] for s; it holds the present values.
func (s IQRSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &floatPartial{step: "iqr", spec: s, named: s.Columns, keep: true, limit: s.MaxValues, finish: func(p *floatPartial) (Fitted, error) {
		if err := s.check(); err != nil {
			return nil, err
		}
		k := s.K
		if k == 0 {
			k = 1.5
		}
		bounds := make([]Bounds, len(p.cols.names))
		eachSample(p.samples, func(i int, smp *Sample) {
			q := smp.quantiles(0.25, 0.75)
			q1, q3 := q[0], q[1]
			bounds[i] = Bounds{Name: p.cols.names[i], Lo: bound(q1 - k*(q3-q1)), Hi: bound(q3 + k*(q3-q1))}
		})
		return finishOutliers(context.Background(), "iqr", s.Action, bounds, p)
	}}
}

// ZScoreSpec is the specification of a z-score rule: values farther than
// Threshold population standard deviations from the training mean are
// clipped or made missing. Build it with [ZScore]; it is an immutable value,
// safe for concurrent use.
type ZScoreSpec struct {
	// Columns to check; empty means every float column.
	Columns []string
	// Threshold in standard deviations; 0 means 3.
	Threshold float64
	Action    OutlierAction
	// MaxValues, when positive, bounds the values held per column while
	// fitting (see [Sketch]); Changed is then not counted (-1).
	MaxValues int
}

// ZScore returns the specification of a z-score rule (threshold 3) on cols.
func ZScore(cols ...string) ZScoreSpec { return ZScoreSpec{Columns: slices.Clone(cols)} }

// Fit learns each column's mean and standard deviation and returns an
// [*OutlierFilter]. Errors are those of [IQRSpec.Fit].
func (s ZScoreSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return fitOnce(ctx, s, f)
}

func (s ZScoreSpec) check() error {
	if s.Threshold < 0 || math.IsNaN(s.Threshold) {
		return fmt.Errorf("z-score: threshold %v: %w", s.Threshold, ErrParam)
	}
	return nil
}

// Begin returns an empty [Partial] for s.
func (s ZScoreSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &floatPartial{step: "z-score", spec: s, named: s.Columns, keep: true, limit: s.MaxValues, finish: func(p *floatPartial) (Fitted, error) {
		if err := s.check(); err != nil {
			return nil, err
		}
		t := s.Threshold
		if t == 0 {
			t = 3
		}
		bounds := make([]Bounds, len(p.cols.names))
		for i, n := range p.cols.names {
			m := p.moments[i]
			sd := math.Sqrt(m.Variance())
			bounds[i] = Bounds{Name: n, Lo: bound(m.Mean - t*sd), Hi: bound(m.Mean + t*sd)}
		}
		return finishOutliers(context.Background(), "z-score", s.Action, bounds, p)
	}}
}

// WinsorizeSpec is the specification of winsorising: values below the
// Lower quantile or above the Upper quantile of the training data (numpy's
// linear interpolation) are clipped to them (or, with [ToMissing], made
// missing). Build it with [Winsorize]; it is an immutable value, safe for
// concurrent use.
type WinsorizeSpec struct {
	// Columns to clip; empty means every float column.
	Columns []string
	// Lower and Upper are quantiles in [0, 1], Lower <= Upper.
	Lower, Upper float64
	Action       OutlierAction
	// MaxValues, when positive, bounds the values held per column while
	// fitting: beyond it they go into a [Sketch] and the quantiles are
	// approximate, and Changed is not counted (-1). 0: exact.
	MaxValues int
}

// Winsorize returns the specification clipping cols to their lower and
// upper training quantiles (0.05 and 0.95 for the usual 90% winsorising).
func Winsorize(lower, upper float64, cols ...string) WinsorizeSpec {
	return WinsorizeSpec{Columns: slices.Clone(cols), Lower: lower, Upper: upper}
}

// Fit learns each column's quantiles and returns an [*OutlierFilter]. It
// returns an error wrapping [ErrParam] for quantiles outside [0, 1] or out
// of order, and otherwise the errors of [IQRSpec.Fit].
func (s WinsorizeSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return fitOnce(ctx, s, f)
}

func (s WinsorizeSpec) check() error {
	if !(0 <= s.Lower && s.Lower <= s.Upper && s.Upper <= 1) {
		return fmt.Errorf("winsorize: quantiles %v, %v: %w", s.Lower, s.Upper, ErrParam)
	}
	return nil
}

// Begin returns an empty [Partial] for s; it holds the present values.
func (s WinsorizeSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &floatPartial{step: "winsorize", spec: s, named: s.Columns, keep: true, limit: s.MaxValues, finish: func(p *floatPartial) (Fitted, error) {
		if err := s.check(); err != nil {
			return nil, err
		}
		bounds := make([]Bounds, len(p.cols.names))
		eachSample(p.samples, func(i int, smp *Sample) {
			q := smp.quantiles(s.Lower, s.Upper)
			bounds[i] = Bounds{Name: p.cols.names[i], Lo: bound(q[0]), Hi: bound(q[1])}
		})
		return finishOutliers(context.Background(), "winsorize", s.Action, bounds, p)
	}}
}

func init() {
	Register[*OutlierFilter]("preprocess.outliers", 1)
}
