package features

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

type selectionFixture struct {
	X          [][]float64 `json:"X"`
	Y          []float64   `json:"y"`
	Xd         [][]float64 `json:"Xd"`
	F          []*float64  `json:"f"`
	FP         []*float64  `json:"f_p"`
	Chi2       []*float64  `json:"chi2"`
	Chi2P      []*float64  `json:"chi2_p"`
	MI         []float64   `json:"mi"`
	MIDiscrete []float64   `json:"mi_discrete"`
	KBest      []struct {
		K    int    `json:"k"`
		F    []bool `json:"f"`
		Chi2 []bool `json:"chi2"`
	} `json:"kbest"`
	V        [][]*float64 `json:"V"`
	Variance []struct {
		Threshold float64    `json:"threshold"`
		Variances []*float64 `json:"variances"`
		Support   []bool     `json:"support"`
	} `json:"variance"`
	C       map[string][]*float64 `json:"C"`
	Corr    [][]*float64          `json:"corr"`
	Dropped map[string][]string   `json:"dropped"`
}

// matrixFrame returns the columns of rows as float columns x0, x1, … and
// the target y (when not nil).
func matrixFrame(t *testing.T, rows [][]float64, y []float64, transform func(float64) float64) *frame.Frame {
	var series []frame.Series
	for j := range rows[0] {
		col := make([]float64, len(rows))
		for i := range rows {
			col[i] = rows[i][j]
			if transform != nil {
				col[i] = transform(col[i])
			}
		}
		series = append(series, frame.Floats("x"+strconv.Itoa(j), col))
	}
	if y != nil {
		series = append(series, frame.Floats("y", y))
	}
	return mustFrame(t, series...)
}

func support(names []string, s *KBestSelector) []bool {
	out := make([]bool, len(names))
	for i, n := range names {
		out[i] = !slices.Contains(s.Drop, n)
	}
	return out
}

func TestSelectKBestParity(t *testing.T) {
	var fx selectionFixture
	loadFixtures(t).section(t, "selection", &fx)
	ctx := context.Background()
	f := matrixFrame(t, fx.X, fx.Y, nil)
	pos := matrixFrame(t, fx.X, fx.Y, math.Abs)
	names := []string{"x0", "x1", "x2", "x3", "x4", "x5"}
	for _, kb := range fx.KBest {
		t.Run(fmt.Sprint("k=", kb.K), func(t *testing.T) {
			fitted, out := fitTransform(t, SelectKBest("y", kb.K, FClassif), f)
			s := fitted.(*KBestSelector)
			assertClose(t, "F", s.Scores, nullable(fx.F), 1e-9)
			assertClose(t, "F p-values", s.PValues, nullable(fx.FP), 1e-9)
			if got := support(names, s); !reflect.DeepEqual(got, kb.F) {
				t.Errorf("f_classif support %v, want %v", got, kb.F)
			}
			if out.NumCols() != kb.K+1 || !out.Has("y") {
				t.Errorf("output columns %v, want %d and the target", out.Names(), kb.K)
			}
			roundTrip(t, fitted, f)

			fitted, _ = fitTransform(t, SelectKBest("y", kb.K, Chi2), pos)
			s = fitted.(*KBestSelector)
			assertClose(t, "chi2", s.Scores, nullable(fx.Chi2), 1e-9)
			assertClose(t, "chi2 p-values", s.PValues, nullable(fx.Chi2P), 1e-9)
			if got := support(names, s); !reflect.DeepEqual(got, kb.Chi2) {
				t.Errorf("chi2 support %v, want %v", got, kb.Chi2)
			}
			roundTrip(t, fitted, pos)
		})
	}
	// Mutual information: continuous features (column 3 holds counts, whose
	// ties scikit-learn breaks with random noise: its score is compared
	// only as near zero) and discrete ones.
	fitted, err := SelectKBest("y", 2, MutualInfo).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	mi := fitted.(*KBestSelector).Scores
	for j, want := range fx.MI {
		if j == 3 {
			if mi[j] > 0.02 {
				t.Errorf("mutual information of a noise count column = %v, want near 0", mi[j])
			}
			continue
		}
		if !closeTo(mi[j], want, 1e-9) {
			t.Errorf("mutual information %d = %v, want %v", j, mi[j], want)
		}
	}
	if got := fitted.(*KBestSelector).Kept(); !reflect.DeepEqual(got, []string{"x0", "x2"}) {
		t.Errorf("kept %v, want [x0 x2]", got)
	}
	fd := matrixFrame(t, fx.Xd, fx.Y, nil)
	fitted, err = SelectKBestSpec{Target: "y", K: 1, Score: MutualInfo, Discrete: true}.Fit(ctx, fd)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "discrete mutual information", fitted.(*KBestSelector).Scores, fx.MIDiscrete, 1e-9)
	roundTrip(t, fitted, fd)
}

