package preprocess

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
)

// Strategy is how [Impute] chooses the value that replaces missing ones.
// It is saved by name ("mean", "median", "most_frequent", "constant", the
// names scikit-learn uses).
type Strategy uint8

// The imputation strategies.
const (
	// Mean fills a float column with the mean of its present values.
	Mean Strategy = iota + 1
	// Median fills a float column with the median of its present values
	// (numpy's: the mean of the two middle values for an even count).
	Median
	// MostFrequent fills a float, categorical or bool column with its most
	// frequent present value, the smallest among equally frequent ones (as
	// scikit-learn does; false before true).
	MostFrequent
	// Constant fills a float column with ImputeSpec.Fill, a categorical
	// column with ImputeSpec.FillCategory and a bool column with
	// ImputeSpec.Fill != 0.
	Constant
)

var strategyNames = [...]string{"", "mean", "median", "most_frequent", "constant"}

// String returns the strategy's name, such as "most_frequent".
func (s Strategy) String() string {
	if s >= Mean && s <= Constant {
		return strategyNames[s]
	}
	return fmt.Sprintf("Strategy(%d)", uint8(s))
}

// MarshalText returns the strategy's name; it fails for an unknown strategy.
func (s Strategy) MarshalText() ([]byte, error) {
	if s < Mean || s > Constant {
		return nil, fmt.Errorf("impute strategy %d: %w", uint8(s), ErrParam)
	}
	return []byte(strategyNames[s]), nil
}

// UnmarshalText reads a strategy name; it fails with an error wrapping
// [ErrParam] for an unknown one.
func (s *Strategy) UnmarshalText(b []byte) error {
	for i := Mean; i <= Constant; i++ {
		if strategyNames[i] == string(b) {
			*s = i
			return nil
		}
	}
	return fmt.Errorf("impute strategy %q (want mean, median, most_frequent or constant): %w", b, ErrParam)
}

// DefaultFillCategory is the category [Constant] imputation writes into
// categorical columns when ImputeSpec.FillCategory is empty: scikit-learn's
// default fill value for strings.
const DefaultFillCategory = "missing_value"

// ImputeSpec is the specification of a missing-value imputer: it replaces
// the missing values of the chosen columns by a value learned in fitting.
// Build it with [Impute]; it is an immutable value, safe for concurrent use.
//
// Mean and Median work on float columns; MostFrequent and Constant on
// float, categorical and bool columns. With no columns named, every column
// the strategy can fill is taken.
//
// A column with no present value at all cannot be filled by Mean, Median or
// MostFrequent: Fit returns an error wrapping [ErrAllMissing] that names it.
// (scikit-learn instead drops such columns with a warning; a column that
// silently vanishes breaks the feature names a fitted pipeline is saved with,
// so here it is an error: drop the column or use Constant.)
type ImputeSpec struct {
	Strategy Strategy
	// Columns to impute; empty means every column the strategy can fill.
	Columns []string
	// Fill is the value Constant writes into float columns (default 0, as
	// scikit-learn).
	Fill float64
	// FillCategory is the category Constant writes into categorical
	// columns; empty means [DefaultFillCategory].
	FillCategory string
	// MaxValues, when positive, bounds the values Median holds per column
	// while fitting: beyond it they go into a [Sketch] of level size
	// MaxValues and the median is approximate. 0 holds every value: exact.
	MaxValues int
}

// Impute returns the specification of an imputer filling the missing values
// of cols (all fillable columns when none are named) by strategy.
func Impute(strategy Strategy, cols ...string) ImputeSpec {
	return ImputeSpec{Strategy: strategy, Columns: slices.Clone(cols)}
}

// WithFill returns a copy of s whose Constant strategy fills float columns
// with v.
func (s ImputeSpec) WithFill(v float64) ImputeSpec {
	s.Fill = v
	return s
}

// WithFillCategory returns a copy of s whose Constant strategy fills
// categorical columns with c.
func (s ImputeSpec) WithFillCategory(c string) ImputeSpec {
	s.FillCategory = c
	return s
}

// Fit learns each column's fill value from f and returns an [*Imputer].
// It returns an error wrapping [ErrParam] for an unknown strategy or a
// non-finite Fill, frame.ErrEmpty for a frame with no rows,
// frame.ErrNoColumn for an unknown column, frame.ErrKind for a column the
// strategy cannot fill, [ErrNotFinite] for an infinite value,
// [ErrAllMissing] for a column with nothing to learn from, and ctx.Err()
// when ctx is cancelled. Fit is safe for concurrent use.
func (s ImputeSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] that fits s batch by batch. Its
// statistics are [Moments] for Mean, a [Sample] (every present value, for
// an exact median) for Median, and [Counts] for MostFrequent.
func (s ImputeSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &imputePartial{spec: s}
}

