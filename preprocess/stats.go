package preprocess

import (
	"cmp"
	"context"
	"math"
	"slices"

	"github.com/mlpipe/mlpipe/internal/parallel"
	"github.com/mlpipe/mlpipe/internal/quantile"
)

// Moments is a mergeable summary of a set of float values: their count,
// mean, sum of squared deviations from the mean, minimum and maximum. NaN
// (missing) values are counted apart and take no part in the moments.
//
// Moments are built by adding batches ([Moments.AddBatch]) and combined by
// [Moments.Merge], which uses the pairwise update of Chan, Golub and LeVeque
// (1979), so a summary merged from chunks equals, to rounding, the summary
// of all the values at once: this is what lets a step fit on all cores, on a
// stream, or shard by shard. The zero value is the summary of no values. A
// Moments value is not safe for concurrent mutation; merge per-goroutine
// summaries instead.
type Moments struct {
	N       int64   `json:"n"`       // present (non-NaN) values
	Missing int64   `json:"missing"` // NaN values
	Mean    float64 `json:"mean"`    // mean of present values (0 when N is 0)
	M2      float64 `json:"m2"`      // sum of squared deviations from Mean
	Min     float64 `json:"min"`     // smallest present value (meaningless when N is 0)
	Max     float64 `json:"max"`     // largest present value (meaningless when N is 0)
}

// AddBatch adds the values of xs (NaN counted as missing) to m. It computes
// the batch's moments with two passes (mean, then the corrected sum of
// squared deviations, as numpy and scikit-learn do) and merges them in, which
// is more accurate than adding one value at a time.
func (m *Moments) AddBatch(xs []float64) { *m = m.Merge(batchMoments(xs, 0)) }

// batchMoments returns the moments of xs taken about shift: Mean is the mean
// of x − shift, while M2, Min and Max are those of x. Summarising chunks
// about a common shift near the data (the shifted-data algorithm) keeps the
// chunk means small, so merging them loses no digits when the mean is large
// against the spread (values near 1e9 varying by 1e-2).
func batchMoments(xs []float64, shift float64) Moments {
	b := Moments{Min: math.Inf(1), Max: math.Inf(-1)}
	// A compensated sum (Knuth's error-free two-sum at each step, exact
	// enough that values which cancel, 1e12 and -1e12 among values near
	// 1e-3, do not swamp the mean), branch-free so it runs at memory speed.
	var sum, comp float64
	for _, x := range xs {
		if x != x {
			b.Missing++
			continue
		}
		b.N++
		d, e1 := twoSum(x, -shift)
		t, e2 := twoSum(sum, d)
		comp += e1 + e2
		sum = t
		if x < b.Min {
			b.Min = x
		}
		if x > b.Max {
			b.Max = x
		}
	}
	if b.N == 0 {
		b.Min, b.Max = 0, 0
		return b
	}
	b.Mean = (sum + comp) / float64(b.N)
	var ss, corr float64
	for _, x := range xs {
		if x != x {
			continue
		}
		d := x - shift - b.Mean
		ss += d * d
		corr += d
	}
	b.M2 = max(ss-corr*corr/float64(b.N), 0)
	return b
}

// twoSum returns a+b rounded and the rounding error, exactly (Knuth).
func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

// Merge returns the summary of the values of m and o together.
func (m Moments) Merge(o Moments) Moments {
	missing := m.Missing + o.Missing
	switch {
	case o.N == 0:
		m.Missing = missing
		return m
	case m.N == 0:
		o.Missing = missing
		return o
	}
	na, nb := float64(m.N), float64(o.N)
	n := na + nb
	delta := o.Mean - m.Mean
	return Moments{
		N:       m.N + o.N,
		Missing: missing,
		Mean:    m.Mean + delta*nb/n,
		M2:      m.M2 + o.M2 + delta*delta*na*nb/n,
		Min:     math.Min(m.Min, o.Min),
		Max:     math.Max(m.Max, o.Max),
	}
}

// Variance returns the population variance (divided by N, as scikit-learn's
// scalers do), or NaN when N is 0.
func (m Moments) Variance() float64 {
	if m.N == 0 {
		return math.NaN()
	}
	return m.M2 / float64(m.N)
}

// Counts is a mergeable frequency table of values of type K (category
// labels, or float values for a most-frequent imputer), with the number of
// missing values beside it. The zero value is an empty table ready to use; a
// Counts is not safe for concurrent mutation: count per goroutine and merge.
type Counts[K cmp.Ordered] struct {
	Missing int64       `json:"missing"`
	ByValue map[K]int64 `json:"by_value"`
}

// Add counts one occurrence of v (n occurrences with AddN).
func (c *Counts[K]) Add(v K) { c.AddN(v, 1) }

// AddN counts n occurrences of v.
func (c *Counts[K]) AddN(v K, n int64) {
	if c.ByValue == nil {
		c.ByValue = make(map[K]int64)
	}
	c.ByValue[v] += n
}

// Merge adds the counts of o to c.
func (c *Counts[K]) Merge(o Counts[K]) {
	c.Missing += o.Missing
	for v, n := range o.ByValue {
		c.AddN(v, n)
	}
}

// Total returns the number of present values counted.
func (c *Counts[K]) Total() int64 {
	var t int64
	for _, n := range c.ByValue {
		t += n
	}
	return t
}

