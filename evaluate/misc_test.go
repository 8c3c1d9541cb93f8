package evaluate

import (
	"errors"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestPerClassErrors(t *testing.T) {
	if _, err := PerClass([]float64{1}, []float64{1, 0}, 1); !errors.Is(err, ErrLength) {
		t.Errorf("length: %v", err)
	}
	for _, beta := range []float64{-1, math.NaN(), math.Inf(1)} {
		if _, err := PerClass([]float64{1}, []float64{1}, beta); !errors.Is(err, ErrValue) {
			t.Errorf("beta %v: %v", beta, err)
		}
	}
}

func TestAverageString(t *testing.T) {
	for a, want := range map[Average]string{Binary: "binary", Macro: "macro", Micro: "micro", Weighted: "weighted", Average(7): "Average(7)"} {
		if a.String() != want {
			t.Errorf("%d: %q, want %q", int(a), a.String(), want)
		}
	}
}

func TestDistributionPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"empty choice":   func() { Choice() },
		"inverted range": func() { IntRange(3, 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestProbaClassesErrors(t *testing.T) {
	p := mat.NewDense(2, 2, []float64{0.4, 0.6, 0.3, 0.7})
	if _, err := LogLoss([]float64{0, 1}, p, []float64{1, 0}); !errors.Is(err, ErrLabel) {
		t.Errorf("unsorted classes: %v", err)
	}
	if _, err := LogLoss([]float64{0, 1}, p, []float64{1, 1}); !errors.Is(err, ErrLabel) {
		t.Errorf("repeated classes: %v", err)
	}
	if _, err := LogLoss(nil, p, nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("no labels: %v", err)
	}
	if _, err := ROCAUCOvR([]float64{0, 1}, nil, nil, Macro); !errors.Is(err, ErrEmpty) {
		t.Errorf("nil matrix: %v", err)
	}
	// Given classes, a test set missing a class still has a log loss.
	ll, err := LogLoss([]float64{1, 1}, p, []float64{0, 1})
	if want := -(math.Log(0.6) + math.Log(0.7)) / 2; err != nil || math.Abs(ll-want) > 1e-15 {
		t.Errorf("log loss with classes = %v, %v; want %v", ll, err, want)
	}
}

func TestLearningCurveMeans(t *testing.T) {
	lc := &LearningCurveResult{Sizes: []int{5, 10}, Train: [][]float64{{1, 0.5}, {0.75, 0.75}}, Test: [][]float64{{0.5, 0.5}, {0.5, 1}}}
	if got := lc.TrainMean(); !slices.Equal(got, []float64{0.75, 0.75}) {
		t.Errorf("TrainMean %v", got)
	}
	if got := lc.TestMean(); !slices.Equal(got, []float64{0.5, 0.75}) {
		t.Errorf("TestMean %v", got)
	}
}

func TestCVResultStatsWithoutFolds(t *testing.T) {
	r := &CVResult{Scorers: []string{"accuracy"}}
	if !math.IsNaN(r.Mean("accuracy")) || !math.IsNaN(r.Std("accuracy")) || !math.IsNaN(r.TrainStd("accuracy")) {
		t.Error("empty result: want NaN statistics")
	}
	if s := r.String(); s == "" {
		t.Error("empty String")
	}
}
