// Package quantile computes exact quantiles of float64 values as numpy does
// (its default linear interpolation), finding the few order statistics
// they need by selection, in linear time on average, rather than by
// sorting every value.
package quantile

import (
	"math"
	"math/bits"
	"slices"
)

// fewIndices is the most order statistics found by selection; past it,
// sorting is cheaper.
const fewIndices = 32

// Linear returns the qs-quantiles (each 0 <= q <= 1) of x with numpy's
// default linear interpolation: position q·(n−1) between the sorted values.
// It reorders x (it sorts it when many quantiles are asked for), and
// returns NaN for an empty x or a q outside [0, 1].
func Linear(x []float64, qs ...float64) []float64 {
	out := make([]float64, len(qs))
	n := len(x)
	var ks []int
	for _, q := range qs {
		if n > 0 && q >= 0 && q <= 1 {
			i, _ := position(n, q)
			ks = append(ks, i, min(i+1, n-1))
		}
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	if len(ks) > fewIndices {
		slices.Sort(x)
	} else {
		Select(x, ks)
	}
	for j, q := range qs {
		if n == 0 || !(q >= 0 && q <= 1) {
			out[j] = math.NaN()
			continue
		}
		out[j] = Sorted(x, q)
	}
	return out
}

// Median returns the median of x, the mean of the two middle values for an
// even count (numpy's median), or NaN for an empty x. It reorders x.
func Median(x []float64) float64 {
	n := len(x)
	switch {
	case n == 0:
		return math.NaN()
	case n%2 == 1:
		Select(x, []int{n / 2})
		return x[n/2]
	}
	Select(x, []int{n/2 - 1, n / 2})
	return (x[n/2-1] + x[n/2]) / 2
}

// position returns the index i of the value at or below position q·(n−1)
// and the weight g of the next one.
func position(n int, q float64) (int, float64) {
	pos := q * float64(n-1)
	lo := math.Floor(pos)
	return int(lo), pos - lo
}

// Sorted returns the q-quantile (0 <= q <= 1) of x with numpy's linear
// interpolation, computed as numpy 1.24 does (a lerp that switches sides at
// weight 0.5) so the results agree to the last bit. It reads only the
// order statistics at and after position q·(n−1): x may be sorted, or
// have had them put in place by [Select]. x must not be empty.
func Sorted(x []float64, q float64) float64 {
	n := len(x)
	i, g := position(n, q)
	if i >= n-1 {
		return x[n-1]
	}
	a, b := x[i], x[i+1]
	diff := b - a
	if g >= 0.5 {
		return b - diff*(1-g)
	}
	return a + diff*g
}

// Select reorders x so that x[k], for each k of ks (ascending, each in
// [0, len(x))), is the value a sort would put there: the k-th smallest. It
// partitions around median-of-three pivots (three ways, so repeated values
// cost nothing) and recurses only into the parts holding a k; past
// 2·log₂(n) levels it sorts what is left, so the worst case is
// O(n log n). x must hold no NaN.
func Select(x []float64, ks []int) {
	selectRange(x, 0, ks, 2*bits.Len(uint(len(x))))
}

// selectRange selects the ks (indices into the whole slice, off is the
// index of x[0]) within x.
func selectRange(x []float64, off int, ks []int, depth int) {
	for len(ks) > 0 {
		if len(x) <= 16 || depth == 0 {
			slices.Sort(x)
			return
		}
		depth--
		lt, gt := partition3(x, pivot(x))
		// x[:lt] < pivot, x[lt:gt] == pivot, x[gt:] > pivot.
		var below, above []int
		j := 0
		for j < len(ks) && ks[j]-off < lt {
			j++
		}
		below = ks[:j]
		for j < len(ks) && ks[j]-off < gt {
			j++
		}
		above = ks[j:]
		// Recurse into the smaller part, loop on the larger.
		if lt < len(x)-gt {
			selectRange(x[:lt], off, below, depth)
			x, off, ks = x[gt:], off+gt, above
		} else {
			selectRange(x[gt:], off+gt, above, depth)
			x, ks = x[:lt], below
		}
	}
}

// pivot returns the median of x's first, middle and last values (of three
// such medians, for a long x).
func pivot(x []float64) float64 {
	n := len(x)
	if n < 128 {
		return median3(x[0], x[n/2], x[n-1])
	}
	s := n / 8
	return median3(median3(x[0], x[s], x[2*s]), median3(x[n/2-s], x[n/2], x[n/2+s]), median3(x[n-1-2*s], x[n-1-s], x[n-1]))
}

func median3(a, b, c float64) float64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}

// partition3 reorders x into the values below p, those equal, those
// above, and returns where the equal ones start and end: a pass putting
// the values below p first, then, over the rest, one putting those equal
// to p first. Each pass swaps every value and moves on by the comparison's
// result, with no branch to mispredict.
func partition3(x []float64, p float64) (lt, gt int) {
	for j, v := range x {
		x[j] = x[lt]
		x[lt] = v
		lt += b2i(v < p)
	}
	gt = lt
	for j, v := range x[lt:] {
		x[lt+j] = x[gt]
		x[gt] = v
		gt += b2i(v <= p)
	}
	return lt, gt
}

// b2i is 1 for true and 0 for false.
func b2i(b bool) int {
	var i int
	if b {
		i = 1
	}
	return i
}
