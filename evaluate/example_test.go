package evaluate_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
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

func ExampleConfusionMatrix() {
	yTrue := []float64{0, 1, 2, 2, 2, 1}
	yPred := []float64{0, 0, 2, 2, 1, 1}
	cm, _ := evaluate.ConfusionMatrix(yTrue, yPred)
	fmt.Print(cm)
	// Output:
	// true \ predicted  0  1  2
	//                  0  1  0  0
	//                  1  1  1  0
	//                  2  0  1  2
}

func ExampleClassificationReport() {
	yTrue := []float64{0, 1, 2, 2, 2}
	yPred := []float64{0, 0, 2, 2, 1}
	report, _ := evaluate.ClassificationReport(yTrue, yPred, []string{"class 0", "class 1", "class 2"}, 2)
	fmt.Print(report)
	// Output:
	//               precision    recall  f1-score   support
	//
	//      class 0       0.50      1.00      0.67         1
	//      class 1       0.00      0.00      0.00         1
	//      class 2       1.00      0.67      0.80         3
	//
	//     accuracy                           0.60         5
	//    macro avg       0.50      0.56      0.49         5
	// weighted avg       0.70      0.60      0.61         5
}

func ExampleF1Avg() {
	yTrue := []float64{0, 1, 2, 0, 1, 2}
	yPred := []float64{0, 2, 1, 0, 0, 1}
	for _, avg := range []evaluate.Average{evaluate.Macro, evaluate.Micro, evaluate.Weighted} {
		f, _ := evaluate.F1Avg(yTrue, yPred, avg)
		fmt.Printf("%s %.4f\n", avg, f)
	}
	_, err := evaluate.F1Avg(yTrue, yPred, evaluate.Binary)
	fmt.Println(errors.Is(err, evaluate.ErrLabel))
	// Output:
	// macro 0.2667
	// micro 0.3333
	// weighted 0.2667
	// true
}

func ExampleLogLoss() {
	y := []float64{0, 0, 1, 1}
	// One column: the probability of the larger class, 1.
	p := mat.NewDense(4, 1, []float64{0.1, 0.2, 0.7, 0.99})
	ll, _ := evaluate.LogLoss(y, p, nil)
	fmt.Printf("%.6f\n", ll)
	// Output:
	// 0.173807
}

func ExampleROCAUCOvR() {
	y := []float64{0, 1, 2, 2}
	proba := mat.NewDense(4, 3, []float64{
		0.8, 0.1, 0.1,
		0.3, 0.4, 0.3,
		0.1, 0.5, 0.4,
		0.2, 0.2, 0.6,
	})
	macro, _ := evaluate.ROCAUCOvR(y, proba, nil, evaluate.Macro)
	weighted, _ := evaluate.ROCAUCOvR(y, proba, nil, evaluate.Weighted)
	fmt.Printf("macro %.4f, weighted %.4f\n", macro, weighted)
	// Output:
	// macro 0.8889, weighted 0.9167
}

func ExampleROCCurve() {
	y := []float64{0, 0, 1, 1}
	score := []float64{0.1, 0.4, 0.35, 0.8}
	fpr, tpr, thr, _ := evaluate.ROCCurve(y, score)
	fmt.Println(fpr)
	fmt.Println(tpr)
	fmt.Println(thr)
	// Output:
	// [0 0 0.5 0.5 1]
	// [0 0.5 0.5 1 1]
	// [1.8 0.8 0.4 0.35 0.1]
}

func ExampleCalibrationCurve() {
	y := []float64{0, 0, 1, 0, 1, 1, 1, 0}
	p := []float64{0.1, 0.2, 0.3, 0.4, 0.65, 0.7, 0.8, 0.9}
	fracPos, meanProb, _ := evaluate.CalibrationCurve(y, p, 2, false)
	fmt.Printf("%.4f %.4f\n", fracPos, meanProb)
	// Output:
	// [0.2500 0.7500] [0.2500 0.7625]
}

func ExampleMAE() {
	yTrue := []float64{3, -0.5, 2, 7}
	yPred := []float64{2.5, 0, 2, 8}
	mae, _ := evaluate.MAE(yTrue, yPred)
	med, _ := evaluate.MedianAE(yTrue, yPred)
	maxErr, _ := evaluate.MaxError(yTrue, yPred)
	ev, _ := evaluate.ExplainedVariance(yTrue, yPred)
	fmt.Printf("MAE %.3f, median %.3f, max %.3f, explained variance %.4f\n", mae, med, maxErr, ev)
	// Output:
	// MAE 0.500, median 0.500, max 1.000, explained variance 0.9572
}

func ExampleGroupKFold() {
	// Rows of three customers: no customer is on both sides of a fold.
	customers := []string{"ann", "ann", "bob", "bob", "bob", "cy"}
	folds, _ := evaluate.GroupKFold[string]{K: 2, Groups: customers}.Split(make([]float64, len(customers)))
	for _, f := range folds {
		fmt.Println("test", f.Test)
	}
	// Output:
	// test [2 3 4]
	// test [0 1 5]
}