type imputePartial struct {
	spec    ImputeSpec
	cols    columnSet
	moments []Moments // Mean
	samples []Sample  // Median
	// pending holds, per column, the value slices of the batches added for
	// an exact median and not yet copied into samples. Frames are
	// immutable, so referring to their columns is safe; Finish copies one
	// column at a time (or as many as there are workers), so a fit holds a
	// few columns' copies at once instead of every column's.
	pending [][][]float64
	fcounts []Counts[float64] // MostFrequent, float columns
	ccounts []Counts[string]  // MostFrequent, categorical columns
	bcounts [][3]int64        // MostFrequent, bool columns: false, true, missing
	missing []int64           // Constant
}

func (s ImputeSpec) check() ([]frame.Kind, error) {
	if s.MaxValues < 0 {
		return nil, fmt.Errorf("impute: max values %d: %w", s.MaxValues, ErrParam)
	}
	switch s.Strategy {
	case Mean, Median:
		return []frame.Kind{frame.Float}, nil
	case MostFrequent:
		return []frame.Kind{frame.Float, frame.Categorical, frame.Bool}, nil
	case Constant:
		if !finite(s.Fill) {
			return nil, fmt.Errorf("impute: constant fill %v is not a finite number: %w", s.Fill, ErrParam)
		}
		return []frame.Kind{frame.Float, frame.Categorical, frame.Bool}, nil
	}
	return nil, fmt.Errorf("impute: strategy %v: %w", s.Strategy, ErrParam)
}

func (p *imputePartial) step() string { return "impute " + p.spec.Strategy.String() }

func (p *imputePartial) Add(ctx context.Context, batch *frame.Frame) error {
	kinds, err := p.spec.check()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cols, err := p.cols.resolve(p.step(), batch, p.spec.Columns, kinds...)
	if err != nil {
		return err
	}
	n := len(cols)
	if p.moments == nil {
		p.moments, p.samples, p.missing = make([]Moments, n), make([]Sample, n), make([]int64, n)
		p.fcounts, p.ccounts, p.bcounts = make([]Counts[float64], n), make([]Counts[string], n), make([][3]int64, n)
		for i := range p.samples {
			p.samples[i].Limit = p.spec.MaxValues
		}
	}
	if p.pending == nil {
		p.pending = make([][][]float64, n)
	}
	for i, c := range cols {
		if fc, ok := c.(*frame.FloatColumn); ok {
			if err := checkFinite(p.step()+" fit", p.cols.names[i], fc.Values()); err != nil {
				return err
			}
		}
	}
	if p.spec.Strategy == Mean {
		vals := make([][]float64, n)
		for i, c := range cols {
			vals[i] = c.(*frame.FloatColumn).Values()
		}
		m, err := floatMoments(ctx, vals)
		if err != nil {
			return err
		}
		for i := range m {
			p.moments[i] = p.moments[i].Merge(m[i])
		}
		return nil
	}
	return parallel.For(ctx, n, 0, func(ctx context.Context, i int) error {
		switch c := cols[i].(type) {
		case *frame.FloatColumn:
			switch p.spec.Strategy {
			case Median:
				if p.spec.MaxValues == 0 {
					p.pending[i] = append(p.pending[i], c.Values()) // each column's own goroutine
					return nil
				}
				p.samples[i].AddBatch(c.Values())
			case MostFrequent:
				for _, x := range c.Values() {
					if x != x {
						p.fcounts[i].Missing++
						continue
					}
					p.fcounts[i].Add(x)
				}
			case Constant:
				p.missing[i] += int64(frame.Missing(c))
			}
		case *frame.BoolColumn:
			for r, v := range c.Values() {
				switch {
				case c.IsNA(r):
					p.bcounts[i][2]++
				case v:
					p.bcounts[i][1]++
				default:
					p.bcounts[i][0]++
				}
			}
		case *frame.CategoricalColumn:
			switch p.spec.Strategy {
			case MostFrequent:
				counts, miss, err := categoryCounts(ctx, []*frame.CategoricalColumn{c})
				if err != nil {
					return err
				}
				p.ccounts[i].Missing += miss[0]
				for code, k := range counts[0] {
					if k > 0 {
						p.ccounts[i].AddN(c.Dict()[code], k)
					}
				}
			case Constant:
				p.missing[i] += int64(frame.Missing(c))
			}
		}
		return nil
	})
}

