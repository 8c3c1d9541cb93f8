package preprocess

import (
	"fmt"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
)

// A FeatureNamer is a fitted step that tells the names of the columns its
// Transform returns for input columns in, without transforming any data
// (scikit-learn's get_feature_names_out). Every fitted step of this package
// implements it, and so do those of package features; a pipeline's matrix
// feature names are thus known before any data flows. FeatureNamesOut
// returns an error wrapping frame.ErrNoColumn when in lacks a column the
// step needs, and frame.ErrDuplicate when an output name would clash with
// an input column, as Transform would.
type FeatureNamer interface {
	FeatureNamesOut(in []string) ([]string, error)
}

// keep returns a copy of in after checking it holds every needed column:
// the names of a step that transforms columns in place.
func keep(step string, in []string, needed []string) ([]string, error) {
	for _, n := range needed {
		if !slices.Contains(in, n) {
			return nil, fmt.Errorf("%s feature names: column %q: %w", step, n, frame.ErrNoColumn)
		}
	}
	return slices.Clone(in), nil
}

// without returns in without the columns drop, after checking it holds
// each of them.
func without(step string, in, drop []string) ([]string, error) {
	out, err := keep(step, in, drop)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(out, func(n string) bool { return slices.Contains(drop, n) }), nil
}

// names returns the Name of each fitted column.
func names[T any](cols []T, name func(T) string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = name(c)
	}
	return out
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (m *MissingNormalizer) FeatureNamesOut(in []string) ([]string, error) {
	return keep("missing normalise", in, m.Columns)
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (p *NumberParser) FeatureNamesOut(in []string) ([]string, error) {
	return keep("parse numbers", in, p.Columns)
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (p *BoolParser) FeatureNamesOut(in []string) ([]string, error) {
	return keep("parse booleans", in, p.Columns)
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (p *DateParser) FeatureNamesOut(in []string) ([]string, error) {
	return keep("parse dates", in, p.Columns)
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (n *TextNormalizer) FeatureNamesOut(in []string) ([]string, error) {
	return keep("normalise text", in, n.Columns)
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (n *RowNormalizer) FeatureNamesOut(in []string) ([]string, error) {
	return keep("normalise rows", in, n.Columns)
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (e *OrdinalEncoder) FeatureNamesOut(in []string) ([]string, error) {
	return keep("ordinal", in, names(e.Columns, func(c CategoryColumn) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (e *FrequencyEncoder) FeatureNamesOut(in []string) ([]string, error) {
	return keep("frequency", in, names(e.Columns, func(c FrequencyColumn) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (e *TargetEncoder) FeatureNamesOut(in []string) ([]string, error) {
	return keep("target encode", in, names(e.Columns, func(c TargetColumn) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (m *Imputer) FeatureNamesOut(in []string) ([]string, error) {
	return keep("impute", in, names(m.Columns, func(c ImputeColumn) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (m *KNNImputer) FeatureNamesOut(in []string) ([]string, error) {
	return keep("knn impute", in, names(m.Columns, func(c KNNColumn) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (o *OutlierFilter) FeatureNamesOut(in []string) ([]string, error) {
	return keep("outliers", in, names(o.Columns, func(c Bounds) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (p *PowerTransformer) FeatureNamesOut(in []string) ([]string, error) {
	return keep("power transform", in, names(p.Columns, func(c PowerColumn) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (q *QuantileTransformer) FeatureNamesOut(in []string) ([]string, error) {
	return keep("quantile transform", in, names(q.Columns, func(c QuantileColumn) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (s *StandardScaler) FeatureNamesOut(in []string) ([]string, error) {
	return keep("standard scale", in, names(s.Columns, func(c ScaleColumn) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (s *MinMaxScaler) FeatureNamesOut(in []string) ([]string, error) {
	return keep("min-max scale", in, names(s.Columns, func(c MinMaxColumn) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (s *MaxAbsScaler) FeatureNamesOut(in []string) ([]string, error) {
	return keep("max-abs scale", in, names(s.Columns, func(c MaxAbsColumn) string { return c.Name }))
}

// FeatureNamesOut returns in: the step rewrites its columns in place.
func (s *RobustScaler) FeatureNamesOut(in []string) ([]string, error) {
	return keep("robust scale", in, names(s.Columns, func(c ScaleColumn) string { return c.Name }))
}

// FeatureNamesOut returns in with an indicator name appended for each
// fitted column.
func (m *MissingIndicatorStep) FeatureNamesOut(in []string) ([]string, error) {
	out, err := keep("missing indicator", in, m.Columns)
	if err != nil {
		return nil, err
	}
	for _, n := range m.FeatureNames() {
		if slices.Contains(in, n) {
			return nil, fmt.Errorf("missing indicator feature names: column %q already exists: %w", n, frame.ErrDuplicate)
		}
		out = append(out, n)
	}
	return out, nil
}

// FeatureNamesOut returns in without the dropped columns.
func (d *ColumnDropper) FeatureNamesOut(in []string) ([]string, error) {
	return without("drop sparse", in, d.Columns)
}

// FeatureNamesOut returns in with each encoded column replaced, at its
// place, by its one-hot columns.
func (e *OneHotEncoder) FeatureNamesOut(in []string) ([]string, error) {
	encoded := make(map[string]int, len(e.Columns))
	for i, c := range e.Columns {
		encoded[c.Name] = i
	}
	if _, err := keep("one-hot", in, names(e.Columns, func(c OneHotColumn) string { return c.Name })); err != nil {
		return nil, err
	}
	var out []string
	for _, n := range in {
		i, ok := encoded[n]
		if !ok {
			out = append(out, n)
			continue
		}
		out = append(out, e.Columns[i].FeatureNames()...)
	}
	return out, uniqueOut("one-hot", out)
}

// FeatureNamesOut returns in without the hashed columns, then the hashed
// output columns.
func (h *Hasher) FeatureNamesOut(in []string) ([]string, error) {
	out, err := without("hash", in, h.Columns)
	if err != nil {
		return nil, err
	}
	out = append(out, h.FeatureNames()...)
	return out, uniqueOut("hash", out)
}

// FeatureNamesOut follows the parts in turn, then drops the dropped
// columns. It returns an error naming a part that does not implement
// [FeatureNamer].
func (c *ColumnTransformer) FeatureNamesOut(in []string) ([]string, error) {
	out := slices.Clone(in)
	for i, p := range c.Parts {
		n, ok := p.(FeatureNamer)
		if !ok {
			return nil, fmt.Errorf("column transform feature names: part on %q (%T) does not report its names: %w", c.Columns[i], p, ErrState)
		}
		var err error
		if out, err = n.FeatureNamesOut(out); err != nil {
			return nil, fmt.Errorf("column transform part on %q: %w", c.Columns[i], err)
		}
	}
	return without("column transform", out, c.Dropped)
}

// uniqueOut returns an error wrapping frame.ErrDuplicate for a name that
// appears twice in out.
func uniqueOut(step string, out []string) error {
	seen := make(map[string]bool, len(out))
	for _, n := range out {
		if seen[n] {
			return fmt.Errorf("%s feature names: column %q twice: %w", step, n, frame.ErrDuplicate)
		}
		seen[n] = true
	}
	return nil
}
