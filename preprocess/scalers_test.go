package preprocess

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

type scalerFixtures struct {
	Scalers []struct {
		Name   string `json:"name"`
		Params struct {
			Lo, Hi       float64
			Clip         bool
			QLo          float64 `json:"qlo"`
			QHi          float64 `json:"qhi"`
			UnitVariance bool    `json:"unit_variance"`
			NoCenter     bool    `json:"no_center"`
		} `json:"params"`
		Columns []string     `json:"columns"`
		Input   [][]*float64 `json:"input"`
		New     [][]*float64 `json:"new"`
		Output  [][]*float64 `json:"output"`
		Inverse [][]*float64 `json:"inverse"`
	} `json:"scalers"`
	Normalizer []struct {
		Norm   string       `json:"norm"`
		Input  [][]*float64 `json:"input"`
		Output [][]*float64 `json:"output"`
	} `json:"normalizer"`
	Quantile []struct {
		Name         string       `json:"name"`
		NQuantiles   int          `json:"n_quantiles"`
		Distribution string       `json:"distribution"`
		Input        [][]*float64 `json:"input"`
		New          [][]*float64 `json:"new"`
		Quantiles    [][]*float64 `json:"quantiles"`
		Output       [][]*float64 `json:"output"`
		Inverse      [][]*float64 `json:"inverse"`
	} `json:"quantile"`
}

func loadScalerFixtures(t *testing.T) *scalerFixtures {
	t.Helper()
	loadFixtures(t) // checks the version
	var fx scalerFixtures
	readJSON(t, "testdata/fixtures.json", &fx)
	return &fx
}

func floatFrame(t *testing.T, names []string, cols [][]*float64) *frame.Frame {
	t.Helper()
	series := make([]frame.Series, len(cols))
	for j, c := range cols {
		name := "x" + string(rune('0'+j))
		if names != nil {
			name = names[j]
		}
		series[j] = frame.Floats(name, floatsOf(c))
	}
	return mustFrame(t, series...)
}

// inverter is a fitted step with an inverse transform.
type inverter interface {
	Fitted
	InverseTransform(ctx context.Context, f *frame.Frame) (*frame.Frame, error)
}

func TestScalerParity(t *testing.T) {
	fx := loadScalerFixtures(t)
	ctx := context.Background()
	for _, c := range fx.Scalers {
		t.Run(c.Name, func(t *testing.T) {
			var spec Incremental
			switch c.Name[:3] {
			case "min":
				spec = MinMaxScaleSpec{Lo: c.Params.Lo, Hi: c.Params.Hi, Clip: c.Params.Clip}
			case "max":
				spec = MaxAbsScale()
			case "rob":
				spec = RobustScaleSpec{QLo: c.Params.QLo, QHi: c.Params.QHi, UnitVariance: c.Params.UnitVariance, NoCenter: c.Params.NoCenter}
			}
			train, test := floatFrame(t, c.Columns, c.Input), floatFrame(t, c.Columns, c.New)
			for _, chunks := range []int{1 << 16, 10} {
				withChunkRows(chunks, func() {
					fitted, err := spec.Fit(ctx, train)
					if err != nil {
						t.Fatal(err)
					}
					out, err := fitted.Transform(ctx, test)
					if err != nil {
						t.Fatal(err)
					}
					back, err := fitted.(inverter).InverseTransform(ctx, out)
					if err != nil {
						t.Fatal(err)
					}
					for j, name := range c.Columns {
						got, _ := out.Float(name)
						checkFloats(t, name+" output", got, floatsOf(c.Output[j]))
						inv, _ := back.Float(name)
						checkFloats(t, name+" inverse", inv, floatsOf(c.Inverse[j]))
					}
					roundTrip(t, fitted, test)
				})
			}
		})
	}
}

func TestNormalizeRowsParity(t *testing.T) {
	fx := loadScalerFixtures(t)
	ctx := context.Background()
	norms := map[string]RowNorm{"l2": L2, "l1": L1, "max": MaxNorm}
	for _, c := range fx.Normalizer {
		f := floatFrame(t, nil, c.Input)
		fitted, err := NormalizeRows(norms[c.Norm]).Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := fitted.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for j, name := range f.Names() {
			got, _ := out.Float(name)
			checkFloats(t, c.Norm+" "+name, got, floatsOf(c.Output[j]))
		}
		roundTrip(t, fitted, f)
	}
	withNaN := mustFrame(t, frame.Floats("a", []float64{1, nan}), frame.Floats("b", []float64{1, 2}))
	fitted, _ := NormalizeRows(L2).Fit(ctx, withNaN)
	if _, err := fitted.Transform(ctx, withNaN); !errors.Is(err, frame.ErrMissing) {
		t.Errorf("NaN in a row: %v", err)
	}
}

func TestQuantileParity(t *testing.T) {
	fx := loadScalerFixtures(t)
	ctx := context.Background()
	for _, c := range fx.Quantile {
		t.Run(c.Name, func(t *testing.T) {
			train, test := floatFrame(t, nil, c.Input), floatFrame(t, nil, c.New)
			spec := QuantileTransformSpec{Quantiles: c.NQuantiles, Normal: c.Distribution == "normal"}
			fitted, err := spec.Fit(ctx, train)
			if err != nil {
				t.Fatal(err)
			}
			qt := fitted.(*QuantileTransformer)
			for j := range qt.Columns {
				checkFloats(t, "quantiles", qt.Columns[j].Quantiles, floatsOf(c.Quantiles[j]))
			}
			out, err := fitted.Transform(ctx, test)
			if err != nil {
				t.Fatal(err)
			}
			back, err := qt.InverseTransform(ctx, out)
			if err != nil {
				t.Fatal(err)
			}
			for j, name := range test.Names() {
				got, _ := out.Float(name)
				checkFloats(t, name+" output", got, floatsOf(c.Output[j]))
				inv, _ := back.Float(name)
				checkFloats(t, name+" inverse", inv, floatsOf(c.Inverse[j]))
			}
			roundTrip(t, fitted, test)
		})
	}
}

func TestScalerBadInput(t *testing.T) {
	ctx := context.Background()
	f := sampleFrame(t)
	inf := mustFrame(t, frame.Floats("x", []float64{1, math.Inf(-1)}))
	allNaN := mustFrame(t, frame.Floats("x", []float64{nan, nan}))
	tests := []struct {
		name string
		step Step
		f    *frame.Frame
		want error
	}{
		{"min-max empty range", MinMaxScale().WithRange(1, 1), f, ErrParam},
		{"min-max unknown column", MinMaxScale("nope"), f, frame.ErrNoColumn},
		{"min-max categorical", MinMaxScale("city"), f, frame.ErrKind},
		{"min-max infinity", MinMaxScale(), inf, ErrNotFinite},
		{"max-abs all missing", MaxAbsScale(), allNaN, ErrAllMissing},
		{"robust bad range", RobustScaleSpec{QLo: 80, QHi: 20}, f, ErrParam},
		{"robust empty", RobustScale(), emptyOf(t, f), frame.ErrEmpty},
		{"quantile negative", QuantileTransformSpec{Quantiles: -1}, f, ErrParam},
		{"normalize bad norm", NormalizeRowsSpec{Norm: 7}, f, ErrParam},
		{"normalize string", NormalizeRows(L1, "note"), f, frame.ErrKind},
	}
	for _, tt := range tests {
		if _, err := tt.step.Fit(ctx, tt.f); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

func emptyOf(t *testing.T, f *frame.Frame) *frame.Frame {
	t.Helper()
	e, err := f.Slice(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
