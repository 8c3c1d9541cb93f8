package preprocess

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// rankError returns how far, as a share of n, the rank of v is from the
// rank q·(n−1) in sorted.
func rankError(sorted []float64, v, q float64) float64 {
	lo := sort.SearchFloat64s(sorted, v)                                      // first index >= v
	hi := sort.Search(len(sorted), func(i int) bool { return sorted[i] > v }) // first index > v
	want := q * float64(len(sorted)-1)
	switch {
	case want < float64(lo)-1:
		return (float64(lo) - 1 - want) / float64(len(sorted))
	case want > float64(hi):
		return (want - float64(hi)) / float64(len(sorted))
	}
	return 0
}

func TestSketchRankError(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const n, k = 200_000, 256
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Exp(r.NormFloat64() * 2) // skewed
	}
	sorted := slices.Clone(x)
	slices.Sort(sorted)
	levels := math.Ceil(math.Log2(float64(n)/k)) + 1
	bound := levels / k // the stated worst case, as a share of n

	whole := NewSketch(k)
	whole.AddBatch(x)
	// Eight shards merged, in another order.
	merged := NewSketch(k)
	for s := 7; s >= 0; s-- {
		part := NewSketch(k)
		part.AddBatch(x[s*n/8 : (s+1)*n/8])
		merged.Merge(part)
	}
	for name, sk := range map[string]*Sketch{"whole": whole, "merged": merged} {
		if sk.N() != n {
			t.Fatalf("%s: N %d", name, sk.N())
		}
		worst := 0.0
		for q := 0.0; q <= 1; q += 0.01 {
			worst = max(worst, rankError(sorted, sk.Quantile(q), q))
		}
		if worst > bound {
			t.Errorf("%s: rank error %.4f above the bound %.4f", name, worst, bound)
		}
		t.Logf("%s: worst rank error %.5f of n (bound %.4f)", name, worst, bound)
	}
	// Deterministic: the same adds give the same quantiles.
	again := NewSketch(k)
	again.AddBatch(x)
	if again.Quantile(0.37) != whole.Quantile(0.37) {
		t.Error("sketch is not deterministic")
	}
	// Below k values nothing is compacted: numpy's quantiles exactly.
	small := NewSketch(k)
	small.AddBatch([]float64{4, 1, nan, 3, 2})
	var exact Sample
	exact.AddBatch([]float64{4, 1, 3, 2})
	for _, q := range []float64{0, 0.25, 0.5, 0.9, 1} {
		if small.Quantile(q) != exact.Quantile(q) {
			t.Errorf("small sketch q %v = %v, exact %v", q, small.Quantile(q), exact.Quantile(q))
		}
	}
	if !math.IsNaN(NewSketch(k).Quantile(0.5)) || !math.IsNaN(small.Quantile(2)) {
		t.Error("empty sketch or bad q is not NaN")
	}
}

func TestMaxValues(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 6))
	const n = 50_000
	x := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()*10 + 3
		if i%50 == 0 {
			x[i] = nan
		}
	}
	f := mustFrame(t, frame.Floats("x", x))
	var present []float64
	for _, v := range x {
		if v == v {
			present = append(present, v)
		}
	}
	slices.Sort(present)
	bound := (math.Ceil(math.Log2(float64(len(present))/512)) + 1) / 512
	imp, err := ImputeSpec{Strategy: Median, MaxValues: 512}.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if e := rankError(present, imp.(*Imputer).Columns[0].Value, 0.5); e > bound {
		t.Errorf("sketched median rank error %v > %v", e, bound)
	}
	rs, err := RobustScaleSpec{MaxValues: 512}.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if e := rankError(present, rs.(*RobustScaler).Columns[0].Center, 0.5); e > bound {
		t.Errorf("robust centre rank error %v > %v", e, bound)
	}
	w, err := WinsorizeSpec{Lower: 0.05, Upper: 0.95, MaxValues: 512}.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	o := w.(*OutlierFilter)
	if e := rankError(present, *o.Columns[0].Hi, 0.95); e > bound || o.Changed[0] != -1 {
		t.Errorf("winsorize upper rank error %v, changed %d", e, o.Changed[0])
	}
	roundTrip(t, w, f)
	// Small data stays exact with MaxValues.
	small := mustFrame(t, frame.Floats("x", []float64{1, 2, 3, 10}))
	exact, _ := ImputeSpec{Strategy: Median, MaxValues: 512}.Fit(ctx, small)
	if v := exact.(*Imputer).Columns[0].Value; v != 2.5 {
		t.Errorf("small median %v, want 2.5", v)
	}
}

func TestSampleLimitMerge(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x := make([]float64, 3000)
	for i := range x {
		x[i] = r.Float64()
	}
	sorted := slices.Clone(x)
	slices.Sort(sorted)
	// Merge an exact sample into a sketched one and the other way round.
	// (A Sample shares its state when copied, as a slice does: build each
	// one afresh.)
	samples := func() (big, small Sample) {
		big, small = Sample{Limit: 100}, Sample{Limit: 100}
		big.AddBatch(x[:2950])
		small.AddBatch(append(slices.Clone(x[2950:]), nan))
		return big, small
	}
	a, small := samples()
	big, b := samples()
	if a.Exact() || !small.Exact() {
		t.Fatalf("exact: big %v small %v", a.Exact(), small.Exact())
	}
	a.Merge(small)
	b.Merge(big)
	for name, s := range map[string]*Sample{"sketched+exact": &a, "exact+sketched": &b} {
		if s.Len() != 3000 || s.Missing != 1 || s.Exact() {
			t.Errorf("%s: len %d missing %d exact %v", name, s.Len(), s.Missing, s.Exact())
		}
		bound := (math.Ceil(math.Log2(3000.0/100)) + 1) / 100
		if e := rankError(sorted, s.Median(), 0.5); e > bound {
			t.Errorf("%s: median rank error %v > %v", name, e, bound)
		}
	}
	// Two exact samples merging past the limit spill into a sketch.
	c, d := Sample{Limit: 100}, Sample{Limit: 100}
	c.AddBatch(x[:80])
	d.AddBatch(x[80:160])
	c.Merge(d)
	if c.Exact() || c.Len() != 160 {
		t.Errorf("merged past the limit: exact %v len %d", c.Exact(), c.Len())
	}
	c.AddBatch([]float64{nan, 0.5})
	if c.Len() != 161 || c.Missing != 1 {
		t.Errorf("add to a sketched sample: len %d missing %d", c.Len(), c.Missing)
	}
}
