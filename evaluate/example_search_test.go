package evaluate_test

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
)

// nearest is a k-nearest-neighbours classifier on the column "x": small k
// memorises the training rows, large k smooths towards the majority.
func nearest(k int) evaluate.Learner {
	return evaluate.LearnerFunc(func(_ context.Context, train *frame.Frame) (evaluate.Predictor, error) {
		y, err := evaluate.Target(train, "label")
		if err != nil {
			return nil, err
		}
		x, err := train.Float("x")
		if err != nil {
			return nil, err
		}
		return evaluate.PredictorFunc(func(_ context.Context, f *frame.Frame) ([]float64, error) {
			q, err := f.Float("x")
			if err != nil {
				return nil, err
			}
			out := make([]float64, len(q))
			for i, v := range q {
				idx := make([]int, len(x))
				for j := range idx {
					idx[j] = j
				}
				sort.SliceStable(idx, func(a, b int) bool { return math.Abs(x[idx[a]]-v) < math.Abs(x[idx[b]]-v) })
				var votes float64
				for _, j := range idx[:min(k, len(idx))] {
					votes += y[j]
				}
				if 2*votes > float64(min(k, len(idx))) {
					out[i] = 1
				}
			}
			return out, nil
		}), nil
	})
}

// noisy returns 120 rows whose label follows x, with one label in five
// flipped at random, so memorising the training rows does not pay.
func noisy() *frame.Frame {
	x, label := make([]float64, 120), make([]float64, 120)
	for i := range x {
		x[i] = float64(i%40) + 0.5*math.Sin(float64(i))
		if x[i] > 20 {
			label[i] = 1
		}
		if math.Mod(math.Abs(math.Sin(float64(i)*12.9898)*43758.5453), 1) < 0.2 {
			label[i] = 1 - label[i]
		}
	}
	f, _ := frame.New(frame.Floats("x", x), frame.Floats("label", label))
	return f
}

func ExampleDiagnose() {
	ctx := context.Background()
	data := noisy()
	opts := evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 5, Shuffle: true, Seed: 1}, TrainScores: true}

	// The baseline: always the majority label.
	base, _ := evaluate.CrossValidate(ctx, nearest(1000), data, "label", opts)
	baseline := base.Mean("accuracy")

	for _, k := range []int{1, 15} {
		cv, err := evaluate.CrossValidate(ctx, nearest(k), data, "label", opts)
		if err != nil {
			fmt.Println(err)
			return
		}
		d, _ := evaluate.Diagnose(cv, "accuracy", baseline)
		fmt.Printf("k=%d: %v (train %.2f, validation %.2f)\n", k, d.Verdict, d.Train, d.Test)
	}
	d, _ := evaluate.Diagnose(base, "accuracy", baseline)
	fmt.Println("majority:", d.Verdict)
	// Output:
	// k=1: overfit (train 1.00, validation 0.62)
	// k=15: good fit (train 0.79, validation 0.80)
	// majority: underfit
}

func ExampleLearningCurve() {
	lc, err := evaluate.LearningCurve(context.Background(), nearest(5), noisy(), "label", evaluate.LearningCurveOptions{
		CV:      evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 4}},
		Sizes:   []float64{0.25, 0.5, 1},
		Shuffle: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("training rows:", lc.Sizes)
	d, _ := evaluate.DiagnoseCurve(lc, math.NaN())
	fmt.Println(d.Verdict)
	// Output:
	// training rows: [22 45 90]
	// overfit
}

func ExampleValidationCurve() {
	curve, err := evaluate.ValidationCurve(context.Background(), []int{1, 5, 25},
		func(k int) (evaluate.Learner, error) { return nearest(k), nil },
		noisy(), "label", evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 4}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, k := range curve.Values {
		r := curve.Results[i]
		fmt.Printf("k=%d train %.2f validation %.2f\n", k, r.TrainMean("accuracy"), r.Mean("accuracy"))
	}
	// Output:
	// k=1 train 1.00 validation 0.64
	// k=5 train 0.79 validation 0.73
	// k=25 train 0.79 validation 0.77
}

func ExampleGridSearch() {
	build := func(p evaluate.Params) (evaluate.Learner, error) { return nearest(p["k"].(int)), nil }
	res, err := evaluate.GridSearch(context.Background(), build, map[string][]any{"k": {1, 3, 9, 27}},
		noisy(), "label", evaluate.SearchOptions{
			CV:    evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 4}},
			Refit: true,
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(res)
	fmt.Println("best:", res.BestParams(), "refit:", res.Best != nil)
	// Output:
	// rank  accuracy  ±       params
	// 1     0.7667    0.0527  k=9
	// 2     0.7583    0.0982  k=27
	// 3     0.6417    0.0276  k=1
	// 4     0.6333    0.0408  k=3
	// best: k=9 refit: true
}

func ExampleRandomSearch() {
	build := func(p evaluate.Params) (evaluate.Learner, error) { return nearest(p["k"].(int)), nil }
	space := map[string]evaluate.Distribution{"k": evaluate.IntRange(1, 40)}
	res, err := evaluate.RandomSearch(context.Background(), build, space, 5, 7, noisy(), "label",
		evaluate.SearchOptions{CV: evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 4}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(res.Candidates), "candidates; best has rank", res.Candidates[res.BestIndex].Rank)
	// Output:
	// 5 candidates; best has rank 1
}

func ExamplePermutationImportance() {
	data := noisy()
	ignored := make([]float64, data.NumRows())
	for i := range ignored {
		ignored[i] = float64(i * 7 % 13)
	}
	data, _ = data.With("ignored", frame.NewFloat(ignored))
	p, _ := nearest(9).Fit(context.Background(), data)
	im, err := evaluate.PermutationImportance(context.Background(), p, data, "label", evaluate.ImportanceOptions{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, x := range im.Sorted() {
		fmt.Printf("%s %.2f\n", x.Feature, x.Mean)
	}
	// Output:
	// x 0.31
	// ignored 0.00
}

func ExampleModelLearner() {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = 2*v + 1
	}
	data, _ := frame.New(frame.Floats("x", x), frame.Floats("y", y))
	l := evaluate.ModelLearner(model.LinearRegression{}, "y", "x")
	res, err := evaluate.CrossValidate(context.Background(), l, data, "y", evaluate.CVOptions{
		Splitter: evaluate.KFold{K: 5, Shuffle: true, Seed: 1},
		Scorers:  []evaluate.Scorer{evaluate.ScoreNegRMSE},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("RMSE %.6f\n", -res.Mean("neg_root_mean_squared_error"))
	// Output:
	// RMSE 0.000000
}

func ExampleShuffleSplit() {
	y := []float64{0, 0, 0, 0, 0, 0, 1, 1, 1, 1}
	folds, _ := evaluate.ShuffleSplit{Splits: 3, TestFraction: 0.2, Seed: 1, Stratify: true}.Split(y)
	for _, f := range folds {
		fmt.Println(len(f.Train), "train,", len(f.Test), "test, test labels", y[f.Test[0]]+y[f.Test[1]])
	}
	// Output:
	// 8 train, 2 test, test labels 1
	// 8 train, 2 test, test labels 1
	// 8 train, 2 test, test labels 1
}
