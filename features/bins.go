package features

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
	"github.com/mlpipe/mlpipe/internal/quantile"
	"github.com/mlpipe/mlpipe/preprocess"
)

// BinStrategy is how [KBins] places bin edges. It is saved by name
// ("uniform", "quantile", "kmeans").
type BinStrategy uint8

// The binning strategies, as scikit-learn's KBinsDiscretizer.
const (
	// Quantile puts equally many training values in each bin, with edges
	// at numpy's linearly interpolated percentiles (the default). Bins
	// narrower than 1e-8 are merged away.
	Quantile BinStrategy = iota
	// Uniform makes bins of equal width between the training minimum and maximum.
	Uniform
	// KMeans puts edges midway between the centres of a one-dimensional
	// k-means (Lloyd's algorithm, started from the uniform bins' centres).
	KMeans
)

var strategyNames = [...]string{"quantile", "uniform", "kmeans"}

// String returns "quantile", "uniform" or "kmeans".
func (s BinStrategy) String() string {
	if int(s) < len(strategyNames) {
		return strategyNames[s]
	}
	return fmt.Sprintf("BinStrategy(%d)", uint8(s))
}

// MarshalText returns the strategy's name; it fails for an unknown strategy.
func (s BinStrategy) MarshalText() ([]byte, error) {
	if int(s) >= len(strategyNames) {
		return nil, fmt.Errorf("bin strategy %d: %w", uint8(s), ErrParam)
	}
	return []byte(strategyNames[s]), nil
}

// UnmarshalText reads a strategy's name; it fails with an error wrapping
// [ErrParam] for an unknown one.
func (s *BinStrategy) UnmarshalText(b []byte) error {
	i := slices.Index(strategyNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("bin strategy %q (want quantile, uniform or kmeans): %w", b, ErrParam)
	}
	*s = BinStrategy(i)
	return nil
}

// BinSep separates a column's name from a bin number in the names of
// one-hot bin columns: column "age" gives "age=0", "age=1", ….
const BinSep = "="

// KBinsSpec is the specification of a discretiser, scikit-learn's
// KBinsDiscretizer: each chosen float column is cut into Bins bins learned
// from the training values, and replaced at its place by the bin number
// (0, 1, …, as a float, the default) or, with OneHot, by one 0/1 column per
// bin named column=k. A value below the first edge goes in the first bin,
// one above the last in the last; a value equal to an inner edge goes in
// the bin above it.
//
// Missing values (NaN) are skipped in fitting (scikit-learn rejects them)
// and give NaN, or all zeros with OneHot. A column with a single distinct
// value gets one bin. Fitting runs over the columns in parallel.
//
// Build it with [KBins]; it is a value, safe for concurrent use.
type KBinsSpec struct {
	// Columns to bin; empty means every float column.
	Columns []string
	// Bins is the number of bins: 0 means 5, scikit-learn's default;
	// otherwise at least 2. Quantile and k-means bins may end fewer, when
	// bins narrower than 1e-8 are merged.
	Bins int
	// Strategy places the edges (default [Quantile]).
	Strategy BinStrategy
	// OneHot encodes each bin as a 0/1 column instead of the bin number.
	OneHot bool
}

// KBins returns the specification of a discretiser of the float columns
// cols (all float columns when none are named) into bins bins with the
// given strategy, encoded as bin numbers.
func KBins(bins int, strategy BinStrategy, cols ...string) KBinsSpec {
	return KBinsSpec{Columns: slices.Clone(cols), Bins: bins, Strategy: strategy}
}

// WithOneHot returns a copy of s that encodes bins as 0/1 columns (true)
// or as bin numbers (false, the default).
func (s KBinsSpec) WithOneHot(onehot bool) KBinsSpec {
	s.OneHot = onehot
	return s
}

