package preprocess

import (
	"context"
	"fmt"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
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
// features="missing-only"); with All every chosen column does. A column
// that was complete in training gets no indicator, and a missing value in
// it at transform time is left to the steps after (an imputer fills it);
// scikit-learn's MissingIndicator instead refuses such input by default
// (error_on_new=True). Columns of any kind can be indicated. Build it with [MissingIndicator]; it is an
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
	if err := parallel.For(ctx, len(cols), 0, func(_ context.Context, i int) error {
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

// DropSparseSpec is the specification of a step dropping the columns whose
// share of missing values in the training frame is above MaxMissing (0.5
// drops the columns more than half empty). The same columns are dropped from
// every frame transformed, so training and serving see one schema. Build it
// with [DropSparse]; it is an immutable value, safe for concurrent use.
type DropSparseSpec struct {
	// Columns to consider; empty means every column.
	Columns []string
	// MaxMissing is the largest share of missing values kept, in [0, 1].
	MaxMissing float64
}

// DropSparse returns the specification dropping those of cols (every
// column when none are named) with a share of missing values above
// maxMissing.
func DropSparse(maxMissing float64, cols ...string) DropSparseSpec {
	return DropSparseSpec{Columns: slices.Clone(cols), MaxMissing: maxMissing}
}

// Fit measures each column's share of missing values and returns a
// [*ColumnDropper]. It returns an error wrapping [ErrParam] for MaxMissing
// outside [0, 1], frame.ErrEmpty, frame.ErrNoColumn, and ctx.Err() when ctx
// is cancelled.
func (s DropSparseSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] for s; its statistics are missing counts.
func (s DropSparseSpec) Begin() Partial {
	return &sparsePartial{max: s.MaxMissing, indicatorPartial: indicatorPartial{spec: MissingIndicatorSpec{Columns: slices.Clone(s.Columns), All: true}}}
}

type sparsePartial struct {
	max float64
	indicatorPartial
}

func (p *sparsePartial) Merge(other Partial) error {
	o, ok := other.(*sparsePartial)
	if !ok || o.max != p.max {
		return mergeError("drop sparse", other)
	}
	return p.indicatorPartial.Merge(&o.indicatorPartial)
}

func (p *sparsePartial) Finish() (Fitted, error) {
	if !(p.max >= 0 && p.max <= 1) {
		return nil, fmt.Errorf("drop sparse: max missing share %v: %w", p.max, ErrParam)
	}
	if err := p.cols.finish("drop sparse"); err != nil {
		return nil, err
	}
	d := &ColumnDropper{Columns: []string{}, Missing: []float64{}}
	for i, n := range p.cols.names {
		if rate := float64(p.missing[i]) / float64(p.cols.rows); rate > p.max {
			d.Columns = append(d.Columns, n)
			d.Missing = append(d.Missing, rate)
		}
	}
	return d, nil
}

// ColumnDropper is a fitted [DropSparseSpec]: the columns it drops, with
// their share of missing values in training. It is immutable and safe for
// concurrent use.
type ColumnDropper struct {
	Columns []string  `json:"columns"`
	Missing []float64 `json:"missing"`
}

// Transform returns f without the dropped columns. It returns an error
// wrapping frame.ErrNoColumn when one is absent, and ctx.Err() when ctx is
// cancelled.
func (d *ColumnDropper) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(d.Columns) == 0 {
		return f, nil
	}
	out, err := f.Drop(d.Columns...)
	if err != nil {
		return nil, fmt.Errorf("drop sparse transform: %w", err)
	}
	return out, nil
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (d *ColumnDropper) Validate() error {
	if len(d.Missing) != len(d.Columns) {
		return fmt.Errorf("column dropper: %d columns, %d shares: %w", len(d.Columns), len(d.Missing), ErrState)
	}
	for _, m := range d.Missing {
		if !(m >= 0 && m <= 1) {
			return fmt.Errorf("column dropper: missing share %v: %w", m, ErrState)
		}
	}
	return checkNames("column dropper", d.Columns)
}

// DropMissingRows returns f without the rows whose share of missing values
// among cols (every column when none are named) is above maxMissing (0
// drops every row with a missing value), and the number of rows dropped. It
// is not a [Step]: dropping rows belongs to preparing training data. It
// returns an error wrapping [ErrParam] for maxMissing outside [0, 1] and
// frame.ErrNoColumn for an unknown column.
func DropMissingRows(f *frame.Frame, maxMissing float64, cols ...string) (*frame.Frame, int, error) {
	if !(maxMissing >= 0 && maxMissing <= 1) {
		return nil, 0, fmt.Errorf("drop missing rows: max share %v: %w", maxMissing, ErrParam)
	}
	if len(cols) == 0 {
		cols = f.Names()
	}
	columns := make([]frame.Column, len(cols))
	for i, n := range cols {
		c, err := f.Col(n)
		if err != nil {
			return nil, 0, fmt.Errorf("drop missing rows: %w", err)
		}
		columns[i] = c
	}
	out := f.Filter(func(r int) bool {
		miss := 0
		for _, c := range columns {
			if c.IsNA(r) {
				miss++
			}
		}
		return len(columns) == 0 || float64(miss)/float64(len(columns)) <= maxMissing
	})
	return out, f.NumRows() - out.NumRows(), nil
}

func init() {
	Register[*ColumnDropper]("preprocess.drop_sparse", 1)
}
