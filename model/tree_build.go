package model

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"golang.org/x/sync/errgroup"
)

// ranked is X feature by feature as ranks: each row's value is replaced by
// its rank among the feature's distinct values, which are kept ascending.
// It is computed once per Fit and shared, read-only, by every tree of a
// forest. A node's split on a feature is then found from the ranks of its
// rows alone: by a histogram over the ranks when the node's rows span few
// of them, by a radix sort of its rows otherwise. Either is linear in the
// node's rows, and only the features examined are visited.
type ranked struct {
	n    int
	cols []rankCol
}

// rankCol is one feature: the rank of each row in the narrowest of u8,
// u16 and u32 that holds them, and the distinct values.
type rankCol struct {
	vals []float64 // distinct values, ascending
	u8   []uint8
	u16  []uint16
	u32  []uint32
}

// orderedBits maps v to a uint64 that sorts as v does (-0 as +0).
func orderedBits(v float64) uint64 {
	if v == 0 {
		v = 0
	}
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// fromOrderedBits inverts orderedBits.
func fromOrderedBits(b uint64) float64 {
	if b>>63 != 0 {
		return math.Float64frombits(b &^ (1 << 63))
	}
	return math.Float64frombits(^b)
}

// rankBuf is the working memory of ranking one column.
type rankBuf struct {
	keys, bk []uint64
	rows, br []uint32
}

// rankColumns ranks the columns of x, up to workers at once: first those
// of at most 256 distinct values, by hashing, a few columns per pass over
// the rows; then the others, by sorting.
func rankColumns(ctx context.Context, x rowMajor, workers int) (*ranked, error) {
	if x.r > math.MaxInt32 {
		return nil, fmt.Errorf("%d rows: a tree is grown on at most %d: %w", x.r, math.MaxInt32, ErrParam)
	}
	rk := &ranked{n: x.r, cols: make([]rankCol, x.c)}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	const batch = 8 // columns per pass: one 64-byte line of a row
	for f0 := 0; f0 < x.c; f0 += batch {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			rankFew(x, f0, min(f0+batch, x.c), rk.cols)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	bufs := make(chan *rankBuf, workers)
	for range workers {
		bufs <- &rankBuf{}
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for f := range x.c {
		if rk.cols[f].vals != nil {
			continue
		}
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			buf := <-bufs
			defer func() { bufs <- buf }()
			rk.cols[f] = rankColumn(x, f, buf)
			return nil
		})
	}
	return rk, g.Wait()
}

// fewTable is an open-addressing hash table of up to 256 distinct keys of
// a column, numbered in the order first seen.
type fewTable struct {
	keys  [1024]uint64
	num   [1024]int16 // key number + 1, 0 for an empty slot
	seen  []uint64    // the keys, by number
	codes []uint8     // per row, the number of its key
	full  bool        // the column has more than 256 distinct values
}

// rankFew ranks the columns [f0, f1) of x that have at most 256 distinct
// values into cols, reading the rows once; it leaves the others alone.
func rankFew(x rowMajor, f0, f1 int, cols []rankCol) {
	tabs := make([]fewTable, f1-f0)
	for t := range tabs {
		tabs[t].codes = make([]uint8, x.r)
	}
	open := len(tabs)
	for i := 0; i < x.r && open > 0; i++ {
		row := x.data[i*x.stride+f0 : i*x.stride+f1]
		for t, v := range row {
			tb := &tabs[t]
			if tb.full {
				continue
			}
			k := orderedBits(v)
			h := (k * 0x9e3779b97f4a7c15) >> 54
			for tb.num[h] != 0 && tb.keys[h] != k {
				h = (h + 1) & 1023
			}
			if tb.num[h] == 0 {
				if len(tb.seen) == 256 {
					tb.full, tb.codes, tb.seen = true, nil, nil
					open--
					continue
				}
				tb.seen = append(tb.seen, k)
				tb.keys[h], tb.num[h] = k, int16(len(tb.seen))
			}
			tb.codes[i] = uint8(tb.num[h] - 1)
		}
	}
	for t := range tabs {
		tb := &tabs[t]
		if tb.full {
			continue
		}
		// Number the keys by rank instead.
		order := make([]uint8, len(tb.seen))
		for j := range order {
			order[j] = uint8(j)
		}
		slices.SortFunc(order, func(a, b uint8) int { return cmp.Compare(tb.seen[a], tb.seen[b]) })
		var rank [256]uint8
		vals := make([]float64, len(order))
		for r, j := range order {
			rank[j], vals[r] = uint8(r), fromOrderedBits(tb.seen[j])
		}
		for i, c := range tb.codes {
			tb.codes[i] = rank[c]
		}
		cols[f0+t] = rankCol{vals: vals, u8: tb.codes}
	}
}

// rankColumn ranks column f of x.
func rankColumn(x rowMajor, f int, buf *rankBuf) rankCol {
	n := x.r
	if cap(buf.keys) < n {
		buf.keys, buf.bk = make([]uint64, n), make([]uint64, n)
		buf.rows, buf.br = make([]uint32, n), make([]uint32, n)
	}
	keys, rows := buf.keys[:n], buf.rows[:n]
	for i := range n {
		keys[i], rows[i] = orderedBits(x.data[i*x.stride+f]), uint32(i)
	}
	keys, rows = radixSort(keys, rows, buf.bk[:n], buf.br[:n], 64)
	d := 1
	for i := 1; i < n; i++ {
		if keys[i] != keys[i-1] {
			d++
		}
	}
	var c rankCol
	c.vals = make([]float64, 0, d)
	for i, k := range keys {
		if i == 0 || k != keys[i-1] {
			c.vals = append(c.vals, fromOrderedBits(k))
		}
	}
	switch {
	case d <= 1<<8:
		c.u8 = make([]uint8, n)
		assignRanks(keys, rows, c.u8)
	case d <= 1<<16:
		c.u16 = make([]uint16, n)
		assignRanks(keys, rows, c.u16)
	default:
		c.u32 = make([]uint32, n)
		assignRanks(keys, rows, c.u32)
	}
	return c
}

// assignRanks sets dst[rows[i]] to the rank of keys[i], keys sorted.
func assignRanks[T uint8 | uint16 | uint32](keys []uint64, rows []uint32, dst []T) {
	var r T
	for i, k := range keys {
		if i > 0 && k != keys[i-1] {
			r++
		}
		dst[rows[i]] = r
	}
}

// gather sets out[i] to the rank of rows[i] and returns the least and
// greatest.
func (c *rankCol) gather(rows []int32, out []uint32) (lo, hi uint32) {
	switch {
	case c.u8 != nil:
		return gatherRanks(c.u8, rows, out)
	case c.u16 != nil:
		return gatherRanks(c.u16, rows, out)
	}
	return gatherRanks(c.u32, rows, out)
}

func gatherRanks[T uint8 | uint16 | uint32](col []T, rows []int32, out []uint32) (lo, hi uint32) {
	lo = math.MaxUint32
	out = out[:len(rows)]
	for i, r := range rows {
		v := uint32(col[r])
		out[i] = v
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

// radixSort sorts keys, all below 1<<width, ascending and stably, moving
// rows along. bk and br are scratch of the same length; the sorted keys
// and rows are returned, in either the inputs or the scratch. A digit all
// keys share is skipped.
func radixSort[K uint32 | uint64](keys []K, rows []uint32, bk []K, br []uint32, width int) ([]K, []uint32) {
	n := len(keys)
	if n < 48 {
		for i := 1; i < n; i++ {
			k, r := keys[i], rows[i]
			j := i
			for ; j > 0 && keys[j-1] > k; j-- {
				keys[j], rows[j] = keys[j-1], rows[j-1]
			}
			keys[j], rows[j] = k, r
		}
		return keys, rows
	}
	digits := (width + 7) / 8
	var count [8][256]int
	for _, k := range keys {
		for d := range digits {
			count[d][uint8(k>>(8*d))]++
		}
	}
	for d := range digits {
		c := &count[d]
		shift := 8 * d
		if c[uint8(keys[0]>>shift)] == n {
			continue
		}
		sum := 0
		for i, v := range c {
			c[i], sum = sum, sum+v
		}
		for i, k := range keys {
			b := uint8(k >> shift)
			j := c[b]
			c[b]++
			bk[j], br[j] = k, rows[i]
		}
		keys, bk, rows, br = bk, keys, br, rows
	}
	return keys, rows
}

// treeBuilder grows one tree on the rows of positive weight. The rows of
// the node being grown are rows[start:end], in ascending order, and
// wc[start:end] their weights and classes; splitting a node partitions
// both stably.
type treeBuilder struct {
	rk     *ranked
	y      []float64 // regression targets
	k      int       // classes, 0 for regression
	rows   []int32
	wc     []uint64 // per row of rows: its weight << 32 | its class (0 for regression)
	stride int      // statistics per group of rows: see [treeBuilder.stats]
	p      treeParams
	rng    *rand.Rand
	t      Nodes
	imp    []float64 // per feature: weighted impurity decrease
	total  float64   // total weight
	s      *treeScratch
	feats  []int
	left   []float64 // statistics left of a candidate split
	right  []float64 // class weights right of it, or a regressor's node statistics
}

// treeScratch is the working memory of a tree builder, reused from one
// tree of a forest to the next.
type treeScratch struct {
	wc, tmpW  []uint64
	rows, tmp []int32
	keys      []uint32 // a feature's ranks of the node's rows
	sk, bk    []uint32 // radix sort keys and scratch
	sr, br    []uint32 // radix sort rows and scratch
	at        []int32  // counting sort offsets
	hist      []uint64 // per rank and class: weight << 32 | rows
	node      []float64
	consts    [][]uint64
}

// newTreeBuilder returns a builder for the rows of positive weight: row i
// has weight sw[i] (a bootstrap count), or 1 when sw is nil. y holds the
// regression targets, or cls the class codes when k > 0. scratch, if not
// nil, lends it its memory.
func newTreeBuilder(rk *ranked, y []float64, cls []int32, k int, sw []uint32, p treeParams, rng *rand.Rand, scratch *treeScratch) *treeBuilder {
	nf, n := len(rk.cols), rk.n
	b := &treeBuilder{rk: rk, y: y, k: k, p: p, rng: rng, imp: make([]float64, nf), s: scratch}
	if b.s == nil {
		b.s = &treeScratch{}
	}
	s := b.s
	if cap(s.rows) < n {
		s.wc, s.tmpW = make([]uint64, n), make([]uint64, n)
		s.rows, s.tmp, s.keys = make([]int32, n), make([]int32, n), make([]uint32, n)
		s.sk, s.bk = make([]uint32, n), make([]uint32, n)
		s.sr, s.br = make([]uint32, n), make([]uint32, n)
	}
	b.rows, b.wc = s.rows[:0], s.wc[:0]
	for i := range n {
		w := uint32(1)
		if sw != nil {
			w = sw[i]
		}
		if w == 0 {
			continue
		}
		var c uint32
		if k > 0 {
			c = uint32(cls[i])
		}
		b.rows, b.wc = append(b.rows, int32(i)), append(b.wc, uint64(w)<<32|uint64(c))
		b.total += float64(w)
	}
	b.feats = make([]int, nf)
	b.t.Outputs, b.stride = 1, 3
	if k > 0 {
		b.t.Outputs, b.stride = k, k+1
	}
	b.right = make([]float64, max(k, 3))
	b.left = make([]float64, b.stride)
	return b
}

// featureThreshold is scikit-learn's FEATURE_THRESHOLD: values closer than
// this are not split apart.
const featureThreshold = 1e-7

// stats adds the statistics of the row i, of weight and class v, to st:
// its weight w then, for a classifier, w to its class's weight, for a
// regressor, w·y and w·y².
func (b *treeBuilder) stats(st []float64, v uint64, i int32) {
	w := float64(v >> 32)
	st[0] += w
	if b.k > 0 {
		st[1+uint32(v)] += w
		return
	}
	y := b.y[i]
	st[1] += w * y
	st[2] += w * y * y
}

// impurity returns the impurity of a group of statistics st.
func (b *treeBuilder) impurity(st []float64) float64 {
	w := st[0]
	if b.k > 0 {
		return b.classImpurity(st[1:], w)
	}
	mean := st[1] / w
	return st[2]/w - mean*mean
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
	if len(b.rows) == 0 {
		return fmt.Errorf("every sample has weight 0: %w", ErrEmpty)
	}
	return b.grow(ctx, 0, len(b.rows), 0)
}

// split is a candidate split of a node: the pos rows whose rank on feature
// is at most rank go left.
type split struct {
	feature           int
	rank              uint32
	threshold         float64
	pos               int
	proxy             float64
	impLeft, impRight float64
	wLeft, wRight     float64
}

// grow adds the node of rows [start, end) and, unless it is a leaf, its
// children.
func (b *treeBuilder) grow(ctx context.Context, start, end, depth int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	id := len(b.t.Feature)
	b.t.Feature = append(b.t.Feature, -1)
	b.t.Threshold = append(b.t.Threshold, 0)
	b.t.Left = append(b.t.Left, -1)
	b.t.Right = append(b.t.Right, -1)
	// The node's statistics, at depth·stride in the scratch (the children
	// overwrite deeper ones only).
	for len(b.s.node) < (depth+1)*b.stride {
		b.s.node = append(b.s.node, 0)
	}
	node := b.s.node[depth*b.stride : (depth+1)*b.stride]
	clear(node)
	rows, wc := b.rows[start:end], b.wc[start:end]
	for j, i := range rows {
		b.stats(node, wc[j], i)
	}
	w, impurity := node[0], b.impurity(node)
	if b.k > 0 {
		for c := range b.k {
			b.t.Value = append(b.t.Value, node[1+c]/w)
		}
	} else {
		b.t.Value = append(b.t.Value, node[1]/w)
	}
	n := end - start
	leaf := depth >= b.p.maxDepth || n < b.p.minSplit || n < 2*b.p.minLeaf || impurity <= 0x1p-52
	if leaf {
		return nil
	}
	best, ok := b.bestSplit(rows, wc, node, depth)
	if !ok {
		return nil
	}
	// Partition the rows, stably, by the chosen split.
	f := best.feature
	keys := b.s.keys[:n]
	b.rk.cols[f].gather(rows, keys)
	l := 0
	tmp, tmpW := b.s.tmp[:0], b.s.tmpW[:0]
	for j, i := range rows {
		if keys[j] <= best.rank {
			rows[l], wc[l] = i, wc[j]
			l++
		} else {
			tmp, tmpW = append(tmp, i), append(tmpW, wc[j])
		}
	}
	copy(rows[l:], tmp)
	copy(wc[l:], tmpW)
	if l != best.pos {
		return fmt.Errorf("split of %d rows on feature %d sends %d left, want %d: %w", n, f, l, best.pos, ErrState)
	}
	b.imp[f] += w*impurity - best.wLeft*best.impLeft - best.wRight*best.impRight
	b.t.Feature[id] = int32(f)
	b.t.Threshold[id] = best.threshold
	b.t.Left[id] = int32(len(b.t.Feature))
	mid := start + best.pos
	if err := b.grow(ctx, start, mid, depth+1); err != nil {
		return err
	}
	b.t.Right[id] = int32(len(b.t.Feature))
	return b.grow(ctx, mid, end, depth+1)
}

// constants returns the bitset of the features known to be constant in a
// node at depth: those found constant in its ancestors, to which the node
// adds its own.
func (b *treeBuilder) constants(depth int) []uint64 {
	s := b.s
	for len(s.consts) <= depth {
		s.consts = append(s.consts, make([]uint64, (len(b.rk.cols)+63)/64))
	}
	c := s.consts[depth]
	if depth == 0 {
		clear(c)
	} else {
		copy(c, s.consts[depth-1])
	}
	return c
}

// bestSplit finds the best split of the node of rows (of weights and
// classes wc, statistics node) among up to maxFeatures non-constant
// features drawn in random order.
func (b *treeBuilder) bestSplit(rows []int32, wc []uint64, node []float64, depth int) (split, bool) {
	p, n, k := len(b.rk.cols), len(rows), b.k
	for j := range b.feats {
		b.feats[j] = j
	}
	consts := b.constants(depth)
	best := split{proxy: math.Inf(-1)}
	found := false
	visited := 0
	for i := 0; i < p && visited < b.p.maxFeatures; i++ {
		j := i + b.rng.IntN(p-i)
		b.feats[i], b.feats[j] = b.feats[j], b.feats[i]
		f := b.feats[i]
		if consts[f/64]&(1<<(f%64)) != 0 {
			continue
		}
		col := &b.rk.cols[f]
		var lo, hi uint32
		var hist []uint64
		// A classifier counts the rows of a feature of few values straight
		// into a histogram over all of them; other features' ranks are
		// read first, to see the span of the node's.
		direct := k > 0 && len(col.vals) <= n
		if direct {
			hist = b.histogram(col, rows, wc)
			lo, hi = histSpan(hist, k)
		} else {
			lo, hi = col.gather(rows, b.s.keys)
		}
		if col.vals[hi] <= col.vals[lo]+featureThreshold {
			consts[f/64] |= 1 << (f % 64) // constant here: does not count towards maxFeatures
			continue
		}
		visited++
		var better bool
		switch {
		case direct:
			better = b.sweep(f, hist[int(lo)*k:int(hi+1)*k], lo, node, n, &best)
		case k > 0 && int(hi-lo) < n:
			better = b.sweep(f, b.keyHistogram(wc, lo, hi), lo, node, n, &best)
		default:
			sk, sj := b.sorted(n, lo, hi)
			better = b.sweepRows(f, sk, sj, rows, wc, lo, node, &best)
		}
		found = found || better
	}
	return best, found
}

// histBuffer returns zeroed scratch for a histogram of size entries.
func (b *treeBuilder) histBuffer(size int) []uint64 {
	if cap(b.s.hist) < size {
		b.s.hist = make([]uint64, size)
	}
	h := b.s.hist[:size]
	clear(h)
	return h
}

// histogram returns, for a classifier, the histogram of the rows over the
// ranks of the feature col: at r·k+c, the weight << 32 | the number of
// the rows of rank r and class c.
func (b *treeBuilder) histogram(col *rankCol, rows []int32, wc []uint64) []uint64 {
	size := len(col.vals) * b.k
	// Rows falling in one of a few ranks would each wait for the last
	// update of the same counter: four histograms, summed, let four
	// updates run at once.
	ways := 1
	if size <= 1<<12 {
		ways = 4
	}
	h := b.histBuffer(ways * size)
	switch {
	case col.u8 != nil:
		histogramOf(col.u8, rows, wc, h, b.k, ways)
	case col.u16 != nil:
		histogramOf(col.u16, rows, wc, h, b.k, ways)
	default:
		histogramOf(col.u32, rows, wc, h, b.k, ways)
	}
	return h[:size]
}

func histogramOf[T uint8 | uint16 | uint32](col []T, rows []int32, wc []uint64, h []uint64, k, ways int) {
	j := 0
	if ways == 4 {
		size := len(h) / 4
		h0, h1, h2, h3 := h[:size], h[size:2*size], h[2*size:3*size], h[3*size:]
		for ; j+4 <= len(rows); j += 4 {
			i0, i1, i2, i3 := rows[j], rows[j+1], rows[j+2], rows[j+3]
			v0, v1, v2, v3 := wc[j], wc[j+1], wc[j+2], wc[j+3]
			h0[int(col[i0])*k+int(uint32(v0))] += v0>>32<<32 | 1
			h1[int(col[i1])*k+int(uint32(v1))] += v1>>32<<32 | 1
			h2[int(col[i2])*k+int(uint32(v2))] += v2>>32<<32 | 1
			h3[int(col[i3])*k+int(uint32(v3))] += v3>>32<<32 | 1
		}
		for x := range h0 {
			h0[x] += h1[x] + h2[x] + h3[x]
		}
		h = h0
	}
	for ; j < len(rows); j++ {
		v := wc[j]
		h[int(col[rows[j]])*k+int(uint32(v))] += v>>32<<32 | 1
	}
}

// histSpan returns the least and greatest rank with rows in a histogram.
func histSpan(h []uint64, k int) (lo, hi uint32) {
	first, last := -1, 0
	for x, v := range h {
		if uint32(v) != 0 {
			if first < 0 {
				first = x
			}
			last = x
		}
	}
	return uint32(max(first, 0) / k), uint32(last / k)
}

// keyHistogram returns, for a classifier, the histogram of a node's rows,
// of weights and classes wc, over their ranks on a feature, in b.s.keys,
// spanning [lo, hi]: as [treeBuilder.histogram], rank r at r-lo.
func (b *treeBuilder) keyHistogram(wc []uint64, lo, hi uint32) []uint64 {
	k := b.k
	h := b.histBuffer((int(hi-lo) + 1) * k)
	keys := b.s.keys[:len(wc)]
	for j, v := range wc {
		h[int(keys[j]-lo)*k+int(uint32(v))] += v>>32<<32 | 1
	}
	return h
}

// sorted returns the indices 0…n-1 of a node's rows, whose ranks on a
// feature are in b.s.keys and span [lo, hi], ordered by rank then row, and
// their ranks less lo: by a counting sort when they span fewer ranks than
// there are rows, a radix sort otherwise.
func (b *treeBuilder) sorted(n int, lo, hi uint32) ([]uint32, []uint32) {
	s := b.s
	keys, sk, sr := s.keys[:n], s.sk[:n], s.sr[:n]
	if span := int(hi-lo) + 1; span <= n {
		if cap(s.at) < span {
			s.at = make([]int32, span)
		}
		at := s.at[:span]
		clear(at)
		for _, k := range keys {
			at[k-lo]++
		}
		var sum int32
		for j, c := range at {
			at[j], sum = sum, sum+c
		}
		for j, k := range keys {
			k -= lo
			sk[at[k]], sr[at[k]] = k, uint32(j)
			at[k]++
		}
		return sk, sr
	}
	for j, k := range keys {
		sk[j], sr[j] = k-lo, uint32(j)
	}
	return radixSort(sk, sr, s.bk[:n], s.br[:n], bits.Len32(hi-lo))
}

// sweep updates best with the best split of a classifier on feature f of
// the node of n rows and statistics node, given the histogram h of its
// rows over the ranks (rank base+g at g·k). It reports whether best
// changed.
func (b *treeBuilder) sweep(f int, h []uint64, base uint32, node []float64, n int, best *split) bool {
	vals := b.rk.cols[f].vals[base:]
	k, minLeaf := b.k, b.p.minLeaf
	left := b.left
	clear(left)
	found := false
	pos, prev := 0, -1
	for g := range len(h) / k {
		bin := h[g*k : (g+1)*k]
		var c uint32
		for _, v := range bin {
			c += uint32(v)
		}
		if c == 0 {
			continue
		}
		if prev >= 0 && pos >= minLeaf && n-pos >= minLeaf {
			if vp, v := vals[prev], vals[g]; v > vp+featureThreshold {
				if proxy := b.proxy(left, node); proxy > best.proxy {
					*best = b.split(f, base+uint32(prev), midpoint(vp, v), pos, proxy, left, node)
					found = true
				}
			}
		}
		for j, v := range bin {
			w := float64(v >> 32)
			left[0] += w
			left[1+j] += w
		}
		pos += int(c)
		prev = g
	}
	return found
}

// sweepRows updates best with the best split on feature f of the node of
// rows, of weights and classes wc and statistics node, given the order sj
// of its rows by their ranks sk (less lo). A regressor's sums run over the
// rows in that order, as scikit-learn's do. It reports whether best
// changed.
func (b *treeBuilder) sweepRows(f int, sk, sj []uint32, rows []int32, wc []uint64, lo uint32, node []float64, best *split) bool {
	vals := b.rk.cols[f].vals[lo:]
	n, minLeaf := len(sj), b.p.minLeaf
	if b.k == 0 {
		node = append(b.right[:0], node[0], 0, 0)
		for _, j := range sj {
			w, y := float64(wc[j]>>32), b.y[rows[j]]
			node[1] += w * y
			node[2] += w * y * y
		}
	}
	left := b.left
	clear(left)
	found := false
	for pos := 1; pos < n; pos++ {
		j := sj[pos-1]
		b.stats(left, wc[j], rows[j])
		if sk[pos] == sk[pos-1] || pos < minLeaf || n-pos < minLeaf {
			continue
		}
		vp, v := vals[sk[pos-1]], vals[sk[pos]]
		if v <= vp+featureThreshold {
			continue
		}
		if proxy := b.proxy(left, node); proxy > best.proxy {
			*best = b.split(f, lo+sk[pos-1], midpoint(vp, v), pos, proxy, left, node)
			found = true
		}
	}
	return found
}

// proxy returns scikit-learn's proxy of the impurity decrease of the split
// sending the statistics left to the left, out of a node of statistics
// node.
func (b *treeBuilder) proxy(left, node []float64) float64 {
	wl := left[0]
	wr := node[0] - wl
	if b.k > 0 {
		if b.p.criterion == Entropy {
			return -wl*b.classImpurity(left[1:], wl) - wr*b.rightImpurity(left, node)
		}
		var gl, gr float64
		for c := 1; c <= b.k; c++ {
			l := left[c]
			r := node[c] - l
			gl += l * l
			gr += r * r
		}
		return -wl*(1-gl/(wl*wl)) - wr*(1-gr/(wr*wr))
	}
	sl := left[1]
	sr := node[1] - sl
	return sl*sl/wl + sr*sr/wr
}

// rightImpurity returns the impurity of a node's rows right of a split.
func (b *treeBuilder) rightImpurity(left, node []float64) float64 {
	right := b.right[:b.k]
	for c := range right {
		right[c] = node[1+c] - left[1+c]
	}
	return b.classImpurity(right, node[0]-left[0])
}

// split returns the split on feature f sending the rows of rank at most
// rank, pos of them, of statistics left, to the left.
func (b *treeBuilder) split(f int, rank uint32, threshold float64, pos int, proxy float64, left, node []float64) split {
	wl := left[0]
	wr := node[0] - wl
	sp := split{feature: f, rank: rank, threshold: threshold, pos: pos, proxy: proxy, wLeft: wl, wRight: wr}
	if b.k > 0 {
		sp.impLeft, sp.impRight = b.classImpurity(left[1:], wl), b.rightImpurity(left, node)
		return sp
	}
	sl, ql := left[1], left[2]
	sr := node[1] - sl
	ml, mr := sl/wl, sr/wr
	sp.impLeft, sp.impRight = ql/wl-ml*ml, (node[2]-ql)/wr-mr*mr
	return sp
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