// Fit learns each column's bin edges and returns a [*BinDiscretizer]. It
// returns an error wrapping [ErrParam] for fewer than 2 bins or an unknown
// strategy, frame.ErrEmpty, frame.ErrNoColumn or frame.ErrKind for a bad
// frame, [ErrNotFinite] for an infinite value, [ErrAllMissing] for a column
// with no present value, frame.ErrDuplicate when a one-hot name is already
// a column, and ctx.Err() when ctx is cancelled.
func (s KBinsSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	const step = "k-bins"
	if s.Bins == 0 {
		s.Bins = 5
	}
	if s.Bins < 2 || int(s.Strategy) >= len(strategyNames) {
		return nil, fmt.Errorf("%s: %d bins with strategy %v (want at least 2, and a known strategy): %w", step, s.Bins, s.Strategy, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	names, _, err := selectColumns(step, f, s.Columns, frame.Float)
	if err != nil {
		return nil, err
	}
	out := &BinDiscretizer{OneHot: s.OneHot, Strategy: s.Strategy, Columns: make([]BinColumn, len(names))}
	err = parallel.For(ctx, len(names), 0, func(_ context.Context, i int) error {
		v, _ := f.Float(names[i])
		if err := checkFinite(step, names[i], v); err != nil {
			return err
		}
		x := make([]float64, 0, len(v))
		for _, a := range v {
			if !math.IsNaN(a) {
				x = append(x, a)
			}
		}
		if len(x) == 0 {
			return fmt.Errorf("%s: column %q has %d rows, all missing: %w", step, names[i], len(v), ErrAllMissing)
		}
		out.Columns[i] = BinColumn{Name: names[i], Edges: binEdges(x, s.Bins, s.Strategy)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := out.FeatureNamesOut(f.Names()); err != nil {
		return nil, err
	}
	return out, nil
}

// binEdges returns the edges of n bins of x (present values only; x is
// reordered), as scikit-learn computes them; nil for a constant column.
func binEdges(x []float64, n int, strategy BinStrategy) []float64 {
	lo, hi := slices.Min(x), slices.Max(x)
	if lo == hi {
		return nil
	}
	var edges []float64
	switch strategy {
	case Uniform:
		edges = linspace(lo, hi, n+1)
	case Quantile:
		qs := make([]float64, n+1)
		step := 100 / float64(n)
		for i := range qs {
			q := float64(i) * step
			if i == n {
				q = 100
			}
			qs[i] = q / 100 // numpy's percentile divides by 100
		}
		edges = quantile.Linear(x, qs...)
	case KMeans:
		uniform := linspace(lo, hi, n+1)
		init := make([]float64, n)
		for i := range init {
			init[i] = (uniform[i+1] + uniform[i]) * 0.5
		}
		centers := kmeans1D(x, init)
		slices.Sort(centers)
		edges = make([]float64, 0, n+1)
		edges = append(edges, lo)
		for i := 1; i < len(centers); i++ {
			edges = append(edges, (centers[i]+centers[i-1])*0.5)
		}
		edges = append(edges, hi)
	}
	if strategy != Uniform {
		// Remove bins whose width is too small (<= 1e-8).
		kept := edges[:1]
		for i := 1; i < len(edges); i++ {
			if edges[i]-edges[i-1] > 1e-8 {
				kept = append(kept, edges[i])
			}
		}
		edges = kept
	}
	return edges
}

// linspace returns numpy.linspace(lo, hi, n): i·step + lo, the last value hi.
func linspace(lo, hi float64, n int) []float64 {
	out := make([]float64, n)
	step := (hi - lo) / float64(n-1)
	for i := range out {
		out[i] = float64(i)*step + lo
	}
	out[n-1] = hi
	return out
}

// kmeans1D runs Lloyd's algorithm on one-dimensional data from the given
// centres, as scikit-learn's KMeans(n_init=1, algorithm="lloyd") does:
// data centred on its mean, at most 300 iterations, stopping when the
// labels no longer change or the centres move by at most 1e-4 of the
// data's variance (squared shifts summed); empty clusters are moved to the
// points farthest from their centres.
func kmeans1D(x, init []float64) []float64 {
	n, k := len(x), len(init)
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= float64(n)
	xc := make([]float64, n)
	var variance float64
	for i, v := range x {
		xc[i] = v - mean
		variance += xc[i] * xc[i]
	}
	tol := variance / float64(n) * 1e-4
	centers := make([]float64, k)
	for j, c := range init {
		centers[j] = c - mean
	}
	labels := make([]int, n)
	old := make([]int, n)
	for i := range old {
		old[i] = -1
	}
	sums := make([]float64, k)
	counts := make([]float64, k)
	assign := func(centers []float64) {
		for i, v := range xc {
			best, bd := 0, math.Inf(1)
			for j, c := range centers {
				// scikit-learn compares ||c||² − 2·x·c, which orders as (x−c)².
				if d := c*c - 2*v*c; d < bd {
					best, bd = j, d
				}
			}
			labels[i] = best
		}
	}
	for range 300 {
		assign(centers)
		clear(sums)
		clear(counts)
		for i, v := range xc {
			sums[labels[i]] += v
			counts[labels[i]]++
		}
		relocateEmpty(xc, centers, labels, sums, counts)
		shift := 0.0
		for j := range centers {
			c := centers[j]
			if counts[j] > 0 {
				c = sums[j] / counts[j]
			}
			shift += (c - centers[j]) * (c - centers[j])
			centers[j] = c
		}
		if slices.Equal(labels, old) {
			break
		}
		if shift <= tol {
			break
		}
		copy(old, labels)
	}
	for j := range centers {
		centers[j] += mean
	}
	return centers
}

// relocateEmpty gives each empty cluster the point farthest from its
// current centre, taking it from that centre's sums, as scikit-learn's
// _relocate_empty_clusters_dense.
func relocateEmpty(x, centers []float64, labels []int, sums, counts []float64) {
	var empty []int
	for j, c := range counts {
		if c == 0 {
			empty = append(empty, j)
		}
	}
	if len(empty) == 0 {
		return
	}
	dist := func(i int) float64 { d := x[i] - centers[labels[i]]; return d * d }
	far := 0.0
	for i := range x {
		far = max(far, dist(i))
	}
	if far == 0 {
		// More clusters than distinct values: relocating is pointless.
		return
	}
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	// Farthest first; among equally far points the later one first, which
	// is what numpy's argpartition picks for a single empty cluster (for
	// several, its order among ties is unspecified).
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(dist(b), dist(a)); c != 0 {
			return c
		}
		return cmp.Compare(b, a)
	})
	for k, j := range empty {
		far := idx[k]
		from := labels[far]
		sums[from] -= x[far]
		counts[from]--
		sums[j], counts[j] = x[far], 1
	}
}

// BinDiscretizer is a fitted [KBinsSpec]: the bin edges of each column. Its
// fields are its saved state. It is immutable and safe for concurrent use.
type BinDiscretizer struct {
	Columns  []BinColumn `json:"columns"`
	Strategy BinStrategy `json:"strategy"`
	OneHot   bool        `json:"onehot,omitempty"`
}

// BinColumn is the fitted state of one binned column.
type BinColumn struct {
	Name string `json:"name"`
	// Edges are the bin edges, increasing: bin k holds [Edges[k],
	// Edges[k+1]). Empty for a column with a single training value, which
	// has one bin.
	Edges []float64 `json:"edges,omitempty"`
}

// Bins returns the number of bins.
func (c BinColumn) Bins() int { return max(len(c.Edges)-1, 1) }

// bin returns the bin of x, as numpy.searchsorted(edges[1:-1], x, side="right").
func (c BinColumn) bin(x float64) int {
	if len(c.Edges) < 3 {
		return 0
	}
	inner := c.Edges[1 : len(c.Edges)-1]
	// The number of inner edges <= x.
	lo, hi := 0, len(inner)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if inner[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

func (c BinColumn) names(onehot bool) []string {
	if !onehot {
		return []string{c.Name}
	}
	out := make([]string, c.Bins())
	for k := range out {
		out[k] = c.Name + BinSep + strconv.Itoa(k)
	}
	return out
}

// Transform returns f with each binned column replaced by its bin numbers
// (NaN for missing) or its one-hot bin columns (all zero for missing). It
// returns an error wrapping frame.ErrNoColumn or frame.ErrKind when f lacks
// a float column.
func (b *BinDiscretizer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "k-bins"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	reps := make([]replacement, len(b.Columns))
	for i, c := range b.Columns {
		v, err := floatCol(step, f, c.Name)
		if err != nil {
			return nil, err
		}
		names := c.names(b.OneHot)
		vals := make([][]float64, len(names))
		for k := range vals {
			vals[k] = make([]float64, len(v))
		}
		for r, x := range v {
			switch {
			case math.IsNaN(x):
				if !b.OneHot {
					vals[0][r] = math.NaN()
				}
			case b.OneHot:
				vals[c.bin(x)][r] = 1
			default:
				vals[0][r] = float64(c.bin(x))
			}
		}
		add := make([]frame.Series, len(names))
		for k := range names {
			add[k] = frame.Floats(names[k], vals[k])
		}
		reps[i] = replacement{source: c.Name, drop: true, add: add}
	}
	return replace(step, f, reps)
}

// Inverse maps bins back to numbers, as scikit-learn's inverse_transform:
// each binned column of f (bin numbers, or the one-hot columns column=k)
// becomes a float column, under the original name and at its place,
// holding the centre of the bin (the midpoint of its edges). A missing bin
// (NaN, or one-hot columns all zero) gives NaN, as does the single bin of
// a column that was constant in training (scikit-learn's centre of
// (−∞, +∞)). It returns an error wrapping frame.ErrNoColumn or
// frame.ErrKind when f lacks a bin column, and [ErrParam] for a bin
// number that is not one of the column's bins.
func (b *BinDiscretizer) Inverse(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "k-bins inverse"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var reps []replacement
	for _, c := range b.Columns {
		centres := make([]float64, c.Bins())
		for k := range centres {
			if len(c.Edges) == 0 {
				centres[k] = math.NaN()
			} else {
				centres[k] = (c.Edges[k+1] + c.Edges[k]) * 0.5
			}
		}
		names := c.names(b.OneHot)
		cols := make([][]float64, len(names))
		for k, n := range names {
			var err error
			if cols[k], err = floatCol(step, f, n); err != nil {
				return nil, err
			}
		}
		out := make([]float64, f.NumRows())
		for i := range out {
			out[i] = math.NaN()
			if b.OneHot {
				for k, col := range cols {
					if col[i] == 1 {
						out[i] = centres[k]
						break
					}
				}
				continue
			}
			x := cols[0][i]
			if math.IsNaN(x) {
				continue
			}
			k := int(x)
			if float64(k) != x || k < 0 || k >= len(centres) {
				return nil, fmt.Errorf("%s: column %q row %d holds %v, not a bin of [0, %d): %w", step, c.Name, i, x, len(centres), ErrParam)
			}
			out[i] = centres[k]
		}
		reps = append(reps, replacement{source: names[0], drop: true, add: []frame.Series{frame.Floats(c.Name, out)}})
		for _, n := range names[1:] {
			reps = append(reps, replacement{source: n, drop: true})
		}
	}
	return replace(step, f, reps)
}

// FeatureNamesOut returns in with each binned column in place (bin
// numbers keep the column's name) or replaced by its one-hot names.
func (b *BinDiscretizer) FeatureNamesOut(in []string) ([]string, error) {
	src := make(map[string][]string, len(b.Columns))
	drop := make(map[string]bool, len(b.Columns))
	for _, c := range b.Columns {
		src[c.Name] = c.names(b.OneHot)
		drop[c.Name] = true
	}
	return replaceNames("k-bins", in, src, drop)
}

// Validate reports whether the state is usable: named distinct columns,
// a known strategy, and finite, strictly increasing edges (none, or at
// least two). It returns an error wrapping [ErrState] otherwise.
func (b *BinDiscretizer) Validate() error {
	const step = "k-bins"
	names := make([]string, len(b.Columns))
	for i, c := range b.Columns {
		names[i] = c.Name
		if len(c.Edges) == 1 {
			return fmt.Errorf("%s: column %q has a single edge: %w", step, c.Name, ErrState)
		}
		for k, e := range c.Edges {
			if math.IsNaN(e) || math.IsInf(e, 0) || (k > 0 && e <= c.Edges[k-1]) {
				return fmt.Errorf("%s: column %q edges %v not finite and increasing: %w", step, c.Name, c.Edges, ErrState)
			}
		}
	}
	if int(b.Strategy) >= len(strategyNames) {
		return fmt.Errorf("%s: strategy %d: %w", step, b.Strategy, ErrState)
	}
	return checkState(step, names)
}

func init() {
	preprocess.Register[*BinDiscretizer]("features.kbins", 1)
}
