package preprocess_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// codecFrame returns n rows of float, categorical and bool columns with
// missing values.
func codecFrame(t *testing.T, n int, seed uint64) *frame.Frame {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	x, y := make([]float64, n), make([]float64, n)
	cats, valid := make([]string, n), make([]bool, n)
	bs, bvalid := make([]bool, n), make([]bool, n)
	for i := range n {
		x[i] = r.NormFloat64()*3 + 10
		y[i] = r.ExpFloat64()
		if r.IntN(10) == 0 {
			x[i] = math.NaN()
		}
		cats[i], valid[i] = []string{"a", "b", "c", "d"}[r.IntN(4)], r.IntN(8) != 0
		bs[i], bvalid[i] = r.IntN(3) == 0, r.IntN(9) != 0
	}
	f, err := frame.New(frame.Floats("x", x), frame.Floats("y", y),
		frame.Categories("c", cats, valid), frame.Bools("b", bs, bvalid))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestPartialRoundTrip checks that a Partial marshalled and read back
// merges and finishes exactly as the original, for every Incremental spec,
// before its first batch, with exact samples and with sketched ones.
func TestPartialRoundTrip(t *testing.T) {
	ctx := context.Background()
	a, b := codecFrame(t, 700, 1), codecFrame(t, 900, 2)
	specs := map[string]preprocess.Incremental{
		"impute mean":     preprocess.Impute(preprocess.Mean, "x", "y"),
		"impute median":   preprocess.Impute(preprocess.Median, "x", "y"),
		"impute sketched": preprocess.ImputeSpec{Strategy: preprocess.Median, Columns: []string{"x"}, MaxValues: 64},
		"impute frequent": preprocess.Impute(preprocess.MostFrequent, "x", "c", "b"),
		"impute constant": preprocess.ImputeSpec{Strategy: preprocess.Constant, Columns: []string{"x"}, Fill: 1},
		"standard scale":  preprocess.StandardScale("x", "y"),
		"one-hot":         preprocess.OneHot("c"),
		"min-max":         preprocess.MinMaxScale("x"),
		"max-abs":         preprocess.MaxAbsScale("y"),
		"robust":          preprocess.RobustScaleSpec{Columns: []string{"x", "y"}, MaxValues: 100},
		"quantile":        preprocess.QuantileTransform("y"),
		"range":           preprocess.Range(5, 15, "x"),
		"iqr":             preprocess.IQR("x"),
		"z-score":         preprocess.ZScore("y"),
		"winsorize":       preprocess.Winsorize(0.05, 0.95, "x"),
		"ordinal":         preprocess.Ordinal("c"),
		"frequency":       preprocess.FrequencyEncode("c"),
		"missing":         preprocess.MissingIndicator("x", "c"),
		"drop sparse":     preprocess.DropSparse(0.5),
		"power":           preprocess.PowerTransform("y"),
	}
	roundTrip := func(t *testing.T, s preprocess.Incremental, p preprocess.Partial) preprocess.Partial {
		t.Helper()
		data, err := preprocess.MarshalPartial(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := preprocess.UnmarshalPartial(s, data)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	for name, s := range specs {
		t.Run(name, func(t *testing.T) {
			fit := func(codec bool) []byte {
				pa, pb := s.Begin(), s.Begin()
				if err := pa.Add(ctx, a); err != nil {
					t.Fatal(err)
				}
				if err := pb.Add(ctx, b); err != nil {
					t.Fatal(err)
				}
				empty := s.Begin()
				if codec {
					pa, pb, empty = roundTrip(t, s, pa), roundTrip(t, s, pb), roundTrip(t, s, empty)
				}
				for _, o := range []preprocess.Partial{pb, empty} {
					if err := pa.Merge(o); err != nil {
						t.Fatal(err)
					}
				}
				f, err := pa.Finish()
				if err != nil {
					t.Fatal(err)
				}
				out, err := preprocess.MarshalFitted(f)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			if want, got := fit(false), fit(true); !bytes.Equal(want, got) {
				t.Errorf("after a round trip:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestUnmarshalPartialErrors(t *testing.T) {
	p := preprocess.StandardScale("x").Begin()
	if err := p.Add(context.Background(), codecFrame(t, 10, 3)); err != nil {
		t.Fatal(err)
	}
	data, err := preprocess.MarshalPartial(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := preprocess.UnmarshalPartial(preprocess.OneHot("c"), data); !errors.Is(err, preprocess.ErrParam) {
		t.Errorf("another step's data: got %v, want ErrParam", err)
	}
	if _, err := preprocess.UnmarshalPartial(preprocess.StandardScale("x"), data[:len(data)/2]); err == nil {
		t.Error("truncated data: no error")
	}
	type foreign struct{ preprocess.Partial }
	if _, err := preprocess.MarshalPartial(foreign{p}); !errors.Is(err, preprocess.ErrParam) {
		t.Errorf("foreign partial: got %v, want ErrParam", err)
	}
}
