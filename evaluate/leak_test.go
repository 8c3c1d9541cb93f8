package evaluate

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// TestCrossValidateRefitsPreprocessing uses a leak-sensitive step — mean
// imputation from the preprocess package — inside the Learner. The last
// quarter of the rows carries extreme values, so a fill learned with those
// rows in view differs sharply from one learned without them: each fold's
// fill must be the mean of its own training rows, never the whole column's.
func TestCrossValidateRefitsPreprocessing(t *testing.T) {
	const n = 40
	ids, x, y := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		ids[i] = float64(i)
		x[i] = float64(i % 7)
		if i >= 30 {
			x[i] = 1000 + float64(i)
		}
		if i%5 == 0 {
			x[i] = math.NaN()
		}
		y[i] = float64(i % 3)
	}
	data, err := frame.New(frame.Floats("id", ids), frame.Floats("x", x), frame.Floats("y", y))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	fills := map[int]float64{} // fold (its held-out block of 10 rows) → fill learned
	l := LearnerFunc(func(ctx context.Context, train *frame.Frame) (Predictor, error) {
		fitted, err := preprocess.Impute(preprocess.Mean, "x").Fit(ctx, train)
		if err != nil {
			return nil, err
		}
		imp := fitted.(*preprocess.Imputer)
		seen, _ := train.Float("id")
		fold := 0
		for slices.Contains(seen, float64(fold*10)) {
			fold++
		}
		mu.Lock()
		fills[fold] = imp.Columns[0].Value
		mu.Unlock()
		return PredictorFunc(func(ctx context.Context, f *frame.Frame) ([]float64, error) {
			g, err := imp.Transform(ctx, f)
			if err != nil {
				return nil, err
			}
			return g.Float("x")
		}), nil
	})
	// KFold without shuffling: fold k holds out rows 10k … 10k+9.
	split := KFold{K: 4}
	if _, err := CrossValidate(context.Background(), l, data, "y",
		CVOptions{Splitter: split, Scorers: []Scorer{ScoreR2}, Workers: 4}); err != nil {
		t.Fatal(err)
	}
	present := func(rows []int) []float64 {
		var v []float64
		for _, i := range rows {
			if !math.IsNaN(x[i]) {
				v = append(v, x[i])
			}
		}
		return v
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	leaky := mean(present(all))
	folds, _ := split.Split(y)
	if len(fills) != 4 {
		t.Fatalf("fills recorded for folds %v, want 4 folds", fills)
	}
	for k, f := range folds {
		want := mean(present(f.Train))
		if got := fills[k]; math.Abs(got-want) > 1e-9 {
			t.Errorf("fold %d: imputed %v, mean of its training rows %v (whole column %v)", k, got, want, leaky)
		}
	}
	// The check has teeth: without the extreme rows the fill is small, with
	// them it is not.
	if fills[3] > 10 || leaky < 100 {
		t.Errorf("fold 3 fill %v, whole-column mean %v: data does not expose a leak", fills[3], leaky)
	}
}
