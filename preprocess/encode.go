package preprocess

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
)

// categoryPartial is the Partial of the category encoders: per column, the
// category counts.
type categoryPartial struct {
	step   string
	spec   any
	named  []string
	cols   columnSet
	counts []Counts[string]
	finish func(p *categoryPartial) (Fitted, error)
}

func (p *categoryPartial) Add(ctx context.Context, batch *frame.Frame) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cols, err := p.cols.resolve(p.step, batch, p.named, frame.Categorical)
	if err != nil {
		return err
	}
	cats := make([]*frame.CategoricalColumn, len(cols))
	for i, c := range cols {
		cats[i] = c.(*frame.CategoricalColumn)
	}
	counts, miss, err := categoryCounts(ctx, cats)
	if err != nil {
		return err
	}
	if p.counts == nil {
		p.counts = make([]Counts[string], len(cols))
	}
	for i, cc := range cats {
		p.counts[i].Missing += miss[i]
		for code, n := range counts[i] {
			if n > 0 {
				p.counts[i].AddN(cc.Dict()[code], n)
			}
		}
	}
	return nil
}

func (p *categoryPartial) Merge(other Partial) error {
	o, ok := other.(*categoryPartial)
	if !ok || p.step != o.step || !reflect.DeepEqual(p.spec, o.spec) {
		return mergeError(p.step, other)
	}
	if more, err := p.cols.merge(p.step, &o.cols); !more || err != nil {
		return err
	}
	if p.counts == nil {
		p.counts = make([]Counts[string], len(o.counts))
	}
	for i := range p.counts {
		p.counts[i].Merge(o.counts[i])
	}
	return nil
}

func (p *categoryPartial) Finish() (Fitted, error) {
	if err := p.cols.finish(p.step); err != nil {
		return nil, err
	}
	for i := range p.counts {
		if len(p.counts[i].Values()) == 0 {
			return nil, fmt.Errorf("%s fit: column %q has %d rows, all missing: %w", p.step, p.cols.names[i], p.cols.rows, ErrAllMissing)
		}
	}
	return p.finish(p)
}

// categoryLookup maps each dictionary code of c to the index of its
// category in sorted cats, or -1 when it is not one.
func categoryLookup(c *frame.CategoricalColumn, cats []string) []int {
	out := make([]int, len(c.Dict()))
	for code, s := range c.Dict() {
		k, found := slices.BinarySearch(cats, s)
		if !found {
			k = -1
		}
		out[code] = k
	}
	return out
}

// encodeColumns replaces each named categorical column of f by the float
// column value(i, k, row) gives, where k is the category's index in the
// sorted categories of column i, or -1 for an unseen category. Missing rows
// become NaN.
func encodeColumns(ctx context.Context, step string, f *frame.Frame, names []string, cats [][]string,
	value func(i, k, row int) (float64, error)) (*frame.Frame, error) {
	return applyColumns(ctx, f, names, func(_ context.Context, i int) (frame.Column, error) {
		c, err := inputColumn(step, f, names[i], frame.Categorical)
		if err != nil {
			return nil, err
		}
		cc := c.(*frame.CategoricalColumn)
		lookup := categoryLookup(cc, cats[i])
		out := make([]float64, cc.Len())
		for r, code := range cc.Codes() {
			if code < 0 {
				out[r] = math.NaN()
				continue
			}
			if out[r], err = value(i, lookup[code], r); err != nil {
				return nil, fmt.Errorf("%s: column %q row %d category %q: %w", step, names[i], r, cc.Dict()[code], err)
			}
		}
		return frame.NewFloat(out), nil
	})
}

func checkCategories(step, name string, cats []string) error {
	if len(cats) == 0 {
		return fmt.Errorf("%s: column %q has no categories: %w", step, name, ErrState)
	}
	for k := 1; k < len(cats); k++ {
		if cats[k-1] >= cats[k] {
			return fmt.Errorf("%s: column %q categories %q, %q not sorted and unique: %w", step, name, cats[k-1], cats[k], ErrState)
		}
	}
	return nil
}

