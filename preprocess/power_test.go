package preprocess

import (
	"context"
	"errors"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

func TestPowerTransformParity(t *testing.T) {
	loadFixtures(t)
	var fx struct {
		Power []struct {
			Method      string       `json:"method"`
			Standardize bool         `json:"standardize"`
			Input       [][]*float64 `json:"input"`
			New         [][]*float64 `json:"new"`
			Lambdas     []float64    `json:"lambdas"`
			Output      [][]*float64 `json:"output"`
			Inverse     [][]*float64 `json:"inverse"`
		} `json:"power"`
	}
	readJSON(t, "testdata/fixtures.json", &fx)
	ctx := context.Background()
	for _, c := range fx.Power {
		train, test := floatFrame(t, nil, c.Input), floatFrame(t, nil, c.New)
		spec := PowerTransformSpec{BoxCox: c.Method == "box-cox", NoStandardize: !c.Standardize}
		fitted, err := spec.Fit(ctx, train)
		if err != nil {
			t.Fatal(err)
		}
		pt := fitted.(*PowerTransformer)
		// λ comes out of a search that stops within 1.48e-8·|λ| + 1e-11 of a
		// flat optimum, and floating-point noise in the objective (Go's
		// Pow against C's) moves where it stops: compare to 1e-6.
		for j, col := range pt.Columns {
			if d := col.Lambda - c.Lambdas[j]; d > 1e-6*max(1, c.Lambdas[j]) || -d > 1e-6*max(1, c.Lambdas[j]) {
				t.Errorf("%s: lambda %d = %v, want %v", c.Method, j, col.Lambda, c.Lambdas[j])
			}
		}
		// With scikit-learn's λ, the transform, scaling and inverse agree
		// to 1e-9.
		for j := range pt.Columns {
			x, _ := train.Float(pt.Columns[j].Name)
			var present []float64
			for _, v := range x {
				if v == v {
					present = append(present, v)
				}
			}
			pt.Columns[j] = spec.column(pt.Columns[j].Name, present, c.Lambdas[j])
		}
		out, err := fitted.Transform(ctx, test)
		if err != nil {
			t.Fatal(err)
		}
		back, err := pt.InverseTransform(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		for j, name := range test.Names() {
			got, _ := out.Float(name)
			checkFloats(t, c.Method+" "+name, got, floatsOf(c.Output[j]))
			inv, _ := back.Float(name)
			checkFloats(t, c.Method+" inverse "+name, inv, floatsOf(c.Inverse[j]))
		}
		roundTrip(t, fitted, test)
	}
	ctxBad := mustFrame(t, frame.Floats("x", []float64{1, -2, 3}))
	if _, err := (PowerTransformSpec{BoxCox: true}).Fit(ctx, ctxBad); !errors.Is(err, ErrParam) {
		t.Errorf("Box-Cox of a negative value: %v", err)
	}
}
