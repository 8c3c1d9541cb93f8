package evaluate_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// The figures below are those of scikit-learn 1.2.1 on the same input.

// Binary labels, predictions and scores shared by the examples.
var (
	binTrue  = []float64{0, 0, 1, 1, 1, 0, 1, 0}
	binPred  = []float64{0, 1, 1, 1, 0, 0, 1, 1}
	binScore = []float64{0.1, 0.6, 0.35, 0.8, 0.2, 0.3, 0.9, 0.55}
	// Three classes.
	multiTrue = []float64{0, 1, 2, 0, 1, 2, 2}
	multiPred = []float64{0, 2, 1, 0, 0, 2, 2}
	// Regression truth and predictions.
	regTrue = []float64{3, -0.5, 2, 7}
	regPred = []float64{2.5, 0, 2, 8}
)

func ExampleF1() {
	f1, _ := evaluate.F1(binTrue, binPred)
	fmt.Printf("%.4f\n", f1)

	_, err := evaluate.F1(multiTrue, multiPred) // F1 is binary: use F1Avg
	fmt.Println(errors.Is(err, evaluate.ErrLabel))
	// Output:
	// 0.6667
	// true
}

func ExampleBalancedAccuracy() {
	b, _ := evaluate.BalancedAccuracy(binTrue, binPred)
	fmt.Println(b)
	// Output:
	// 0.625
}

func ExampleCohenKappa() {
	k, _ := evaluate.CohenKappa(binTrue, binPred)
	fmt.Printf("%.2f\n", k)

	_, err := evaluate.CohenKappa([]float64{1, 1}, []float64{1, 1}) // one label: undefined
	fmt.Println(errors.Is(err, evaluate.ErrUndefined))
	// Output:
	// 0.25
	// true
}

func ExampleWeightedKappa() {
	// Two raters' grades on a 1–5 scale.
	r1 := []float64{1, 2, 3, 4, 5, 3, 2}
	r2 := []float64{1, 3, 3, 5, 5, 2, 2}
	linear, _ := evaluate.WeightedKappa(r1, r2, false)
	quadratic, _ := evaluate.WeightedKappa(r1, r2, true)
	fmt.Printf("linear %.4f, quadratic %.2f\n", linear, quadratic)
	// Output:
	// linear 0.7123, quadratic 0.88
}

func ExamplePrecision() {
	for _, avg := range []evaluate.Average{evaluate.Macro, evaluate.Micro, evaluate.Weighted} {
		p, _ := evaluate.Precision(multiTrue, multiPred, avg)
		fmt.Printf("%s %.4f\n", avg, p)
	}
	// Output:
	// macro 0.4444
	// micro 0.5714
	// weighted 0.4762
}

func ExampleRecall() {
	r, _ := evaluate.Recall(binTrue, binPred, evaluate.Binary)
	macro, _ := evaluate.Recall(multiTrue, multiPred, evaluate.Macro)
	fmt.Printf("binary %.2f, macro %.4f\n", r, macro)
	// Output:
	// binary 0.75, macro 0.5556
}

func ExampleFBeta() {
	// β = 0.5 weighs precision above recall.
	f, _ := evaluate.FBeta(multiTrue, multiPred, 0.5, evaluate.Weighted)
	fmt.Printf("%.4f\n", f)
	// Output:
	// 0.4898
}

func ExamplePerClass() {
	s, _ := evaluate.PerClass(multiTrue, multiPred, 1)
	for i, l := range s.Labels {
		fmt.Printf("class %v: precision %.2f recall %.2f F1 %.2f support %d\n",
			l, s.Precision[i], s.Recall[i], s.FScore[i], s.Support[i])
	}
	// Output:
	// class 0: precision 0.67 recall 1.00 F1 0.80 support 2
	// class 1: precision 0.00 recall 0.00 F1 0.00 support 2
	// class 2: precision 0.67 recall 0.67 F1 0.67 support 3
}

func ExampleAveragePrecision() {
	ap, _ := evaluate.AveragePrecision(binTrue, binScore)
	fmt.Printf("%.4f\n", ap)

	_, err := evaluate.AveragePrecision([]float64{0, 0}, []float64{0.3, 0.6}) // no positive
	fmt.Println(errors.Is(err, evaluate.ErrUndefined))
	// Output:
	// 0.7929
	// true
}

func ExampleBrierScore() {
	b, _ := evaluate.BrierScore(binTrue, binScore)
	fmt.Printf("%.6f\n", b)
	// Output:
	// 0.234375
}

func ExampleMSE() {
	mse, _ := evaluate.MSE(regTrue, regPred)
	fmt.Println(mse)

	_, err := evaluate.MSE(regTrue, regPred[:2])
	fmt.Println(err)
	// Output:
	// 0.375
	// mse: y_true has 4 values but y_pred has 2: lengths differ
}

