package model

import (
	"context"
	"fmt"
	"math"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/mat"
)

func init() {
	Register[*KNeighborsFit]("k_neighbors_classifier", 1)
	Register[*KNeighborsRegressorFit]("k_neighbors_regressor", 1)
}

// Weighting is how the neighbours of a query vote in a [KNeighbors] model.
type Weighting uint8

const (
	// UniformWeights gives each of the k neighbours one vote (the default).
	UniformWeights Weighting = iota
	// DistanceWeights weighs each neighbour by the inverse of its distance;
	// neighbours at distance 0 take all the weight.
	DistanceWeights
)

// KNeighbors is k-nearest-neighbours by Euclidean distance, by brute force,
// as scikit-learn's KNeighborsClassifier (Classifier set) or
// KNeighborsRegressor. A classifier predicts the class with the most (or
// most heavily weighted) neighbours, the smallest label on ties; a
// regressor the (weighted) mean of the neighbours' targets. Among training
// rows at equal distance, those earlier in X are taken first.
//
// Fit copies X and y into a *[KNeighborsFit] (a classifier) or a
// *[KNeighborsRegressorFit], whose saved form holds them.
// Fit returns an error wrapping [ErrParam] for a negative K or unknown
// weighting, [ErrLength], [ErrEmpty], [ErrNotFinite] or (for a classifier)
// [ErrSingleClass] on bad input, and the context's error if ctx is done. A
// KNeighbors is safe for concurrent use.
type KNeighbors struct {
	// K is the number of neighbours; 0 means 5. A K above the number of
	// training rows is an error at Predict.
	K int
	// Weights is UniformWeights (the default) or DistanceWeights.
	Weights Weighting
	// Classifier makes a classifier; otherwise a regressor.
	Classifier bool
	// Workers bounds the goroutines answering queries; 0 means
	// GOMAXPROCS. The result does not depend on it.
	Workers int
}

// Neighbours is the state of a fitted k-neighbours model: the training
// data. It is embedded in [KNeighborsFit] and [KNeighborsRegressorFit].
type Neighbours struct {
	// K is the number of neighbours consulted, Weights how they vote.
	K       int       `json:"k"`
	Weights Weighting `json:"weights"`
	// Workers bounds the goroutines answering queries (0: GOMAXPROCS). It
	// is not saved: a loaded model uses GOMAXPROCS.
	Workers int `json:"-"`
	// Features is the number of columns; X holds the training rows,
	// row-major, and Y their targets (class indices into the labels for a
	// classifier).
	Features int       `json:"n_features"`
	X        []float64 `json:"X"`
	Y        []float64 `json:"y"`
}

// KNeighborsFit is a fitted k-neighbours classifier. Its fields are
// read-only once fitted; it is safe for concurrent use.
type KNeighborsFit struct {
	Neighbours
	// Labels are the class labels, sorted ascending.
	Labels []float64 `json:"classes"`
}

// KNeighborsRegressorFit is a fitted k-neighbours regressor. Its fields are
// read-only once fitted; it is safe for concurrent use.
type KNeighborsRegressorFit struct {
	Neighbours
}

// Fit stores the training data; see [KNeighbors].
func (m KNeighbors) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	what := m.name()
	k := m.K
	if k == 0 {
		k = 5
	}
	if k < 0 || m.Weights > DistanceWeights || m.Workers < 0 {
		return nil, fmt.Errorf("%s: K %d, weights %d, Workers %d: %w", what, m.K, m.Weights, m.Workers, ErrParam)
	}
	xv, err := checkFit(ctx, what, X, y)
	if err != nil {
		return nil, err
	}
	nb := Neighbours{K: k, Weights: m.Weights, Workers: m.Workers, Features: xv.c}
	nb.X = make([]float64, xv.r*xv.c)
	for i := range xv.r {
		copy(nb.X[i*xv.c:], xv.row(i))
	}
	if !m.Classifier {
		nb.Y = append([]float64(nil), y...)
		return &KNeighborsRegressorFit{nb}, nil
	}
	classes, codes := encodeClasses(y)
	if len(classes) < 2 {
		return nil, fmt.Errorf("%s: y holds only the class %v: %w", what, classes[0], ErrSingleClass)
	}
	nb.Y = make([]float64, len(y))
	for i, c := range codes {
		nb.Y[i] = float64(c)
	}
	return &KNeighborsFit{Neighbours: nb, Labels: classes}, nil
}

