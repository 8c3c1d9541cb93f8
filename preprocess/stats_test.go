package preprocess

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestMomentsMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 1000)
	for i := range x {
		x[i] = 1e6 + r.NormFloat64()*10
		if r.IntN(10) == 0 {
			x[i] = nan
		}
	}
	var whole Moments
	whole.AddBatch(x)
	// Reference: two-pass over the present values.
	var sum float64
	var n int64
	for _, v := range x {
		if v == v {
			sum += v
			n++
		}
	}
	mean := sum / float64(n)
	var ss float64
	for _, v := range x {
		if v == v {
			ss += (v - mean) * (v - mean)
		}
	}
	if whole.N != n || whole.Missing != int64(len(x))-n || !closeTo(whole.Mean, mean) || math.Abs(whole.Variance()-ss/float64(n)) > 1e-9*ss/float64(n) {
		t.Fatalf("whole %+v, want n %d mean %v var %v", whole, n, mean, ss/float64(n))
	}
	for _, cuts := range [][]int{{0, 1000}, {0, 1, 1000}, {0, 500, 1000}, {0, 3, 10, 10, 999, 1000}, {0, 0, 1000}} {
		var merged Moments
		for k := 1; k < len(cuts); k++ {
			var part Moments
			part.AddBatch(x[cuts[k-1]:cuts[k]])
			merged = merged.Merge(part)
		}
		if merged.N != whole.N || merged.Missing != whole.Missing || merged.Min != whole.Min || merged.Max != whole.Max ||
			!closeTo(merged.Mean, whole.Mean) || math.Abs(merged.Variance()-whole.Variance()) > 1e-9*whole.Variance() {
			t.Errorf("cuts %v: merged %+v, whole %+v", cuts, merged, whole)
		}
	}
	var empty Moments
	if got := whole.Merge(empty); got != whole {
		t.Errorf("merge with empty changed %+v to %+v", whole, got)
	}
	if got := empty.Merge(whole); got != whole {
		t.Errorf("empty merged with %+v gave %+v", whole, got)
	}
	if !math.IsNaN(empty.Variance()) {
		t.Error("variance of nothing is not NaN")
	}
	var onlyNaN Moments
	onlyNaN.AddBatch([]float64{nan, nan})
	if m := whole.Merge(onlyNaN); m.Missing != whole.Missing+2 || m.N != whole.N || m.Mean != whole.Mean {
		t.Errorf("merge with all-missing batch: %+v", m)
	}
}

func TestCounts(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		mode   string
		ok     bool
	}{
		{"clear winner", []string{"b", "a", "b"}, "b", true},
		{"tie takes smallest", []string{"c", "b", "c", "b"}, "b", true},
		{"byte order", []string{"é", "z", "é", "z"}, "z", true},
		{"upper before lower", []string{"a", "B"}, "B", true},
		{"empty", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Count in two halves and merge.
			var a, b Counts[string]
			for i, v := range tt.values {
				if i%2 == 0 {
					a.Add(v)
				} else {
					b.Add(v)
				}
			}
			a.Merge(b)
			mode, ok := a.Mode()
			if mode != tt.mode || ok != tt.ok || a.Total() != int64(len(tt.values)) {
				t.Errorf("Mode = %q, %v (total %d); want %q, %v", mode, ok, a.Total(), tt.mode, tt.ok)
			}
		})
	}
	var f Counts[float64]
	for _, v := range []float64{3, -1, 3, -1, 2} {
		f.Add(v)
	}
	if m, _ := f.Mode(); m != -1 {
		t.Errorf("float mode %v, want -1", m)
	}
	if v := f.Values(); len(v) != 3 || v[0] != -1 || v[2] != 3 {
		t.Errorf("values %v", v)
	}
}

func TestSampleQuantile(t *testing.T) {
	// Expected values by numpy's rule: position q·(n−1), linear between.
	tests := []struct {
		values []float64
		q      float64
		want   float64
	}{
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{4, 3, 2, 1}, 0.25, 1.75},
		{[]float64{1, 2, 3, 4}, 0.9, 3.7},
		{[]float64{10}, 0.3, 10},
		{[]float64{5, 1, 3}, 0, 1},
		{[]float64{5, 1, 3}, 1, 5},
		{[]float64{nan, 2, nan, 4}, 0.5, 3},
		{nil, 0.5, nan},
		{[]float64{1, 2}, 1.5, nan},
	}
	for _, tt := range tests {
		var a, b Sample
		a.AddBatch(tt.values[:len(tt.values)/2])
		b.AddBatch(tt.values[len(tt.values)/2:])
		a.Merge(b)
		if got := a.Quantile(tt.q); !closeTo(got, tt.want) {
			t.Errorf("Quantile(%v, %v) = %v, want %v", tt.values, tt.q, got, tt.want)
		}
		if tt.q == 0.5 {
			if got := a.Median(); !closeTo(got, tt.want) {
				t.Errorf("Median(%v) = %v, want %v", tt.values, got, tt.want)
			}
		}
	}
}
