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
