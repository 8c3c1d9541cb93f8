package model_test

import (
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// FuzzUnmarshal feeds crafted saved models to Unmarshal: it must return an
// error or a model whose Predict (and PredictProba) returns without
// panicking on input of the width it declares.
func FuzzUnmarshal(f *testing.F) {
	X := mat.NewDense(6, 2, []float64{0, 1, 1, 0, 2, 2, 3, 1, 4, 0, 5, 2})
	y := []float64{0, 1, 0, 1, 2, 2}
	for _, m := range []model.Model{
		model.LinearRegression{}, model.LogisticRegression{}, model.DummyClassifier{Strategy: model.Stratified},
		model.DummyRegressor{}, model.GaussianNB{}, model.MultinomialNB{}, model.KNeighbors{K: 2, Classifier: true},
		model.KNeighbors{K: 2}, model.DecisionTree{}, model.DecisionTree{Criterion: model.SquaredError},
		model.RandomForest{Trees: 2}, model.RandomForest{Trees: 2, Criterion: model.SquaredError},
	} {
		p, err := m.Fit(ctx(), X, y)
		if err != nil {
			f.Fatal(err)
		}
		b, err := model.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := model.Unmarshal(data)
		if err != nil {
			return
		}
		for _, width := range []int{1, 2, 3} {
			q := mat.NewDense(2, width, nil)
			_, _ = p.Predict(ctx(), q)
			if pp, ok := p.(model.ProbaPredictor); ok {
				_, _ = pp.PredictProba(ctx(), q)
				_ = pp.Classes()
			}
		}
	})
}