// OrdinalSpec is the specification of an ordinal encoder: each chosen
// categorical column becomes a float column holding its category's index in
// the sorted training categories (scikit-learn's OrdinalEncoder). A missing
// value becomes NaN; a category unseen in fitting becomes NaN under
// [IgnoreUnknown] (scikit-learn's handle_unknown="use_encoded_value" with
// unknown_value=NaN) and is an error under [ErrorOnUnknown]. Build it with
// [Ordinal]; it is an immutable value, safe for concurrent use.
type OrdinalSpec struct {
	// Columns to encode; empty means every categorical column.
	Columns []string
	Unknown UnknownPolicy
}

// Ordinal returns the specification of an ordinal encoder of cols.
func Ordinal(cols ...string) OrdinalSpec { return OrdinalSpec{Columns: slices.Clone(cols)} }

// WithUnknownPolicy returns a copy of s with the given unknown-category policy.
func (s OrdinalSpec) WithUnknownPolicy(p UnknownPolicy) OrdinalSpec {
	s.Unknown = p
	return s
}

// Fit learns each column's sorted categories and returns an
// [*OrdinalEncoder]. It returns an error wrapping [ErrParam] for an unknown
// policy, frame.ErrEmpty, frame.ErrNoColumn, frame.ErrKind,
// [ErrAllMissing], and ctx.Err() when ctx is cancelled.
func (s OrdinalSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if s.Unknown != IgnoreUnknown && s.Unknown != ErrorOnUnknown {
		return nil, fmt.Errorf("ordinal: unknown policy %v: %w", s.Unknown, ErrParam)
	}
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] for s; its statistics are category counts.
func (s OrdinalSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &categoryPartial{step: "ordinal", spec: s, named: s.Columns, finish: func(p *categoryPartial) (Fitted, error) {
		if s.Unknown != IgnoreUnknown && s.Unknown != ErrorOnUnknown {
			return nil, fmt.Errorf("ordinal: unknown policy %v: %w", s.Unknown, ErrParam)
		}
		e := &OrdinalEncoder{Unknown: s.Unknown, Columns: make([]CategoryColumn, len(p.counts))}
		for i := range p.counts {
			e.Columns[i] = CategoryColumn{Name: p.cols.names[i], Categories: p.counts[i].Values()}
		}
		return e, nil
	}}
}

// CategoryColumn is the learned state of one encoded column: its sorted
// training categories.
type CategoryColumn struct {
	Name       string   `json:"name"`
	Categories []string `json:"categories"`
}

// OrdinalEncoder is a fitted [OrdinalSpec]. It is immutable and safe for
// concurrent use.
type OrdinalEncoder struct {
	Columns []CategoryColumn `json:"columns"`
	Unknown UnknownPolicy    `json:"unknown"`
}

func categoryNames(cols []CategoryColumn) ([]string, [][]string) {
	names := make([]string, len(cols))
	cats := make([][]string, len(cols))
	for i, c := range cols {
		names[i], cats[i] = c.Name, c.Categories
	}
	return names, cats
}

// Transform returns f with each encoded column replaced by the index of its
// category. It returns an error wrapping frame.ErrNoColumn or frame.ErrKind,
// [ErrUnknownCategory] under [ErrorOnUnknown], and ctx.Err() when ctx is
// cancelled.
func (e *OrdinalEncoder) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	names, cats := categoryNames(e.Columns)
	return encodeColumns(ctx, "ordinal transform", f, names, cats, func(_, k, _ int) (float64, error) {
		if k < 0 {
			if e.Unknown == ErrorOnUnknown {
				return 0, ErrUnknownCategory
			}
			return math.NaN(), nil
		}
		return float64(k), nil
	})
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (e *OrdinalEncoder) Validate() error {
	if (e.Unknown != IgnoreUnknown && e.Unknown != ErrorOnUnknown) || len(e.Columns) == 0 {
		return fmt.Errorf("ordinal encoder: unknown policy %d, %d columns: %w", e.Unknown, len(e.Columns), ErrState)
	}
	names, cats := categoryNames(e.Columns)
	for i := range names {
		if err := checkCategories("ordinal encoder", names[i], cats[i]); err != nil {
			return err
		}
	}
	return checkNames("ordinal encoder", names)
}

