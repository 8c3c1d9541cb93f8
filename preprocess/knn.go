package preprocess

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
)

// KNNImputeSpec is the specification of a k-nearest-neighbours imputer
// (scikit-learn's KNNImputer): a missing value of a chosen float column is
// filled with the mean of that column over the Neighbors training rows
// nearest to the row, among the training rows where the column is present.
// The distance is scikit-learn's nan-Euclidean distance over the chosen
// columns: the Euclidean distance over the coordinates present in both rows,
// scaled up by (number of columns)/(number present in both), computed as
// scikit-learn computes it (‖x‖² − 2x·y + ‖y‖²) so that the same
// neighbours are found; that form loses digits on columns far from zero, so
// scale them first (KNN wants scaled columns anyway). A row sharing
// no present coordinate with any candidate gets the column's training mean.
// With DistanceWeights, neighbours are weighted by the inverse of their
// distance (a neighbour at distance 0 takes all the weight).
//
// Among neighbours at equal distance the earlier training row is taken
// (scikit-learn's choice among ties is arbitrary). The fitted step holds
// the training values of the chosen columns: its saved form grows with the
// training data. Build it with [KNNImpute]; it is an immutable value, safe
// for concurrent use.
type KNNImputeSpec struct {
	// Columns to impute, and to measure distance over; empty means every
	// float column.
	Columns []string
	// Neighbors is the number of neighbours; 0 means 5.
	Neighbors int
	// DistanceWeights weights neighbours by inverse distance; by default
	// they weigh the same.
	DistanceWeights bool
}

// KNNImpute returns the specification of a 5-nearest-neighbours imputer of
// cols.
func KNNImpute(cols ...string) KNNImputeSpec { return KNNImputeSpec{Columns: slices.Clone(cols)} }

