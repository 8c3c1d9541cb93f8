package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

func init() {
	Register[*TreeFit]("decision_tree_classifier", 1)
	Register[*TreeRegressorFit]("decision_tree_regressor", 1)
}

// Criterion is the impurity a tree minimises; it also decides the task.
type Criterion uint8

const (
	// Gini impurity: a classifier (the default).
	Gini Criterion = iota
	// Entropy (in bits): a classifier.
	Entropy
	// SquaredError (variance): a regressor.
	SquaredError
)

func (c Criterion) classifier() bool { return c != SquaredError }

// DecisionTree is a CART decision tree, as scikit-learn's
// DecisionTreeClassifier (Criterion Gini or Entropy) and
// DecisionTreeRegressor (SquaredError): binary splits x[f] <= t at midpoints
// between distinct values, grown depth first, each node split on the best
// of the features examined, until a node is pure, MaxDepth is reached or a
// split would leave fewer than MinSamplesLeaf rows on a side.
//
// Features are examined in an order drawn from Seed, so among equally good
// splits the choice depends on the seed, as in scikit-learn (whose order
// comes from its own generator); without ties the tree is scikit-learn's.
//
// Fit returns a *[TreeFit] (a classifier) or a *[TreeRegressorFit]. It
// returns an error wrapping [ErrParam] for a
// negative limit or unknown criterion, [ErrLength], [ErrEmpty],
// [ErrNotFinite] or (for a classifier) [ErrSingleClass] on bad input, and
// the context's error if ctx is done. A DecisionTree is safe for concurrent
// use.
type DecisionTree struct {
	// Criterion is Gini (the default) or Entropy for a classifier,
	// SquaredError for a regressor.
	Criterion Criterion
	// MaxDepth limits the depth (the root is depth 0); 0 means no limit.
	MaxDepth int
	// MinSamplesSplit is the least number of rows a node needs to be
	// split; 0 means 2.
	MinSamplesSplit int
	// MinSamplesLeaf is the least number of rows in a leaf; 0 means 1.
	MinSamplesLeaf int
	// MaxFeatures is the number of features examined per split; 0 means
	// all of them.
	MaxFeatures int
	// Seed seeds the order in which features are examined.
	Seed uint64
}

// Tree is the state of a fitted decision tree, embedded in [TreeFit] and
// [TreeRegressorFit]: its nodes in arrays, node 0 the root. Node i is a
// leaf when Feature[i] < 0; otherwise a row goes to Left[i] when
// x[Feature[i]] <= Threshold[i] and to Right[i] otherwise. Value holds each
// node's class probabilities (classifier) or mean (regressor), Outputs
// values per node.
type Tree struct {
	// Features is the number of columns of X.
	Features int `json:"n_features"`
	// Importances is the normalised total impurity decrease each feature
	// brought (scikit-learn's feature_importances_).
	Importances []float64 `json:"feature_importances"`
	Nodes
}

// TreeFit is a fitted decision tree classifier. Its fields are read-only
// once fitted; it is safe for concurrent use.
type TreeFit struct {
	// Labels are the class labels, sorted ascending.
	Labels []float64 `json:"classes"`
	Tree
}

// TreeRegressorFit is a fitted decision tree regressor. Its fields are
// read-only once fitted; it is safe for concurrent use.
type TreeRegressorFit struct {
	Tree
}

// Nodes is the node arrays of a fitted tree, node 0 the root; see [Tree].
type Nodes struct {
	// Feature is the feature a node tests, -1 for a leaf; rows with
	// x[Feature] <= Threshold go to the node Left, the others to Right.
	Feature   []int32   `json:"feature"`
	Threshold []float64 `json:"threshold"`
	Left      []int32   `json:"left"`
	Right     []int32   `json:"right"`
	// Value holds, per node, the class probabilities (classifier) or the
	// mean (regressor), len(Value) = nodes × outputs.
	Value []float64 `json:"value"`
	// Outputs is the number of values per node: classes, or 1.
	Outputs int `json:"n_outputs"`
}