// FrequencySpec is the specification of a frequency (or count) encoder:
// each chosen categorical column becomes a float column holding its
// category's share of the present training values (or, with Counts, its
// number of training rows). An unseen category gets 0; a missing value
// becomes NaN. Build it with [FrequencyEncode]; it is an immutable value,
// safe for concurrent use.
type FrequencySpec struct {
	// Columns to encode; empty means every categorical column.
	Columns []string
	// Counts writes counts instead of frequencies.
	Counts bool
}

// FrequencyEncode returns the specification of a frequency encoder of cols.
func FrequencyEncode(cols ...string) FrequencySpec { return FrequencySpec{Columns: slices.Clone(cols)} }

// Fit counts each column's categories and returns a [*FrequencyEncoder].
// It returns an error wrapping frame.ErrEmpty, frame.ErrNoColumn,
// frame.ErrKind, [ErrAllMissing], and ctx.Err() when ctx is cancelled.
func (s FrequencySpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	return fitOnce(ctx, s, f)
}

// Begin returns an empty [Partial] for s; its statistics are category
// counts, which merge exactly.
func (s FrequencySpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &categoryPartial{step: "frequency", spec: s, named: s.Columns, finish: func(p *categoryPartial) (Fitted, error) {
		e := &FrequencyEncoder{Counts: s.Counts, Columns: make([]FrequencyColumn, len(p.counts))}
		for i := range p.counts {
			cats := p.counts[i].Values()
			c := FrequencyColumn{Name: p.cols.names[i], Categories: cats, Counts: make([]int64, len(cats))}
			for k, cat := range cats {
				c.Counts[k] = p.counts[i].ByValue[cat]
				c.Total += c.Counts[k]
			}
			e.Columns[i] = c
		}
		return e, nil
	}}
}

// FrequencyEncoder is a fitted [FrequencySpec]. It is immutable and safe
// for concurrent use.
type FrequencyEncoder struct {
	Columns []FrequencyColumn `json:"columns"`
	Counts  bool              `json:"counts"`
}

// FrequencyColumn is the learned state of one column: the sorted
// categories, their counts, and the count of present values.
type FrequencyColumn struct {
	Name       string   `json:"name"`
	Categories []string `json:"categories"`
	Counts     []int64  `json:"counts"`
	Total      int64    `json:"total"`
}

// Transform returns f with each encoded column replaced by its category's
// frequency or count. It returns an error wrapping frame.ErrNoColumn or
// frame.ErrKind, and ctx.Err() when ctx is cancelled.
func (e *FrequencyEncoder) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	names := make([]string, len(e.Columns))
	cats := make([][]string, len(e.Columns))
	for i, c := range e.Columns {
		names[i], cats[i] = c.Name, c.Categories
	}
	return encodeColumns(ctx, "frequency transform", f, names, cats, func(i, k, _ int) (float64, error) {
		if k < 0 {
			return 0, nil
		}
		c := e.Columns[i]
		if e.Counts {
			return float64(c.Counts[k]), nil
		}
		return float64(c.Counts[k]) / float64(c.Total), nil
	})
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (e *FrequencyEncoder) Validate() error {
	if len(e.Columns) == 0 {
		return fmt.Errorf("frequency encoder: no columns: %w", ErrState)
	}
	names := make([]string, len(e.Columns))
	for i, c := range e.Columns {
		names[i] = c.Name
		if err := checkCategories("frequency encoder", c.Name, c.Categories); err != nil {
			return err
		}
		var sum int64
		for _, n := range c.Counts {
			if n <= 0 {
				return fmt.Errorf("frequency encoder: column %q count %d: %w", c.Name, n, ErrState)
			}
			sum += n
		}
		if len(c.Counts) != len(c.Categories) || sum != c.Total {
			return fmt.Errorf("frequency encoder: column %q counts do not add up: %w", c.Name, ErrState)
		}
	}
	return checkNames("frequency encoder", names)
}