func ExampleRMSE() {
	rmse, _ := evaluate.RMSE(regTrue, regPred)
	fmt.Printf("%.6f\n", rmse)
	// Output:
	// 0.612372
}

func ExampleMAPE() {
	mape, _ := evaluate.MAPE(regTrue, regPred)
	fmt.Printf("%.4f\n", mape)

	// A zero truth divides by the float64 epsilon: huge but finite.
	big, _ := evaluate.MAPE([]float64{0, 1}, []float64{1, 1})
	fmt.Printf("%.4g\n", big)
	// Output:
	// 0.3274
	// 2.252e+15
}

func ExampleMedianAE() {
	m, _ := evaluate.MedianAE(regTrue, regPred)
	fmt.Println(m)
	// Output:
	// 0.5
}

func ExampleMaxError() {
	m, _ := evaluate.MaxError(regTrue, regPred)
	fmt.Println(m)
	// Output:
	// 1
}

func ExampleExplainedVariance() {
	ev, _ := evaluate.ExplainedVariance(regTrue, regPred)
	fmt.Printf("%.4f\n", ev)
	// Output:
	// 0.9572
}

func ExampleRepeatedKFold() {
	folds, _ := evaluate.RepeatedKFold{K: 2, Repeats: 2, Seed: 1}.Split(make([]float64, 6))
	for _, f := range folds {
		fmt.Println(len(f.Train), "train,", len(f.Test), "test")
	}
	// Output:
	// 3 train, 3 test
	// 3 train, 3 test
	// 3 train, 3 test
	// 3 train, 3 test
}

// line returns 40 rows of one feature x and a label that is 1 for x > 20
// but for every seventh row.
func line() *frame.Frame {
	x, y := make([]float64, 40), make([]float64, 40)
	for i := range x {
		x[i] = float64(i)
		if (i > 20) != (i%7 == 0) {
			y[i] = 1
		}
	}
	f, _ := frame.New(frame.Floats("x", x), frame.Floats("y", y))
	return f
}

func ExampleLabelScorer() {
	kappa := evaluate.LabelScorer("kappa", evaluate.CohenKappa)
	res, err := evaluate.CrossValidate(context.Background(), evaluate.ModelLearner(model.DecisionTree{MaxDepth: 1}, "y"),
		line(), "y", evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 4, Shuffle: true, Seed: 1}, Scorers: []evaluate.Scorer{kappa}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("kappa %.4f\n", res.Mean("kappa"))
	// Output:
	// kappa 0.6957
}

func ExampleProbaScorer() {
	ap := evaluate.ProbaScorer("average_precision", evaluate.AveragePrecision)
	res, err := evaluate.CrossValidate(context.Background(), evaluate.ModelLearner(model.LogisticRegression{}, "y"),
		line(), "y", evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 4, Shuffle: true, Seed: 1}, Scorers: []evaluate.Scorer{ap}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("average precision %.4f\n", res.Mean("average_precision"))
	// Output:
	// average precision 0.8713
}

func ExampleProbaMatrixScorer() {
	weighted := evaluate.ProbaMatrixScorer("roc_auc_ovr_weighted", func(y []float64, p mat.Matrix, classes []float64) (float64, error) {
		return evaluate.ROCAUCOvR(y, p, classes, evaluate.Weighted)
	})
	res, err := evaluate.CrossValidate(context.Background(), evaluate.ModelLearner(model.GaussianNB{}, "y"),
		line(), "y", evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 4, Shuffle: true, Seed: 1}, Scorers: []evaluate.Scorer{weighted}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.4f\n", res.Mean("roc_auc_ovr_weighted"))
	// Output:
	// 0.8400
}

func ExampleUniform() {
	r := rand.New(rand.NewPCG(1, 2))
	d := evaluate.Uniform(0, 1)
	fmt.Printf("%.4f %.4f\n", d.Sample(r), d.Sample(r))
	// Output:
	// 0.6765 0.4614
}

func ExampleLogUniform() {
	// C between 0.001 and 1000, each decade as likely.
	r := rand.New(rand.NewPCG(1, 2))
	d := evaluate.LogUniform(1e-3, 1e3)
	fmt.Printf("%.4g %.4g\n", d.Sample(r), d.Sample(r))
	// Output:
	// 11.45 0.5866
}

func ExampleIntRange() {
	r := rand.New(rand.NewPCG(1, 2))
	d := evaluate.IntRange(1, 6)
	fmt.Println(d.Sample(r), d.Sample(r), d.Sample(r))
	// Output:
	// 5 4 5
}

func ExampleChoice() {
	r := rand.New(rand.NewPCG(1, 2))
	d := evaluate.Choice("gini", "entropy", "log_loss")
	fmt.Println(d.Sample(r), d.Sample(r), d.Sample(r))
	// Output:
	// log_loss entropy log_loss
}
