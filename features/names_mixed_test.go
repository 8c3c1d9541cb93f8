package features

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// A chain of preprocess and features steps names the matrix's columns
// before any data flows, as the transformed frame has them.
func TestFeatureNamesOutAcrossPackages(t *testing.T) {
	ctx := context.Background()
	ts := []time.Time{time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC), time.Date(2023, 7, 8, 0, 0, 0, 0, time.UTC)}
	f, err := frame.New(frame.Floats("age", []float64{30, math.NaN(), 50}), frame.Categories("plan", []string{"a", "b", "a"}, nil), frame.Times("signup", ts, nil))
	if err != nil {
		t.Fatal(err)
	}
	specs := []preprocess.Step{
		preprocess.Impute(preprocess.Median, "age"),
		preprocess.MissingIndicator("age"),
		DateParts("signup", Year, Month),
		preprocess.OneHot("plan"),
		preprocess.StandardScale("age"),
	}
	var fitted []preprocess.Fitted
	cur := f
	for _, s := range specs {
		fs, err := s.Fit(ctx, cur)
		if err != nil {
			t.Fatal(err)
		}
		if cur, err = fs.Transform(ctx, cur); err != nil {
			t.Fatal(err)
		}
		fitted = append(fitted, fs)
	}
	got, err := FeatureNamesOut(f.Names(), fitted...)
	if err != nil {
		t.Fatal(err)
	}
	if want := cur.Names(); !slices.Equal(got, want) {
		t.Errorf("FeatureNamesOut = %v, transform gives %v", got, want)
	}
}
