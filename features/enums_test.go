package features

import (
	"context"
	"encoding"
	"errors"
	"fmt"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// TestEnumText checks each saved enumeration reads back its own names and
// rejects unknown values both ways.
func TestEnumText(t *testing.T) {
	type enum interface {
		fmt.Stringer
		encoding.TextMarshaler
	}
	tests := []struct {
		name  string
		valid []enum
		bad   enum
		read  func([]byte) (enum, error)
	}{
		{"norm", []enum{L2, L1, NoNorm}, Norm(9), func(b []byte) (enum, error) { var n Norm; err := n.UnmarshalText(b); return n, err }},
		{"strategy", []enum{Quantile, Uniform, KMeans}, BinStrategy(9), func(b []byte) (enum, error) {
			var s BinStrategy
			err := s.UnmarshalText(b)
			return s, err
		}},
		{"score", []enum{FClassif, Chi2, MutualInfo}, ScoreFunc(9), func(b []byte) (enum, error) {
			var s ScoreFunc
			err := s.UnmarshalText(b)
			return s, err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range tc.valid {
				b, err := v.MarshalText()
				if err != nil || string(b) != v.String() {
					t.Fatalf("MarshalText(%v) = %q, %v", v, b, err)
				}
				back, err := tc.read(b)
				if err != nil || back != v {
					t.Errorf("UnmarshalText(%q) = %v, %v", b, back, err)
				}
			}
			if _, err := tc.bad.MarshalText(); !errors.Is(err, ErrParam) {
				t.Errorf("MarshalText(%v): %v, want ErrParam", tc.bad, err)
			}
			if s := tc.bad.String(); s == "" {
				t.Error("String of an unknown value is empty")
			}
			if _, err := tc.read([]byte("nonsense")); !errors.Is(err, ErrParam) {
				t.Errorf("UnmarshalText(nonsense): %v, want ErrParam", err)
			}
		})
	}
}

func TestBuildersAndMissingColumns(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t, frame.Floats("a", []float64{1, 2, 3, 4}), frame.Floats("b", []float64{2, 4, 6, 8.5}),
		frame.Floats("y", []float64{0, 0, 1, 1}))
	p := Polynomial(2, "a", "b").WithInteractionOnly(true).WithBias(true)
	if _, out := fitTransform(t, p, f); fmt.Sprint(out.Names()) != "[1 a b a b y]" {
		t.Errorf("interaction-only with bias: %v", out.Names())
	}
	if _, out := fitTransform(t, Cyclical("a", 4).WithKeepSource(true), f); fmt.Sprint(out.Names()) != "[a a_sin a_cos b y]" {
		t.Errorf("cyclical keeping the source: %v", out.Names())
	}
	// Selection steps given a frame without a column they drop.
	type dropper interface {
		Transform(context.Context, *frame.Frame) (*frame.Frame, error)
		FeatureNamesOut([]string) ([]string, error)
	}
	other := mustFrame(t, frame.Floats("y", []float64{1}))
	for _, tc := range []struct {
		name string
		spec interface {
			Fit(context.Context, *frame.Frame) (preprocess.Fitted, error)
		}
		f *frame.Frame
	}{
		{"variance", VarianceThreshold(0, "a", "b"), mustFrame(t, frame.Floats("a", []float64{1, 1}), frame.Floats("b", []float64{1, 2}))},
		{"k best", SelectKBest("y", 1, FClassif), f},
		{"correlated", DropCorrelated(0.9, "a", "b"), f},
	} {
		fitted, err := tc.spec.Fit(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		d := fitted.(dropper)
		if _, err := d.Transform(ctx, other); !errors.Is(err, frame.ErrNoColumn) {
			t.Errorf("%s: transform without the dropped column: %v", tc.name, err)
		}
		if _, err := d.FeatureNamesOut(other.Names()); !errors.Is(err, frame.ErrNoColumn) {
			t.Errorf("%s: names without the dropped column: %v", tc.name, err)
		}
	}
}
