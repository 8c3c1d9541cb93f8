package model_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// roundTrip saves p, loads it back, and checks that both predict (and give
// probabilities) identically on X.
func roundTrip(t *testing.T, p model.Predictor, X mat.Matrix) {
	t.Helper()
	b, err := model.Marshal(p)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	q, err := model.Unmarshal(b)
	if err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	want, err := p.Predict(ctx(), X)
	if err != nil {
		t.Fatal(err)
	}
	got, err := q.Predict(ctx(), X)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("reloaded predictions differ:\n got %v\nwant %v", got, want)
	}
	if pp, ok := p.(model.ProbaPredictor); ok {
		qp, ok := q.(model.ProbaPredictor)
		if !ok {
			t.Fatalf("reloaded %T is not a ProbaPredictor", q)
		}
		a, err := pp.PredictProba(ctx(), X)
		if err != nil {
			t.Fatal(err)
		}
		b, err := qp.PredictProba(ctx(), X)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.Equal(a, b) {
			t.Errorf("reloaded probabilities differ")
		}
		if !slices.Equal(pp.Classes(), qp.Classes()) {
			t.Errorf("reloaded classes %v, want %v", qp.Classes(), pp.Classes())
		}
	}
}

func TestSaveLoad(t *testing.T) {
	fx := loadFixtures(t)
	Xr, yr := fx.data(t, "reg_unscaled")
	Xb, yb := fx.data(t, "bin")
	Xm, ym := fx.data(t, "multi")
	Xc, yc := fx.data(t, "counts")
	for _, tc := range []struct {
		name string
		m    model.Model
		X    *mat.Dense
		y    []float64
	}{
		{"linear", model.LinearRegression{}, Xr, yr},
		{"ridge", model.Ridge{Alpha: 3}, Xr, yr},
		{"logistic binary", model.LogisticRegression{C: 0.3}, Xb, yb},
		{"logistic multinomial", model.LogisticRegression{}, Xm, ym},
		{"lasso", model.Lasso{Alpha: 0.1}, Xr, yr},
		{"elastic net", model.ElasticNet{Alpha: 0.1}, Xr, yr},
		{"dummy prior", model.DummyClassifier{}, Xm, ym},
		{"dummy stratified", model.DummyClassifier{Strategy: model.Stratified, Seed: 4}, Xm, ym},
		{"dummy uniform", model.DummyClassifier{Strategy: model.Uniform, Seed: 4}, Xm, ym},
		{"dummy median", model.DummyRegressor{Strategy: model.Median}, Xr, yr},
		{"gaussian nb", model.GaussianNB{}, Xm, ym},
		{"multinomial nb", model.MultinomialNB{}, Xc, yc},
		{"knn classifier", model.KNeighbors{Classifier: true, Weights: model.DistanceWeights}, Xm, ym},
		{"knn regressor", model.KNeighbors{K: 3}, Xr, yr},
		{"tree classifier", model.DecisionTree{Criterion: model.Entropy}, Xm, ym},
		{"tree regressor", model.DecisionTree{Criterion: model.SquaredError, MaxDepth: 4}, Xr, yr},
		{"forest classifier", model.RandomForest{Trees: 10}, Xm, ym},
		{"forest regressor", model.RandomForest{Trees: 10, Criterion: model.SquaredError}, Xr, yr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.m.Fit(ctx(), tc.X, tc.y)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, p, tc.X)
		})
	}
}

func TestLoadCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name, json string
	}{
		{"linear no coef", `{"kind":"linear_regression","version":1,"state":{"coef":[],"intercept":1}}`},
		{"logistic one class", `{"kind":"logistic_regression","version":1,"state":{"classes":[1],"coef":[[1]],"intercept":[0]}}`},
		{"logistic unsorted", `{"kind":"logistic_regression","version":1,"state":{"classes":[2,1],"coef":[[1]],"intercept":[0]}}`},
		{"logistic rows", `{"kind":"logistic_regression","version":1,"state":{"classes":[0,1,2],"coef":[[1]],"intercept":[0]}}`},
		{"logistic ragged", `{"kind":"logistic_regression","version":1,"state":{"classes":[0,1,2],"coef":[[1,2],[1],[3,4]],"intercept":[0,0,0]}}`},
		{"logistic intercepts", `{"kind":"logistic_regression","version":1,"state":{"classes":[0,1],"coef":[[1]],"intercept":[]}}`},
		{"dummy priors", `{"kind":"dummy_classifier","version":1,"state":{"classes":[0,1],"prior":[1],"n_features":1}}`},
		{"dummy regressor features", `{"kind":"dummy_regressor","version":1,"state":{"constant":1,"n_features":0}}`},
		{"gaussian nb variance", `{"kind":"gaussian_nb","version":1,"state":{"classes":[0,1],"class_prior":[0.5,0.5],"theta":[[0],[1]],"var":[[1],[0]]}}`},
		{"gaussian nb ragged", `{"kind":"gaussian_nb","version":1,"state":{"classes":[0,1],"class_prior":[0.5,0.5],"theta":[[0],[1,2]],"var":[[1],[1]]}}`},
		{"multinomial nb rows", `{"kind":"multinomial_nb","version":1,"state":{"classes":[0,1],"class_log_prior":[-1,-1],"feature_log_prob":[[-1]]}}`},
		{"knn lengths", `{"kind":"k_neighbors_regressor","version":1,"state":{"k":1,"n_features":2,"X":[1,2,3],"y":[1,2]}}`},
		{"knn class index", `{"kind":"k_neighbors_classifier","version":1,"state":{"k":1,"n_features":1,"X":[1,2],"y":[0,5],"classes":[0,1]}}`},
		{"tree cycle", `{"kind":"decision_tree_regressor","version":1,"state":{"n_features":1,"feature_importances":[1],"feature":[0,-1],"threshold":[0,0],"left":[0,0],"right":[1,0],"value":[1,2],"n_outputs":1}}`},
		{"tree feature", `{"kind":"decision_tree_regressor","version":1,"state":{"n_features":1,"feature_importances":[1],"feature":[3,-1,-1],"threshold":[0,0,0],"left":[1,0,0],"right":[2,0,0],"value":[1,2,3],"n_outputs":1}}`},
		{"tree values", `{"kind":"decision_tree_regressor","version":1,"state":{"n_features":1,"feature_importances":[1],"feature":[-1],"threshold":[0],"left":[0],"right":[0],"value":[],"n_outputs":1}}`},
		{"forest no trees", `{"kind":"random_forest_regressor","version":1,"state":{"n_features":1,"feature_importances":[1],"trees":[]}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := model.Unmarshal([]byte(tc.json))
			if !errors.Is(err, model.ErrState) {
				t.Fatalf("Unmarshal error = %v, want ErrState", err)
			}
		})
	}
	if _, err := model.Unmarshal([]byte(`{"kind":"linear_regression","version":1,"state":{"coef":"x"}}`)); err == nil || !strings.Contains(err.Error(), "linear_regression") {
		t.Errorf("bad JSON state: error %v", err)
	}
}

func TestRegressorsGiveNoProbabilities(t *testing.T) {
	fx := loadFixtures(t)
	X, y := fx.data(t, "reg")
	for name, m := range map[string]model.Model{
		"linear":  model.LinearRegression{},
		"dummy":   model.DummyRegressor{},
		"knn":     model.KNeighbors{},
		"tree":    model.DecisionTree{Criterion: model.SquaredError},
		"forest":  model.RandomForest{Criterion: model.SquaredError, Trees: 2},
		"lasso":   model.Lasso{},
		"elastic": model.ElasticNet{},
	} {
		p, err := m.Fit(ctx(), X, y)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.(model.ProbaPredictor); ok {
			t.Errorf("%s regressor %T is a ProbaPredictor", name, p)
		}
	}
}
