package preprocess

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
)

// UnknownPolicy is what an encoder does with a category it did not see in
// fitting. It is saved by name ("ignore", "error").
type UnknownPolicy uint8

// The unknown-category policies.
const (
	// IgnoreUnknown encodes an unseen category as all zeros (the default).
	IgnoreUnknown UnknownPolicy = iota
	// ErrorOnUnknown makes Transform fail with [ErrUnknownCategory].
	ErrorOnUnknown
	// InfrequentIfExist encodes an unseen category in the one-hot column of
	// the infrequent categories when there is one, as all zeros otherwise
	// (one-hot encoding only).
	InfrequentIfExist
)

var unknownNames = [...]string{"ignore", "error", "infrequent_if_exist"}

// String returns "ignore", "error" or "infrequent_if_exist".
func (p UnknownPolicy) String() string {
	if int(p) < len(unknownNames) {
		return unknownNames[p]
	}
	return fmt.Sprintf("UnknownPolicy(%d)", uint8(p))
}

// MarshalText returns the policy's name; it fails for an unknown policy.
func (p UnknownPolicy) MarshalText() ([]byte, error) {
	if int(p) >= len(unknownNames) {
		return nil, fmt.Errorf("unknown-category policy %d: %w", uint8(p), ErrParam)
	}
	return []byte(unknownNames[p]), nil
}

// UnmarshalText reads a policy name; it fails with an error wrapping
// [ErrParam] for an unknown one.
func (p *UnknownPolicy) UnmarshalText(b []byte) error {
	i := slices.Index(unknownNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("unknown-category policy %q (want ignore, error or infrequent_if_exist): %w", b, ErrParam)
	}
	*p = UnknownPolicy(i)
	return nil
}

// DropPolicy is which one-hot column, if any, an encoder leaves out, so that
// the remaining ones are not collinear. It is saved by name ("none",
// "first", "if_binary").
type DropPolicy uint8

// The drop policies.
const (
	// DropNone keeps a column for every category (the default).
	DropNone DropPolicy = iota
	// DropFirst drops the column of each feature's first category (in
	// sorted order); a feature with a single category then has no column.
	DropFirst
	// DropIfBinary drops the first category's column of features with
	// exactly two categories, leaving one 0/1 column.
	DropIfBinary
)

var dropNames = [...]string{"none", "first", "if_binary"}

// String returns "none", "first" or "if_binary".
func (d DropPolicy) String() string {
	if int(d) < len(dropNames) {
		return dropNames[d]
	}
	return fmt.Sprintf("DropPolicy(%d)", uint8(d))
}

// MarshalText returns the policy's name; it fails for an unknown policy.
func (d DropPolicy) MarshalText() ([]byte, error) {
	if int(d) >= len(dropNames) {
		return nil, fmt.Errorf("drop policy %d: %w", uint8(d), ErrParam)
	}
	return []byte(dropNames[d]), nil
}

// UnmarshalText reads a policy name; it fails with an error wrapping
// [ErrParam] for an unknown one.
func (d *DropPolicy) UnmarshalText(b []byte) error {
	i := slices.Index(dropNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("drop policy %q (want none, first or if_binary): %w", b, ErrParam)
	}
	*d = DropPolicy(i)
	return nil
}

// OneHotSep separates a column's name from a category in the names of the
// one-hot columns: column "city" with category "Oslo" gives "city=Oslo".
// The names are part of a fitted pipeline's saved feature names, so this
// will not change.
const OneHotSep = "="