// Fit keeps the training values of the columns and returns a [*KNNImputer].
// It returns an error wrapping [ErrParam] for a negative Neighbors,
// frame.ErrEmpty, frame.ErrNoColumn, frame.ErrKind, [ErrNotFinite],
// [ErrAllMissing] for a column with no present value, and ctx.Err() when
// ctx is cancelled.
func (s KNNImputeSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	const step = "knn impute"
	if s.Neighbors < 0 {
		return nil, fmt.Errorf("%s: %d neighbours: %w", step, s.Neighbors, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.NumRows() == 0 {
		return nil, fmt.Errorf("%s fit: %w", step, frame.ErrEmpty)
	}
	var cs columnSet
	cols, err := cs.resolve(step, f, s.Columns, frame.Float)
	if err != nil {
		return nil, err
	}
	k := s.Neighbors
	if k == 0 {
		k = 5
	}
	m := &KNNImputer{Neighbors: k, DistanceWeights: s.DistanceWeights, Rows: f.NumRows(), Columns: make([]KNNColumn, len(cols))}
	for i, c := range cols {
		v := c.(*frame.FloatColumn).Values()
		if err := checkFinite(step+" fit", cs.names[i], v); err != nil {
			return nil, err
		}
		kc := KNNColumn{Name: cs.names[i], Values: make([]float64, len(v)), Missing: []int{}}
		var sum float64
		var n int
		for r, x := range v {
			if x != x {
				kc.Missing = append(kc.Missing, r)
				continue
			}
			kc.Values[r] = x
			sum += x
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("%s fit: column %q has %d rows, all missing: %w", step, kc.Name, len(v), ErrAllMissing)
		}
		kc.Mean = sum / float64(n)
		m.Columns[i] = kc
	}
	return m, nil
}

// KNNImputer is a fitted [KNNImputeSpec]: the training values of each
// column (0 at the rows listed in Missing), and each column's mean. It is
// immutable and safe for concurrent use.
type KNNImputer struct {
	Columns         []KNNColumn `json:"columns"`
	Rows            int         `json:"rows"`
	Neighbors       int         `json:"neighbors"`
	DistanceWeights bool        `json:"distance_weights"`
}

// KNNColumn is the training data of one column.
type KNNColumn struct {
	Name    string    `json:"name"`
	Values  []float64 `json:"values"`
	Missing []int     `json:"missing"` // rows missing in training, ascending
	Mean    float64   `json:"mean"`
}

// fitMatrix returns the training values by row with NaN for missing.
func (m *KNNImputer) fitMatrix() [][]float64 {
	d := len(m.Columns)
	X := make([][]float64, m.Rows)
	for r := range X {
		X[r] = make([]float64, d)
	}
	for j, c := range m.Columns {
		for r, x := range c.Values {
			X[r][j] = x
		}
		for _, r := range c.Missing {
			X[r][j] = math.NaN()
		}
	}
	return X
}

// nanEuclidean is scikit-learn's nan_euclidean_distances for two rows,
// computed as it does, by expanding ‖x − y‖² = ‖x‖² − 2x·y + ‖y‖² over the
// values with missing ones set to 0 and then removing the squares of the
// values whose partner is missing (so that results agree to rounding with
// scikit-learn's).
func nanEuclidean(a, b []float64) float64 {
	var xx, yy, xy, xMissY, missXY float64
	n := 0
	for j := range a {
		x, y := a[j], b[j]
		mx, my := x != x, y != y
		if mx {
			x = 0
		}
		if my {
			y = 0
		}
		xx += x * x
		yy += y * y
		xy += x * y
		if my {
			xMissY += x * x
		}
		if mx {
			missXY += y * y
		}
		if !mx && !my {
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	d := -2 * xy
	d += xx
	d += yy
	d = math.Max(d, 0)
	d -= xMissY
	d -= missXY
	d = math.Max(d, 0)
	d /= float64(n)
	d *= float64(len(a))
	return math.Sqrt(d)
}

// Transform returns f with the missing values of each fitted column filled
// from the nearest training rows. Rows are processed on all cores. It
// returns an error wrapping frame.ErrNoColumn, frame.ErrKind or
// [ErrNotFinite], and ctx.Err() when ctx is cancelled.
func (m *KNNImputer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "knn impute transform"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := len(m.Columns)
	in := make([][]float64, d)
	for j, c := range m.Columns {
		col, err := inputColumn(step, f, c.Name, frame.Float)
		if err != nil {
			return nil, err
		}
		in[j] = col.(*frame.FloatColumn).Values()
		if err := checkFinite(step, c.Name, in[j]); err != nil {
			return nil, err
		}
	}
	var rows []int // rows with a missing value
	for r := range f.NumRows() {
		for j := range d {
			if in[j][r] != in[j][r] {
				rows = append(rows, r)
				break
			}
		}
	}
	if len(rows) == 0 {
		return f, nil
	}
	X := m.fitMatrix()
	out := make([][]float64, d)
	for j := range out {
		out[j] = slices.Clone(in[j])
	}
	// donors[j] lists the training rows where column j is present.
	donors := make([][]int, d)
	for j, c := range m.Columns {
		miss := 0
		for r := range m.Rows {
			if miss < len(c.Missing) && c.Missing[miss] == r {
				miss++
				continue
			}
			donors[j] = append(donors[j], r)
		}
	}
	const perTask = 64
	tasks := (len(rows) + perTask - 1) / perTask
	err := parallel.For(ctx, tasks, 0, func(ctx context.Context, t int) error {
		dist := make([]float64, m.Rows)
		row := make([]float64, d)
		type cand struct {
			dist float64
			row  int
		}
		var cands []cand
		for _, r := range rows[t*perTask : min(len(rows), (t+1)*perTask)] {
			if err := ctx.Err(); err != nil {
				return err
			}
			for j := range d {
				row[j] = in[j][r]
			}
			for q := range m.Rows {
				dist[q] = nanEuclidean(row, X[q])
			}
			for j := range d {
				if row[j] == row[j] {
					continue
				}
				cands = cands[:0]
				for _, q := range donors[j] {
					cands = append(cands, cand{dist[q], q})
				}
				valid := 0
				for _, c := range cands {
					if c.dist == c.dist {
						valid++
					}
				}
				if valid == 0 {
					out[j][r] = m.Columns[j].Mean
					continue
				}
				// NaN distances sort last, as numpy's partition puts them.
				slices.SortFunc(cands, func(a, b cand) int {
					an, bn := a.dist != a.dist, b.dist != b.dist
					switch {
					case an && bn:
						return cmp.Compare(a.row, b.row)
					case an:
						return 1
					case bn:
						return -1
					}
					return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(a.row, b.row))
				})
				k := min(m.Neighbors, len(cands))
				vals := m.Columns[j].Values
				if !m.DistanceWeights {
					var sum float64
					for _, c := range cands[:k] {
						sum += vals[c.row]
					}
					out[j][r] = sum / float64(k)
					continue
				}
				// Weights 1/distance, NaN distances weighing 0; a
				// neighbour at distance 0 takes all the weight.
				zero := slices.ContainsFunc(cands[:k], func(c cand) bool { return c.dist == 0 })
				var sum, wsum float64
				for _, c := range cands[:k] {
					w := 1 / c.dist
					switch {
					case zero && c.dist == 0:
						w = 1
					case zero, c.dist != c.dist:
						w = 0
					}
					sum += w * vals[c.row]
					wsum += w
				}
				out[j][r] = sum / wsum
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	g := f
	for j, c := range m.Columns {
		if g, err = g.With(c.Name, frame.NewFloat(out[j])); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// Validate reports whether the state is usable: named unique columns, each
// with a value per row, missing rows ascending and in range, a finite mean,
// and at least one neighbour. It returns an error wrapping [ErrState]
// otherwise.
func (m *KNNImputer) Validate() error {
	if len(m.Columns) == 0 || m.Neighbors < 1 || m.Rows < 1 {
		return fmt.Errorf("knn imputer: %d columns, %d neighbours, %d rows: %w", len(m.Columns), m.Neighbors, m.Rows, ErrState)
	}
	names := make([]string, len(m.Columns))
	for i, c := range m.Columns {
		names[i] = c.Name
		if len(c.Values) != m.Rows || len(c.Missing) >= m.Rows || !finite(c.Mean) {
			return fmt.Errorf("knn imputer: column %q: %d values, %d missing, mean %v: %w", c.Name, len(c.Values), len(c.Missing), c.Mean, ErrState)
		}
		for k, r := range c.Missing {
			if r < 0 || r >= m.Rows || (k > 0 && r <= c.Missing[k-1]) {
				return fmt.Errorf("knn imputer: column %q missing row %d: %w", c.Name, r, ErrState)
			}
		}
		for _, x := range c.Values {
			if !finite(x) {
				return fmt.Errorf("knn imputer: column %q value %v: %w", c.Name, x, ErrState)
			}
		}
	}
	return checkNames("knn imputer", names)
}

func init() {
	Register[*KNNImputer]("preprocess.knn_impute", 1)
}
