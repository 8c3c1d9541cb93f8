package evaluate

import (
	"errors"
	"math"
	"testing"
)

func TestSumMatchesNumpy(t *testing.T) {
	for _, c := range fx(t).Sums {
		// Bit-exact: the point of reproducing numpy's summation order.
		if got := sum(c.Values); got != c.Sum {
			t.Errorf("sum of %d values = %v, numpy %v", len(c.Values), got, c.Sum)
		}
		if got := mean(c.Values); got != c.Mean {
			t.Errorf("mean of %d values = %v, numpy %v", len(c.Values), got, c.Mean)
		}
	}
}

func TestBinaryMetricsMatchSklearn(t *testing.T) {
	f := fx(t)
	if len(f.Binary) == 0 {
		t.Fatal("no binary fixtures")
	}
	for _, c := range f.Binary {
		t.Run(c.Name, func(t *testing.T) {
			check := func(metric string, got float64, err error, want float64) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", metric, err)
				}
				if !close(got, want) {
					t.Errorf("%s = %.17g, scikit-learn %.17g", metric, got, want)
				}
			}
			got, err := Accuracy(c.YTrue, c.YPred)
			check("accuracy", got, err, c.Accuracy)
			got, err = F1(c.YTrue, c.YPred)
			check("f1", got, err, c.F1)
			got, err = ROCAUC(c.YTrue, c.Score)
			if c.ROCAUC == nil {
				if !errors.Is(err, ErrUndefined) {
					t.Errorf("roc auc with one class: err = %v, want ErrUndefined", err)
				}
				return
			}
			check("roc auc", got, err, *c.ROCAUC)
		})
	}
}

func TestRegressionMetricsMatchSklearn(t *testing.T) {
	for _, c := range fx(t).Regression {
		t.Run(c.Name, func(t *testing.T) {
			got, err := R2(c.YTrue, c.YPred)
			if err != nil || !close(got, c.R2) {
				t.Errorf("r2 = %.17g, %v; scikit-learn %.17g", got, err, c.R2)
			}
			got, err = RMSE(c.YTrue, c.YPred)
			if err != nil || !close(got, c.RMSE) {
				t.Errorf("rmse = %.17g, %v; scikit-learn %.17g", got, err, c.RMSE)
			}
			m, err := MSE(c.YTrue, c.YPred)
			if err != nil || !close(math.Sqrt(m), c.RMSE) {
				t.Errorf("sqrt(mse) = %.17g, %v; scikit-learn rmse %.17g", math.Sqrt(m), err, c.RMSE)
			}
		})
	}
}

// TestROCAUCTies checks the tie rule by hand: a positive and a negative
// sharing a score count one half.
func TestROCAUCTies(t *testing.T) {
	tests := []struct {
		y, s []float64
		want float64
	}{
		{[]float64{0, 1}, []float64{0.5, 0.5}, 0.5},
		{[]float64{0, 0, 1, 1}, []float64{0.1, 0.5, 0.5, 0.9}, 0.875},
		{[]float64{1, 0, 1, 0}, []float64{3, 3, 3, 3}, 0.5},
		{[]float64{0, 1, 1}, []float64{0.2, 0.2, 0.9}, 0.75},
		{[]float64{2, 5, 5, 2}, []float64{0.1, 0.8, 0.7, 0.2}, 1}, // larger label is positive
	}
	for _, tt := range tests {
		got, err := ROCAUC(tt.y, tt.s)
		if err != nil || got != tt.want {
			t.Errorf("ROCAUC(%v, %v) = %v, %v; want %v", tt.y, tt.s, got, err, tt.want)
		}
	}
}

func TestMetricErrors(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name   string
		metric func(a, b []float64) (float64, error)
		a, b   []float64
		want   error
	}{
		{"accuracy length", Accuracy, []float64{1, 0}, []float64{1}, ErrLength},
		{"accuracy empty", Accuracy, nil, nil, ErrEmpty},
		{"accuracy nan", Accuracy, []float64{nan}, []float64{1}, ErrValue},
		{"f1 length", F1, []float64{1}, []float64{1, 0}, ErrLength},
		{"f1 empty", F1, []float64{}, []float64{}, ErrEmpty},
		{"f1 three labels", F1, []float64{0, 1, 2}, []float64{0, 1, 1}, ErrLabel},
		{"f1 no label 1", F1, []float64{0, 2}, []float64{2, 0}, ErrLabel},
		{"roc auc one class", ROCAUC, []float64{1, 1, 1}, []float64{0.2, 0.4, 0.1}, ErrUndefined},
		{"roc auc three classes", ROCAUC, []float64{0, 1, 2}, []float64{0.2, 0.4, 0.1}, ErrLabel},
		{"roc auc length", ROCAUC, []float64{0, 1}, []float64{0.2}, ErrLength},
		{"roc auc empty", ROCAUC, nil, nil, ErrEmpty},
		{"roc auc inf score", ROCAUC, []float64{0, 1}, []float64{0.2, math.Inf(1)}, ErrValue},
		{"r2 one sample", R2, []float64{1}, []float64{1}, ErrUndefined},
		{"r2 length", R2, []float64{1, 2}, []float64{1}, ErrLength},
		{"r2 empty", R2, nil, nil, ErrEmpty},
		{"rmse length", RMSE, []float64{1, 2}, []float64{1}, ErrLength},
		{"rmse empty", RMSE, nil, nil, ErrEmpty},
		{"rmse nan", RMSE, []float64{1, 2}, []float64{1, nan}, ErrValue},
		{"mse empty", MSE, nil, nil, ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.metric(tt.a, tt.b)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !math.IsNaN(got) {
				t.Errorf("value with error = %v, want NaN", got)
			}
		})
	}
}

// TestF1Binary covers scikit-learn's binary label rules beyond the fixtures.
func TestF1Binary(t *testing.T) {
	tests := []struct {
		yt, yp []float64
		want   float64
	}{
		{[]float64{1, 1, 0, 0}, []float64{1, 0, 1, 0}, 0.5},
		{[]float64{0, 0}, []float64{0, 0}, 0},         // no positives at all
		{[]float64{1, 1}, []float64{1, 1}, 1},         // one label, which is 1
		{[]float64{3, 3}, []float64{3, 3}, 0},         // one label, not 1: allowed, no positives
		{[]float64{1, 0, 1}, []float64{1, 1, 1}, 0.8}, // p=2/3, r=1
		{[]float64{1, 0, 1}, []float64{0, 0, 0}, 0},   // nothing predicted positive
	}
	for _, tt := range tests {
		got, err := F1(tt.yt, tt.yp)
		if err != nil || !close(got, tt.want) {
			t.Errorf("F1(%v, %v) = %v, %v; want %v", tt.yt, tt.yp, got, err, tt.want)
		}
	}
}
