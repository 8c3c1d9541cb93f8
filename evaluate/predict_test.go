package evaluate

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

func TestCrossValPredict(t *testing.T) {
	// Classes 0, 1, 2; class 2 only in rows 8 and 9, so KFold{K: 5}'s last
	// fold trains without it.
	y := []float64{0, 1, 0, 1, 0, 0, 1, 1, 2, 2}
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	data, _ := frame.New(frame.Floats("x", x), frame.Floats("y", y))
	run := func(workers int) *OutOfFold {
		oof, err := CrossValPredict(context.Background(), majority("y"), data, "y",
			CVOptions{Splitter: KFold{K: 5}, Workers: workers, Scorers: []Scorer{{Name: "ignored"}}})
		if err != nil {
			t.Fatal(err)
		}
		return oof
	}
	oof := run(1)
	if !slices.Equal(oof.Classes, []float64{0, 1, 2}) {
		t.Fatalf("classes %v", oof.Classes)
	}
	// Fold 0 holds out rows 0–1 and trains on 3×0, 3×1, 2×2: majority 0 (the
	// smaller on a tie) with frequencies 3/8, 3/8, 2/8.
	if oof.Pred[0] != 0 || oof.Proba.At(0, 0) != 3.0/8 || oof.Proba.At(0, 2) != 2.0/8 {
		t.Errorf("row 0: %v, %v", oof.Pred[0], oof.Proba.RawRowView(0))
	}
	// Fold 4 holds out rows 8–9 (both class 2), trains on 4×0 and 4×1: the
	// class-2 column is 0.
	if got := oof.Proba.RawRowView(9); !slices.Equal(got, []float64{0.5, 0.5, 0}) {
		t.Errorf("row 9 probabilities %v, want [0.5 0.5 0]", got)
	}
	eight := run(8)
	if !slices.Equal(oof.Pred, eight.Pred) || !slices.Equal(oof.Proba.RawMatrix().Data, eight.Proba.RawMatrix().Data) {
		t.Error("results differ between 1 and 8 workers")
	}

	// A predictor without probabilities gives labels only.
	plain := LearnerFunc(func(context.Context, *frame.Frame) (Predictor, error) {
		return PredictorFunc(func(_ context.Context, f *frame.Frame) ([]float64, error) { return make([]float64, f.NumRows()), nil }), nil
	})
	got, err := CrossValPredict(context.Background(), plain, data, "y", CVOptions{Splitter: KFold{K: 2}})
	if err != nil || got.Proba != nil || got.Classes != nil || len(got.Pred) != 10 {
		t.Errorf("plain predictor: %+v, %v", got, err)
	}

	tests := []struct {
		name string
		l    Learner
		opts CVOptions
		want error
	}{
		{"not a partition", majority("y"), CVOptions{Splitter: ShuffleSplit{Splits: 2, TestFraction: 0.2}}, ErrSplit},
		{"class too small", majority("y"), CVOptions{Splitter: StratifiedKFold{K: 3}}, ErrTooFewMembers},
		{"wrong count", LearnerFunc(func(context.Context, *frame.Frame) (Predictor, error) {
			return PredictorFunc(func(context.Context, *frame.Frame) ([]float64, error) { return []float64{1}, nil }), nil
		}), CVOptions{Splitter: KFold{K: 2}}, ErrLength},
		{"unknown class", LearnerFunc(func(context.Context, *frame.Frame) (Predictor, error) {
			return constProba{label: 7, classes: []float64{0, 7}, proba: []float64{0.5, 0.5}}, nil
		}), CVOptions{Splitter: KFold{K: 2}}, ErrLabel},
	}
	for _, tt := range tests {
		if _, err := CrossValPredict(context.Background(), tt.l, data, "y", tt.opts); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := CrossValPredict(context.Background(), nil, data, "y", CVOptions{}); err == nil {
		t.Error("nil learner: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CrossValPredict(ctx, majority("y"), data, "y", CVOptions{Splitter: KFold{K: 2}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
