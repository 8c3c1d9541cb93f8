package preprocess

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

func TestOutliers(t *testing.T) {
	ctx := context.Background()
	// Ages with a typo (999), a negative and a missing value.
	ages := []float64{25, 31, 999, 40, -3, nan, 35, 28, 33, 30}
	train := mustFrame(t, frame.Floats("age", ages))
	test := mustFrame(t, frame.Floats("age", []float64{20, 1000, -50, nan, math.Inf(1), 36}))
	// Present training ages sorted: -3 25 28 30 31 33 35 40 999 (n 9).
	// Q1 (position 2) = 28, Q3 (position 6) = 35, IQR 7: fences 17.5 and 45.5.
	// Mean 1018/9, population sd: computed below.
	var m Moments
	m.AddBatch(ages)
	sd := math.Sqrt(m.Variance())
	tests := []struct {
		name    string
		spec    Step
		lo, hi  float64 // expected bounds, NaN for open
		changed int64
		want    []float64
	}{
		{"range clip", Range(0, 120, "age"), 0, 120, 2, []float64{20, 120, 0, nan, 120, 36}},
		{"range to missing", Range(0, 120, "age").WithAction(ToMissing), 0, 120, 2, []float64{20, nan, nan, nan, nan, 36}},
		{"range open below", Range(math.Inf(-1), 120, "age"), nan, 120, 1, []float64{20, 120, -50, nan, 120, 36}},
		{"iqr", IQR("age"), 17.5, 45.5, 2, []float64{20, 45.5, 17.5, nan, 45.5, 36}},
		{"iqr k=3", IQRSpec{K: 3}, 7, 56, 2, []float64{20, 56, 7, nan, 56, 36}},
		{"z-score 2", ZScoreSpec{Threshold: 2}, m.Mean - 2*sd, m.Mean + 2*sd, 1, []float64{20, m.Mean + 2*sd, -50, nan, m.Mean + 2*sd, 36}},
		// Quantile 0.125 at position 1 = 25; 0.875 at position 7 = 40.
		{"winsorize", Winsorize(0.125, 0.875, "age"), 25, 40, 2, []float64{25, 40, 25, nan, 40, 36}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fitted, err := tt.spec.Fit(ctx, train)
			if err != nil {
				t.Fatal(err)
			}
			o := fitted.(*OutlierFilter)
			b := o.Columns[0]
			if (b.Lo == nil) != math.IsNaN(tt.lo) || (b.Lo != nil && !closeTo(*b.Lo, tt.lo)) || b.Hi == nil || !closeTo(*b.Hi, tt.hi) {
				t.Errorf("bounds %v %v, want %v %v", deref(b.Lo), deref(b.Hi), tt.lo, tt.hi)
			}
			if o.Changed[0] != tt.changed {
				t.Errorf("changed %d, want %d", o.Changed[0], tt.changed)
			}
			out, err := fitted.Transform(ctx, test)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := out.Float("age")
			checkFloats(t, "age", got, tt.want)
			roundTrip(t, fitted, test)
		})
	}
	for _, bad := range []Step{Range(5, 1), RangeSpec{Lo: nan}, IQRSpec{K: -1}, ZScoreSpec{Threshold: -2}, Winsorize(0.9, 0.1), Winsorize(0, 2), RangeSpec{Hi: 1, Action: 9}} {
		if _, err := bad.Fit(ctx, train); !errors.Is(err, ErrParam) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if _, err := IQR("age").Fit(ctx, mustFrame(t, frame.Floats("age", []float64{1, math.Inf(1)}))); !errors.Is(err, ErrNotFinite) {
		t.Errorf("infinite training value: %v", err)
	}
	if _, err := UnmarshalFitted([]byte(`{"kind":"preprocess.outliers","version":1,"state":{"method":"x","action":"clip","columns":[{"name":"a","lo":5,"hi":1}],"changed":[0]}}`)); !errors.Is(err, ErrState) {
		t.Errorf("bounds out of order: %v", err)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
