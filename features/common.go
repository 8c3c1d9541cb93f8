package features

import (
	"fmt"
	"math"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
	"github.com/mlpipe/mlpipe/preprocess"
)

// FeatureNamer is [preprocess.FeatureNamer]: a fitted step that tells the
// names of its output columns without transforming any data
// (scikit-learn's get_feature_names_out). Every fitted step of this package
// and of package preprocess implements it.
type FeatureNamer = preprocess.FeatureNamer

// FeatureNamesOut returns the column names after applying the fitted steps
// in order to a frame with columns in, so that a pipeline's matrix feature
// names are known before any data flows. It returns an error wrapping
// [ErrParam] for a step that does not implement [FeatureNamer].
func FeatureNamesOut(in []string, steps ...preprocess.Fitted) ([]string, error) {
	names := slices.Clone(in)
	for i, s := range steps {
		n, ok := s.(FeatureNamer)
		if !ok {
			return nil, fmt.Errorf("feature names: step %d (%T) does not report its names: %w", i, s, ErrParam)
		}
		var err error
		if names, err = n.FeatureNamesOut(names); err != nil {
			return nil, fmt.Errorf("feature names: step %d (%T): %w", i, s, err)
		}
	}
	return names, nil
}

// selectColumns returns the named columns of f (or, when names is empty,
// every column of the first kind in kinds), checking each has one of kinds.
func selectColumns(step string, f *frame.Frame, names []string, kinds ...frame.Kind) ([]string, []frame.Column, error) {
	if f.NumRows() == 0 {
		return nil, nil, fmt.Errorf("%s: %w", step, frame.ErrEmpty)
	}
	if len(names) == 0 {
		for i := range f.NumCols() {
			n, c := f.ColAt(i)
			if c.Kind() == kinds[0] {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return nil, nil, fmt.Errorf("%s: no %v column in frame: %w", step, kinds[0], frame.ErrNoColumn)
		}
	}
	if err := uniqueNames(step, names); err != nil {
		return nil, nil, err
	}
	cols := make([]frame.Column, len(names))
	for i, n := range names {
		c, err := f.Col(n)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", step, err)
		}
		if !slices.Contains(kinds, c.Kind()) {
			return nil, nil, fmt.Errorf("%s: column %q is %v, want %v: %w", step, n, c.Kind(), kinds[0], frame.ErrKind)
		}
		cols[i] = c
	}
	return names, cols, nil
}

func uniqueNames(step string, names []string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if n == "" {
			return fmt.Errorf("%s: empty column name: %w", step, ErrParam)
		}
		if seen[n] {
			return fmt.Errorf("%s: column %q named twice: %w", step, n, ErrParam)
		}
		seen[n] = true
	}
	return nil
}

// floatCol returns the float values of column name of f.
func floatCol(step string, f *frame.Frame, name string) ([]float64, error) {
	v, err := f.Float(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	return v, nil
}

// A replacement is a set of new columns standing in for a source column.
type replacement struct {
	source string         // the column the new ones are placed at
	drop   bool           // whether source itself goes
	add    []frame.Series // new columns, placed where source was (after it when kept)
}

// replace returns f with each replacement applied: the new columns go where
// the source column stands, the source column is removed when drop is set,
// and every other column keeps its place. It fails with frame.ErrDuplicate
// when a new name clashes with a kept one.
func replace(step string, f *frame.Frame, reps []replacement) (*frame.Frame, error) {
	at := make(map[string]int, len(reps))
	for i, r := range reps {
		at[r.source] = i
	}
	series := make([]frame.Series, 0, f.NumCols()+len(reps))
	for i := range f.NumCols() {
		n, c := f.ColAt(i)
		k, ok := at[n]
		if !ok {
			series = append(series, frame.Series{Name: n, Col: c})
			continue
		}
		if !reps[k].drop {
			series = append(series, frame.Series{Name: n, Col: c})
		}
		series = append(series, reps[k].add...)
	}
	out, err := frame.New(series...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	return out, nil
}

// replaceNames is the name-only counterpart of replace, for FeatureNamesOut.
func replaceNames(step string, in []string, source map[string][]string, drop map[string]bool) ([]string, error) {
	var out []string
	found := 0
	for _, n := range in {
		add, ok := source[n]
		if !ok {
			out = append(out, n)
			continue
		}
		found++
		if !drop[n] {
			out = append(out, n)
		}
		out = append(out, add...)
	}
	if found != len(source) {
		for n := range source {
			if !slices.Contains(in, n) {
				return nil, fmt.Errorf("%s: column %q not among the input columns: %w", step, n, frame.ErrNoColumn)
			}
		}
	}
	if err := uniqueNames(step, out); err != nil {
		return nil, fmt.Errorf("%s: output names: %w", step, frame.ErrDuplicate)
	}
	return out, nil
}

// chunkRows is the number of rows one parallel task handles. It is fixed,
// not derived from the number of workers, and chunk results are merged in
// order, so results are the same whatever GOMAXPROCS is. (A variable so
// tests can make chunks small.)
var chunkRows = 1 << 14

// chunks returns the [lo, hi) bounds of n rows cut into chunkRows pieces.
func chunks(n int) [][2]int { return parallel.Chunks(n, chunkRows) }

// checkState validates the column names of a fitted state: at least one,
// each named, none twice.
func checkState(step string, names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("%s: no columns: %w", step, ErrState)
	}
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		if n == "" {
			return fmt.Errorf("%s: column %d has no name: %w", step, i, ErrState)
		}
		if seen[n] {
			return fmt.Errorf("%s: column %q listed twice: %w", step, n, ErrState)
		}
		seen[n] = true
	}
	return nil
}

func checkFinite(step, name string, v []float64) error {
	for i, x := range v {
		if math.IsInf(x, 0) {
			return fmt.Errorf("%s: column %q row %d is %v (use NaN for missing): %w", step, name, i, x, ErrNotFinite)
		}
	}
	return nil
}

// Every spec is a preprocess.Step, every fitted value a preprocess.Fitted
// that names its output.
var (
	_ preprocess.Step = DatePartsSpec{}
	_ preprocess.Step = CyclicalSpec{}
	_ preprocess.Step = ElapsedSpec{}
	_ preprocess.Step = PolynomialSpec{}
	_ preprocess.Step = KBinsSpec{}
	_ preprocess.Step = CountSpec{}
	_ preprocess.Step = TfidfSpec{}
	_ preprocess.Step = HashingSpec{}
	_ preprocess.Step = VarianceThresholdSpec{}
	_ preprocess.Step = SelectKBestSpec{}
	_ preprocess.Step = DropCorrelatedSpec{}
	_ preprocess.Step = FuncSpec{}

	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*DatePartExtractor)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*CyclicalEncoder)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*ElapsedTime)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*PolynomialExpander)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*BinDiscretizer)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*CountVectorizer)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*TfidfVectorizer)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*HashingVectorizer)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*VarianceSelector)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*KBestSelector)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*CorrelationFilter)(nil)
	_ interface {
		preprocess.Fitted
		FeatureNamer
	} = (*FuncStep)(nil)
)
