package model_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// fitters are the models checked against bad input; each must reject it
// with an error, never a panic.
var fitters = map[string]model.Model{
	"linear":          model.LinearRegression{},
	"ridge":           model.Ridge{},
	"lasso":           model.Lasso{},
	"elastic net":     model.ElasticNet{},
	"logistic":        model.LogisticRegression{},
	"dummy":           model.DummyClassifier{},
	"dummy regressor": model.DummyRegressor{},
	"gaussian nb":     model.GaussianNB{},
	"multinomial nb":  model.MultinomialNB{},
	"knn":             model.KNeighbors{K: 2, Classifier: true},
	"knn regressor":   model.KNeighbors{K: 2},
	"tree":            model.DecisionTree{},
	"tree regressor":  model.DecisionTree{Criterion: model.SquaredError},
	"forest":          model.RandomForest{Trees: 3},
	"forest regr":     model.RandomForest{Trees: 3, Criterion: model.SquaredError},
}

func TestFitBadInput(t *testing.T) {
	good := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 9})
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	withNaN := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, math.NaN(), 7, 9})
	withInf := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, math.Inf(-1), 9})
	tests := []struct {
		name     string
		ctx      context.Context
		X        mat.Matrix
		y        []float64
		want     error
		contains string
	}{
		{"length mismatch", ctx(), good, []float64{0, 1, 0}, model.ErrLength, "X has 4 rows but y has 3"},
		{"nil X", ctx(), nil, nil, model.ErrEmpty, "X is nil"},
		{"empty X", ctx(), &mat.Dense{}, nil, model.ErrEmpty, "0 rows"},
		{"NaN in X", ctx(), withNaN, []float64{0, 1, 0, 1}, model.ErrNotFinite, "row 2 column 1"},
		{"Inf in X", ctx(), withInf, []float64{0, 1, 0, 1}, model.ErrNotFinite, "row 3 column 0"},
		{"NaN in y", ctx(), good, []float64{0, 1, math.NaN(), 1}, model.ErrNotFinite, "y[2]"},
		{"Inf in y", ctx(), good, []float64{0, math.Inf(1), 0, 1}, model.ErrNotFinite, "y[1]"},
		{"cancelled", cancelled, good, []float64{0, 1, 0, 1}, context.Canceled, ""},
	}
	for name, m := range fitters {
		for _, tc := range tests {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				p, err := m.Fit(tc.ctx, tc.X, tc.y)
				if !errors.Is(err, tc.want) {
					t.Fatalf("Fit error = %v, want %v", err, tc.want)
				}
				if p != nil {
					t.Errorf("Fit returned a predictor with an error")
				}
				if !strings.Contains(err.Error(), tc.contains) {
					t.Errorf("error %q does not contain %q", err, tc.contains)
				}
			})
		}
	}
}

func TestClassifierSingleClass(t *testing.T) {
	X := mat.NewDense(3, 1, []float64{1, 2, 3})
	for name, m := range map[string]model.Model{
		"logistic":       model.LogisticRegression{},
		"gaussian nb":    model.GaussianNB{},
		"multinomial nb": model.MultinomialNB{},
		"knn":            model.KNeighbors{Classifier: true},
		"tree":           model.DecisionTree{},
		"forest":         model.RandomForest{},
	} {
		_, err := m.Fit(ctx(), X, []float64{4, 4, 4})
		if !errors.Is(err, model.ErrSingleClass) {
			t.Errorf("%s: error = %v, want ErrSingleClass", name, err)
		}
	}
}

func TestMultinomialNBNegative(t *testing.T) {
	X := mat.NewDense(2, 2, []float64{1, 2, 3, -1})
	_, err := model.MultinomialNB{}.Fit(ctx(), X, []float64{0, 1})
	if !errors.Is(err, model.ErrNegative) || !strings.Contains(err.Error(), "row 1 column 1") {
		t.Fatalf("error = %v, want ErrNegative naming row 1 column 1", err)
	}
}

func TestKNeighborsTooFewRows(t *testing.T) {
	X := mat.NewDense(3, 1, []float64{1, 2, 3})
	p, err := model.KNeighbors{K: 4}.Fit(ctx(), X, []float64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Predict(ctx(), X); !errors.Is(err, model.ErrParam) {
		t.Fatalf("error = %v, want ErrParam", err)
	}
}

func TestBadParams(t *testing.T) {
	X := mat.NewDense(4, 1, []float64{1, 2, 3, 4})
	y := []float64{0, 1, 0, 1}
	for name, m := range map[string]model.Model{
		"negative C":       model.LogisticRegression{C: -1},
		"NaN C":            model.LogisticRegression{C: math.NaN()},
		"unknown penalty":  model.LogisticRegression{Penalty: 7},
		"negative MaxIter": model.LogisticRegression{MaxIter: -1},
		"negative weight":  model.LogisticRegression{ClassWeight: map[float64]float64{1: -2}},
		"all weights zero": model.LogisticRegression{ClassWeight: map[float64]float64{0: 0, 1: 0}},
		"negative alpha":   model.Ridge{Alpha: -1},
		"lasso alpha":      model.Lasso{Alpha: -1},
		"l1 ratio":         model.ElasticNet{L1Ratio: 1.5},
		"dummy strategy":   model.DummyClassifier{Strategy: 9},
		"dummy regressor":  model.DummyRegressor{Strategy: 9},
		"var smoothing":    model.GaussianNB{VarSmoothing: -1},
		"nb alpha":         model.MultinomialNB{Alpha: -1},
		"negative K":       model.KNeighbors{K: -1},
		"knn weights":      model.KNeighbors{Weights: 5},
		"tree criterion":   model.DecisionTree{Criterion: 9},
		"tree depth":       model.DecisionTree{MaxDepth: -1},
		"forest trees":     model.RandomForest{Trees: -1},
		"forest leaf":      model.RandomForest{MinSamplesLeaf: -2},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := m.Fit(ctx(), X, y); !errors.Is(err, model.ErrParam) {
				t.Fatalf("error = %v, want ErrParam", err)
			}
		})
	}
}

func TestPredictBadInput(t *testing.T) {
	X := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 9})
	y := []float64{0, 1, 0, 1}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for name, m := range fitters {
		p, err := m.Fit(ctx(), X, y)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			ctx  context.Context
			X    mat.Matrix
			want error
		}{
			{"wrong width", ctx(), mat.NewDense(1, 3, nil), model.ErrFeatures},
			{"NaN", ctx(), mat.NewDense(1, 2, []float64{0, math.NaN()}), model.ErrNotFinite},
			{"nil", ctx(), nil, model.ErrEmpty},
			{"cancelled", cancelled, X, context.Canceled},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				if _, err := p.Predict(tc.ctx, tc.X); !errors.Is(err, tc.want) {
					t.Fatalf("Predict error = %v, want %v", err, tc.want)
				}
				if pp, ok := p.(model.ProbaPredictor); ok {
					if _, err := pp.PredictProba(tc.ctx, tc.X); !errors.Is(err, tc.want) {
						t.Fatalf("PredictProba error = %v, want %v", err, tc.want)
					}
				}
			})
		}
	}
}
