package evaluate

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
	"gonum.org/v1/gonum/mat"
)

// constProba predicts one label everywhere and fixed class probabilities.
type constProba struct {
	label   float64
	classes []float64
	proba   []float64
}

func (c constProba) Predict(_ context.Context, f *frame.Frame) ([]float64, error) {
	out := make([]float64, f.NumRows())
	for i := range out {
		out[i] = c.label
	}
	return out, nil
}

func (c constProba) PredictProba(_ context.Context, f *frame.Frame) (*mat.Dense, error) {
	p := mat.NewDense(f.NumRows(), len(c.classes), nil)
	for i := range f.NumRows() {
		p.SetRow(i, c.proba)
	}
	return p, nil
}

func (c constProba) Classes() []float64 { return c.classes }

// majority learns the most frequent label (the smaller on a tie), like
// scikit-learn's DummyClassifier(strategy="most_frequent").
func majority(target string) Learner {
	return LearnerFunc(func(_ context.Context, train *frame.Frame) (Predictor, error) {
		y, err := Target(train, target)
		if err != nil {
			return nil, err
		}
		counts := map[float64]int{}
		for _, v := range y {
			counts[v]++
		}
		classes := uniqueSorted(y)
		best := classes[0]
		proba := make([]float64, len(classes))
		for i, c := range classes {
			proba[i] = float64(counts[c]) / float64(len(y))
			if counts[c] > counts[best] {
				best = c
			}
		}
		return constProba{best, classes, proba}, nil
	})
}

// stump learns a threshold on feature x halfway between the two class
// means and predicts 1 above it; its "probability" of class 1 is a
// logistic of the distance to the threshold. Its scores differ by fold.
type stump struct{ threshold float64 }

func (s stump) Predict(_ context.Context, f *frame.Frame) ([]float64, error) {
	x, err := f.Float("x")
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(x))
	for i, v := range x {
		if v > s.threshold {
			out[i] = 1
		}
	}
	return out, nil
}

func (s stump) PredictProba(_ context.Context, f *frame.Frame) (*mat.Dense, error) {
	x, err := f.Float("x")
	if err != nil {
		return nil, err
	}
	p := mat.NewDense(len(x), 2, nil)
	for i, v := range x {
		q := 1 / (1 + math.Exp(-(v - s.threshold)))
		p.Set(i, 0, 1-q)
		p.Set(i, 1, q)
	}
	return p, nil
}

func (stump) Classes() []float64 { return []float64{0, 1} }

func stumpLearner(_ context.Context, train *frame.Frame) (Predictor, error) {
	y, err := Target(train, "y")
	if err != nil {
		return nil, err
	}
	x, err := train.Float("x")
	if err != nil {
		return nil, err
	}
	var s [2]float64
	var n [2]int
	for i, v := range x {
		s[int(y[i])] += v
		n[int(y[i])]++
	}
	return stump{(s[0]/float64(n[0]) + s[1]/float64(n[1])) / 2}, nil
}