// settle copies the pending batch values into the samples.
func (p *imputePartial) settle() {
	for i, vs := range p.pending {
		for _, v := range vs {
			p.samples[i].AddBatch(v)
		}
		p.pending[i] = nil
	}
}

// median returns the median and the missing count of column i: from its
// sample and, for the batches still pending, from a copy of their present
// values made here and dropped on return.
func (p *imputePartial) median(i int) (med float64, missing, present int64) {
	s := p.samples[i]
	if i >= len(p.pending) || len(p.pending[i]) == 0 {
		return s.Median(), s.Missing, s.Len()
	}
	tmp := Sample{Values: slices.Clone(s.Values), Missing: s.Missing}
	for _, v := range p.pending[i] {
		tmp.AddBatch(v)
	}
	return tmp.Median(), tmp.Missing, tmp.Len()
}

func (p *imputePartial) Merge(other Partial) error {
	o, ok := other.(*imputePartial)
	if !ok || !reflect.DeepEqual(p.spec, o.spec) {
		return mergeError(p.step(), other)
	}
	p.settle()
	o.settle()
	if more, err := p.cols.merge(p.step(), &o.cols); !more || err != nil {
		return err
	}
	if p.moments == nil {
		n := len(o.moments)
		p.moments, p.samples, p.missing = make([]Moments, n), make([]Sample, n), make([]int64, n)
		p.fcounts, p.ccounts, p.bcounts = make([]Counts[float64], n), make([]Counts[string], n), make([][3]int64, n)
		for i := range p.samples {
			p.samples[i].Limit = p.spec.MaxValues
		}
	}
	for i := range p.moments {
		p.moments[i] = p.moments[i].Merge(o.moments[i])
		p.samples[i].Merge(o.samples[i])
		p.fcounts[i].Merge(o.fcounts[i])
		p.ccounts[i].Merge(o.ccounts[i])
		for k := range 3 {
			p.bcounts[i][k] += o.bcounts[i][k]
		}
		p.missing[i] += o.missing[i]
	}
	return nil
}

func (p *imputePartial) Finish() (Fitted, error) {
	if _, err := p.spec.check(); err != nil {
		return nil, err
	}
	if err := p.cols.finish(p.step()); err != nil {
		return nil, err
	}
	medians := make([]float64, len(p.samples))
	medMissing := make([]int64, len(p.samples))
	medPresent := make([]int64, len(p.samples))
	if p.spec.Strategy == Median {
		eachSample(p.samples, func(i int, _ *Sample) { medians[i], medMissing[i], medPresent[i] = p.median(i) })
	}
	out := &Imputer{Strategy: p.spec.Strategy, Columns: make([]ImputeColumn, len(p.cols.names))}
	for i, name := range p.cols.names {
		ic := ImputeColumn{Name: name, Kind: p.cols.kinds[i]}
		ok := true
		switch p.spec.Strategy {
		case Mean:
			m := p.moments[i]
			ic.Missing, ic.Value, ok = m.Missing, m.Mean, m.N > 0
		case Median:
			ic.Missing, ic.Value, ok = medMissing[i], medians[i], medPresent[i] > 0
		case MostFrequent:
			switch ic.Kind {
			case frame.Float:
				ic.Missing = p.fcounts[i].Missing
				ic.Value, ok = p.fcounts[i].Mode()
			case frame.Categorical:
				ic.Missing = p.ccounts[i].Missing
				ic.Category, ok = p.ccounts[i].Mode()
			case frame.Bool:
				b := p.bcounts[i]
				ic.Missing, ic.Bool, ok = b[2], b[1] > b[0], b[0]+b[1] > 0
			}
		case Constant:
			switch ic.Kind {
			case frame.Float:
				ic.Missing, ic.Value = p.missing[i], p.spec.Fill
			case frame.Categorical:
				if ic.Missing, ic.Category = p.missing[i], p.spec.FillCategory; ic.Category == "" {
					ic.Category = DefaultFillCategory
				}
			case frame.Bool:
				ic.Missing, ic.Bool = p.bcounts[i][2], p.spec.Fill != 0
			}
		}
		if !ok {
			return nil, fmt.Errorf("%s: column %q has %d rows, all missing: %w (drop it, or use the constant strategy)",
				p.step(), name, p.cols.rows, ErrAllMissing)
		}
		out.Columns[i] = ic
	}
	return out, nil
}

// Imputer is a fitted [ImputeSpec]: the value written into the missing
// rows of each column. Its fields are its saved state. It is immutable and
// safe for concurrent use.
type Imputer struct {
	Strategy Strategy       `json:"strategy"`
	Columns  []ImputeColumn `json:"columns"`
}

