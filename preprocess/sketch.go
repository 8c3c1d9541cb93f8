package preprocess

import (
	"math"
	"slices"
)

// Sketch is a mergeable quantile summary in bounded memory, for quantiles
// of more values than fit in memory: a stack of compactors (Manku,
// Rajagopalan and Lindsay; the deterministic form of the KLL sketch). Level
// h holds values standing for 2^h values each; when a level reaches K
// values it is sorted and every other value moves up a level, the offset
// alternating from one compaction to the next. Each compaction at level h
// moves ranks by at most 2^h, so a quantile's rank is off by at most
// H·N/K, where H = ⌈log2(N/K)⌉+1 is the number of levels (for K = 4096 and
// a billion values, under 0.5%, and in practice far less); memory is at
// most H·K values. Compaction is deterministic: the same values added and
// merged in the same order give the same sketch.
//
// The zero value is not usable: make one with [NewSketch]. A Sketch is not
// safe for concurrent mutation: sketch per goroutine and merge.
type Sketch struct {
	k      int
	n      int64
	levels [][]float64
	flips  []bool
}

// NewSketch returns an empty sketch whose levels hold k values (k < 8
// means 8).
func NewSketch(k int) *Sketch { return &Sketch{k: max(k, 8)} }

// N returns the number of values added.
func (s *Sketch) N() int64 { return s.n }

// AddBatch adds the present values of xs (NaN is skipped).
func (s *Sketch) AddBatch(xs []float64) {
	if len(s.levels) == 0 {
		s.levels, s.flips = make([][]float64, 1), make([]bool, 1)
	}
	for _, x := range xs {
		if x != x {
			continue
		}
		s.levels[0] = append(s.levels[0], x)
		s.n++
		if len(s.levels[0]) >= s.k {
			s.compact(0)
		}
	}
}

// compact halves level h into level h+1, cascading.
func (s *Sketch) compact(h int) {
	for ; h < len(s.levels) && len(s.levels[h]) >= s.k; h++ {
		if h+1 == len(s.levels) {
			s.levels = append(s.levels, nil)
			s.flips = append(s.flips, false)
		}
		lv := s.levels[h]
		slices.Sort(lv)
		var keep float64
		odd := len(lv)%2 == 1
		if odd {
			keep, lv = lv[len(lv)-1], lv[:len(lv)-1]
		}
		off := 0
		if s.flips[h] {
			off = 1
		}
		s.flips[h] = !s.flips[h]
		for i := off; i < len(lv); i += 2 {
			s.levels[h+1] = append(s.levels[h+1], lv[i])
		}
		s.levels[h] = s.levels[h][:0]
		if odd {
			s.levels[h] = append(s.levels[h], keep)
		}
	}
}

// Merge adds the values summarised by o to s (o is unchanged). Both must
// have the same K; Merge of sketches of different K keeps s's K, with the
// error bound of the smaller.
func (s *Sketch) Merge(o *Sketch) {
	if o == nil || o.n == 0 {
		return
	}
	for len(s.levels) < len(o.levels) {
		s.levels = append(s.levels, nil)
		s.flips = append(s.flips, false)
	}
	for h, lv := range o.levels {
		s.levels[h] = append(s.levels[h], lv...)
	}
	s.n += o.n
	for h := range s.levels {
		if len(s.levels[h]) >= s.k {
			s.compact(h)
		}
	}
}

// Quantile returns the q-quantile (0 <= q <= 1): the value at weighted rank
// q·(N−1) among the summarised values, interpolated linearly between
// neighbours as numpy does for exact data (exact when nothing was
// compacted). It returns NaN for an empty sketch or q outside [0, 1].
func (s *Sketch) Quantile(q float64) float64 {
	if s.n == 0 || !(q >= 0 && q <= 1) {
		return math.NaN()
	}
	type item struct {
		v float64
		w int64
	}
	var items []item
	for h, lv := range s.levels {
		for _, v := range lv {
			items = append(items, item{v, int64(1) << h})
		}
	}
	slices.SortFunc(items, func(a, b item) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	// Item i stands for the ranks [start, start+w); place it at the middle
	// of its run, and interpolate between the runs' centres.
	pos := q * float64(s.n-1)
	var start int64
	prevC, prevV := math.Inf(-1), items[0].v
	for _, it := range items {
		c := float64(start) + float64(it.w-1)/2
		if pos <= c {
			if math.IsInf(prevC, -1) || c == prevC {
				return it.v
			}
			t := (pos - prevC) / (c - prevC)
			return prevV + (it.v-prevV)*t
		}
		prevC, prevV = c, it.v
		start += it.w
	}
	return items[len(items)-1].v
}
