package model_test

import (
	"context"
	"fmt"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

func ExampleLinearRegression() {
	// y = 2·x0 - x1 + 3, exactly.
	X := mat.NewDense(5, 2, []float64{
		0, 1,
		1, 0,
		2, 3,
		3, 1,
		4, 4,
	})
	y := []float64{2, 5, 4, 8, 7}
	p, err := model.LinearRegression{}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fit := p.(*model.LinearFit)
	fmt.Printf("coef %.3f intercept %.3f\n", fit.Coef, fit.Intercept)
	pred, _ := p.Predict(context.Background(), mat.NewDense(1, 2, []float64{10, 5}))
	fmt.Printf("prediction %.3f\n", pred)
	// Output:
	// coef [2.000 -1.000] intercept 3.000
	// prediction [18.000]
}

func ExampleRidge() {
	X := mat.NewDense(4, 1, []float64{0, 1, 2, 3})
	y := []float64{1, 3, 5, 7}
	p, err := model.Ridge{Alpha: 5}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fit := p.(*model.LinearFit)
	// The penalty shrinks the slope 2 towards 0: 2·5/(5+5).
	fmt.Printf("coef %.3f intercept %.3f\n", fit.Coef, fit.Intercept)
	// Output:
	// coef [1.000] intercept 2.500
}

func ExampleLogisticRegression() {
	// Hours studied and passed (1) or not (0). scikit-learn gives the same
	// probabilities, 0.069 and 0.931.
	X := mat.NewDense(8, 1, []float64{0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4})
	y := []float64{0, 0, 0, 1, 0, 1, 1, 1}
	p, err := model.LogisticRegression{C: 10}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fit := p.(*model.LogisticFit)
	fmt.Printf("classes %v converged %v\n", fit.Classes(), fit.Converged)
	proba, _ := fit.PredictProba(context.Background(), mat.NewDense(2, 1, []float64{1, 3.5}))
	fmt.Printf("P(pass | 1h) = %.2f\nP(pass | 3.5h) = %.2f\n", proba.At(0, 1), proba.At(1, 1))
	// Output:
	// classes [0 1] converged true
	// P(pass | 1h) = 0.07
	// P(pass | 3.5h) = 0.93
}

func ExampleLogisticRegression_multinomial() {
	// Three classes along one feature: labels may be any float64 values.
	X := mat.NewDense(9, 1, []float64{0, 1, 2, 5, 6, 7, 10, 11, 12})
	y := []float64{10, 10, 10, 20, 20, 20, 30, 30, 30}
	p, err := model.LogisticRegression{}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, _ := p.Predict(context.Background(), mat.NewDense(3, 1, []float64{-1, 6, 13}))
	fmt.Println(pred)
	// Output:
	// [10 20 30]
}

func ExampleMarshal() {
	X := mat.NewDense(4, 1, []float64{1, 2, 3, 4})
	p, _ := model.LinearRegression{}.Fit(context.Background(), X, []float64{3, 5, 7, 9})
	saved, err := model.Marshal(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := model.Unmarshal(saved)
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, _ := loaded.Predict(context.Background(), mat.NewDense(1, 1, []float64{10}))
	fmt.Printf("%s\n%.1f\n", saved, pred)
	// Output:
	// {"kind":"linear_regression","version":1,"state":{"coef":[2],"intercept":1}}
	// [21.0]
}

func ExampleLasso() {
	// y depends on x0 only; the L1 penalty sets the useless x1 to exactly 0.
	X := mat.NewDense(6, 2, []float64{
		1, 0.3,
		2, -0.1,
		3, 0.2,
		4, -0.3,
		5, 0.1,
		6, -0.2,
	})
	y := []float64{2, 4, 6, 8, 10, 12}
	p, err := model.Lasso{Alpha: 0.1}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fit := p.(*model.LinearFit)
	fmt.Printf("coef %.3f intercept %.3f\n", fit.Coef, fit.Intercept)
	// Output:
	// coef [1.966 0.000] intercept 0.120
}

func ExampleDummyClassifier() {
	X := mat.NewDense(4, 1, []float64{1, 2, 3, 4})
	y := []float64{0, 1, 1, 1}
	p, err := model.DummyClassifier{}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, _ := p.Predict(context.Background(), mat.NewDense(2, 1, []float64{9, 0}))
	proba, _ := p.(model.ProbaPredictor).PredictProba(context.Background(), mat.NewDense(1, 1, []float64{9}))
	fmt.Println(pred, proba.RawRowView(0))
	// Output:
	// [1 1] [0.25 0.75]
}

func ExampleGaussianNB() {
	X := mat.NewDense(6, 1, []float64{1.0, 1.2, 0.8, 3.0, 3.3, 2.9})
	y := []float64{0, 0, 0, 1, 1, 1}
	p, err := model.GaussianNB{}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, _ := p.Predict(context.Background(), mat.NewDense(2, 1, []float64{1.1, 2.8}))
	fmt.Println(pred)
	// Output:
	// [0 1]
}

func ExampleMultinomialNB() {
	// Word counts of two documents per class: "ball", "goal", "vote".
	X := mat.NewDense(4, 3, []float64{
		3, 2, 0,
		2, 3, 0,
		0, 0, 4,
		1, 0, 3,
	})
	y := []float64{1, 1, 2, 2} // 1 sport, 2 politics
	p, err := model.MultinomialNB{}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, _ := p.Predict(context.Background(), mat.NewDense(2, 3, []float64{0, 1, 0, 0, 0, 2}))
	fmt.Println(pred)
	// Output:
	// [1 2]
}

func ExampleKNeighbors() {
	X := mat.NewDense(6, 2, []float64{0, 0, 0, 1, 1, 0, 5, 5, 5, 6, 6, 5})
	y := []float64{0, 0, 0, 1, 1, 1}
	p, err := model.KNeighbors{K: 3, Classifier: true}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	pred, _ := p.Predict(context.Background(), mat.NewDense(2, 2, []float64{0.5, 0.5, 5.5, 5.5}))
	fmt.Println(pred)
	// Output:
	// [0 1]
}

func ExampleDecisionTree() {
	// Class 1 exactly when x0 > 2.5.
	X := mat.NewDense(6, 2, []float64{1, 7, 2, 3, 3, 9, 4, 1, 5, 5, 0, 2})
	y := []float64{0, 0, 1, 1, 1, 0}
	p, err := model.DecisionTree{}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	tree := p.(*model.TreeFit)
	fmt.Printf("root: x%d <= %.1f, %d nodes, importances %.1f\n",
		tree.Feature[0], tree.Threshold[0], len(tree.Feature), tree.Importances)
	// Output:
	// root: x0 <= 2.5, 3 nodes, importances [1.0 0.0]
}

func ExampleRandomForest() {
	// Noisy labels of x0 > 0; x1 is noise.
	X := mat.NewDense(200, 2, nil)
	y := make([]float64, 200)
	for i := range 200 {
		x0 := float64(i%20) - 9.5
		x1 := float64((i*7)%13) - 6
		X.SetRow(i, []float64{x0, x1})
		if x0 > 0 {
			y[i] = 1
		}
	}
	p, err := model.RandomForest{Trees: 50, Seed: 1}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	forest := p.(*model.ForestFit)
	fmt.Printf("OOB accuracy %.2f, x0 importance > 0.9: %v\n", forest.OOBScore, forest.Importances[0] > 0.9)
	// Output:
	// OOB accuracy 1.00, x0 importance > 0.9: true
}

func ExampleElasticNet() {
	// Two nearly identical features: the L2 part of the penalty shares the
	// weight between them where a lasso would pick one. scikit-learn gives
	// the same numbers.
	X := mat.NewDense(5, 2, []float64{
		1, 1.1,
		2, 1.9,
		3, 3.0,
		4, 4.1,
		5, 4.9,
	})
	y := []float64{2, 4, 6, 8, 10}
	p, err := model.ElasticNet{Alpha: 0.1, L1Ratio: 0.5}.Fit(context.Background(), X, y)
	if err != nil {
		fmt.Println(err)
		return
	}
	fit := p.(*model.LinearFit)
	fmt.Printf("coef %.3f intercept %.3f\n", fit.Coef, fit.Intercept)
	// Output:
	// coef [1.070 0.896] intercept 0.101
}

func ExampleDummyRegressor() {
	X := mat.NewDense(4, 1, []float64{1, 2, 3, 4})
	y := []float64{1, 2, 3, 10}
	for _, s := range []model.RegressorStrategy{model.Mean, model.Median} {
		p, err := model.DummyRegressor{Strategy: s}.Fit(context.Background(), X, y)
		if err != nil {
			fmt.Println(err)
			return
		}
		pred, _ := p.Predict(context.Background(), mat.NewDense(1, 1, []float64{7}))
		fmt.Println(pred)
	}
	// Output:
	// [4]
	// [2.5]
}