// OneHotSpec is the specification of a one-hot encoder: each chosen
// categorical column is replaced, at its place in the frame, by one float
// column per category seen in fitting, named column=category (see
// [OneHotSep]), holding 1 where the row has that category and 0 elsewhere.
// Categories are sorted by byte order, which for UTF-8 is the code-point
// order scikit-learn sorts Python strings in.
//
// Missing values are not a category: they are skipped in fitting and
// encoded as all zeros. (scikit-learn 1.2 makes a missing value a category
// of its own; to get that here, impute the column with the [Constant]
// strategy first, which adds a "missing_value" category.) A category unseen
// in fitting is encoded as all zeros under [IgnoreUnknown], the default, is
// an error under [ErrorOnUnknown], and goes to the infrequent column under
// [InfrequentIfExist].
//
// Rare categories can be grouped into one column named
// column=<infrequent> (see [InfrequentCategory]), placed after the others,
// by a minimum count or share of rows, or by a maximum number of columns, as
// scikit-learn's min_frequency and max_categories do. Dropping then applies
// to the output columns: DropFirst drops the first frequent category.
//
// Build it with [OneHot]; it is an immutable value, safe for concurrent use.
type OneHotSpec struct {
	// Columns to encode; empty means every categorical column.
	Columns []string
	// Unknown is what Transform does with an unseen category.
	Unknown UnknownPolicy
	// Drop is which category column, if any, is left out.
	Drop DropPolicy
	// MinCount and MinFraction group the categories seen in fewer than
	// MinCount training rows, or in less than MinFraction of them, into one
	// infrequent column (scikit-learn's min_frequency as an int or a
	// float); 0 turns each off.
	MinCount    int64
	MinFraction float64
	// MaxCategories, when 2 or more, caps the number of output columns of
	// a feature (before dropping) by grouping the least frequent categories
	// as infrequent (scikit-learn's max_categories); 0 means no cap.
	MaxCategories int
	// MaxCardinality guards against one-hot encoding a column of
	// identifiers, whose output would hold a column per row: a column
	// that would get more than MaxCardinality output columns (after
	// grouping infrequent categories, before dropping) fails Fit with an
	// error wrapping [ErrTooManyCategories] that names it and its count.
	// Zero means [DefaultMaxCardinality]; a negative value means no limit.
	// Set MaxCategories, or use [Hash] or [FrequencyEncode], for a column
	// that truly has that many categories.
	MaxCardinality int
}

// DefaultMaxCardinality is the most output columns [OneHotSpec] makes of one
// column unless its MaxCardinality says otherwise.
const DefaultMaxCardinality = 1000

// InfrequentCategory is the name one-hot encoding gives the group of
// infrequent categories: column "city" gets "city=<infrequent>".
const InfrequentCategory = "<infrequent>"

// OneHot returns the specification of a one-hot encoder of cols (every
// categorical column when none are named).
func OneHot(cols ...string) OneHotSpec { return OneHotSpec{Columns: slices.Clone(cols)} }

// WithUnknown returns a copy of s with the given unknown-category policy.
func (s OneHotSpec) WithUnknown(p UnknownPolicy) OneHotSpec {
	s.Unknown = p
	return s
}

// WithDrop returns a copy of s with the given drop policy.
func (s OneHotSpec) WithDrop(d DropPolicy) OneHotSpec {
	s.Drop = d
	return s
}

// Fit learns each column's sorted categories from f, over all cores, and
// returns a [*OneHotEncoder]. It returns an error wrapping [ErrParam] for an
// unknown policy, frame.ErrEmpty for a frame with no rows,
// frame.ErrNoColumn for an unknown column, frame.ErrKind for a column that
// is not categorical, [ErrAllMissing] for a column with no present value,
// frame.ErrDuplicate when an output name is already a column of f, and
// ctx.Err() when ctx is cancelled. Fit is safe for concurrent use.
func (s OneHotSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	fitted, err := fitOnce(ctx, s, f)
	if err != nil {
		return nil, err
	}
	if err := fitted.(*OneHotEncoder).checkOutputNames(f); err != nil {
		return nil, err
	}
	return fitted, nil
}

// Begin returns an empty [Partial] that fits s batch by batch; its
// statistics are category [Counts].
func (s OneHotSpec) Begin() Partial {
	s.Columns = slices.Clone(s.Columns)
	return &oneHotPartial{spec: s}
}

const oneHotStep = "one-hot"

type oneHotPartial struct {
	spec   OneHotSpec
	cols   columnSet
	counts []Counts[string]
}