// treeParams are the checked parameters of a tree.
type treeParams struct {
	criterion                   Criterion
	maxDepth, minSplit, minLeaf int
	maxFeatures                 int
}

func (m DecisionTree) params(what string, p int) (treeParams, error) {
	if m.Criterion > SquaredError || m.MaxDepth < 0 || m.MinSamplesSplit < 0 || m.MinSamplesLeaf < 0 || m.MaxFeatures < 0 {
		return treeParams{}, fmt.Errorf("%s: criterion %d, MaxDepth %d, MinSamplesSplit %d, MinSamplesLeaf %d, MaxFeatures %d: %w",
			what, m.Criterion, m.MaxDepth, m.MinSamplesSplit, m.MinSamplesLeaf, m.MaxFeatures, ErrParam)
	}
	tp := treeParams{criterion: m.Criterion, maxDepth: m.MaxDepth, minSplit: m.MinSamplesSplit, minLeaf: m.MinSamplesLeaf, maxFeatures: m.MaxFeatures}
	if tp.maxDepth == 0 {
		tp.maxDepth = math.MaxInt32
	}
	tp.minSplit = max(tp.minSplit, 2)
	tp.minLeaf = max(tp.minLeaf, 1)
	if tp.maxFeatures == 0 || tp.maxFeatures > p {
		tp.maxFeatures = p
	}
	return tp, nil
}

// treeClasses returns, for a classifier, the sorted class labels of y and
// each row's class code; nothing for a regressor.
func treeClasses(what string, c Criterion, y []float64) ([]float64, []int32, error) {
	if !c.classifier() {
		return nil, nil, nil
	}
	classes, codes := encodeClasses(y)
	if len(classes) < 2 {
		return nil, nil, fmt.Errorf("%s: y holds only the class %v: %w", what, classes[0], ErrSingleClass)
	}
	return classes, codes, nil
}

func treeName(c Criterion) string {
	if c.classifier() {
		return "decision tree classifier"
	}
	return "decision tree regressor"
}

// Fit grows the tree; see [DecisionTree].
func (m DecisionTree) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	what := treeName(m.Criterion)
	xv, err := checkFit(ctx, what, X, y)
	if err != nil {
		return nil, err
	}
	tp, err := m.params(what, xv.c)
	if err != nil {
		return nil, err
	}
	labels, codes, err := treeClasses(what, m.Criterion, y)
	if err != nil {
		return nil, err
	}
	rk, err := rankColumns(ctx, xv, 1)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	b := newTreeBuilder(rk, y, codes, len(labels), nil, tp, rand.New(rand.NewPCG(m.Seed, 0x74726565)), nil)
	if err := b.build(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	t := Tree{Features: xv.c, Importances: b.importances(), Nodes: b.t}
	if labels == nil {
		return &TreeRegressorFit{t}, nil
	}
	return &TreeFit{Labels: labels, Tree: t}, nil
}

// leaf returns the index of the leaf x falls in.
func (t *Nodes) leaf(x []float64) int {
	i := 0
	for t.Feature[i] >= 0 {
		if x[t.Feature[i]] <= t.Threshold[i] {
			i = int(t.Left[i])
		} else {
			i = int(t.Right[i])
		}
	}
	return i
}

// value returns the value of the leaf x falls in.
func (t *Nodes) value(x []float64) []float64 {
	i := t.leaf(x)
	return t.Value[i*t.Outputs : (i+1)*t.Outputs]
}