func ExampleTimeSeriesSplit() {
	folds, _ := evaluate.TimeSeriesSplit{K: 3}.Split(make([]float64, 8))
	for _, f := range folds {
		fmt.Println("train", f.Train, "test", f.Test)
	}
	// Output:
	// train [0 1] test [2 3]
	// train [0 1 2 3] test [4 5]
	// train [0 1 2 3 4 5] test [6 7]
}

func ExampleMatthewsCorrCoef() {
	yTrue := []float64{0, 0, 1, 1, 1, 0, 1, 0}
	yPred := []float64{0, 1, 1, 1, 0, 0, 1, 1}
	mcc, _ := evaluate.MatthewsCorrCoef(yTrue, yPred)
	kappa, _ := evaluate.CohenKappa(yTrue, yPred)
	bal, _ := evaluate.BalancedAccuracy(yTrue, yPred)
	p, _ := evaluate.Precision(yTrue, yPred, evaluate.Binary)
	r, _ := evaluate.Recall(yTrue, yPred, evaluate.Binary)
	f2, _ := evaluate.FBeta(yTrue, yPred, 2, evaluate.Binary)
	fmt.Printf("MCC %.4f, kappa %.2f, balanced accuracy %.3f\n", mcc, kappa, bal)
	fmt.Printf("precision %.2f, recall %.2f, F2 %.4f\n", p, r, f2)
	// Output:
	// MCC 0.2582, kappa 0.25, balanced accuracy 0.625
	// precision 0.60, recall 0.75, F2 0.7143
}

func ExamplePrecisionRecallCurve() {
	y := []float64{0, 0, 1, 1}
	score := []float64{0.1, 0.4, 0.35, 0.8}
	p, r, thr, _ := evaluate.PrecisionRecallCurve(y, score)
	ap, _ := evaluate.AveragePrecision(y, score)
	brier, _ := evaluate.BrierScore(y, score)
	fmt.Printf("precision %.3f\nrecall %v\nthresholds %v\n", p, r, thr)
	fmt.Printf("average precision %.4f, Brier %.5f\n", ap, brier)
	// Output:
	// precision [0.500 0.667 0.500 1.000 1.000]
	// recall [1 1 0.5 0.5 0]
	// thresholds [0.1 0.35 0.4 0.8]
	// average precision 0.8333, Brier 0.15813
}

func ExampleScorerByName() {
	s, err := evaluate.ScorerByName("f1_macro")
	fmt.Println(s.Name, err)
	_, err = evaluate.ScorerByName("f1-macro")
	fmt.Println(errors.Is(err, evaluate.ErrScorer))
	// Output:
	// f1_macro <nil>
	// true
}

func ExampleKFold() {
	folds, _ := evaluate.KFold{K: 3}.Split(make([]float64, 7))
	for _, f := range folds {
		fmt.Println("test", f.Test)
	}
	_, err := evaluate.KFold{K: 1}.Split(make([]float64, 7))
	fmt.Println(errors.Is(err, evaluate.ErrSplit))
	// Output:
	// test [0 1 2]
	// test [3 4]
	// test [5 6]
	// true
}

func ExampleRepeatedStratifiedKFold() {
	y := []float64{0, 0, 0, 0, 1, 1, 1, 1}
	folds, _ := evaluate.RepeatedStratifiedKFold{K: 2, Repeats: 3, Seed: 5}.Split(y)
	fmt.Println(len(folds), "folds")
	for _, f := range folds {
		pos := 0.0
		for _, i := range f.Test {
			pos += y[i]
		}
		fmt.Print(pos, " ")
	}
	fmt.Println()
	// Output:
	// 6 folds
	// 2 2 2 2 2 2
}

func ExampleTarget() {
	data, _ := frame.New(frame.Bools("churned", []bool{true, false, true}, nil))
	y, _ := evaluate.Target(data, "churned")
	fmt.Println(y)
	_, err := evaluate.Target(data, "label")
	fmt.Println(errors.Is(err, frame.ErrNoColumn))
	// Output:
	// [1 0 1]
	// true
}

// Out-of-fold probabilities give a cross-validated ROC AUC and confusion
// matrix over the whole data set (scikit-learn's cross_val_predict gives
// the same on this data).
func ExampleCrossValPredict() {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	y := []float64{0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1}
	data, _ := frame.New(frame.Floats("x", x), frame.Floats("y", y))
	l := evaluate.ModelLearner(model.LogisticRegression{}, "y", "x")
	oof, err := evaluate.CrossValPredict(context.Background(), l, data, "y", evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 3}})
	if err != nil {
		fmt.Println(err)
		return
	}
	auc, _ := evaluate.ROCAUC(y, mat.Col(nil, 1, oof.Proba))
	cm, _ := evaluate.ConfusionMatrix(y, oof.Pred)
	fmt.Printf("classes %v, out-of-fold ROC AUC %.3f\n", oof.Classes, auc)
	fmt.Println(cm.Counts)
	// Output:
	// classes [0 1], out-of-fold ROC AUC 0.722
	// [[4 2] [2 4]]
}
