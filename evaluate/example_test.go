package evaluate_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
)

func ExampleAccuracy() {
	yTrue := []float64{0, 1, 1, 0, 1}
	yPred := []float64{0, 1, 0, 0, 1}
	acc, _ := evaluate.Accuracy(yTrue, yPred)
	f1, _ := evaluate.F1(yTrue, yPred)
	fmt.Printf("accuracy %.2f, F1 %.2f\n", acc, f1)

	_, err := evaluate.Accuracy(yTrue, yPred[:3])
	fmt.Println(errors.Is(err, evaluate.ErrLength), err)
	// Output:
	// accuracy 0.80, F1 0.80
	// true accuracy: y_true has 5 values but y_pred has 3: lengths differ
}

func ExampleROCAUC() {
	y := []float64{0, 0, 1, 1}
	score := []float64{0.1, 0.4, 0.4, 0.8} // a positive and a negative tie at 0.4
	auc, _ := evaluate.ROCAUC(y, score)
	fmt.Println(auc)

	_, err := evaluate.ROCAUC([]float64{1, 1}, []float64{0.3, 0.6})
	fmt.Println(errors.Is(err, evaluate.ErrUndefined))
	// Output:
	// 0.875
	// true
}

func ExampleR2() {
	yTrue := []float64{3, -0.5, 2, 7}
	yPred := []float64{2.5, 0, 2, 8}
	r2, _ := evaluate.R2(yTrue, yPred)
	rmse, _ := evaluate.RMSE(yTrue, yPred)
	fmt.Printf("R² %.4f, RMSE %.4f\n", r2, rmse)
	// Output:
	// R² 0.9486, RMSE 0.6124
}

func ExampleStratifiedKFold() {
	y := []float64{0, 0, 0, 0, 0, 0, 1, 1, 1}
	folds, _ := evaluate.StratifiedKFold{K: 3}.Split(y)
	for _, f := range folds {
		fmt.Println("test", f.Test, "train", f.Train)
	}

	_, err := evaluate.StratifiedKFold{K: 4}.Split(y)
	fmt.Println(err)
	// Output:
	// test [0 1 6] train [2 3 4 5 7 8]
	// test [2 3 7] train [0 1 4 5 6 8]
	// test [4 5 8] train [0 1 2 3 6 7]
	// stratified kfold: class 1 has 3 members, fewer than K=4 folds; lower K or merge rare classes: class has too few members
}

func ExampleTrainTestSplit() {
	y := make([]float64, 100)
	for i := range 30 {
		y[i] = 1 // 30% positive
	}
	train, test, _ := evaluate.TrainTestSplit(y, 0.2, 42, true)
	positives := 0
	for _, i := range test {
		positives += int(y[i])
	}
	fmt.Printf("%d train, %d test, %d positive in test\n", len(train), len(test), positives)
	// Output:
	// 80 train, 20 test, 6 positive in test
}

// A Learner that predicts the training rows' most frequent label: the
// baseline any real model should beat.
func ExampleCrossValidate() {
	churn := []bool{false, true, false, false, true, false, false, true, false, false}
	tenure := []float64{24, 2, 36, 12, 3, 48, 30, 1, 60, 18}
	data, _ := frame.New(frame.Floats("tenure", tenure), frame.Bools("churn", churn, nil))

	majority := evaluate.LearnerFunc(func(ctx context.Context, train *frame.Frame) (evaluate.Predictor, error) {
		y, err := evaluate.Target(train, "churn")
		if err != nil {
			return nil, err
		}
		ones := 0.0
		for _, v := range y {
			ones += v
		}
		label := 0.0
		if ones > float64(len(y))/2 {
			label = 1
		}
		return evaluate.PredictorFunc(func(_ context.Context, f *frame.Frame) ([]float64, error) {
			out := make([]float64, f.NumRows())
			for i := range out {
				out[i] = label
			}
			return out, nil
		}), nil
	})

	res, err := evaluate.CrossValidate(context.Background(), majority, data, "churn", evaluate.CVOptions{
		Splitter: evaluate.StratifiedKFold{K: 3},
		Scorers:  []evaluate.Scorer{evaluate.ScoreAccuracy, evaluate.ScoreF1},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("per fold:", res.TestScores("accuracy"))
	fmt.Printf("accuracy %.3f ± %.3f, F1 %.1f\n", res.Mean("accuracy"), res.Std("accuracy"), res.Mean("f1"))
	// Output:
	// per fold: [0.75 0.6666666666666666 0.6666666666666666]
	// accuracy 0.694 ± 0.039, F1 0.0
}