// Mode returns the most frequent value and true; among values equally
// frequent it returns the smallest, as scikit-learn's most-frequent imputer
// does. It returns the zero K and false when nothing was counted.
func (c *Counts[K]) Mode() (K, bool) {
	var best K
	var bestN int64
	found := false
	for v, n := range c.ByValue {
		if n <= 0 {
			continue
		}
		if !found || n > bestN || (n == bestN && cmp.Less(v, best)) {
			best, bestN, found = v, n, true
		}
	}
	return best, found
}

// Values returns the counted values in ascending order.
func (c *Counts[K]) Values() []K {
	out := make([]K, 0, len(c.ByValue))
	for v, n := range c.ByValue {
		if n > 0 {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// Sample holds the present values of a float column in memory, so that
// medians and quantiles are exact. Samples merge by concatenation; the
// order of merging does not change any quantile. With a positive Limit, a
// Sample holding more than Limit values moves them into a [Sketch] of level
// size Limit, and from then on its quantiles are approximate, within the
// sketch's stated rank error, in bounded memory. The zero value is empty,
// exact and ready to use; a Sample is not safe for concurrent mutation, and
// a copy shares its state, as a copied slice does.
type Sample struct {
	Values  []float64 // the values held exactly (none once sketched)
	Missing int64
	Limit   int // 0: exact, unbounded
	sorted  bool
	sketch  *Sketch
}

// AddBatch adds the present values of xs (NaN counted as missing).
func (s *Sample) AddBatch(xs []float64) {
	if s.sketch != nil {
		for _, x := range xs {
			if x != x {
				s.Missing++
			}
		}
		s.sketch.AddBatch(xs)
		return
	}
	s.Values = slices.Grow(s.Values, len(xs))
	for _, x := range xs {
		if x != x {
			s.Missing++
			continue
		}
		s.Values = append(s.Values, x)
	}
	s.sorted = false
	s.spill()
}

// Sort sorts the values held, so that later quantiles need not; a step
// reading many quantiles of its columns (the quantile transform) sorts
// their samples in parallel first. A few quantiles are cheaper without:
// see [Sample.Quantile].
func (s *Sample) Sort() {
	if s.sketch == nil && !s.sorted {
		slices.Sort(s.Values)
		s.sorted = true
	}
}

// sortSamples sorts samples on all cores.
func sortSamples(samples []Sample) {
	eachSample(samples, func(_ int, s *Sample) { s.Sort() })
}

// eachSample calls fn on each sample, on all cores at once; fn may reorder
// the values of the sample it is given, and nothing else of samples.
func eachSample(samples []Sample, fn func(i int, s *Sample)) {
	_ = parallel.For(context.Background(), len(samples), 0, func(_ context.Context, i int) error {
		fn(i, &samples[i])
		return nil
	})
}

// spill moves the values into a sketch once there are more than Limit.
func (s *Sample) spill() {
	if s.Limit > 0 && s.sketch == nil && len(s.Values) > s.Limit {
		s.sketch = NewSketch(s.Limit)
		s.sketch.AddBatch(s.Values)
		s.Values, s.sorted = nil, false
	}
}

// Merge adds the values of o to s.
func (s *Sample) Merge(o Sample) {
	s.Missing += o.Missing
	if o.sketch != nil && s.sketch == nil {
		s.sketch = NewSketch(max(s.Limit, o.sketch.k))
		s.sketch.AddBatch(s.Values)
		s.Values, s.sorted = nil, false
	}
	if s.sketch != nil {
		s.sketch.AddBatch(o.Values)
		s.sketch.Merge(o.sketch)
		return
	}
	s.Values = append(s.Values, o.Values...)
	s.sorted = false
	s.spill()
}

// Len returns the number of present values added.
func (s *Sample) Len() int64 {
	if s.sketch != nil {
		return s.sketch.N()
	}
	return int64(len(s.Values))
}

// Exact reports whether the quantiles are exact (nothing was sketched).
func (s *Sample) Exact() bool { return s.sketch == nil }

// Quantile returns the q-quantile (0 <= q <= 1) of the values with numpy's
// default linear interpolation: position q·(n−1) between the sorted values,
// so the 0.5-quantile of an even count is the mean of the two middle values.
// It returns NaN for an empty sample or q outside [0, 1]. Unless the values
// are sorted ([Sample.Sort]), it finds the two it needs by selection, in
// linear time on average, as numpy does, and reorders s.Values.
func (s *Sample) Quantile(q float64) float64 {
	switch {
	case s.sketch != nil:
		return s.sketch.Quantile(q)
	case len(s.Values) == 0 || !(q >= 0 && q <= 1):
		return math.NaN()
	case s.sorted:
		return quantile.Sorted(s.Values, q)
	}
	return quantile.Linear(s.Values, q)[0]
}

// quantiles returns the qs-quantiles, as [Sample.Quantile] each, selecting
// the values they need together.
func (s *Sample) quantiles(qs ...float64) []float64 {
	if s.sketch == nil && !s.sorted {
		return quantile.Linear(s.Values, qs...)
	}
	out := make([]float64, len(qs))
	for j, q := range qs {
		out[j] = s.Quantile(q)
	}
	return out
}

// Median returns the median of the values, the mean of the two middle
// values for an even count (numpy's median), or NaN for an empty sample.
// Unless the values are sorted, it selects the middle ones, as
// [Sample.Quantile] does, and reorders s.Values.
func (s *Sample) Median() float64 {
	if s.sketch != nil {
		return s.sketch.Quantile(0.5)
	}
	n := len(s.Values)
	switch {
	case n == 0:
		return math.NaN()
	case !s.sorted:
		return quantile.Median(s.Values)
	case n%2 == 1:
		return s.Values[n/2]
	}
	return (s.Values[n/2-1] + s.Values[n/2]) / 2
}
