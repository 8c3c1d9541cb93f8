package preprocess

import (
	"context"
	"fmt"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
)

// MissingSuffix ends the names of the columns [MissingIndicator] adds:
// column "age" gets "age_missing". The names are saved with a fitted
// pipeline, so this will not change.
const MissingSuffix = "_missing"

// MissingIndicatorSpec is the specification of a missing-value indicator:
// for each chosen column it adds a float column, named column+"_missing",
// holding 1 where the value is missing and 0 elsewhere, so that a model
// still knows which values an imputer filled (scikit-learn's
// MissingIndicator). By default only the columns with a missing value in
// the training frame get an indicator (scikit-learn's
// features="missing-only"); with All every chosen column does. Columns of
// any kind can be indicated. Build it with [MissingIndicator]; it is an
// immutable value, safe for concurrent use.
type MissingIndicatorSpec struct {
	// Columns to indicate; empty means every column.
	Columns []string
	// All adds an indicator for every chosen column, even one with no
	// missing value in training.
	All bool
}

// MissingIndicator returns the specification of a missing-value indicator
// of cols (every column when none are named).
func MissingIndicator(cols ...string) MissingIndicatorSpec {
	return MissingIndicatorSpec{Columns: slices.Clone(cols)}
}

// Fit finds the columns with missing values in f and returns a
// [*MissingIndicatorStep]. It returns an error wrapping frame.ErrEmpty,
// frame.ErrNoColumn, and ctx.Err() when ctx is cancelled.
func (s MissingIndicatorSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] for s; its statistics are missing
// counts.
func (s MissingIndicatorSpec) Begin() Partial {
	return &indicatorPartial{spec: MissingIndicatorSpec{Columns: slices.Clone(s.Columns), All: s.All}}
}

type indicatorPartial struct {
	spec    MissingIndicatorSpec
	cols    columnSet
	missing []int64
}

var allKinds = []frame.Kind{frame.Float, frame.Categorical, frame.String, frame.Time, frame.Bool}

func (p *indicatorPartial) Add(ctx context.Context, batch *frame.Frame) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cols, err := p.cols.resolve("missing indicator", batch, p.spec.Columns, allKinds...)
	if err != nil {
		return err
	}
	if p.missing == nil {
		p.missing = make([]int64, len(cols))
	}
	counts := make([]int64, len(cols))
	if err := parallel(ctx, len(cols), func(_ context.Context, i int) error {
		counts[i] = int64(frame.Missing(cols[i]))
		return nil
	}); err != nil {
		return err
	}
	for i, n := range counts {
		p.missing[i] += n
	}
	return nil
}

func (p *indicatorPartial) Merge(other Partial) error {
	o, ok := other.(*indicatorPartial)
	if !ok || !slices.Equal(p.spec.Columns, o.spec.Columns) || p.spec.All != o.spec.All {
		return mergeError("missing indicator", other)
	}
	if more, err := p.cols.merge("missing indicator", &o.cols); !more || err != nil {
		return err
	}
	if p.missing == nil {
		p.missing = make([]int64, len(o.missing))
	}
	for i := range p.missing {
		p.missing[i] += o.missing[i]
	}
	return nil
}

func (p *indicatorPartial) Finish() (Fitted, error) {
	if err := p.cols.finish("missing indicator"); err != nil {
		return nil, err
	}
	m := &MissingIndicatorStep{Columns: []string{}, Missing: []int64{}}
	for i, n := range p.cols.names {
		if p.spec.All || p.missing[i] > 0 {
			m.Columns = append(m.Columns, n)
			m.Missing = append(m.Missing, p.missing[i])
		}
	}
	return m, nil
}

// MissingIndicatorStep is a fitted [MissingIndicatorSpec]: the columns that
// get an indicator, with their missing counts in training. It may have no
// column (nothing was missing), and then Transform returns its input. It is
// immutable and safe for concurrent use.
type MissingIndicatorStep struct {
	Columns []string `json:"columns"`
	Missing []int64  `json:"missing"`
}

// FeatureNames returns the names of the indicator columns.
func (m *MissingIndicatorStep) FeatureNames() []string {
	out := make([]string, len(m.Columns))
	for i, n := range m.Columns {
		out[i] = n + MissingSuffix
	}
	return out
}

// Transform returns f with an indicator column appended for each fitted
// column. It returns an error wrapping frame.ErrNoColumn for an absent
// column, frame.ErrDuplicate if an indicator name is already a column, and
// ctx.Err() when ctx is cancelled.
func (m *MissingIndicatorStep) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := f
	for i, name := range m.FeatureNames() {
		c, err := f.Col(m.Columns[i])
		if err != nil {
			return nil, fmt.Errorf("missing indicator transform: %w", err)
		}
		if f.Has(name) {
			return nil, fmt.Errorf("missing indicator transform: column %q already exists: %w", name, frame.ErrDuplicate)
		}
		v := make([]float64, c.Len())
		for r := range v {
			if c.IsNA(r) {
				v[r] = 1
			}
		}
		if out, err = out.With(name, frame.NewFloat(v)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (m *MissingIndicatorStep) Validate() error {
	if len(m.Missing) != len(m.Columns) {
		return fmt.Errorf("missing indicator: %d columns, %d counts: %w", len(m.Columns), len(m.Missing), ErrState)
	}
	return checkNames("missing indicator", m.Columns)
}

func init() {
	Register[*MissingIndicatorStep]("preprocess.missing_indicator", 1)
}