// TargetEncodeSpec is the specification of a target encoder: each chosen
// categorical column becomes a float column holding the mean of the Target
// column over the training rows of its category, shrunk towards the overall
// mean (the prior) with weight Smoothing (an m-estimate):
//
//	(sum of targets in the category + Smoothing·prior) / (rows in the category + Smoothing)
//
// An unseen category and a missing value get the prior.
//
// Encoding the training rows with statistics that include their own target
// leaks the target into the features; [TargetEncodeSpec.FitTransform]
// therefore encodes each training row with statistics from the other
// Folds only (cross-fitting), while the fitted step, used on new data, has
// statistics from every row. A pipeline should call FitTransform when it
// fits. Build it with [TargetEncode]; it is an immutable value, safe for
// concurrent use.
type TargetEncodeSpec struct {
	// Columns to encode; empty means every categorical column.
	Columns []string
	// Target names the float or bool column to encode with; it has no
	// missing value.
	Target string
	// Smoothing is the weight of the prior, in rows; 0 means none.
	Smoothing float64
	// Folds is the number of cross-fitting folds of FitTransform; 0 means 5.
	Folds int
	// Seed assigns the rows to folds at random, reproducibly.
	Seed uint64
}

// TargetEncode returns the specification of a target encoder of cols by the
// target column.
func TargetEncode(target string, cols ...string) TargetEncodeSpec {
	return TargetEncodeSpec{Columns: slices.Clone(cols), Target: target}
}

// Fit learns each category's target statistics from every row of f and
// returns a [*TargetEncoder]. It returns an error wrapping [ErrParam] for a
// negative Smoothing or Folds below 2, frame.ErrNoColumn, frame.ErrKind, or
// frame.ErrMissing for a bad target column, frame.ErrEmpty,
// [ErrAllMissing], and ctx.Err() when ctx is cancelled.
func (s TargetEncodeSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	e, _, err := s.fit(ctx, f, false)
	return e, err
}

// FitTransform fits as Fit does and returns, with the fitted step, f
// encoded with cross-fitting: rows are split at random (by Seed) into Folds
// folds and each row is encoded with the statistics of the other folds.
// Errors are those of Fit.
func (s TargetEncodeSpec) FitTransform(ctx context.Context, f *frame.Frame) (Fitted, *frame.Frame, error) {
	return s.fit(ctx, f, true)
}

