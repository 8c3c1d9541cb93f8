package features

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

func TestKBinsParity(t *testing.T) {
	var fx struct {
		Train map[string][]float64 `json:"train"`
		Test  []float64            `json:"test"`
		Cases []struct {
			Strategy string `json:"strategy"`
			Bins     int    `json:"bins"`
			Columns  map[string]struct {
				Unspecified bool       `json:"unspecified"`
				Edges       []float64  `json:"edges"`
				Train       []float64  `json:"train"`
				Test        []float64  `json:"test"`
				Inverse     []*float64 `json:"inverse"`
			} `json:"columns"`
		} `json:"cases"`
	}
	loadFixtures(t).section(t, "bins", &fx)
	order := []string{"normal", "skewed", "ties", "constant", "clusters"}
	var series, testSeries []frame.Series
	for _, name := range order {
		series = append(series, frame.Floats(name, fx.Train[name]))
		testSeries = append(testSeries, frame.Floats(name, fx.Test))
	}
	train, test := mustFrame(t, series...), mustFrame(t, testSeries...)
	for _, c := range fx.Cases {
		t.Run(fmt.Sprintf("%s/%d", c.Strategy, c.Bins), func(t *testing.T) {
			var strategy BinStrategy
			if err := strategy.UnmarshalText([]byte(c.Strategy)); err != nil {
				t.Fatal(err)
			}
			fitted, out := fitTransform(t, KBins(c.Bins, strategy), train)
			b := fitted.(*BinDiscretizer)
			for k, col := range b.Columns {
				want := c.Columns[order[k]]
				if want.Unspecified {
					// Only the outcome is specified: each distinct value in a bin of its own.
					got, _ := out.Float(col.Name)
					binOf := map[float64]float64{}
					for i, x := range fx.Train[col.Name] {
						if b, ok := binOf[x]; ok && b != got[i] {
							t.Fatalf("%s: value %v in bins %v and %v", col.Name, x, b, got[i])
						}
						binOf[x] = got[i]
					}
					seen := map[float64]bool{}
					for _, b := range binOf {
						if seen[b] {
							t.Fatalf("%s: two values share bin %v (edges %v)", col.Name, b, col.Edges)
						}
						seen[b] = true
					}
					continue
				}
				if len(col.Edges) != len(want.Edges) {
					t.Fatalf("%s: edges %v, want %v", col.Name, col.Edges, want.Edges)
				}
				assertClose(t, col.Name+" edges", col.Edges, want.Edges, 1e-9)
				got, _ := out.Float(col.Name)
				assertClose(t, col.Name+" train bins", got, want.Train, 0)
			}
			outTest, err := fitted.Transform(context.Background(), test)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range order {
				if c.Columns[name].Unspecified {
					continue
				}
				got, _ := outTest.Float(name)
				assertClose(t, name+" test bins", got, c.Columns[name].Test, 0)
			}
			roundTrip(t, fitted, test)

			inv, err := fitted.(*BinDiscretizer).Inverse(context.Background(), outTest)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range order {
				if c.Columns[name].Unspecified {
					continue
				}
				got, _ := inv.Float(name)
				assertClose(t, name+" inverse", got, nullable(c.Columns[name].Inverse), 1e-9)
			}
			// One-hot bins invert to the same centres.
			oh, err := KBinsSpec{Bins: c.Bins, Strategy: strategy, OneHot: true}.Fit(context.Background(), train)
			if err != nil {
				t.Fatal(err)
			}
			ohOut, err := oh.Transform(context.Background(), test)
			if err != nil {
				t.Fatal(err)
			}
			ohInv, err := oh.(*BinDiscretizer).Inverse(context.Background(), ohOut)
			if err != nil {
				t.Fatal(err)
			}
			assertFramesEqual(t, ohInv, inv)
		})
	}
}

func TestKBinsHand(t *testing.T) {
	nan := math.NaN()
	f := mustFrame(t, frame.Floats("x", []float64{0, 1, 2, 3, nan, 4}), frame.Floats("y", []float64{1, 1, 1, 1, 1, 1}))
	// Uniform edges 0, 2, 4: values at an inner edge go up; NaN stays NaN.
	fitted, out := fitTransform(t, KBins(2, Uniform, "x"), f)
	got, _ := out.Float("x")
	assertClose(t, "ordinal", got, []float64{0, 0, 1, 1, nan, 1}, 0)
	roundTrip(t, fitted, f)

	// The zero spec: 5 quantile bins of every float column; the edges are
	// numpy.percentile([0, 1, 2, 3, 4], linspace(0, 100, 6)).
	fitted, _ = fitTransform(t, KBinsSpec{}, f)
	if got := fitted.(*BinDiscretizer).Columns[0].Edges; !reflect.DeepEqual(got, []float64{0, 0.8, 1.6, 2.4, 3.2, 4}) {
		t.Errorf("default edges %v", got)
	}

	fitted, out = fitTransform(t, KBins(2, Uniform).WithOneHot(true), f)
	if want := []string{"x=0", "x=1", "y=0"}; !reflect.DeepEqual(out.Names(), want) {
		t.Fatalf("one-hot names %q, want %q", out.Names(), want)
	}
	for name, want := range map[string][]float64{"x=0": {1, 1, 0, 0, 0, 0}, "x=1": {0, 0, 1, 1, 0, 1}, "y=0": {1, 1, 1, 1, 1, 1}} {
		got, _ := out.Float(name)
		assertClose(t, name, got, want, 0)
	}
	roundTrip(t, fitted, f)

	ctx := context.Background()
	tests := []struct {
		name string
		spec preprocess.Step
		f    *frame.Frame
		want error
	}{
		{"one bin", KBins(1, Quantile), f, ErrParam},
		{"bad strategy", KBins(3, 7), f, ErrParam},
		{"infinite", KBins(2, Uniform), mustFrame(t, frame.Floats("x", []float64{1, math.Inf(1)})), ErrNotFinite},
		{"all missing", KBins(2, Uniform), mustFrame(t, frame.Floats("x", []float64{nan, nan})), ErrAllMissing},
		{"not float", KBins(2, Uniform, "c"), mustFrame(t, frame.Categories("c", []string{"a"}, nil)), frame.ErrKind},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.spec.Fit(ctx, tc.f); !errors.Is(err, tc.want) {
				t.Fatalf("Fit: %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := preprocess.UnmarshalFitted([]byte(`{"kind":"features.kbins","version":1,"state":{"columns":[{"name":"x","edges":[0,2,1]}],"strategy":"uniform"}}`)); !errors.Is(err, ErrState) {
		t.Errorf("loading decreasing edges: %v, want ErrState", err)
	}
}