// ImputeColumn is the learned fill of one column.
type ImputeColumn struct {
	Name string     `json:"name"`
	Kind frame.Kind `json:"kind"` // frame.Float or frame.Categorical
	// Value fills a float column.
	Value float64 `json:"value"`
	// Category fills a categorical column.
	Category string `json:"category"`
	// Bool fills a bool column.
	Bool bool `json:"bool"`
	// Missing is the number of missing values seen in fitting (a report,
	// not used by Transform).
	Missing int64 `json:"missing"`
}

// Transform returns f with the missing values of each fitted column
// replaced by its fill value; columns without missing values are shared, not
// copied. A categorical fill value not in a column's dictionary is added to
// it. It returns an error wrapping frame.ErrNoColumn or frame.ErrKind when a
// fitted column is absent or of another kind, [ErrNotFinite] for an infinite
// float, and ctx.Err() when ctx is cancelled.
func (m *Imputer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	names := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		names[i] = c.Name
	}
	return applyColumns(ctx, f, names, func(_ context.Context, i int) (frame.Column, error) {
		ic := m.Columns[i]
		c, err := inputColumn("impute", f, ic.Name, ic.Kind)
		if err != nil {
			return nil, err
		}
		switch c := c.(type) {
		case *frame.FloatColumn:
			return fillFloat(ic.Name, c, ic.Value)
		case *frame.CategoricalColumn:
			return fillCategory(c, ic.Category)
		case *frame.BoolColumn:
			return fillBool(c, ic.Bool), nil
		}
		return nil, fmt.Errorf("impute transform: column %q is %v: %w", ic.Name, c.Kind(), frame.ErrKind)
	})
}

func fillFloat(name string, c *frame.FloatColumn, fill float64) (frame.Column, error) {
	v := c.Values()
	first := -1
	for i, x := range v {
		if x != x {
			first = i
			break
		}
		if math.IsInf(x, 0) {
			return nil, infError("impute transform", name, i, x)
		}
	}
	if first < 0 {
		return c, nil
	}
	out := make([]float64, len(v))
	copy(out, v[:first])
	for i := first; i < len(v); i++ {
		x := v[i]
		switch {
		case x != x:
			x = fill
		case math.IsInf(x, 0):
			return nil, infError("impute transform", name, i, x)
		}
		out[i] = x
	}
	return frame.NewFloat(out), nil
}

func fillBool(c *frame.BoolColumn, fill bool) frame.Column {
	if frame.Missing(c) == 0 {
		return c
	}
	out := make([]bool, c.Len())
	for r, v := range c.Values() {
		if c.IsNA(r) {
			v = fill
		}
		out[r] = v
	}
	return frame.NewBool(out, nil)
}

func fillCategory(c *frame.CategoricalColumn, fill string) (frame.Column, error) {
	codes := c.Codes()
	if !slices.Contains(codes, -1) {
		return c, nil
	}
	dict := c.Dict()
	code := int32(slices.Index(dict, fill))
	if code < 0 {
		dict = append(slices.Clip(dict), fill)
		code = int32(len(dict) - 1)
	}
	out := make([]int32, len(codes))
	for i, k := range codes {
		if k < 0 {
			k = code
		}
		out[i] = k
	}
	return frame.NewCategoricalCodes(out, dict)
}

// Validate reports whether the state is usable: a known strategy, named
// unique columns of kind float, categorical or bool, finite float fills. It
// returns an error wrapping [ErrState] otherwise. UnmarshalFitted calls it.
func (m *Imputer) Validate() error {
	if m.Strategy < Mean || m.Strategy > Constant {
		return fmt.Errorf("imputer: strategy %d: %w", uint8(m.Strategy), ErrState)
	}
	names := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		names[i] = c.Name
		switch c.Kind {
		case frame.Float:
			if !finite(c.Value) {
				return fmt.Errorf("imputer: column %q fill %v: %w", c.Name, c.Value, ErrState)
			}
		case frame.Categorical, frame.Bool:
			if m.Strategy == Mean || m.Strategy == Median {
				return fmt.Errorf("imputer: %v on %v column %q: %w", m.Strategy, c.Kind, c.Name, ErrState)
			}
		default:
			return fmt.Errorf("imputer: column %q of kind %v: %w", c.Name, c.Kind, ErrState)
		}
		if c.Missing < 0 {
			return fmt.Errorf("imputer: column %q missing count %d: %w", c.Name, c.Missing, ErrState)
		}
	}
	if len(m.Columns) == 0 {
		return fmt.Errorf("imputer: no columns: %w", ErrState)
	}
	return checkNames("imputer", names)
}

func init() {
	Register[*Imputer]("preprocess.impute", 1)
}
