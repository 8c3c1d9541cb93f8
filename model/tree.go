package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"golang.org/x/sync/errgroup"
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
	target, k := y, 0
	var labels []float64
	if m.Criterion.classifier() {
		classes, codes := encodeClasses(y)
		if len(classes) < 2 {
			return nil, fmt.Errorf("%s: y holds only the class %v: %w", what, classes[0], ErrSingleClass)
		}
		labels, k = classes, len(classes)
		target = make([]float64, len(y))
		for i, c := range codes {
			target[i] = float64(c)
		}
	}
	ps, err := presort(ctx, xv, 1)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	b := newTreeBuilder(ps, target, k, nil, tp, rand.New(rand.NewPCG(m.Seed, 0x74726565)), nil)
	if err := b.build(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	t := Tree{Features: xv.c, Importances: b.importances(), Nodes: b.t}
	if labels == nil {
		return &TreeRegressorFit{t}, nil
	}
	return &TreeFit{Labels: labels, Tree: t}, nil
}

// presorted is X column by column, with each column's row order sorted by
// value: computed once per Fit and shared, read-only, by every tree of a
// forest.
type presorted struct {
	cols  [][]float64 // cols[f][i] = X[i, f]
	order [][]int32   // order[f]: rows sorted by cols[f]
}

func presort(ctx context.Context, x rowMajor, workers int) (*presorted, error) {
	ps := &presorted{cols: make([][]float64, x.c), order: make([][]int32, x.c)}
	for f := range x.c {
		col := make([]float64, x.r)
		for i := range x.r {
			col[i] = x.data[i*x.stride+f]
		}
		ps.cols[f] = col
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for f := range x.c {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			col := ps.cols[f]
			o := make([]int32, x.r)
			for i := range o {
				o[i] = int32(i)
			}
			// By value, then by row: the order of a stable sort, faster.
			slices.SortFunc(o, func(a, b int32) int {
				switch va, vb := col[a], col[b]; {
				case va < vb:
					return -1
				case va > vb:
					return 1
				}
				return int(a - b)
			})
			ps.order[f] = o
			return nil
		})
	}
	return ps, g.Wait()
}

// treeBuilder grows one tree. Every feature keeps the node's rows sorted by
// its values (order[f][start:end]), so finding a split is a linear sweep and
// splitting a node a stable partition, with no sorting below the root.
type treeBuilder struct {
	cols  [][]float64
	y     []float64 // targets, or class indices
	k     int       // classes, 0 for regression
	sw    []float64 // sample weights (bootstrap counts), nil for 1
	p     treeParams
	rng   *rand.Rand
	order [][]int32
	t     Nodes
	imp   []float64 // per feature: weighted impurity decrease
	total float64   // total weight

	// scratch
	goesLeft          []bool
	tmp               []int32
	feats             []int
	left, right, node []float64 // class counts
}

// treeScratch is the large working memory of a tree builder, reused from
// one tree of a forest to the next.
type treeScratch struct {
	order    [][]int32
	goesLeft []bool
	tmp      []int32
}

// newTreeBuilder returns a builder for the rows of positive weight (all
// rows when sw is nil); scratch, if not nil, lends it its memory.
func newTreeBuilder(ps *presorted, y []float64, k int, sw []float64, p treeParams, rng *rand.Rand, scratch *treeScratch) *treeBuilder {
	nf, n := len(ps.cols), len(y)
	b := &treeBuilder{cols: ps.cols, y: y, k: k, sw: sw, p: p, rng: rng, imp: make([]float64, nf)}
	if scratch == nil {
		scratch = &treeScratch{}
	}
	if len(scratch.order) != nf {
		scratch.order = make([][]int32, nf)
	}
	for f, o := range ps.order {
		kept := scratch.order[f][:0]
		if sw == nil {
			kept = append(kept, o...)
		} else {
			for _, i := range o {
				if sw[i] > 0 {
					kept = append(kept, i)
				}
			}
		}
		scratch.order[f] = kept
	}
	if len(scratch.goesLeft) != n {
		scratch.goesLeft = make([]bool, n)
		scratch.tmp = make([]int32, n)
	}
	b.order, b.goesLeft, b.tmp = scratch.order, scratch.goesLeft, scratch.tmp
	b.feats = make([]int, nf)
	out := 1
	if k > 0 {
		out = k
		b.left = make([]float64, k)
		b.right = make([]float64, k)
		b.node = make([]float64, k)
	}
	b.t.Outputs = out
	return b
}