// classData: x noisy in y, 100 rows, 40% positive; deterministic.
func classData(t testing.TB) *frame.Frame {
	t.Helper()
	const n = 100
	x, y := make([]float64, n), make([]float64, n)
	for i := range n {
		if i%5 < 2 {
			y[i] = 1
		}
		x[i] = y[i]*1.5 + math.Sin(float64(i)*1.7)*1.2
	}
	f, err := frame.New(frame.Floats("x", x), frame.Floats("y", y))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestCrossValidateMajority(t *testing.T) {
	data := classData(t)
	res, err := CrossValidate(context.Background(), majority("y"), data, "y",
		CVOptions{Scorers: []Scorer{ScoreAccuracy, ScoreF1, ScoreROCAUC}, TrainScores: true})
	if err != nil {
		t.Fatal(err)
	}
	// Default: StratifiedKFold{K: 5}; each test fold holds 12 of class 0 and
	// 8 of class 1, so predicting the majority (0) scores 0.6, F1 0, and a
	// constant score gives ROC AUC 0.5.
	if len(res.Folds) != 5 {
		t.Fatalf("%d folds, want 5", len(res.Folds))
	}
	for _, f := range res.Folds {
		if f.TrainRows != 80 || f.TestRows != 20 {
			t.Errorf("fold %d: %d/%d rows, want 80/20", f.Fold, f.TrainRows, f.TestRows)
		}
		if !slices.Equal(f.Test, []float64{0.6, 0, 0.5}) || !slices.Equal(f.Train, []float64{0.6, 0, 0.5}) {
			t.Errorf("fold %d: test %v train %v, want [0.6 0 0.5] both", f.Fold, f.Test, f.Train)
		}
	}
	if m, s := res.Mean("accuracy"), res.Std("accuracy"); !close(m, 0.6) || !close(s, 0) {
		t.Errorf("accuracy mean/std = %v/%v, want 0.6/0", m, s)
	}
	if !math.IsNaN(res.Mean("nope")) || res.TestScores("nope") != nil {
		t.Error("unknown scorer: want NaN mean and nil scores")
	}
	out := res.String()
	for _, want := range []string{"accuracy", "train roc_auc", "mean", "std", "0.6000"} {
		if !strings.Contains(out, want) {
			t.Errorf("String() lacks %q:\n%s", want, out)
		}
	}
}

func TestCrossValidateSameForAnyWorkers(t *testing.T) {
	data := classData(t)
	run := func(workers int, split Splitter) *CVResult {
		res, err := CrossValidate(context.Background(), LearnerFunc(stumpLearner), data, "y", CVOptions{
			Splitter:    split,
			Scorers:     []Scorer{ScoreAccuracy, ScoreROCAUC, ScoreF1},
			TrainScores: true,
			Workers:     workers,
		})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for _, split := range []Splitter{
		StratifiedKFold{K: 7, Shuffle: true, Seed: 3},
		KFold{K: 10, Shuffle: true, Seed: 3},
	} {
		one, eight := run(1, split), run(8, split)
		distinct := map[float64]bool{}
		for k := range one.Folds {
			a, b := one.Folds[k], eight.Folds[k]
			if !slices.Equal(a.Test, b.Test) || !slices.Equal(a.Train, b.Train) || a.Fold != k || b.Fold != k {
				t.Errorf("%T fold %d: workers=1 %v/%v, workers=8 %v/%v", split, k, a.Test, a.Train, b.Test, b.Train)
			}
			distinct[a.Test[0]] = true
		}
		if len(distinct) < 2 {
			t.Errorf("%T: all folds scored alike (%v); the test would not notice a mix-up", split, distinct)
		}
		if one.Mean("roc_auc") < 0.8 {
			t.Errorf("stump roc auc %v: the learner should separate the classes", one.Mean("roc_auc"))
		}
	}
}

// TestCrossValidateNoLeak: each fitted model sees only its training rows and
// each predictor only its test rows, without the target.
func TestCrossValidateNoLeak(t *testing.T) {
	const n = 30
	ids, y := make([]float64, n), make([]float64, n)
	for i := range ids {
		ids[i] = float64(i)
		y[i] = float64(i % 2)
	}
	data, err := frame.New(frame.Floats("id", ids), frame.Floats("y", y))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var problems []string
	var fits atomic.Int32
	l := LearnerFunc(func(_ context.Context, train *frame.Frame) (Predictor, error) {
		fits.Add(1)
		seen, _ := train.Float("id")
		fitted := map[float64]bool{}
		for _, v := range seen {
			fitted[v] = true
		}
		return PredictorFunc(func(_ context.Context, test *frame.Frame) ([]float64, error) {
			mu.Lock()
			defer mu.Unlock()
			if test.Has("y") {
				problems = append(problems, "predictor given the target column")
			}
			got, _ := test.Float("id")
			for _, v := range got {
				if fitted[v] {
					problems = append(problems, fmt.Sprintf("row %v both fitted on and predicted", v))
				}
			}
			if len(got)+len(fitted) != n {
				problems = append(problems, fmt.Sprintf("%d fitted + %d predicted rows != %d", len(fitted), len(got), n))
			}
			return make([]float64, len(got)), nil
		}), nil
	})
	if _, err := CrossValidate(context.Background(), l, data, "y", CVOptions{Splitter: KFold{K: 3, Shuffle: true, Seed: 1}}); err != nil {
		t.Fatal(err)
	}
	if fits.Load() != 3 {
		t.Errorf("%d fits, want 3", fits.Load())
	}
	for _, p := range problems {
		t.Error(p)
	}
}

func TestCrossValidateRegressionDefaults(t *testing.T) {
	const n = 50
	x, y := make([]float64, n), make([]float64, n)
	for i := range n {
		x[i] = float64(i)
		y[i] = 2*float64(i) + 0.5 // non-integer: a regression target
	}
	data, _ := frame.New(frame.Floats("x", x), frame.Floats("y", y))
	// The mean learner: R² on a held-out fold is at most 0, and it equals
	// 1 - SS_res/SS_tot computed directly.
	meanLearner := LearnerFunc(func(_ context.Context, train *frame.Frame) (Predictor, error) {
		yt, _ := Target(train, "y")
		m := mean(yt)
		return PredictorFunc(func(_ context.Context, f *frame.Frame) ([]float64, error) {
			out := make([]float64, f.NumRows())
			for i := range out {
				out[i] = m
			}
			return out, nil
		}), nil
	})
	res, err := CrossValidate(context.Background(), meanLearner, data, "y", CVOptions{Scorers: []Scorer{ScoreR2, ScoreNegRMSE}})
	if err != nil {
		t.Fatal(err)
	}
	folds, _ := KFold{K: 5}.Split(y) // the default for a continuous target
	for k, f := range res.Folds {
		trainY, testY := pick(y, folds[k].Train), pick(y, folds[k].Test)
		pred := make([]float64, len(testY))
		for i := range pred {
			pred[i] = mean(trainY)
		}
		r2, _ := R2(testY, pred)
		rmse, _ := RMSE(testY, pred)
		if f.Test[0] != r2 || f.Test[1] != -rmse {
			t.Errorf("fold %d: scores %v, want r2 %v and -rmse %v", k, f.Test, r2, -rmse)
		}
		if f.Test[0] > 0 || f.Test[1] >= 0 {
			t.Errorf("fold %d: mean predictor scored %v", k, f.Test)
		}
	}
	if res.Scorers[0] != "r2" || res.Scorers[1] != "neg_root_mean_squared_error" {
		t.Errorf("scorers %v", res.Scorers)
	}
	if !math.IsNaN(res.TrainMean("r2")) {
		t.Error("train mean without TrainScores should be NaN")
	}
}

func TestCrossValidateBoolTarget(t *testing.T) {
	b := make([]bool, 20)
	x := make([]float64, 20)
	for i := range b {
		b[i] = i%4 == 0
		x[i] = float64(i)
	}
	data, _ := frame.New(frame.Floats("x", x), frame.Bools("churn", b, nil))
	res, err := CrossValidate(context.Background(), majority("churn"), data, "churn", CVOptions{Splitter: StratifiedKFold{K: 5}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Mean("accuracy"); got != 0.75 {
		t.Errorf("accuracy %v, want 0.75", got)
	}
}

func TestCrossValidateCancelled(t *testing.T) {
	data := classData(t)
	var started atomic.Int32
	blocking := LearnerFunc(func(ctx context.Context, _ *frame.Frame) (Predictor, error) {
		started.Add(1)
		<-ctx.Done()
		return nil, ctx.Err()
	})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := CrossValidate(ctx, blocking, data, "y", CVOptions{})
	if !errors.Is(err, context.Canceled) || started.Load() != 0 {
		t.Errorf("pre-cancelled: err %v, %d fits started; want context.Canceled, none", err, started.Load())
	}

	ctx, cancel = context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = CrossValidate(ctx, blocking, data, "y", CVOptions{Workers: 2})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("mid-run: err = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v", d)
	}
}

func TestCrossValidateFirstErrorCancelsRest(t *testing.T) {
	data := classData(t)
	boom := errors.New("boom")
	var calls atomic.Int32
	l := LearnerFunc(func(ctx context.Context, _ *frame.Frame) (Predictor, error) {
		if calls.Add(1) == 1 {
			return nil, boom
		}
		<-ctx.Done() // only the first error's cancellation releases these
		return nil, ctx.Err()
	})
	_, err := CrossValidate(context.Background(), l, data, "y", CVOptions{Workers: 3})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if !strings.Contains(err.Error(), "fold") {
		t.Errorf("error %q does not name the fold", err)
	}
}

func TestCrossValidateErrors(t *testing.T) {
	data := classData(t)
	text, _ := frame.New(frame.Floats("x", []float64{1, 2}), frame.Strings("y", []string{"a", "b"}, nil))
	nanY, _ := frame.New(frame.Floats("x", []float64{1, 2}), frame.Floats("y", []float64{1, math.NaN()}))
	empty, _ := frame.New(frame.Floats("x", nil), frame.Floats("y", nil))
	tests := []struct {
		name   string
		data   *frame.Frame
		target string
		opts   CVOptions
		l      Learner
		want   error
	}{
		{"unknown target", data, "label", CVOptions{}, majority("y"), frame.ErrNoColumn},
		{"string target", text, "y", CVOptions{}, majority("y"), frame.ErrKind},
		{"missing target", nanY, "y", CVOptions{}, majority("y"), frame.ErrMissing},
		{"empty frame", empty, "y", CVOptions{}, majority("y"), frame.ErrEmpty},
		{"nil frame", nil, "y", CVOptions{}, majority("y"), frame.ErrEmpty},
		{"class too small for K", data, "y", CVOptions{Splitter: StratifiedKFold{K: 41}}, majority("y"), ErrTooFewMembers},
		{"scorer without func", data, "y", CVOptions{Scorers: []Scorer{{Name: "x"}}}, majority("y"), ErrScorer},
		{"scorer twice", data, "y", CVOptions{Scorers: []Scorer{ScoreF1, ScoreF1}}, majority("y"), ErrScorer},
		{"roc auc without proba", data, "y", CVOptions{Scorers: []Scorer{ScoreROCAUC}},
			LearnerFunc(func(context.Context, *frame.Frame) (Predictor, error) {
				return PredictorFunc(func(_ context.Context, f *frame.Frame) ([]float64, error) {
					return make([]float64, f.NumRows()), nil
				}), nil
			}), ErrNoProba},
		{"wrong prediction count", data, "y", CVOptions{},
			LearnerFunc(func(context.Context, *frame.Frame) (Predictor, error) {
				return PredictorFunc(func(context.Context, *frame.Frame) ([]float64, error) { return []float64{1}, nil }), nil
			}), ErrLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := CrossValidate(context.Background(), tt.l, tt.data, tt.target, tt.opts)
			if !errors.Is(err, tt.want) || res != nil {
				t.Errorf("got %v, %v; want error %v", res, err, tt.want)
			}
		})
	}
	if _, err := CrossValidate(context.Background(), nil, data, "y", CVOptions{}); err == nil {
		t.Error("nil learner: no error")
	}
}