func TestSelectKBestTargets(t *testing.T) {
	ctx := context.Background()
	x := []float64{1, 2, 3, 10, 11, 12}
	noise := []float64{5, 1, 4, 2, 6, 3}
	// The same classes as float, bool and categorical targets give the same scores.
	targets := []frame.Series{
		frame.Floats("y", []float64{0, 0, 0, 1, 1, 1}),
		frame.Bools("y", []bool{false, false, false, true, true, true}, nil),
		frame.Categories("y", []string{"stay", "stay", "stay", "churn", "churn", "churn"}, nil),
	}
	var first []float64
	for _, y := range targets {
		f := mustFrame(t, frame.Floats("x", x), frame.Floats("noise", noise), y)
		fitted, out := fitTransform(t, SelectKBest("y", 1, FClassif), f)
		s := fitted.(*KBestSelector)
		if first == nil {
			first = s.Scores
		}
		if !reflect.DeepEqual(s.Scores, first) || !reflect.DeepEqual(out.Names(), []string{"x", "y"}) {
			t.Errorf("%v target: scores %v columns %v", y.Col.Kind(), s.Scores, out.Names())
		}
	}
	// F by hand: group means 2 and 11, within-group sum of squares 4, so
	// F = (121.5/1) / (4/4) = 121.5.
	if !closeTo(first[0], 121.5, 1e-12) {
		t.Errorf("F = %v, want 121.5", first[0])
	}
	tests := []struct {
		name string
		spec preprocess.Step
		f    *frame.Frame
		want error
	}{
		{"k zero", SelectKBest("y", 0, FClassif), nil, ErrParam},
		{"k too big", SelectKBest("y", 3, FClassif), nil, ErrParam},
		{"bad score", SelectKBest("y", 1, 9), nil, ErrParam},
		{"no target", SelectKBest("z", 1, FClassif), nil, ErrTarget},
		{"one class", SelectKBest("y", 1, FClassif), mustFrame(t, frame.Floats("x", x), frame.Floats("y", make([]float64, 6))), ErrParam},
		{"missing target", SelectKBest("y", 1, FClassif), mustFrame(t, frame.Floats("x", x), frame.Floats("y", []float64{0, 1, math.NaN(), 0, 1, 0})), ErrTarget},
		{"missing feature", SelectKBest("y", 1, FClassif), mustFrame(t, frame.Floats("x", []float64{1, math.NaN(), 3, 4, 5, 6}), targets[0]), frame.ErrMissing},
		{"negative chi2", SelectKBest("y", 1, Chi2), mustFrame(t, frame.Floats("x", []float64{1, -1, 3, 4, 5, 6}), targets[0]), ErrParam},
		{"target as candidate", SelectKBest("y", 1, FClassif, "x", "y"), nil, ErrParam},
		{"string target", SelectKBest("y", 1, FClassif), mustFrame(t, frame.Floats("x", x), frame.Strings("y", []string{"a", "b", "a", "b", "a", "b"}, nil)), ErrTarget},
	}
	base := mustFrame(t, frame.Floats("x", x), frame.Floats("noise", noise), targets[0])
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			if f == nil {
				f = base
			}
			if _, err := tc.spec.Fit(ctx, f); !errors.Is(err, tc.want) {
				t.Fatalf("Fit: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVarianceThresholdParity(t *testing.T) {
	var fx selectionFixture
	loadFixtures(t).section(t, "selection", &fx)
	rows := make([][]float64, len(fx.V))
	for i, r := range fx.V {
		rows[i] = nullable(r)
	}
	f := matrixFrame(t, rows, nil, nil)
	names := f.Names()
	for _, c := range fx.Variance {
		t.Run(fmt.Sprint(c.Threshold), func(t *testing.T) {
			fitted, out := fitTransform(t, VarianceThreshold(c.Threshold), f)
			v := fitted.(*VarianceSelector)
			assertClose(t, "variances", v.Variances, nullable(c.Variances), 1e-9)
			for j, keep := range c.Support {
				if out.Has(names[j]) != keep {
					t.Errorf("column %s kept %v, want %v", names[j], !keep, keep)
				}
			}
			roundTrip(t, fitted, f)
		})
	}
	ctx := context.Background()
	// Summaries of 8 shards, merged, select as the whole data does.
	whole, err := VarianceThreshold(0.05).Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	moments := make([]preprocess.Moments, len(names))
	for k := range 8 {
		part, _ := f.Slice(k*f.NumRows()/8, (k+1)*f.NumRows()/8)
		for j, n := range names {
			v, _ := part.Float(n)
			var m preprocess.Moments
			m.AddBatch(v)
			moments[j] = moments[j].Merge(m)
		}
	}
	merged, err := VarianceThreshold(0.05).FitMoments(names, moments)
	if err != nil {
		t.Fatal(err)
	}
	if w := whole.(*VarianceSelector); !reflect.DeepEqual(merged.Drop, w.Drop) {
		t.Errorf("merged drop %v, whole %v", merged.Drop, w.Drop)
	} else {
		assertClose(t, "merged variances", merged.Variances, w.Variances, 1e-12)
	}
	if _, err := VarianceThreshold(0).FitMoments(names[:1], moments); !errors.Is(err, ErrParam) {
		t.Errorf("1 name, 4 summaries: %v", err)
	}
	for _, tc := range []struct {
		name string
		spec VarianceThresholdSpec
		want error
	}{{"negative", VarianceThreshold(-1), ErrParam}, {"none kept", VarianceThreshold(1e9), ErrParam}} {
		if _, err := tc.spec.Fit(ctx, f); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestDropCorrelatedParity(t *testing.T) {
	var fx selectionFixture
	loadFixtures(t).section(t, "selection", &fx)
	order := []string{"a", "b", "c", "d", "e", "f"}
	var series []frame.Series
	for _, n := range order {
		series = append(series, frame.Floats(n, nullable(fx.C[n])))
	}
	series = append(series, frame.Categories("label", make([]string, len(fx.C["a"])), nil))
	f := mustFrame(t, series...)
	for i := range order {
		for j := range i {
			got := pearson(nullable(fx.C[order[j]]), nullable(fx.C[order[i]]))
			if !closeTo(got, *fx.Corr[j][i], 1e-12) {
				t.Errorf("corr(%s, %s) = %v, want %v", order[j], order[i], got, *fx.Corr[j][i])
			}
		}
	}
	for th, want := range fx.Dropped {
		threshold, _ := strconv.ParseFloat(th, 64)
		fitted, out := fitTransform(t, DropCorrelated(threshold), f)
		if got := fitted.(*CorrelationFilter).dropped(); !reflect.DeepEqual(got, want) {
			t.Errorf("threshold %v dropped %v, want %v", th, got, want)
		}
		if out.NumCols() != len(order)+1-len(want) {
			t.Errorf("threshold %v: columns %v", th, out.Names())
		}
		roundTrip(t, fitted, f)
	}
	if _, err := DropCorrelated(1.5).Fit(context.Background(), f); !errors.Is(err, ErrParam) {
		t.Errorf("threshold 1.5: %v, want ErrParam", err)
	}
}