// validate checks the node arrays: equal lengths, children after their
// parent (so traversal ends), features in range.
func (t *Nodes) validate(what string, features int) error {
	n := len(t.Feature)
	if n == 0 || len(t.Threshold) != n || len(t.Left) != n || len(t.Right) != n || t.Outputs < 1 || len(t.Value) != n*t.Outputs {
		return fmt.Errorf("%s: %d nodes with %d thresholds, %d/%d children, %d values of %d: %w",
			what, n, len(t.Threshold), len(t.Left), len(t.Right), len(t.Value), t.Outputs, ErrState)
	}
	for i := range n {
		f := t.Feature[i]
		if f < 0 {
			continue
		}
		if int(f) >= features || t.Left[i] <= int32(i) || t.Right[i] <= int32(i) || int(t.Left[i]) >= n || int(t.Right[i]) >= n || !finite(t.Threshold[i]) {
			return fmt.Errorf("%s: node %d (feature %d, children %d and %d) is malformed: %w", what, i, f, t.Left[i], t.Right[i], ErrState)
		}
	}
	return checkFinite(what, "value", t.Value)
}

// Classes returns the class labels, sorted ascending. The slice is shared:
// do not modify it.
func (f *TreeFit) Classes() []float64 { return f.Labels }

// PredictProba returns the rows × classes class frequencies of the leaf
// each row falls in. It returns an error wrapping [ErrFeatures], [ErrEmpty]
// or [ErrNotFinite] for an X of the wrong width, without rows or with a
// non-finite value.
func (f *TreeFit) PredictProba(ctx context.Context, X mat.Matrix) (*mat.Dense, error) {
	xv, err := checkPredict(ctx, "decision tree classifier predict", X, f.Features)
	if err != nil {
		return nil, err
	}
	k := len(f.Labels)
	out := make([]float64, xv.r*k)
	for i := range xv.r {
		copy(out[i*k:], f.value(xv.row(i)))
	}
	return mat.NewDense(xv.r, k, out), nil
}

// Predict returns, per row of X, the most frequent class of its leaf (the
// smallest on ties). It returns the errors of [TreeFit.PredictProba].
func (f *TreeFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	xv, err := checkPredict(ctx, "decision tree classifier predict", X, f.Features)
	if err != nil {
		return nil, err
	}
	out := make([]float64, xv.r)
	for i := range xv.r {
		out[i] = f.Labels[argmax(f.value(xv.row(i)))]
	}
	return out, nil
}

// Predict returns, per row of X, the mean target of its leaf. It returns an
// error wrapping [ErrFeatures], [ErrEmpty] or [ErrNotFinite] for an X of the
// wrong width, without rows or with a non-finite value.
func (f *TreeRegressorFit) Predict(ctx context.Context, X mat.Matrix) ([]float64, error) {
	xv, err := checkPredict(ctx, "decision tree regressor predict", X, f.Features)
	if err != nil {
		return nil, err
	}
	out := make([]float64, xv.r)
	for i := range xv.r {
		out[i] = f.value(xv.row(i))[0]
	}
	return out, nil
}

func (f *Tree) validateTree(what string, outputs int) error {
	if f.Features < 1 || len(f.Importances) != f.Features {
		return fmt.Errorf("%s: %d features, %d importances: %w", what, f.Features, len(f.Importances), ErrState)
	}
	if err := f.Nodes.validate(what, f.Features); err != nil {
		return err
	}
	if f.Outputs != outputs {
		return fmt.Errorf("%s: %d outputs, want %d: %w", what, f.Outputs, outputs, ErrState)
	}
	return nil
}

// Validate reports an error wrapping [ErrState] if the state is unusable:
// node arrays of unequal lengths, a child that does not follow its parent,
// a feature out of range, outputs that do not fit the classes. [Unmarshal]
// calls it.
func (f *TreeFit) Validate() error {
	const what = "decision tree classifier"
	if len(f.Labels) < 2 {
		return fmt.Errorf("%s: %d classes: %w", what, len(f.Labels), ErrState)
	}
	if err := checkSortedClasses(what, f.Labels); err != nil {
		return err
	}
	return f.validateTree(what, len(f.Labels))
}

// Validate reports an error wrapping [ErrState] if the state is unusable:
// node arrays of unequal lengths, a child that does not follow its parent,
// a feature out of range, more than one output. [Unmarshal] calls it.
func (f *TreeRegressorFit) Validate() error {
	return f.validateTree("decision tree regressor", 1)
}