func (b *treeBuilder) weight(i int32) float64 {
	if b.sw == nil {
		return 1
	}
	return b.sw[i]
}

// featureThreshold is scikit-learn's FEATURE_THRESHOLD: values closer than
// this are not split apart.
const featureThreshold = 1e-7

// stats returns the weight, impurity and value of the rows s.
func (b *treeBuilder) stats(s []int32, value []float64) (w, impurity float64) {
	if b.k > 0 {
		clear(value)
		for _, i := range s {
			wi := b.weight(i)
			value[int(b.y[i])] += wi
			w += wi
		}
		impurity = b.classImpurity(value, w)
		for c := range value {
			value[c] /= w
		}
		return w, impurity
	}
	var sum, sq float64
	for _, i := range s {
		wi := b.weight(i)
		sum += wi * b.y[i]
		sq += wi * b.y[i] * b.y[i]
		w += wi
	}
	mean := sum / w
	value[0] = mean
	return w, sq/w - mean*mean
}

func (b *treeBuilder) classImpurity(counts []float64, w float64) float64 {
	if b.p.criterion == Entropy {
		var e float64
		for _, c := range counts {
			if c > 0 {
				q := c / w
				e -= q * math.Log2(q)
			}
		}
		return e
	}
	var g float64
	for _, c := range counts {
		g += c * c
	}
	return 1 - g/(w*w)
}

// build grows the tree from the root.
func (b *treeBuilder) build(ctx context.Context) error {
	if len(b.order) == 0 || len(b.order[0]) == 0 {
		return fmt.Errorf("every sample has weight 0: %w", ErrEmpty)
	}
	for _, i := range b.order[0] {
		b.total += b.weight(i)
	}
	return b.grow(ctx, 0, len(b.order[0]), 0)
}

// split is a candidate split of a node.
type split struct {
	feature           int
	threshold         float64
	pos               int // the first pos rows in the feature's order go left
	proxy             float64
	impLeft, impRight float64
	wLeft, wRight     float64
}

// grow adds the node of rows [start, end) of the orders and, unless it is a
// leaf, its children.
func (b *treeBuilder) grow(ctx context.Context, start, end, depth int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	id := len(b.t.Feature)
	b.t.Feature = append(b.t.Feature, -1)
	b.t.Threshold = append(b.t.Threshold, 0)
	b.t.Left = append(b.t.Left, -1)
	b.t.Right = append(b.t.Right, -1)
	b.t.Value = append(b.t.Value, make([]float64, b.t.Outputs)...)
	w, impurity := b.stats(b.order[0][start:end], b.t.Value[id*b.t.Outputs:(id+1)*b.t.Outputs])
	n := end - start
	leaf := depth >= b.p.maxDepth || n < b.p.minSplit || n < 2*b.p.minLeaf || impurity <= 0x1p-52
	if leaf {
		return nil
	}
	best, ok := b.bestSplit(start, end, w)
	if !ok {
		return nil
	}
	// Partition every feature's order, stably, by the chosen split.
	f := best.feature
	mid := start + best.pos
	for _, i := range b.order[f][start:mid] {
		b.goesLeft[i] = true
	}
	for g := range b.order {
		if g == f {
			continue
		}
		o := b.order[g][start:end]
		l := 0
		tmp := b.tmp[:0]
		for _, i := range o {
			if b.goesLeft[i] {
				o[l] = i
				l++
			} else {
				tmp = append(tmp, i)
			}
		}
		copy(o[l:], tmp)
	}
	for _, i := range b.order[f][start:mid] {
		b.goesLeft[i] = false
	}
	b.imp[f] += w*impurity - best.wLeft*best.impLeft - best.wRight*best.impRight
	b.t.Feature[id] = int32(f)
	b.t.Threshold[id] = best.threshold
	b.t.Left[id] = int32(len(b.t.Feature))
	if err := b.grow(ctx, start, mid, depth+1); err != nil {
		return err
	}
	b.t.Right[id] = int32(len(b.t.Feature))
	return b.grow(ctx, mid, end, depth+1)
}