func (s OneHotSpec) check() error {
	if int(s.Unknown) >= len(unknownNames) || int(s.Drop) >= len(dropNames) {
		return fmt.Errorf("%s: unknown policy %d, drop policy %d: %w", oneHotStep, s.Unknown, s.Drop, ErrParam)
	}
	if s.MinCount < 0 || !(s.MinFraction >= 0 && s.MinFraction <= 1) || s.MaxCategories < 0 || s.MaxCategories == 1 {
		return fmt.Errorf("%s: min count %d, min fraction %v, max categories %d: %w", oneHotStep, s.MinCount, s.MinFraction, s.MaxCategories, ErrParam)
	}
	return nil
}

// infrequent returns the indices of the infrequent categories among seen
// (sorted) with their counts, as scikit-learn's _identify_infrequent.
func (s OneHotSpec) infrequent(counts []int64, rows int64) []int {
	mask := make([]bool, len(counts))
	nInf := 0
	for k, n := range counts {
		if (s.MinCount > 0 && n < s.MinCount) || (s.MinFraction > 0 && float64(n) < float64(rows)*s.MinFraction) {
			mask[k] = true
			nInf++
		}
	}
	if s.MaxCategories > 0 && s.MaxCategories < len(counts)-nInf+1 {
		// The len(counts) − MaxCategories + 1 least frequent, ties in
		// category order (a stable sort), as numpy's mergesort argsort.
		order := make([]int, len(counts))
		for k := range order {
			order[k] = k
		}
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(counts[a], counts[b]) })
		for _, k := range order[:len(counts)-s.MaxCategories+1] {
			mask[k] = true
		}
	}
	var out []int
	for k, m := range mask {
		if m {
			out = append(out, k)
		}
	}
	return out
}

