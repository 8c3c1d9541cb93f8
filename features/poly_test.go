package features

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

func TestPolynomialParity(t *testing.T) {
	var fx struct {
		X     [][]float64 `json:"X"`
		Cases []struct {
			Degree          int         `json:"degree"`
			MinDegree       int         `json:"min_degree"`
			InteractionOnly bool        `json:"interaction_only"`
			Bias            bool        `json:"bias"`
			Names           []string    `json:"names"`
			Y               [][]float64 `json:"Y"`
		} `json:"cases"`
	}
	loadFixtures(t).section(t, "poly", &fx)
	cols := [3][]float64{}
	for _, row := range fx.X {
		for j := range cols {
			cols[j] = append(cols[j], row[j])
		}
	}
	f := mustFrame(t, frame.Floats("id", make([]float64, len(fx.X))),
		frame.Floats("a", cols[0]), frame.Floats("b", cols[1]), frame.Floats("c", cols[2]),
		frame.Categories("k", make([]string, len(fx.X)), nil))
	for _, c := range fx.Cases {
		spec := PolynomialSpec{Degree: c.Degree, MinDegree: c.MinDegree, InteractionOnly: c.InteractionOnly, Bias: c.Bias,
			Columns: []string{"a", "b", "c"}}
		fitted, out := fitTransform(t, spec, f)
		names := fitted.(*PolynomialExpander).Names()
		if !reflect.DeepEqual(names, c.Names) {
			t.Fatalf("degree %d..%d: names %q, want %q", c.MinDegree, c.Degree, names, c.Names)
		}
		wantOrder := append(append([]string{"id"}, c.Names...), "k")
		if !reflect.DeepEqual(out.Names(), wantOrder) {
			t.Fatalf("columns %q, want %q", out.Names(), wantOrder)
		}
		X, _, err := out.Matrix(c.Names...)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range c.Y {
			assertClose(t, "row", X.RawRowView(i), row, 1e-12)
		}
		roundTrip(t, fitted, f)
	}
}

func TestPolynomialHand(t *testing.T) {
	// Missing values propagate; all float columns are used by default.
	f := mustFrame(t, frame.Floats("x", []float64{2, math.NaN()}), frame.Floats("y", []float64{3, 4}))
	_, out := fitTransform(t, PolynomialSpec{}, f) // the zero spec: degree 2 of all float columns
	want := map[string][]float64{"x": {2, math.NaN()}, "y": {3, 4}, "x^2": {4, math.NaN()}, "x y": {6, math.NaN()}, "y^2": {9, 16}}
	if got := out.Names(); !reflect.DeepEqual(got, []string{"x", "y", "x^2", "x y", "y^2"}) {
		t.Fatalf("names %q", got)
	}
	for name, w := range want {
		got, _ := out.Float(name)
		assertClose(t, name, got, w, 0)
	}
	ctx := context.Background()
	tests := []struct {
		name string
		spec preprocess.Step
		want error
	}{
		{"negative degree", Polynomial(-1), ErrParam},
		{"no interaction of 2 columns at degree 3", PolynomialSpec{Degree: 3, MinDegree: 3, InteractionOnly: true}, ErrParam},
		{"min above max", PolynomialSpec{Degree: 2, MinDegree: 3}, ErrParam},
		{"too many terms", Polynomial(40, "x", "y"), nil},
		{"not float", Polynomial(2, "k"), frame.ErrNoColumn},
		{"name clash", Polynomial(2, "y"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.spec.Fit(ctx, f)
			if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("Fit: %v, want %v", err, tc.want)
			}
		})
	}
	wide := make([]frame.Series, 30)
	for i := range wide {
		wide[i] = frame.Floats(string(rune('A'+i)), []float64{1})
	}
	if _, err := Polynomial(5).Fit(ctx, mustFrame(t, wide...)); !errors.Is(err, ErrParam) {
		t.Errorf("30 columns to degree 5 (324,631 terms): %v, want ErrParam", err)
	}
	clash := mustFrame(t, frame.Floats("x", []float64{1}), frame.Floats("x^2", []float64{1}))
	if _, err := Polynomial(2, "x").Fit(ctx, clash); !errors.Is(err, frame.ErrDuplicate) {
		t.Errorf("x^2 already a column: %v, want ErrDuplicate", err)
	}
}