func (m KNeighbors) name() string {
	if m.Classifier {
		return "k-neighbours classifier"
	}
	return "k-neighbours regressor"
}

// Classes returns the class labels, sorted ascending. The slice is shared:
// do not modify it.
func (f *KNeighborsFit) Classes() []float64 { return f.Labels }

// knnChunk is the number of query rows one goroutine answers at a time.
const knnChunk = 64

// neighbours calls visit(i, idx, w) for each query row i with its K
// nearest training rows (sorted by distance, then by index) and their
// votes, query rows split across a bounded errgroup. The slices are reused
// after visit returns.
func (f *Neighbours) neighbours(ctx context.Context, what string, X mat.Matrix, visit func(i int, idx []int, w []float64)) (int, error) {
	xv, err := checkPredict(ctx, what, X, f.Features)
	if err != nil {
		return 0, err
	}
	p := f.Features
	ntrain := len(f.Y)
	if f.K > ntrain {
		return 0, fmt.Errorf("%s: K %d is more than the %d training rows: %w", what, f.K, ntrain, ErrParam)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers(f.Workers))
	for lo := 0; lo < xv.r; lo += knnChunk {
		hi := min(lo+knnChunk, xv.r)
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			idx := make([]int, f.K)
			dist := make([]float64, f.K)
			w := make([]float64, f.K)
			for i := lo; i < hi; i++ {
				q := xv.row(i)
				// A sorted list of the best K so far (insertion: K is small).
				n := 0
				insert := func(d float64, t int) {
					if n == f.K && d >= dist[n-1] {
						return
					}
					pos := n
					if n < f.K {
						n++
					} else {
						pos = n - 1
					}
					for pos > 0 && dist[pos-1] > d {
						dist[pos], idx[pos] = dist[pos-1], idx[pos-1]
						pos--
					}
					dist[pos], idx[pos] = d, t
				}
				// Four training rows at a time: independent sums keep the
				// processor's pipelines full.
				t := 0
				for ; t+4 <= ntrain; t += 4 {
					r0 := f.X[t*p : (t+1)*p]
					r1 := f.X[(t+1)*p : (t+2)*p]
					r2 := f.X[(t+2)*p : (t+3)*p]
					r3 := f.X[(t+3)*p : (t+4)*p]
					r0, r1, r2, r3 = r0[:len(q)], r1[:len(q)], r2[:len(q)], r3[:len(q)]
					var d0, d1, d2, d3 float64
					for j, v := range q {
						e0, e1, e2, e3 := v-r0[j], v-r1[j], v-r2[j], v-r3[j]
						d0 += e0 * e0
						d1 += e1 * e1
						d2 += e2 * e2
						d3 += e3 * e3
					}
					insert(d0, t)
					insert(d1, t+1)
					insert(d2, t+2)
					insert(d3, t+3)
				}
				for ; t < ntrain; t++ {
					row := f.X[t*p : (t+1)*p]
					var d float64
					for j, v := range q {
						e := v - row[j]
						d += e * e
					}
					insert(d, t)
				}
				for j := range dist {
					dist[j] = math.Sqrt(dist[j])
				}
				f.weights(w, dist)
				visit(i, idx, w)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return xv.r, nil
}

// weights fills w with the vote of each neighbour.
func (f *Neighbours) weights(w, dist []float64) {
	if f.Weights == UniformWeights {
		for j := range w {
			w[j] = 1
		}
		return
	}
	zero := false
	for _, d := range dist {
		if d == 0 {
			zero = true
		}
	}
	for j, d := range dist {
		switch {
		case zero && d == 0:
			w[j] = 1
		case zero:
			w[j] = 0
		default:
			w[j] = 1 / d
		}
	}
}

// PredictProba returns the rows × classes share of the neighbours'
// (weighted) votes. It returns an error wrapping [ErrParam] when K exceeds
// the training rows, and [ErrFeatures], [ErrEmpty] or [ErrNotFinite] for an
// X of the wrong width, without rows or with a non-finite value.
func (f *KNeighborsFit) PredictProba(ctx context.Context, X mat.Matrix) (*mat.Dense, error) {
	const what = "k-neighbours classifier predict"
	if X == nil {
		return nil, fmt.Errorf("%s: X is nil: %w", what, ErrEmpty)
	}
	r, _ := X.Dims()
	k := len(f.Labels)
	out := make([]float64, r*k)
	_, err := f.neighbours(ctx, what, X, func(i int, idx []int, w []float64) {
		row := out[i*k : (i+1)*k]
		var s float64
		for j, t := range idx {
			row[int(f.Y[t])] += w[j]
			s += w[j]
		}
		for c := range row {
			row[c] /= s
		}
	})
	if err != nil {
		return nil, err
	}
	return mat.NewDense(r, k, out), nil
}

// Predict returns, per row of X, the class with the most (weighted) votes
// among its neighbours, the smallest label on ties. It returns the errors of
// [KNeighborsFit.PredictProba].
func (f *KNeighborsFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	proba, err := f.PredictProba(ctx, X)
	if err != nil {
		return nil, err
	}
	n, _ := proba.Dims()
	return argmaxLabels(proba.RawMatrix().Data, n, f.Labels), nil
}

// Predict returns, per row of X, the (weighted) mean target of its
// neighbours. It returns an error wrapping [ErrParam] when K exceeds the
// training rows, and [ErrFeatures], [ErrEmpty] or [ErrNotFinite] for an X of
// the wrong width, without rows or with a non-finite value.
func (f *KNeighborsRegressorFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	const what = "k-neighbours regressor predict"
	if X == nil {
		return nil, fmt.Errorf("%s: X is nil: %w", what, ErrEmpty)
	}
	r, _ := X.Dims()
	out := make([]float64, r)
	_, err := f.neighbours(ctx, what, X, func(i int, idx []int, w []float64) {
		var s, ws float64
		for j, t := range idx {
			s += w[j] * f.Y[t]
			ws += w[j]
		}
		out[i] = s / ws
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (f *Neighbours) validate(what string) error {
	if f.K < 1 || f.Weights > DistanceWeights || f.Features < 1 || len(f.Y) == 0 || len(f.X) != len(f.Y)*f.Features {
		return fmt.Errorf("%s: K %d, weights %d, %d features, %d values for %d rows: %w",
			what, f.K, f.Weights, f.Features, len(f.X), len(f.Y), ErrState)
	}
	if err := checkFinite(what, "X", f.X); err != nil {
		return err
	}
	return checkFinite(what, "y", f.Y)
}

// Validate reports an error wrapping [ErrState] if the state is unusable:
// a K below 1, data lengths that disagree, a class index out of range.
// [Unmarshal] calls it.
func (f *KNeighborsFit) Validate() error {
	const what = "k-neighbours classifier"
	if err := f.validate(what); err != nil {
		return err
	}
	if len(f.Labels) < 2 {
		return fmt.Errorf("%s: %d classes: %w", what, len(f.Labels), ErrState)
	}
	if err := checkSortedClasses(what, f.Labels); err != nil {
		return err
	}
	for _, c := range f.Y {
		if c < 0 || c >= float64(len(f.Labels)) || c != math.Trunc(c) {
			return fmt.Errorf("%s: class index %v of %d classes: %w", what, c, len(f.Labels), ErrState)
		}
	}
	return nil
}

// Validate reports an error wrapping [ErrState] if the state is unusable:
// a K below 1 or data lengths that disagree. [Unmarshal] calls it.
func (f *KNeighborsRegressorFit) Validate() error {
	return f.validate("k-neighbours regressor")
}