func (p *oneHotPartial) Add(ctx context.Context, batch *frame.Frame) error {
	if err := p.spec.check(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cols, err := p.cols.resolve(oneHotStep, batch, p.spec.Columns, frame.Categorical)
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

func (p *oneHotPartial) Merge(other Partial) error {
	o, ok := other.(*oneHotPartial)
	if !ok || !reflect.DeepEqual(p.spec, o.spec) {
		return mergeError(oneHotStep, other)
	}
	if more, err := p.cols.merge(oneHotStep, &o.cols); !more || err != nil {
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

func (p *oneHotPartial) Finish() (Fitted, error) {
	if err := p.spec.check(); err != nil {
		return nil, err
	}
	if err := p.cols.finish(oneHotStep); err != nil {
		return nil, err
	}
	out := &OneHotEncoder{Unknown: p.spec.Unknown, Columns: make([]OneHotColumn, len(p.counts))}
	for i := range p.counts {
		name := p.cols.names[i]
		seen := p.counts[i].Values()
		if len(seen) == 0 {
			return nil, fmt.Errorf("%s fit: column %q has %d rows, all missing: %w", oneHotStep, name, p.cols.rows, ErrAllMissing)
		}
		counts := make([]int64, len(seen))
		for k, c := range seen {
			counts[k] = p.counts[i].ByValue[c]
		}
		oc := OneHotColumn{Name: name, Categories: seen, Infrequent: p.spec.infrequent(counts, p.cols.rows), Drop: -1}
		if limit := cmp.Or(p.spec.MaxCardinality, DefaultMaxCardinality); limit > 0 && oc.outputs() > limit {
			return nil, fmt.Errorf("%s fit: column %q has %d categories, more than the limit of %d (MaxCardinality; set MaxCategories, or hash or frequency-encode it): %w",
				oneHotStep, name, oc.outputs(), limit, ErrTooManyCategories)
		}
		if p.spec.Drop == DropFirst || (p.spec.Drop == DropIfBinary && oc.outputs() == 2) {
			oc.Drop = 0
		}
		out.Columns[i] = oc
	}
	if err := checkNames(oneHotStep+" output", out.FeatureNames()); err != nil {
		return nil, fmt.Errorf("%w: %w", err, frame.ErrDuplicate)
	}
	return out, nil
}

// OneHotEncoder is a fitted [OneHotSpec]: the sorted categories of each
// encoded column. Its fields are its saved state. It is immutable and safe
// for concurrent use.
type OneHotEncoder struct {
	Columns []OneHotColumn `json:"columns"`
	Unknown UnknownPolicy  `json:"unknown"`
}

// OneHotColumn is the learned state of one encoded column.
type OneHotColumn struct {
	Name string `json:"name"`
	// Categories are the categories seen in fitting, sorted.
	Categories []string `json:"categories"`
	// Infrequent lists the indices in Categories of the categories grouped
	// into one infrequent column, ascending (none when grouping is off).
	Infrequent []int `json:"infrequent,omitempty"`
	// Drop is the index of the output column left out, or -1 when none is.
	// The outputs are the frequent categories in order, then the
	// infrequent group.
	Drop int `json:"drop"`
}

// outputs returns the number of output columns before dropping.
func (c OneHotColumn) outputs() int {
	n := len(c.Categories) - len(c.Infrequent)
	if len(c.Infrequent) > 0 {
		n++
	}
	return n
}

// outputIndex returns, per category, its output column before dropping.
func (c OneHotColumn) outputIndex() []int {
	out := make([]int, len(c.Categories))
	next, group := 0, len(c.Categories)-len(c.Infrequent)
	inf := 0
	for k := range c.Categories {
		if inf < len(c.Infrequent) && c.Infrequent[inf] == k {
			out[k] = group
			inf++
			continue
		}
		out[k] = next
		next++
	}
	return out
}

// FeatureNames returns the names of the columns c becomes, in order.
func (c OneHotColumn) FeatureNames() []string {
	names := make([]string, 0, c.outputs())
	inf := 0
	for k, cat := range c.Categories {
		if inf < len(c.Infrequent) && c.Infrequent[inf] == k {
			inf++
			continue
		}
		names = append(names, c.Name+OneHotSep+cat)
	}
	if len(c.Infrequent) > 0 {
		names = append(names, c.Name+OneHotSep+InfrequentCategory)
	}
	if c.Drop >= 0 && c.Drop < len(names) {
		names = slices.Delete(names, c.Drop, c.Drop+1)
	}
	return names
}

// FeatureNames returns the names of all the one-hot columns Transform
// writes, column by column in fitted order.
func (e *OneHotEncoder) FeatureNames() []string {
	var out []string
	for _, c := range e.Columns {
		out = append(out, c.FeatureNames()...)
	}
	return out
}

func (e *OneHotEncoder) checkOutputNames(f *frame.Frame) error {
	encoded := make(map[string]bool, len(e.Columns))
	for _, c := range e.Columns {
		encoded[c.Name] = true
	}
	for _, c := range e.Columns {
		for _, n := range c.FeatureNames() {
			if f.Has(n) && !encoded[n] {
				return fmt.Errorf("one-hot: output column %q of %q already exists: %w", n, c.Name, frame.ErrDuplicate)
			}
		}
	}
	return nil
}

// Transform returns f with each encoded column replaced, at its place, by
// its one-hot float columns (see [OneHotSpec] for names, missing values and
// unseen categories). It returns an error wrapping frame.ErrNoColumn or
// frame.ErrKind when an encoded column is absent or not categorical,
// [ErrUnknownCategory] naming the column and category for an unseen category
// under [ErrorOnUnknown], frame.ErrDuplicate when an output name is already
// a column, and ctx.Err() when ctx is cancelled.
func (e *OneHotEncoder) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	encoded := make(map[string]int, len(e.Columns))
	dummies := make([][][]float64, len(e.Columns))
	for i, c := range e.Columns {
		encoded[c.Name] = i
	}
	err := parallel.For(ctx, len(e.Columns), 0, func(_ context.Context, i int) error {
		oc := e.Columns[i]
		c, err := inputColumn("one-hot transform", f, oc.Name, frame.Categorical)
		if err != nil {
			return err
		}
		dummies[i], err = e.encode(oc, c.(*frame.CategoricalColumn))
		return err
	})
	if err != nil {
		return nil, err
	}
	series := make([]frame.Series, 0, f.NumCols()+len(e.FeatureNames()))
	for k := range f.NumCols() {
		name, col := f.ColAt(k)
		i, ok := encoded[name]
		if !ok {
			series = append(series, frame.Series{Name: name, Col: col})
			continue
		}
		for j, n := range e.Columns[i].FeatureNames() {
			series = append(series, frame.Floats(n, dummies[i][j]))
		}
	}
	out, err := frame.New(series...)
	if err != nil {
		return nil, fmt.Errorf("one-hot transform: %w", err)
	}
	return out, nil
}

// Levels returns, for each dictionary code of c, the encoded column named
// name's output (an index into its FeatureNames) that Transform sets to 1
// for it, or -1 when Transform leaves all its outputs 0 (a dropped category,
// or an unseen one the policy ignores). With it, a model can take the
// encoding as one code per row instead of Transform's float columns. It
// returns an error wrapping frame.ErrNoColumn when name is not an encoded
// column, and [ErrUnknownCategory], naming the row, when a row holds an
// unseen category under [ErrorOnUnknown], as Transform does.
func (e *OneHotEncoder) Levels(name string, c *frame.CategoricalColumn) ([]int32, error) {
	for _, oc := range e.Columns {
		if oc.Name == name {
			return e.levels(oc, c)
		}
	}
	return nil, fmt.Errorf("one-hot: %q is not an encoded column: %w", name, frame.ErrNoColumn)
}

// levels is Levels for the encoded column oc.
func (e *OneHotEncoder) levels(oc OneHotColumn, c *frame.CategoricalColumn) ([]int32, error) {
	remap := e.remap(oc, c.Dict())
	for i, code := range c.Codes() {
		if code >= 0 && remap[code] == -2 {
			return nil, fmt.Errorf("one-hot transform: column %q row %d: category %q not seen in fitting: %w",
				oc.Name, i, c.Dict()[code], ErrUnknownCategory)
		}
	}
	for k, j := range remap {
		if j == -2 {
			remap[k] = -1 // no row holds it
		}
	}
	return remap, nil
}

// encode returns the one-hot columns of c under oc.
func (e *OneHotEncoder) encode(oc OneHotColumn, c *frame.CategoricalColumn) ([][]float64, error) {
	n := c.Len()
	remap, err := e.levels(oc, c)
	if err != nil {
		return nil, err
	}
	width := oc.outputs()
	if oc.Drop >= 0 {
		width--
	}
	out := make([][]float64, width)
	for j := range out {
		out[j] = make([]float64, n)
	}
	for i, code := range c.Codes() {
		if code >= 0 {
			if j := remap[code]; j >= 0 {
				out[j][i] = 1
			}
		}
	}
	return out, nil
}

// remap returns, for each code of dict, the output column of its category
// under oc, or -1 (unknown or dropped category: all zeros), or -2 (unknown
// under ErrorOnUnknown).
func (e *OneHotEncoder) remap(oc OneHotColumn, dict []string) []int32 {
	index := oc.outputIndex()
	group := -1
	if len(oc.Infrequent) > 0 {
		group = oc.outputs() - 1
	}
	remap := make([]int32, len(dict))
	for code, cat := range dict {
		k, found := slices.BinarySearch(oc.Categories, cat)
		j := -1
		switch {
		case found:
			j = index[k]
		case e.Unknown == ErrorOnUnknown:
			remap[code] = -2
			continue
		case e.Unknown == InfrequentIfExist:
			j = group
		}
		switch {
		case j < 0 || j == oc.Drop:
			j = -1
		case oc.Drop >= 0 && j > oc.Drop:
			j--
		}
		remap[code] = int32(j)
	}
	return remap
}

// Validate reports whether the state is usable: a known policy, named unique
// columns, categories sorted and unique, a drop index in range, and no two
// output columns with one name. It returns an error wrapping [ErrState]
// otherwise.
func (e *OneHotEncoder) Validate() error {
	if int(e.Unknown) >= len(unknownNames) {
		return fmt.Errorf("one-hot encoder: unknown policy %d: %w", e.Unknown, ErrState)
	}
	if len(e.Columns) == 0 {
		return fmt.Errorf("one-hot encoder: no columns: %w", ErrState)
	}
	names := make([]string, len(e.Columns))
	for i, c := range e.Columns {
		names[i] = c.Name
		if len(c.Categories) == 0 {
			return fmt.Errorf("one-hot encoder: column %q has no categories: %w", c.Name, ErrState)
		}
		for k := 1; k < len(c.Categories); k++ {
			if c.Categories[k-1] >= c.Categories[k] {
				return fmt.Errorf("one-hot encoder: column %q categories %q, %q not sorted and unique: %w",
					c.Name, c.Categories[k-1], c.Categories[k], ErrState)
			}
		}
		for k, j := range c.Infrequent {
			if j < 0 || j >= len(c.Categories) || (k > 0 && j <= c.Infrequent[k-1]) {
				return fmt.Errorf("one-hot encoder: column %q infrequent index %d: %w", c.Name, j, ErrState)
			}
		}
		if c.Drop < -1 || c.Drop >= c.outputs() {
			return fmt.Errorf("one-hot encoder: column %q drop index %d of %d outputs: %w", c.Name, c.Drop, c.outputs(), ErrState)
		}
	}
	if err := checkNames("one-hot encoder", names); err != nil {
		return err
	}
	return checkNames("one-hot encoder output", e.FeatureNames())
}

func init() {
	Register[*OneHotEncoder]("preprocess.one_hot", 1)
}

// InverseTransform turns one-hot columns back into the categorical column
// they came from, placed where its first one-hot column was (scikit-learn's
// inverse_transform): the category whose column holds the row's largest
// value, the dropped category when every column of a row is 0 and a column
// was dropped, a missing value when every column is 0 otherwise, and
// [InfrequentCategory] for the infrequent group. It returns an error
// wrapping frame.ErrNoColumn or frame.ErrKind when a one-hot column is
// absent or not float, and ctx.Err() when ctx is cancelled.
func (e *OneHotEncoder) InverseTransform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "one-hot inverse transform"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	first := map[string]int{} // first one-hot column name → encoded column
	drop := map[string]bool{}
	decoded := make([]frame.Column, len(e.Columns))
	for i, oc := range e.Columns {
		names := oc.FeatureNames()
		// labels[j] is the category of output column j (after dropping).
		var labels []string
		inf := 0
		for k, cat := range oc.Categories {
			if inf < len(oc.Infrequent) && oc.Infrequent[inf] == k {
				inf++
				continue
			}
			labels = append(labels, cat)
		}
		if len(oc.Infrequent) > 0 {
			labels = append(labels, InfrequentCategory)
		}
		droppedLabel, hasDrop := "", oc.Drop >= 0
		if hasDrop {
			droppedLabel = labels[oc.Drop]
			labels = slices.Delete(labels, oc.Drop, oc.Drop+1)
		}
		cols := make([][]float64, len(names))
		for j, n := range names {
			c, err := inputColumn(step, f, n, frame.Float)
			if err != nil {
				return nil, err
			}
			cols[j] = c.(*frame.FloatColumn).Values()
			drop[n] = true
		}
		if len(names) > 0 {
			first[names[0]] = i
		}
		rows := f.NumRows()
		codes := make([]int32, rows)
		dict := slices.Clone(labels)
		dropCode := int32(-1)
		if hasDrop {
			dict = append(dict, droppedLabel)
			dropCode = int32(len(dict) - 1)
		}
		for r := range rows {
			best, bestV := -1, 0.0
			for j := range cols {
				if v := cols[j][r]; v > bestV {
					best, bestV = j, v
				}
			}
			switch {
			case best >= 0:
				codes[r] = int32(best)
			default:
				codes[r] = dropCode
			}
		}
		col, err := frame.NewCategoricalCodes(codes, dict)
		if err != nil {
			return nil, fmt.Errorf("%s: column %q: %w", step, oc.Name, err)
		}
		decoded[i] = col
	}
	series := make([]frame.Series, 0, f.NumCols())
	for k := range f.NumCols() {
		name, col := f.ColAt(k)
		if i, ok := first[name]; ok {
			series = append(series, frame.Series{Name: e.Columns[i].Name, Col: decoded[i]})
			continue
		}
		if !drop[name] {
			series = append(series, frame.Series{Name: name, Col: col})
		}
	}
	// A feature that lost every column (one category, dropped) comes back
	// at the end, all its rows that category.
	for i, oc := range e.Columns {
		if len(oc.FeatureNames()) == 0 {
			series = append(series, frame.Series{Name: oc.Name, Col: decoded[i]})
		}
	}
	out, err := frame.New(series...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	return out, nil
}