// bestSplit finds the best split of the node [start, end) (of total weight
// w) among up to maxFeatures non-constant features drawn in random order.
func (b *treeBuilder) bestSplit(start, end int, w float64) (split, bool) {
	p := len(b.cols)
	for j := range b.feats {
		b.feats[j] = j
	}
	best := split{proxy: math.Inf(-1)}
	found := false
	visited := 0
	for i := 0; i < p && visited < b.p.maxFeatures; i++ {
		j := i + b.rng.IntN(p-i)
		b.feats[i], b.feats[j] = b.feats[j], b.feats[i]
		f := b.feats[i]
		o, col := b.order[f][start:end], b.cols[f]
		if col[o[len(o)-1]] <= col[o[0]]+featureThreshold {
			continue // constant here: does not count towards maxFeatures
		}
		visited++
		if cand, ok := b.sweep(o, col, w, f); ok && cand.proxy > best.proxy {
			best, found = cand, true
		}
	}
	return best, found
}

// sweep returns the best split on feature f of the rows o, sorted by their
// values in col.
func (b *treeBuilder) sweep(o []int32, col []float64, w float64, f int) (split, bool) {
	n := len(o)
	minLeaf := b.p.minLeaf
	best := split{proxy: math.Inf(-1), feature: f}
	found := false
	if b.k > 0 {
		clear(b.left)
		clear(b.node)
		for _, i := range o {
			b.node[int(b.y[i])] += b.weight(i)
		}
		right := b.right
		var wl float64
		for pos := 1; pos < n; pos++ {
			prev := o[pos-1]
			wi := b.weight(prev)
			b.left[int(b.y[prev])] += wi
			wl += wi
			vp, v := col[prev], col[o[pos]]
			if v <= vp+featureThreshold {
				continue
			}
			if pos < minLeaf || n-pos < minLeaf {
				continue
			}
			wr := w - wl
			for c := range right {
				right[c] = b.node[c] - b.left[c]
			}
			il, ir := b.classImpurity(b.left, wl), b.classImpurity(right, wr)
			proxy := -wl*il - wr*ir
			if proxy > best.proxy {
				best = split{feature: f, threshold: midpoint(vp, v), pos: pos,
					proxy: proxy, impLeft: il, impRight: ir, wLeft: wl, wRight: wr}
				found = true
			}
		}
		return best, found
	}
	var sum, sq float64
	for _, i := range o {
		wi := b.weight(i)
		sum += wi * b.y[i]
		sq += wi * b.y[i] * b.y[i]
	}
	var wl, sl, ql float64
	for pos := 1; pos < n; pos++ {
		i := o[pos-1]
		wi := b.weight(i)
		wl += wi
		sl += wi * b.y[i]
		ql += wi * b.y[i] * b.y[i]
		vp, v := col[i], col[o[pos]]
		if v <= vp+featureThreshold {
			continue
		}
		if pos < minLeaf || n-pos < minLeaf {
			continue
		}
		wr, sr := w-wl, sum-sl
		// scikit-learn's proxy for squared error.
		proxy := sl*sl/wl + sr*sr/wr
		if proxy > best.proxy {
			ml, mr := sl/wl, sr/wr
			best = split{feature: f, threshold: midpoint(vp, v), pos: pos,
				proxy: proxy, impLeft: ql/wl - ml*ml, impRight: (sq-ql)/wr - mr*mr, wLeft: wl, wRight: wr}
			found = true
		}
	}
	return best, found
}

// midpoint is the threshold between two consecutive distinct values, as
// scikit-learn computes it.
func midpoint(a, b float64) float64 {
	t := a/2 + b/2
	if t == b || math.IsInf(t, 0) || math.IsNaN(t) {
		t = a
	}
	return t
}

// importances returns the normalised impurity decreases.
func (b *treeBuilder) importances() []float64 {
	out := make([]float64, len(b.imp))
	var s float64
	for j, v := range b.imp {
		out[j] = v / b.total
		s += out[j]
	}
	if s > 0 {
		for j := range out {
			out[j] /= s
		}
	}
	return out
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
