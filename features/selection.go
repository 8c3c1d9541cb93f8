package features

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mathext"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
	"github.com/mlpipe/mlpipe/preprocess"
)

// floatColumns returns the candidate float columns of a selection step:
// the named ones, or every float column but exclude. A missing value is an
// error wrapping frame.ErrMissing unless allowNaN.
func floatColumns(step string, f *frame.Frame, names []string, exclude string, allowNaN bool) ([]string, [][]float64, error) {
	if f.NumRows() == 0 {
		return nil, nil, fmt.Errorf("%s: %w", step, frame.ErrEmpty)
	}
	if len(names) == 0 {
		for i := range f.NumCols() {
			n, c := f.ColAt(i)
			if c.Kind() == frame.Float && n != exclude {
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			return nil, nil, fmt.Errorf("%s: no float column in frame: %w", step, frame.ErrNoColumn)
		}
	}
	if err := uniqueNames(step, names); err != nil {
		return nil, nil, err
	}
	cols := make([][]float64, len(names))
	for j, n := range names {
		if n == exclude {
			return nil, nil, fmt.Errorf("%s: column %q is the target: %w", step, n, ErrParam)
		}
		v, err := floatCol(step, f, n)
		if err != nil {
			return nil, nil, err
		}
		if err := checkFinite(step, n, v); err != nil {
			return nil, nil, err
		}
		if !allowNaN {
			for i, x := range v {
				if math.IsNaN(x) {
					return nil, nil, fmt.Errorf("%s: column %q row %d: %w (impute it first)", step, n, i, frame.ErrMissing)
				}
			}
		}
		cols[j] = v
	}
	return names, cols, nil
}

// dropColumns is the Transform of the selection steps: f without drop.
func dropColumns(step string, f *frame.Frame, drop []string) (*frame.Frame, error) {
	if len(drop) == 0 {
		return f, nil
	}
	out, err := f.Drop(drop...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	return out, nil
}

func dropNames(step string, in, drop []string) ([]string, error) {
	var out []string
	for _, n := range in {
		if !slices.Contains(drop, n) {
			out = append(out, n)
		}
	}
	if len(in)-len(out) != len(drop) {
		for _, d := range drop {
			if !slices.Contains(in, d) {
				return nil, fmt.Errorf("%s: column %q not among the input columns: %w", step, d, frame.ErrNoColumn)
			}
		}
	}
	return out, nil
}

// VarianceThresholdSpec is the specification of scikit-learn's
// VarianceThreshold: float columns whose training variance (population,
// missing values ignored) is not above Threshold are dropped. With a
// threshold of 0, a column is dropped when its range is 0, so that
// rounding in the variance of a constant column cannot keep it. A column
// with no present value is dropped too.
//
// Build it with [VarianceThreshold]; it is a value, safe for concurrent use.
type VarianceThresholdSpec struct {
	// Columns to consider; empty means every float column.
	Columns []string
	// Threshold is the variance a column must exceed to be kept (>= 0).
	Threshold float64
}

// VarianceThreshold returns the specification of a step that drops the
// float columns cols (all float columns when none are named) whose variance
// is at most threshold.
func VarianceThreshold(threshold float64, cols ...string) VarianceThresholdSpec {
	return VarianceThresholdSpec{Columns: slices.Clone(cols), Threshold: threshold}
}

// Fit computes each column's variance and returns a [*VarianceSelector].
// It returns an error wrapping [ErrParam] for a negative or NaN threshold
// or when no column would be kept, [ErrNotFinite] for an infinite value,
// and frame.ErrEmpty, frame.ErrNoColumn or frame.ErrKind for a bad frame.
func (s VarianceThresholdSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	const step = "variance threshold"
	if !(s.Threshold >= 0) || math.IsInf(s.Threshold, 0) {
		return nil, fmt.Errorf("%s: threshold %v: %w", step, s.Threshold, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	names, cols, err := floatColumns(step, f, s.Columns, "", true)
	if err != nil {
		return nil, err
	}
	moments := make([]preprocess.Moments, len(cols))
	err = parallel.For(ctx, len(cols), 0, func(_ context.Context, j int) error {
		for _, b := range chunks(len(cols[j])) {
			moments[j].AddBatch(cols[j][b[0]:b[1]])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	v, err := s.FitMoments(names, moments)
	if err != nil {
		return nil, err
	}
	return v, nil
}

// FitMoments returns the selector for columns whose summaries are given,
// as Fit on the data summarised: summaries accumulated over batches or
// merged from shards (see preprocess.Moments) give the same selection as
// the whole data, so a frame larger than memory can be streamed through.
// It returns an error wrapping [ErrParam] for a negative or NaN threshold,
// names and summaries of different lengths, a name given twice, or when no
// column would be kept.
func (s VarianceThresholdSpec) FitMoments(names []string, moments []preprocess.Moments) (*VarianceSelector, error) {
	const step = "variance threshold"
	if !(s.Threshold >= 0) || math.IsInf(s.Threshold, 0) {
		return nil, fmt.Errorf("%s: threshold %v: %w", step, s.Threshold, ErrParam)
	}
	if len(names) != len(moments) || len(names) == 0 {
		return nil, fmt.Errorf("%s: %d names for %d summaries: %w", step, len(names), len(moments), ErrParam)
	}
	if err := uniqueNames(step, names); err != nil {
		return nil, err
	}
	out := &VarianceSelector{Columns: slices.Clone(names), Threshold: s.Threshold, Variances: make([]float64, len(names))}
	for j, m := range moments {
		variance := m.Variance() // NaN with no present value
		if s.Threshold == 0 && m.N > 0 {
			variance = min(variance, m.Max-m.Min)
		}
		out.Variances[j] = variance
		if !(variance > s.Threshold) {
			out.Drop = append(out.Drop, names[j])
		}
	}
	if len(out.Drop) == len(names) {
		return nil, fmt.Errorf("%s: no column of %d has variance above %v: %w", step, len(names), s.Threshold, ErrParam)
	}
	return out, nil
}

// VarianceSelector is a fitted [VarianceThresholdSpec]: each candidate
// column's variance (NaN for one with no present value; the range when it
// is smaller and the threshold is 0) and the columns dropped. Its fields
// are its saved state. It is immutable and safe for concurrent use.
type VarianceSelector struct {
	Columns   []string  `json:"columns"`
	Threshold float64   `json:"threshold"`
	Variances []float64 `json:"-"` // saved as "variances", NaN as null
	Drop      []string  `json:"drop"`
}

// Transform returns f without the dropped columns. It returns an error
// wrapping frame.ErrNoColumn when f lacks one.
func (v *VarianceSelector) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return dropColumns("variance threshold", f, v.Drop)
}

// FeatureNamesOut returns in without the dropped columns.
func (v *VarianceSelector) FeatureNamesOut(in []string) ([]string, error) {
	return dropNames("variance threshold", in, v.Drop)
}

// Validate reports whether the state is usable: named distinct columns
// and dropped columns among them. It returns an error wrapping [ErrState]
// otherwise.
func (v *VarianceSelector) Validate() error {
	return validateDrop("variance threshold", v.Columns, v.Drop)
}

func validateDrop(step string, cols, drop []string) error {
	if err := checkState(step, cols); err != nil {
		return err
	}
	for _, d := range drop {
		if !slices.Contains(cols, d) {
			return fmt.Errorf("%s: dropped column %q is not a candidate: %w", step, d, ErrState)
		}
	}
	return nil
}

// ScoreFunc scores each feature against a class target for [SelectKBest].
// It is saved by name ("f_classif", "chi2", "mutual_info").
type ScoreFunc uint8

// The score functions, as scikit-learn's.
const (
	// FClassif is the ANOVA F statistic of each feature across the
	// classes, with its p-value (f_classif).
	FClassif ScoreFunc = iota
	// Chi2 is the chi-squared statistic of each non-negative feature
	// (counts, frequencies, TF-IDF weights) against the classes, with its
	// p-value (chi2).
	Chi2
	// MutualInfo is the mutual information between each feature and the
	// classes, in nats (mutual_info_classif): estimated from 3 nearest
	// neighbours for continuous features, counted exactly for discrete
	// ones. It has no p-value.
	MutualInfo
)

var scoreNames = [...]string{"f_classif", "chi2", "mutual_info"}

// String returns "f_classif", "chi2" or "mutual_info".
func (s ScoreFunc) String() string {
	if int(s) < len(scoreNames) {
		return scoreNames[s]
	}
	return fmt.Sprintf("ScoreFunc(%d)", uint8(s))
}

// MarshalText returns the score function's name; it fails for an unknown one.
func (s ScoreFunc) MarshalText() ([]byte, error) {
	if int(s) >= len(scoreNames) {
		return nil, fmt.Errorf("score function %d: %w", uint8(s), ErrParam)
	}
	return []byte(scoreNames[s]), nil
}

// UnmarshalText reads a score function's name; it fails with an error
// wrapping [ErrParam] for an unknown one.
func (s *ScoreFunc) UnmarshalText(b []byte) error {
	i := slices.Index(scoreNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("score function %q (want f_classif, chi2 or mutual_info): %w", b, ErrParam)
	}
	*s = ScoreFunc(i)
	return nil
}

// SelectKBestSpec is the specification of scikit-learn's SelectKBest for
// classification: each candidate float column is scored against the
// Target column's classes with Score, the K best are kept and the other
// candidates dropped; columns that are not candidates (the target among
// them) pass through. Ties are resolved as scikit-learn does (a stable
// sort of the scores, keeping the last K), and a NaN score ranks lowest.
//
// The target may be float (each distinct value a class), bool or
// categorical; it must have no missing value, nor may the candidates
// (impute first).
//
// Build it with [SelectKBest]; it is a value, safe for concurrent use.
type SelectKBestSpec struct {
	// Target names the class column.
	Target string
	// K is the number of columns to keep, 1 to the number of candidates.
	K int
	// Score is the scoring function (default [FClassif]).
	Score ScoreFunc
	// Columns are the candidates; empty means every float column but the target.
	Columns []string
	// Discrete, for [MutualInfo], treats the candidates as discrete
	// values (counted exactly) rather than continuous (nearest neighbours).
	Discrete bool
	// Seed seeds the tiny noise (1e-10 of the scale) [MutualInfo] adds to
	// continuous features to break ties, as scikit-learn does; the scores
	// are reproducible for a given seed, and match scikit-learn's to
	// rounding on data without ties.
	Seed uint64
}

// SelectKBest returns the specification of a step keeping the k float
// columns (among cols, or all float columns but target) that score best
// against the class column target.
func SelectKBest(target string, k int, score ScoreFunc, cols ...string) SelectKBestSpec {
	return SelectKBestSpec{Target: target, K: k, Score: score, Columns: slices.Clone(cols)}
}

// classes returns each row's class index (into the sorted distinct
// values) of the target column, and the number of classes.
func classes(step string, f *frame.Frame, target string) ([]int, int, error) {
	c, err := f.Col(target)
	if err != nil {
		return nil, 0, fmt.Errorf("%s target: %w: %w", step, ErrTarget, err)
	}
	y := make([]int, c.Len())
	var keys []float64
	var labels []string
	switch c := c.(type) {
	case *frame.FloatColumn:
		keys = slices.Clone(c.Values())
	case *frame.BoolColumn:
		keys = make([]float64, c.Len())
		for i, b := range c.Values() {
			if b {
				keys[i] = 1
			}
		}
	case *frame.CategoricalColumn:
		keys = make([]float64, c.Len())
		labels = c.Dict()
		for i, code := range c.Codes() {
			keys[i] = float64(code)
		}
	default:
		return nil, 0, fmt.Errorf("%s target %q is %v; use a float, bool or categorical column: %w", step, target, c.Kind(), ErrTarget)
	}
	for i := range keys {
		if c.IsNA(i) {
			return nil, 0, fmt.Errorf("%s target %q row %d is missing: %w", step, target, i, ErrTarget)
		}
	}
	distinct := slices.Clone(keys)
	if labels != nil {
		// Classes of a categorical target sort by label, as strings do in numpy.
		slices.SortFunc(distinct, func(a, b float64) int { return cmp.Compare(labels[int(a)], labels[int(b)]) })
	} else {
		slices.Sort(distinct)
	}
	distinct = slices.Compact(distinct)
	index := make(map[float64]int, len(distinct))
	for k, v := range distinct {
		index[v] = k
	}
	for i, v := range keys {
		y[i] = index[v]
	}
	return y, len(distinct), nil
}

// TargetColumn returns s.Target, making the spec [preprocess.Supervised]:
// an ML pipeline shows it the target column it hides from other steps.
func (s SelectKBestSpec) TargetColumn() string { return s.Target }

// Fit scores the candidates and returns a [*KBestSelector]. It returns an
// error wrapping [ErrParam] for K outside [1, candidates], an unknown score
// function, a target of a single class, or a negative value under [Chi2];
// [ErrTarget] for a bad target column; frame.ErrMissing for a missing
// value in a candidate; [ErrNotFinite] for an infinite one; and
// frame.ErrEmpty, frame.ErrNoColumn or frame.ErrKind for a bad frame.
func (s SelectKBestSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	const step = "select k best"
	if int(s.Score) >= len(scoreNames) {
		return nil, fmt.Errorf("%s: score function %d: %w", step, s.Score, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	names, cols, err := floatColumns(step, f, s.Columns, s.Target, false)
	if err != nil {
		return nil, err
	}
	if s.K < 1 || s.K > len(names) {
		return nil, fmt.Errorf("%s: k = %d, want 1 to %d (the number of candidates): %w", step, s.K, len(names), ErrParam)
	}
	y, nclass, err := classes(step, f, s.Target)
	if err != nil {
		return nil, err
	}
	if nclass < 2 {
		return nil, fmt.Errorf("%s: target %q has a single class: %w", step, s.Target, ErrParam)
	}
	out := &KBestSelector{Target: s.Target, Columns: names, K: s.K, Score: s.Score,
		Scores: make([]float64, len(names))}
	switch s.Score {
	case FClassif:
		out.PValues = make([]float64, len(names))
		for j, x := range cols {
			out.Scores[j], out.PValues[j] = fClassif(x, y, nclass)
		}
	case Chi2:
		out.PValues = make([]float64, len(names))
		for j, x := range cols {
			for i, v := range x {
				if v < 0 {
					return nil, fmt.Errorf("%s: chi2 needs non-negative values; column %q row %d is %v: %w", step, names[j], i, v, ErrParam)
				}
			}
			out.Scores[j], out.PValues[j] = chi2(x, y, nclass)
		}
	case MutualInfo:
		rng := rand.New(rand.NewPCG(s.Seed, 0x6d6c70697065))
		err := parallel.For(ctx, len(cols), 0, func(_ context.Context, j int) error {
			if s.Discrete {
				out.Scores[j] = mutualInfoDiscrete(cols[j], y, nclass)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if !s.Discrete {
			// Noise is drawn in column order from one generator, so the
			// scores do not depend on scheduling.
			noisy := make([][]float64, len(cols))
			for j, x := range cols {
				noisy[j] = scaleWithNoise(x, rng)
			}
			err := parallel.For(ctx, len(cols), 0, func(_ context.Context, j int) error {
				out.Scores[j] = mutualInfoContinuous(noisy[j], y, nclass, 3)
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	out.Drop = worst(names, out.Scores, s.K)
	return out, nil
}

// worst returns the names not among the k best scores, as scikit-learn
// picks them: NaN lowest, a stable ascending sort, the last k kept.
func worst(names []string, scores []float64, k int) []string {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) float64 {
		if math.IsNaN(scores[i]) {
			return -math.MaxFloat64
		}
		return scores[i]
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key(a), key(b)) })
	dropped := make([]bool, len(names))
	for _, i := range idx[:len(idx)-k] {
		dropped[i] = true
	}
	var out []string
	for i, n := range names {
		if dropped[i] {
			out = append(out, n)
		}
	}
	return out
}

// fClassif returns the one-way ANOVA F statistic and its p-value, computed
// as scikit-learn's f_oneway (the same sums, in the same order).
func fClassif(x []float64, y []int, nclass int) (float64, float64) {
	sums := make([]float64, nclass)
	counts := make([]float64, nclass)
	ss := make([]float64, nclass)
	for i, v := range x {
		sums[y[i]] += v
		ss[y[i]] += v * v
		counts[y[i]]++
	}
	var ssAll, sumAll, n float64
	for k := range sums {
		ssAll += ss[k]
		sumAll += sums[k]
		n += counts[k]
	}
	sqSumAll := sumAll * sumAll
	sstot := ssAll - sqSumAll/n
	var ssbn float64
	for k := range sums {
		ssbn += sums[k] * sums[k] / counts[k]
	}
	ssbn -= sqSumAll / n
	sswn := sstot - ssbn
	dfbn, dfwn := float64(nclass-1), n-float64(nclass)
	msb, msw := ssbn/dfbn, sswn/dfwn
	f := msb / msw
	if math.IsNaN(f) {
		return f, math.NaN()
	}
	if math.IsInf(f, 1) {
		return f, 0
	}
	// scipy's fdtrc(dfn, dfd, f) = I_{dfd/(dfd+dfn·f)}(dfd/2, dfn/2).
	return f, mathext.RegIncBeta(dfwn/2, dfbn/2, dfwn/(dfwn+dfbn*f))
}

// chi2 returns scikit-learn's chi2 statistic of a non-negative feature
// against the classes, and its p-value.
func chi2(x []float64, y []int, nclass int) (float64, float64) {
	observed := make([]float64, nclass)
	counts := make([]float64, nclass)
	var total float64
	for i, v := range x {
		observed[y[i]] += v
		counts[y[i]]++
		total += v
	}
	n := float64(len(x))
	var stat float64
	for k := range observed {
		expected := counts[k] / n * total
		d := observed[k] - expected
		stat += d * d / expected
	}
	if math.IsNaN(stat) {
		return stat, math.NaN()
	}
	return stat, mathext.GammaIncRegComp(float64(nclass-1)/2, stat/2)
}

// mutualInfoDiscrete returns the mutual information, in nats, of two
// discrete variables, as scikit-learn's mutual_info_score.
func mutualInfoDiscrete(x []float64, y []int, nclass int) float64 {
	type cell struct {
		x float64
		y int
	}
	joint := map[cell]float64{}
	px := map[float64]float64{}
	py := make([]float64, nclass)
	for i, v := range x {
		joint[cell{v, y[i]}]++
		px[v]++
		py[y[i]]++
	}
	if len(px) == 1 {
		return 0
	}
	cells := make([]cell, 0, len(joint))
	for c := range joint {
		cells = append(cells, c)
	}
	// A fixed order of summation, so the result does not depend on map order.
	slices.SortFunc(cells, func(a, b cell) int {
		if c := cmp.Compare(a.x, b.x); c != 0 {
			return c
		}
		return cmp.Compare(a.y, b.y)
	})
	n := float64(len(x))
	logN := math.Log(n)
	var mi float64
	for _, c := range cells {
		nij := joint[c]
		pij := nij / n
		outer := px[c.x] * py[c.y]
		term := pij*(math.Log(nij)-logN) + pij*(-math.Log(outer)+logN+logN)
		if math.Abs(term) >= 0x1p-52 {
			mi += term
		}
	}
	return max(mi, 0)
}

// scaleWithNoise returns x divided by its population standard deviation
// (unless that is 0) plus 1e-10·max(1, mean |x|) standard normal noise, as
// scikit-learn's mutual_info_classif prepares a continuous feature.
func scaleWithNoise(x []float64, rng *rand.Rand) []float64 {
	n := float64(len(x))
	var mean float64
	for _, v := range x {
		mean += v
	}
	mean /= n
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / n)
	if sd == 0 {
		sd = 1
	}
	out := make([]float64, len(x))
	var abs float64
	for i, v := range x {
		out[i] = v / sd
		abs += math.Abs(out[i])
	}
	amp := 1e-10 * max(1, abs/n)
	for i := range out {
		out[i] += amp * rng.NormFloat64()
	}
	return out
}

// mutualInfoContinuous returns the Kraskov-style estimate of the mutual
// information between a continuous feature and discrete classes (Ross,
// 2014), as scikit-learn's _compute_mi_cd: for each point, the distance r
// to its k-th nearest neighbour of the same class, and m, the number of
// points of any class closer than r (itself included).
func mutualInfoContinuous(x []float64, y []int, nclass, k int) float64 {
	byClass := make([][]float64, nclass)
	for i, v := range x {
		byClass[y[i]] = append(byClass[y[i]], v)
	}
	var all []float64
	var sumK, sumLabel, n float64
	var radii []float64
	for _, pts := range byClass {
		if len(pts) < 2 {
			continue // points alone in their class are ignored
		}
		kk := min(k, len(pts)-1)
		slices.Sort(pts)
		for p := range pts {
			radii = append(radii, kthDistance(pts, p, kk))
			all = append(all, pts[p])
			sumK += mathext.Digamma(float64(kk))
			sumLabel += mathext.Digamma(float64(len(pts)))
			n++
		}
	}
	if n == 0 {
		return 0
	}
	sorted := slices.Clone(all)
	slices.Sort(sorted)
	var sumM float64
	for i, c := range all {
		r := radii[i]
		// Points with |c - v| < r: v in a contiguous run of sorted around c.
		lo, _ := slices.BinarySearch(sorted, c)                             // first v >= c
		left := sortSearch(lo, func(j int) bool { return c-sorted[j] < r }) // first j with c - v < r
		right := lo + sortSearch(len(sorted)-lo, func(j int) bool { return !(sorted[lo+j]-c < r) })
		m := right - left
		sumM += mathext.Digamma(float64(m))
	}
	mi := mathext.Digamma(n) + sumK/n - sumLabel/n - sumM/n
	return max(0, mi)
}

// sortSearch is sort.Search: the smallest j in [0, n) for which f is true
// (f false then true), or n.
func sortSearch(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(m) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// kthDistance returns the distance from pts[p] to its k-th nearest other
// point of sorted pts.
func kthDistance(pts []float64, p, k int) float64 {
	l, r := p-1, p+1
	var d float64
	for range k {
		switch {
		case l < 0:
			d = pts[r] - pts[p]
			r++
		case r >= len(pts):
			d = pts[p] - pts[l]
			l--
		case pts[p]-pts[l] <= pts[r]-pts[p]:
			d = pts[p] - pts[l]
			l--
		default:
			d = pts[r] - pts[p]
			r++
		}
	}
	return d
}

// KBestSelector is a fitted [SelectKBestSpec]: each candidate's score (and
// p-value, except for mutual information) and the columns dropped. Its
// fields are its saved state. It is immutable and safe for concurrent use.
type KBestSelector struct {
	Target  string    `json:"target"`
	Columns []string  `json:"columns"`
	K       int       `json:"k"`
	Score   ScoreFunc `json:"score"`
	Scores  []float64 `json:"-"` // saved as "scores", non-finite as null
	PValues []float64 `json:"-"` // saved as "p_values", non-finite as null
	Drop    []string  `json:"drop"`
}

// Kept returns the candidates kept, in their column order.
func (s *KBestSelector) Kept() []string {
	var out []string
	for _, c := range s.Columns {
		if !slices.Contains(s.Drop, c) {
			out = append(out, c)
		}
	}
	return out
}

// Transform returns f without the dropped candidates. It returns an error
// wrapping frame.ErrNoColumn when f lacks one.
func (s *KBestSelector) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return dropColumns("select k best", f, s.Drop)
}

// FeatureNamesOut returns in without the dropped candidates.
func (s *KBestSelector) FeatureNamesOut(in []string) ([]string, error) {
	return dropNames("select k best", in, s.Drop)
}

// Validate reports whether the state is usable: named distinct
// candidates, dropped columns among them, and exactly K kept. It returns
// an error wrapping [ErrState] otherwise.
func (s *KBestSelector) Validate() error {
	const step = "select k best"
	if err := validateDrop(step, s.Columns, s.Drop); err != nil {
		return err
	}
	if len(s.Columns)-len(s.Drop) != s.K {
		return fmt.Errorf("%s: %d candidates, %d dropped, but k = %d: %w", step, len(s.Columns), len(s.Drop), s.K, ErrState)
	}
	return nil
}

// DropCorrelatedSpec is the specification of a step that drops one column
// of each highly correlated pair, the common pandas recipe: with the
// Pearson correlations of the float columns (pairwise complete
// observations, as DataFrame.corr), a column is dropped when its absolute
// correlation with any column before it exceeds Threshold. The first
// column of a correlated group is kept.
//
// Build it with [DropCorrelated]; it is a value, safe for concurrent use.
type DropCorrelatedSpec struct {
	// Columns to consider, in order; empty means every float column.
	Columns []string
	// Threshold is the absolute correlation above which the later column
	// of a pair is dropped, in [0, 1].
	Threshold float64
}

// DropCorrelated returns the specification of a step dropping the later
// column of each pair of the float columns cols (all float columns when
// none are named) whose absolute correlation exceeds threshold.
func DropCorrelated(threshold float64, cols ...string) DropCorrelatedSpec {
	return DropCorrelatedSpec{Columns: slices.Clone(cols), Threshold: threshold}
}

// Fit computes the correlations and returns a [*CorrelationFilter]. It
// returns an error wrapping [ErrParam] for a threshold outside [0, 1],
// [ErrNotFinite] for an infinite value, and frame.ErrEmpty,
// frame.ErrNoColumn or frame.ErrKind for a bad frame.
func (s DropCorrelatedSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	const step = "drop correlated"
	if !(s.Threshold >= 0 && s.Threshold <= 1) {
		return nil, fmt.Errorf("%s: threshold %v outside [0, 1]: %w", step, s.Threshold, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	names, cols, err := floatColumns(step, f, s.Columns, "", true)
	if err != nil {
		return nil, err
	}
	out := &CorrelationFilter{Columns: names, Threshold: s.Threshold}
	corr := make([][]float64, len(cols))
	err = parallel.For(ctx, len(cols), 0, func(_ context.Context, j int) error {
		corr[j] = make([]float64, j)
		for i := range j {
			corr[j][i] = pearson(cols[i], cols[j])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for j := range cols {
		for i := range j {
			if math.Abs(corr[j][i]) > s.Threshold {
				out.Drop = append(out.Drop, CorrelatedPair{Dropped: names[j], With: names[i], R: corr[j][i]})
				break
			}
		}
	}
	return out, nil
}

// pearson returns the correlation of x and y over the rows where both are
// present, with pandas' nancorr (Welford) updates; NaN when fewer than one
// pair or a variance is 0.
func pearson(x, y []float64) float64 {
	var n, meanx, meany, ssx, ssy, cov float64
	for i, vx := range x {
		vy := y[i]
		if math.IsNaN(vx) || math.IsNaN(vy) {
			continue
		}
		n++
		dx, dy := vx-meanx, vy-meany
		meanx += 1 / n * dx
		meany += 1 / n * dy
		ssx += (vx - meanx) * dx
		ssy += (vy - meany) * dy
		cov += (vx - meanx) * dy
	}
	d := math.Sqrt(ssx * ssy)
	if n < 1 || d == 0 {
		return math.NaN()
	}
	return cov / d
}

// CorrelatedPair records why a column was dropped: its correlation R with
// an earlier column With.
type CorrelatedPair struct {
	Dropped string  `json:"dropped"`
	With    string  `json:"with"`
	R       float64 `json:"r"`
}

// CorrelationFilter is a fitted [DropCorrelatedSpec]: the columns dropped,
// each with the earlier column it correlates with. Its fields are its saved
// state. It is immutable and safe for concurrent use.
type CorrelationFilter struct {
	Columns   []string         `json:"columns"`
	Threshold float64          `json:"threshold"`
	Drop      []CorrelatedPair `json:"drop"`
}

func (c *CorrelationFilter) dropped() []string {
	out := make([]string, len(c.Drop))
	for i, p := range c.Drop {
		out[i] = p.Dropped
	}
	return out
}

// Transform returns f without the dropped columns. It returns an error
// wrapping frame.ErrNoColumn when f lacks one.
func (c *CorrelationFilter) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return dropColumns("drop correlated", f, c.dropped())
}

// FeatureNamesOut returns in without the dropped columns.
func (c *CorrelationFilter) FeatureNamesOut(in []string) ([]string, error) {
	return dropNames("drop correlated", in, c.dropped())
}

// Validate reports whether the state is usable: named distinct columns,
// and each dropped column and its partner among them. It returns an error
// wrapping [ErrState] otherwise.
func (c *CorrelationFilter) Validate() error {
	const step = "drop correlated"
	if err := validateDrop(step, c.Columns, c.dropped()); err != nil {
		return err
	}
	for _, p := range c.Drop {
		if !slices.Contains(c.Columns, p.With) {
			return fmt.Errorf("%s: %q dropped for %q, not a candidate: %w", step, p.Dropped, p.With, ErrState)
		}
	}
	return nil
}

func init() {
	preprocess.Register[*VarianceSelector]("features.variance_threshold", 1)
	preprocess.Register[*KBestSelector]("features.select_k_best", 1)
	preprocess.Register[*CorrelationFilter]("features.drop_correlated", 1)
}

// MarshalJSON writes the state, the variances with NaN as null.
func (v *VarianceSelector) MarshalJSON() ([]byte, error) {
	type plain VarianceSelector
	return json.Marshal(struct {
		*plain
		Variances []*float64 `json:"variances"`
	}{(*plain)(v), toNullable(v.Variances)})
}

// UnmarshalJSON reads the state written by MarshalJSON.
func (v *VarianceSelector) UnmarshalJSON(b []byte) error {
	type plain VarianceSelector
	aux := struct {
		*plain
		Variances []*float64 `json:"variances"`
	}{plain: (*plain)(v)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	v.Variances = fromNullable(aux.Variances)
	return nil
}

// MarshalJSON writes the state, with non-finite scores and p-values as null.
func (s *KBestSelector) MarshalJSON() ([]byte, error) {
	type plain KBestSelector
	return json.Marshal(struct {
		*plain
		Scores  []*float64 `json:"scores"`
		PValues []*float64 `json:"p_values,omitempty"`
	}{(*plain)(s), toNullable(s.Scores), toNullable(s.PValues)})
}

// UnmarshalJSON reads the state written by MarshalJSON; null reads as NaN.
func (s *KBestSelector) UnmarshalJSON(b []byte) error {
	type plain KBestSelector
	aux := struct {
		*plain
		Scores  []*float64 `json:"scores"`
		PValues []*float64 `json:"p_values,omitempty"`
	}{plain: (*plain)(s)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	s.Scores, s.PValues = fromNullable(aux.Scores), fromNullable(aux.PValues)
	return nil
}

func toNullable(v []float64) []*float64 {
	if v == nil {
		return nil
	}
	out := make([]*float64, len(v))
	for i := range v {
		if !math.IsNaN(v[i]) && !math.IsInf(v[i], 0) {
			out[i] = &v[i]
		}
	}
	return out
}

func fromNullable(v []*float64) []float64 {
	if v == nil {
		return nil
	}
	out := make([]float64, len(v))
	for i, p := range v {
		if p == nil {
			out[i] = math.NaN()
		} else {
			out[i] = *p
		}
	}
	return out
}
