package plots_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/evaluate/plots"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/plot"
)

var (
	yTrue  = []float64{0, 0, 1, 1, 0, 1, 0, 1}
	good   = plots.Scores{Name: "model", YTrue: yTrue, Score: []float64{0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.6, 0.7}}
	random = plots.Scores{Name: "coin", YTrue: yTrue, Score: []float64{0.5, 0.2, 0.7, 0.4, 0.9, 0.1, 0.6, 0.3}}
)

// describe prints what a plot shows: its title and axes.
func describe(p *plot.Plot) {
	fmt.Printf("%q: x %q, y %q\n", p.Title.Text, p.X.Label.Text, p.Y.Label.Text)
}

func ExampleROC() {
	p, err := plots.ROC("ROC", good, random)
	if err != nil {
		fmt.Println(err)
		return
	}
	describe(p)

	_, err = plots.ROC("one class", plots.Scores{Name: "m", YTrue: []float64{1, 1}, Score: []float64{0.2, 0.6}})
	fmt.Println(errors.Is(err, evaluate.ErrUndefined))
	// Output:
	// "ROC": x "false positive rate", y "true positive rate"
	// true
}

func ExamplePrecisionRecall() {
	p, err := plots.PrecisionRecall("Precision-recall", good, random)
	if err != nil {
		fmt.Println(err)
		return
	}
	describe(p)
	// Output:
	// "Precision-recall": x "recall", y "precision"
}

func ExampleCalibration() {
	p, err := plots.Calibration("Calibration", 4, false, good)
	if err != nil {
		fmt.Println(err)
		return
	}
	describe(p)
	// Output:
	// "Calibration": x "mean predicted probability", y "fraction of positives"
}

func ExampleConfusion() {
	cm, _ := evaluate.ConfusionMatrix(yTrue, []float64{0, 0, 0, 1, 0, 1, 1, 1})
	p, err := plots.Confusion("Confusion matrix", cm, []string{"stays", "churns"})
	if err != nil {
		fmt.Println(err)
		return
	}
	describe(p)
	// Output:
	// "Confusion matrix": x "predicted", y "true"
}

func ExampleLearningCurve() {
	x, y := make([]float64, 80), make([]float64, 80)
	for i := range x {
		x[i] = math.Sin(float64(i))
		if x[i]+0.3*math.Cos(float64(7*i)) > 0 {
			y[i] = 1
		}
	}
	data, _ := frame.New(frame.Floats("x", x), frame.Floats("y", y))
	lc, err := evaluate.LearningCurve(context.Background(), evaluate.ModelLearner(model.LogisticRegression{}, "y"),
		data, "y", evaluate.LearningCurveOptions{
			CV:    evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 4}},
			Sizes: []float64{0.3, 0.6, 1},
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := plots.LearningCurve("Learning curve", lc)
	if err != nil {
		fmt.Println(err)
		return
	}
	describe(p)
	// Output:
	// "Learning curve": x "training rows", y "accuracy"
}

func ExampleSave() {
	dir, err := os.MkdirTemp("", "plots")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	p, _ := plots.ROC("ROC", good)
	for _, name := range []string{"roc.svg", "roc.png", "roc.pdf", "roc.gif"} {
		err := plots.Save(p, filepath.Join(dir, name), 4, 4)
		fmt.Println(name, err == nil, errors.Is(err, plots.ErrFormat))
	}
	// Output:
	// roc.svg true false
	// roc.png true false
	// roc.pdf true false
	// roc.gif false true
}
