package evaluate

import (
	"context"
	"errors"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// knn is a k-nearest-neighbours classifier on feature x: k=1 memorises its
// training rows (overfits), a k as large as the data predicts the majority
// (underfits).
func knn(k int) Learner {
	return LearnerFunc(func(_ context.Context, train *frame.Frame) (Predictor, error) {
		y, err := Target(train, "y")
		if err != nil {
			return nil, err
		}
		x, err := train.Float("x")
		if err != nil {
			return nil, err
		}
		return PredictorFunc(func(_ context.Context, f *frame.Frame) ([]float64, error) {
			q, err := f.Float("x")
			if err != nil {
				return nil, err
			}
			out := make([]float64, len(q))
			idx := make([]int, len(x))
			for i, v := range q {
				for j := range idx {
					idx[j] = j
				}
				sort.SliceStable(idx, func(a, b int) bool { return math.Abs(x[idx[a]]-v) < math.Abs(x[idx[b]]-v) })
				var votes float64
				n := min(k, len(idx))
				for _, j := range idx[:n] {
					votes += y[j]
				}
				if votes*2 > float64(n) {
					out[i] = 1
				}
			}
			return out, nil
		}), nil
	})
}

func TestLearningCurve(t *testing.T) {
	data := classData(t)
	opts := LearningCurveOptions{CV: CVOptions{Splitter: StratifiedKFold{K: 4, Shuffle: true, Seed: 2}, Workers: 1}}
	lc, err := LearningCurve(context.Background(), LearnerFunc(stumpLearner), data, "y", opts)
	if err != nil {
		t.Fatal(err)
	}
	// 75 training rows per fold: int(0.1·75)=7, int(0.325·75)=24, 41, 58, 75.
	if want := []int{7, 24, 41, 58, 75}; !slices.Equal(lc.Sizes, want) {
		t.Fatalf("sizes %v, want %v", lc.Sizes, want)
	}
	if len(lc.Train) != 5 || len(lc.Test[0]) != 4 {
		t.Fatalf("shape %d×%d, want 5×4", len(lc.Train), len(lc.Test[0]))
	}
	// The full-size point is ordinary cross-validation with training scores.
	cv, err := CrossValidate(context.Background(), LearnerFunc(stumpLearner), data, "y", CVOptions{Splitter: opts.CV.Splitter, TrainScores: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(lc.Test[4], cv.TestScores("accuracy")) || !slices.Equal(lc.Train[4], cv.TrainScores("accuracy")) {
		t.Errorf("largest size %v/%v, cross-validation %v/%v", lc.Train[4], lc.Test[4], cv.TrainScores("accuracy"), cv.TestScores("accuracy"))
	}
	opts.CV.Workers = 8
	lc8, err := LearningCurve(context.Background(), LearnerFunc(stumpLearner), data, "y", opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range lc.Test {
		if !slices.Equal(lc.Test[i], lc8.Test[i]) || !slices.Equal(lc.Train[i], lc8.Train[i]) {
			t.Errorf("size %d differs between 1 and 8 workers", lc.Sizes[i])
		}
	}
	if s := lc.String(); !strings.Contains(s, "validation accuracy") || !strings.Contains(s, "75") {
		t.Errorf("String:\n%s", s)
	}
	if got := lc.TestMean(); len(got) != 5 || got[4] != cv.Mean("accuracy") {
		t.Errorf("TestMean %v", got)
	}

	shuffled, err := LearningCurve(context.Background(), LearnerFunc(stumpLearner), data, "y",
		LearningCurveOptions{CV: opts.CV, Sizes: []float64{0.5, 0.5, 1}, Shuffle: true, Seed: 1})
	if err != nil || !slices.Equal(shuffled.Sizes, []int{37, 75}) {
		t.Errorf("duplicate sizes: %v, %v; want [37 75]", shuffled.Sizes, err)
	}
	if _, err := LearningCurve(context.Background(), knn(1), data, "y", LearningCurveOptions{Sizes: []float64{1.5}}); !errors.Is(err, ErrValue) {
		t.Errorf("size 1.5: %v", err)
	}
}

func TestDiagnose(t *testing.T) {
	data := classData(t)
	ctx := context.Background()
	opts := CVOptions{Splitter: StratifiedKFold{K: 5, Shuffle: true, Seed: 4}, TrainScores: true}
	base, err := CrossValidate(ctx, majority("y"), data, "y", opts)
	if err != nil {
		t.Fatal(err)
	}
	baseline := base.Mean("accuracy")
	tests := []struct {
		name string
		l    Learner
		want Verdict
		text string
	}{
		{"1-nn memorises", knn(1), Overfit, "overfits: training accuracy 1.0000"},
		{"100-nn predicts the majority", knn(100), Underfit, "underfits"},
		{"stump", LearnerFunc(stumpLearner), GoodFit, "fits well"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cv, err := CrossValidate(ctx, tt.l, data, "y", opts)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Diagnose(cv, "accuracy", baseline)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(d)
			if d.Verdict != tt.want || !strings.HasPrefix(d.String(), tt.text) {
				t.Errorf("verdict %v, text %q; want %v, %q", d.Verdict, d.Text, tt.want, tt.text)
			}
			if d.Gap != d.Train-d.Test || d.Train != cv.TrainMean("accuracy") || d.Baseline != baseline {
				t.Errorf("numbers: %+v", d)
			}
		})
	}
	// Without a baseline, no underfitting verdict, and the text says why.
	cv, _ := CrossValidate(ctx, knn(100), data, "y", opts)
	d, _ := Diagnose(cv, "accuracy", math.NaN())
	if d.Verdict != GoodFit || !strings.Contains(d.Text, "give a baseline") {
		t.Errorf("no baseline: %v %q", d.Verdict, d.Text)
	}
	if _, err := Diagnose(cv, "f1", 0); !errors.Is(err, ErrScorer) {
		t.Errorf("unknown scorer: %v", err)
	}
	noTrain, _ := CrossValidate(ctx, knn(1), data, "y", CVOptions{})
	if _, err := Diagnose(noTrain, "accuracy", 0); !errors.Is(err, ErrUndefined) {
		t.Errorf("no training scores: %v", err)
	}

	lc, err := LearningCurve(ctx, knn(1), data, "y", LearningCurveOptions{CV: opts, Shuffle: true})
	if err != nil {
		t.Fatal(err)
	}
	d, err = DiagnoseCurve(lc, baseline)
	if err != nil || d.Verdict != Overfit || d.LargeRows != 80 || d.SmallRows != 62 {
		t.Errorf("curve diagnosis %+v, %v", d, err)
	}
	if !strings.Contains(d.Text, "rows") {
		t.Errorf("curve text lacks the learning-curve sentence: %q", d.Text)
	}
	if _, err := DiagnoseCurve(&LearningCurveResult{}, 0); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty curve: %v", err)
	}
}

// cvOf builds a CVResult with the given per-fold training and test scores.
func cvOf(scorer string, train, test []float64) *CVResult {
	r := &CVResult{Scorers: []string{scorer}}
	for k := range test {
		r.Folds = append(r.Folds, FoldResult{Fold: k, Train: []float64{train[k]}, Test: []float64{test[k]}})
	}
	return r
}

func TestDiagnoseRules(t *testing.T) {
	tests := []struct {
		name        string
		scorer      string
		train, test []float64
		baseline    float64
		want        Verdict
		perfect     float64
	}{
		{"r2 barely above the mean", "r2", []float64{0.02, 0.03, 0.01}, []float64{0, 0.01, -0.01}, -0.05, Underfit, 1},
		{"r2 good", "r2", []float64{0.81, 0.8, 0.82}, []float64{0.79, 0.8, 0.78}, -0.05, GoodFit, 1},
		{"rmse overfit", "neg_root_mean_squared_error", []float64{-5, -5, -5}, []float64{-8, -8.5, -7.5}, -20, Overfit, 0},
		{"rmse no better than the mean", "neg_root_mean_squared_error", []float64{-19.5, -19, -20}, []float64{-20, -20, -20}, -20, Underfit, 0},
		{"custom score near baseline", "profit", []float64{10.2, 10.2}, []float64{10.1, 10.1}, 10, Underfit, math.NaN()},
		{"custom score well above", "profit", []float64{30, 30}, []float64{29.5, 29.5}, 10, GoodFit, math.NaN()},
		{"macro f1 overfit", "f1_macro", []float64{0.99, 0.98}, []float64{0.7, 0.72}, 0.3, Overfit, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Diagnose(cvOf(tt.scorer, tt.train, tt.test), tt.scorer, tt.baseline)
			if err != nil {
				t.Fatal(err)
			}
			if d.Verdict != tt.want {
				t.Errorf("verdict %v, want %v: %s", d.Verdict, tt.want, d)
			}
			if d.Perfect != tt.perfect && !(math.IsNaN(d.Perfect) && math.IsNaN(tt.perfect)) {
				t.Errorf("perfect %v, want %v", d.Perfect, tt.perfect)
			}
			if !strings.Contains(d.Text, tt.scorer) {
				t.Errorf("text does not name the scorer: %s", d)
			}
		})
	}
}