func (s TargetEncodeSpec) fit(ctx context.Context, f *frame.Frame, cross bool) (Fitted, *frame.Frame, error) {
	const step = "target encode"
	folds := s.Folds
	if folds == 0 {
		folds = 5
	}
	if s.Smoothing < 0 || !finite(s.Smoothing) || folds < 2 {
		return nil, nil, fmt.Errorf("%s: smoothing %v, %d folds: %w", step, s.Smoothing, s.Folds, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if f.NumRows() == 0 {
		return nil, nil, fmt.Errorf("%s fit: %w", step, frame.ErrEmpty)
	}
	y, err := targetOf(step, f, s.Target)
	if err != nil {
		return nil, nil, err
	}
	named := s.Columns
	if len(named) == 0 {
		for i := range f.NumCols() {
			if n, c := f.ColAt(i); c.Kind() == frame.Categorical && n != s.Target {
				named = append(named, n)
			}
		}
	}
	var cs columnSet
	cols, err := cs.resolve(step, f, named, frame.Categorical)
	if err != nil {
		return nil, nil, err
	}
	n := f.NumRows()
	var fold []int
	if cross {
		// Row r goes to fold perm[r] mod folds: balanced and seeded.
		perm := rand.New(rand.NewPCG(s.Seed, 0x5eed)).Perm(n)
		fold = make([]int, n)
		for r := range fold {
			fold[r] = perm[r] % folds
		}
	}
	var prior float64
	for _, v := range y {
		prior += v
	}
	prior /= float64(n)
	e := &TargetEncoder{Prior: prior, Smoothing: s.Smoothing, Columns: make([]TargetColumn, len(cols))}
	encoded := make([][]float64, len(cols))
	err = parallel.For(ctx, len(cols), 0, func(_ context.Context, i int) error {
		cc := cols[i].(*frame.CategoricalColumn)
		nd := len(cc.Dict())
		sum, cnt := make([]float64, nd), make([]int64, nd)
		var fsum [][]float64
		var fcnt [][]int64
		foldSum, foldN := make([]float64, folds), make([]int64, folds)
		if cross {
			fsum, fcnt = make([][]float64, folds), make([][]int64, folds)
			for k := range folds {
				fsum[k], fcnt[k] = make([]float64, nd), make([]int64, nd)
			}
		}
		for r, code := range cc.Codes() {
			if cross {
				foldSum[fold[r]] += y[r]
				foldN[fold[r]]++
			}
			if code < 0 {
				continue
			}
			sum[code] += y[r]
			cnt[code]++
			if cross {
				fsum[fold[r]][code] += y[r]
				fcnt[fold[r]][code]++
			}
		}
		// Fitted state: categories sorted, statistics from every row.
		tc := TargetColumn{Name: cs.names[i]}
		byCat := map[string][2]float64{}
		for code, c := range cnt {
			if c > 0 {
				v := byCat[cc.Dict()[code]]
				byCat[cc.Dict()[code]] = [2]float64{v[0] + sum[code], v[1] + float64(c)}
			}
		}
		if len(byCat) == 0 {
			return fmt.Errorf("%s fit: column %q has %d rows, all missing: %w", step, cs.names[i], n, ErrAllMissing)
		}
		for cat := range byCat {
			tc.Categories = append(tc.Categories, cat)
		}
		slices.Sort(tc.Categories)
		for _, cat := range tc.Categories {
			v := byCat[cat]
			tc.Counts = append(tc.Counts, int64(v[1]))
			tc.Sums = append(tc.Sums, v[0])
		}
		e.Columns[i] = tc
		if !cross {
			return nil
		}
		var totalSum float64
		for _, v := range foldSum {
			totalSum += v
		}
		out := make([]float64, n)
		for r, code := range cc.Codes() {
			k := fold[r]
			p := (totalSum - foldSum[k]) / float64(int64(n)-foldN[k])
			if code < 0 {
				out[r] = p
				continue
			}
			out[r] = smoothMean(sum[code]-fsum[k][code], float64(cnt[code]-fcnt[k][code]), p, s.Smoothing)
		}
		encoded[i] = out
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if !cross {
		return e, nil, nil
	}
	out := f
	for i, name := range cs.names {
		if out, err = out.With(name, frame.NewFloat(encoded[i])); err != nil {
			return nil, nil, err
		}
	}
	return e, out, nil
}

// smoothMean is the m-estimate (sum + m·prior) / (n + m); with no rows and
// no smoothing it is the prior.
func smoothMean(sum, n, prior, m float64) float64 {
	if n+m == 0 {
		return prior
	}
	return (sum + m*prior) / (n + m)
}

// targetOf returns the values of a float or bool target column without
// missing values.
func targetOf(step string, f *frame.Frame, name string) ([]float64, error) {
	c, err := f.Col(name)
	if err != nil {
		return nil, fmt.Errorf("%s target: %w", step, err)
	}
	y := make([]float64, c.Len())
	switch c := c.(type) {
	case *frame.FloatColumn:
		copy(y, c.Values())
	case *frame.BoolColumn:
		for i, v := range c.Values() {
			if v {
				y[i] = 1
			}
		}
	default:
		return nil, fmt.Errorf("%s: target %q is %v, need float or bool: %w", step, name, c.Kind(), frame.ErrKind)
	}
	for i, v := range y {
		if c.IsNA(i) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s: target %q row %d is missing or infinite: %w", step, name, i, frame.ErrMissing)
		}
	}
	return y, nil
}

// TargetEncoder is a fitted [TargetEncodeSpec]: per column, the sorted
// categories with their row counts and target sums, and the prior (the
// target's mean). It is immutable and safe for concurrent use.
type TargetEncoder struct {
	Columns   []TargetColumn `json:"columns"`
	Prior     float64        `json:"prior"`
	Smoothing float64        `json:"smoothing"`
}

// TargetColumn is the learned state of one column.
type TargetColumn struct {
	Name       string    `json:"name"`
	Categories []string  `json:"categories"`
	Counts     []int64   `json:"counts"`
	Sums       []float64 `json:"sums"`
}

// Transform returns f with each encoded column replaced by its category's
// smoothed target mean (the prior for unseen categories and missing
// values). It returns an error wrapping frame.ErrNoColumn or frame.ErrKind,
// and ctx.Err() when ctx is cancelled.
func (e *TargetEncoder) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	names := make([]string, len(e.Columns))
	cats := make([][]string, len(e.Columns))
	for i, c := range e.Columns {
		names[i], cats[i] = c.Name, c.Categories
	}
	out, err := encodeColumns(ctx, "target encode transform", f, names, cats, func(i, k, _ int) (float64, error) {
		if k < 0 {
			return e.Prior, nil
		}
		c := e.Columns[i]
		return smoothMean(c.Sums[k], float64(c.Counts[k]), e.Prior, e.Smoothing), nil
	})
	if err != nil {
		return nil, err
	}
	// encodeColumns writes NaN for missing values: the prior instead.
	for _, name := range names {
		v, _ := out.Float(name)
		if slices.ContainsFunc(v, math.IsNaN) {
			w := slices.Clone(v)
			for r := range w {
				if math.IsNaN(w[r]) {
					w[r] = e.Prior
				}
			}
			if out, err = out.With(name, frame.NewFloat(w)); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (e *TargetEncoder) Validate() error {
	if len(e.Columns) == 0 || !finite(e.Prior) || !finite(e.Smoothing) || e.Smoothing < 0 {
		return fmt.Errorf("target encoder: %d columns, prior %v, smoothing %v: %w", len(e.Columns), e.Prior, e.Smoothing, ErrState)
	}
	names := make([]string, len(e.Columns))
	for i, c := range e.Columns {
		names[i] = c.Name
		if err := checkCategories("target encoder", c.Name, c.Categories); err != nil {
			return err
		}
		if len(c.Counts) != len(c.Categories) || len(c.Sums) != len(c.Categories) {
			return fmt.Errorf("target encoder: column %q lengths differ: %w", c.Name, ErrState)
		}
		for k := range c.Counts {
			if c.Counts[k] <= 0 || !finite(c.Sums[k]) {
				return fmt.Errorf("target encoder: column %q category %q: %w", c.Name, c.Categories[k], ErrState)
			}
		}
	}
	return checkNames("target encoder", names)
}

// HashSpec is the specification of a hashing encoder (scikit-learn's
// FeatureHasher with dict input): the chosen columns of each row become
// Features float columns, named Prefix0, Prefix1, …, appended to the frame
// in place of the inputs. A categorical or string value v of column c adds
// ±1 at the index given by the signed 32-bit MurmurHash3 of "c=v"; a float
// value x of column c adds ±x at the hash of "c". The sign comes from the
// hash unless NoAlternateSign. Missing values add nothing. It needs no
// dictionary, so unseen categories cost nothing; it learns nothing. Build it
// with [Hash]; it is an immutable value, safe for concurrent use.
type HashSpec struct {
	// Columns to hash; empty means every categorical and string column.
	Columns []string
	// Features is the number of output columns, 1 to [MaxHashFeatures].
	Features int
	// Prefix names the output columns; empty means "hash".
	Prefix string
	// NoAlternateSign adds +1 (or +x) always.
	NoAlternateSign bool
}

// MaxHashFeatures bounds [HashSpec].Features (scikit-learn's default
// n_features, 2^20): the output is dense, a column per feature, so a larger
// count (in a spec, or in a crafted saved state) would allocate without
// bound.
const MaxHashFeatures = 1 << 20

// Hash returns the specification of a hashing encoder of cols into
// features columns.
func Hash(features int, cols ...string) HashSpec {
	return HashSpec{Columns: slices.Clone(cols), Features: features}
}

// Fit checks the columns of f and returns a [*Hasher]. It returns an error
// wrapping [ErrParam] for fewer than one feature, frame.ErrEmpty,
// frame.ErrNoColumn, frame.ErrKind (a time or bool column), and ctx.Err()
// when ctx is cancelled.
func (s HashSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if s.Features < 1 || s.Features > MaxHashFeatures {
		return nil, fmt.Errorf("hash: %d features, want 1 to %d: %w", s.Features, MaxHashFeatures, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.NumRows() == 0 {
		return nil, fmt.Errorf("hash fit: %w", frame.ErrEmpty)
	}
	var cs columnSet
	kinds := []frame.Kind{frame.Categorical, frame.String}
	if len(s.Columns) > 0 {
		kinds = append(kinds, frame.Float)
	}
	if _, err := cs.resolve("hash", f, s.Columns, kinds...); err != nil {
		return nil, err
	}
	h := &Hasher{Columns: cs.names, Kinds: cs.kinds, Features: s.Features, Prefix: s.Prefix, AlternateSign: !s.NoAlternateSign}
	if h.Prefix == "" {
		h.Prefix = "hash"
	}
	return h, nil
}

// Hasher is a fitted [HashSpec]. It is immutable and safe for concurrent use.
type Hasher struct {
	Columns       []string     `json:"columns"`
	Kinds         []frame.Kind `json:"kinds"`
	Features      int          `json:"features"`
	Prefix        string       `json:"prefix"`
	AlternateSign bool         `json:"alternate_sign"`
}

// FeatureNames returns the names of the output columns.
func (h *Hasher) FeatureNames() []string {
	out := make([]string, h.Features)
	for j := range out {
		out[j] = h.Prefix + strconv.Itoa(j)
	}
	return out
}

// index returns the column and sign of a hashed feature name, as
// scikit-learn's _hashing_fast does.
func (h *Hasher) index(name string) (int, float64) {
	v := int32(murmur3([]byte(name), 0))
	var idx int
	if v == math.MinInt32 {
		idx = (math.MaxInt32 - (h.Features - 1)) % h.Features
	} else {
		a := int64(v)
		if a < 0 {
			a = -a
		}
		idx = int(a % int64(h.Features))
	}
	sign := 1.0
	if h.AlternateSign && v < 0 {
		sign = -1
	}
	return idx, sign
}

// Transform returns f with the hashed columns replaced by the Features
// output columns (appended at the end). It returns an error wrapping
// frame.ErrNoColumn or frame.ErrKind, frame.ErrDuplicate if an output name
// is already a column, [ErrNotFinite] for an infinite float, and ctx.Err()
// when ctx is cancelled.
func (h *Hasher) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "hash transform"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := f.NumRows()
	out := make([][]float64, h.Features)
	for j := range out {
		out[j] = make([]float64, n)
	}
	for i, name := range h.Columns {
		c, err := inputColumn(step, f, name, h.Kinds[i])
		if err != nil {
			return nil, err
		}
		switch c := c.(type) {
		case *frame.CategoricalColumn:
			idx := make([]int, len(c.Dict()))
			sign := make([]float64, len(c.Dict()))
			for code, s := range c.Dict() {
				idx[code], sign[code] = h.index(name + "=" + s)
			}
			for r, code := range c.Codes() {
				if code >= 0 {
					out[idx[code]][r] += sign[code]
				}
			}
		case *frame.StringColumn:
			for r, s := range c.Values() {
				if !c.IsNA(r) {
					j, sg := h.index(name + "=" + s)
					out[j][r] += sg
				}
			}
		case *frame.FloatColumn:
			j, sg := h.index(name)
			for r, x := range c.Values() {
				if math.IsInf(x, 0) {
					return nil, infError(step, name, r, x)
				}
				if x == x {
					out[j][r] += sg * x
				}
			}
		}
	}
	g, err := f.Drop(h.Columns...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	// One frame.New for all the output columns: adding them one by one
	// with With would copy the column list each time, quadratic in
	// Features.
	series := make([]frame.Series, 0, g.NumCols()+h.Features)
	for i := range g.NumCols() {
		name, c := g.ColAt(i)
		series = append(series, frame.Series{Name: name, Col: c})
	}
	for j, name := range h.FeatureNames() {
		if g.Has(name) {
			return nil, fmt.Errorf("%s: output column %q already exists: %w", step, name, frame.ErrDuplicate)
		}
		series = append(series, frame.Series{Name: name, Col: frame.NewFloat(out[j])})
	}
	return frame.New(series...)
}

// Validate reports whether the state is usable. It returns an error
// wrapping [ErrState] otherwise.
func (h *Hasher) Validate() error {
	if len(h.Columns) == 0 || len(h.Kinds) != len(h.Columns) || h.Features < 1 || h.Features > MaxHashFeatures || h.Prefix == "" {
		return fmt.Errorf("hasher: %d columns, %d kinds, %d features, prefix %q: %w", len(h.Columns), len(h.Kinds), h.Features, h.Prefix, ErrState)
	}
	for i, k := range h.Kinds {
		if k != frame.Float && k != frame.Categorical && k != frame.String {
			return fmt.Errorf("hasher: column %q of kind %v: %w", h.Columns[i], k, ErrState)
		}
	}
	return checkNames("hasher", h.Columns)
}

// murmur3 is MurmurHash3 x86 32-bit, as scikit-learn's murmurhash3_32.
func murmur3(data []byte, seed uint32) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(data)
	for i := 0; i+4 <= n; i += 4 {
		k := binary.LittleEndian.Uint32(data[i:])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}
	tail := data[n&^3:]
	var k uint32
	switch len(tail) {
	case 3:
		k ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		k ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		k ^= uint32(tail[0])
		k *= c1
		k = bits.RotateLeft32(k, 15)
		k *= c2
		h ^= k
	}
	h ^= uint32(n)
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

func init() {
	Register[*OrdinalEncoder]("preprocess.ordinal", 1)
	Register[*FrequencyEncoder]("preprocess.frequency", 1)
	Register[*TargetEncoder]("preprocess.target_encode", 1)
	Register[*Hasher]("preprocess.hash", 1)
}

// InverseTransform turns ordinal codes back into categorical columns: NaN
// becomes a missing value. It returns an error wrapping frame.ErrNoColumn or
// frame.ErrKind, [ErrUnknownCategory] for a code that is not the index of a
// category, and ctx.Err() when ctx is cancelled.
func (e *OrdinalEncoder) InverseTransform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "ordinal inverse transform"
	names, cats := categoryNames(e.Columns)
	return applyColumns(ctx, f, names, func(_ context.Context, i int) (frame.Column, error) {
		c, err := inputColumn(step, f, names[i], frame.Float)
		if err != nil {
			return nil, err
		}
		v := c.(*frame.FloatColumn).Values()
		codes := make([]int32, len(v))
		for r, x := range v {
			switch {
			case x != x:
				codes[r] = -1
			case x >= 0 && x < float64(len(cats[i])) && x == math.Trunc(x):
				codes[r] = int32(x)
			default:
				return nil, fmt.Errorf("%s: column %q row %d: code %v for %d categories: %w", step, names[i], r, x, len(cats[i]), ErrUnknownCategory)
			}
		}
		return frame.NewCategoricalCodes(codes, cats[i])
	})
}
