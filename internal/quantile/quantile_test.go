package quantile_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mlpipe/mlpipe/internal/quantile"
)

// inputs returns arrays of several sizes and shapes: random, few distinct
// values, sorted, reversed, constant, organ pipe.
func inputs() map[string][]float64 {
	r := rand.New(rand.NewPCG(1, 2))
	out := map[string][]float64{}
	for _, n := range []int{1, 2, 3, 16, 17, 127, 128, 1000, 100_000} {
		shapes := map[string]func(i int) float64{
			"normal":   func(int) float64 { return r.NormFloat64() },
			"few":      func(int) float64 { return float64(r.IntN(4)) },
			"sorted":   func(i int) float64 { return float64(i) },
			"reversed": func(i int) float64 { return float64(n - i) },
			"constant": func(int) float64 { return 2.5 },
			"pipe":     func(i int) float64 { return float64(min(i, n-i)) },
			"inf":      func(i int) float64 { return []float64{math.Inf(-1), 1, math.Inf(1)}[i%3] },
		}
		for name, gen := range shapes {
			x := make([]float64, n)
			for i := range x {
				x[i] = gen(i)
			}
			out[fmt.Sprint(name, "/", n)] = x
		}
	}
	return out
}

func TestLinearMatchesSorting(t *testing.T) {
	qsets := [][]float64{{0.5}, {0.25, 0.5, 0.75}, {0, 1}, {0.1, 0.9, 0.01, 0.99, 1.0 / 3}, {-0.1, 1.1, math.NaN()}}
	many := make([]float64, 40)
	for i := range many {
		many[i] = float64(i) / 39
	}
	qsets = append(qsets, many)
	for name, x := range inputs() {
		sorted := slices.Sorted(slices.Values(x))
		for _, qs := range qsets {
			got := quantile.Linear(slices.Clone(x), qs...)
			for j, q := range qs {
				want := math.NaN()
				if q >= 0 && q <= 1 {
					want = quantile.Sorted(sorted, q)
				}
				if math.Float64bits(got[j]) != math.Float64bits(want) && !(math.IsNaN(got[j]) && math.IsNaN(want)) {
					t.Errorf("%s: quantile %v = %v, sorting gives %v", name, q, got[j], want)
				}
			}
		}
		n := len(sorted)
		want := sorted[n/2]
		if n%2 == 0 {
			want = (sorted[n/2-1] + sorted[n/2]) / 2
		}
		y := slices.Clone(x)
		if got := quantile.Median(y); got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("%s: median %v, want %v", name, got, want)
		}
		if !slices.Equal(slices.Sorted(slices.Values(y)), sorted) {
			t.Errorf("%s: the values changed, not only their order", name)
		}
	}
	if got := quantile.Linear(nil, 0.5); !math.IsNaN(got[0]) {
		t.Errorf("empty: %v", got)
	}
	if got := quantile.Median(nil); !math.IsNaN(got) {
		t.Errorf("empty median: %v", got)
	}
}

func TestLinearMatchesNumpy(t *testing.T) {
	// numpy.percentile([1, 2, 3, 4, 10], 100·q) for these q.
	x := []float64{1, 2, 3, 4, 10}
	for _, tc := range []struct{ q, want float64 }{{0, 1}, {10, 1.4}, {25, 2}, {50, 3}, {90, 7.6000000000000005}, {37.5, 2.5}, {100, 10}} {
		if got := quantile.Linear(slices.Clone(x), tc.q/100)[0]; got != tc.want {
			t.Errorf("percentile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestSelect(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for name, x := range inputs() {
		sorted := slices.Sorted(slices.Values(x))
		var ks []int
		for range 5 {
			ks = append(ks, r.IntN(len(x)))
		}
		slices.Sort(ks)
		ks = slices.Compact(ks)
		y := slices.Clone(x)
		quantile.Select(y, ks)
		for _, k := range ks {
			if y[k] != sorted[k] {
				t.Errorf("%s: x[%d] = %v, want %v", name, k, y[k], sorted[k])
			}
		}
	}
}

func ExampleLinear() {
	x := []float64{7, 1, 3, 5, 9, 2}
	fmt.Println(quantile.Linear(x, 0.25, 0.5, 0.75))
	// Output: [2.25 4 6.5]
}

func BenchmarkLinear1M(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, 1_000_000)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	y := make([]float64, len(x))
	for _, bc := range []struct {
		name string
		fn   func()
	}{
		{"select", func() { quantile.Linear(y, 0.25, 0.5, 0.75) }},
		{"sort", func() { slices.Sort(y); quantile.Sorted(y, 0.25) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				copy(y, x)
				bc.fn()
			}
		})
	}
}
