package model_test

import (
	"math"
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// cvModels are the models whose cross-validated accuracy on iris and wine is
// compared with scikit-learn's on the same folds, and the gap allowed: 0.01
// for every model, as the project promises (the tree and the forest differ
// from scikit-learn's in their random draws, by 0.0067 at most on these folds).
var cvModels = map[string]struct {
	m   model.Model
	tol float64
}{
	"logistic":    {model.LogisticRegression{}, 0.01},
	"gaussian_nb": {model.GaussianNB{}, 0.01},
	"knn5":        {model.KNeighbors{Classifier: true}, 0.01},
	"tree":        {model.DecisionTree{}, 0.01},
	"forest":      {model.RandomForest{Seed: 1}, 0.01},
	"dummy":       {model.DummyClassifier{}, 0.01},
}

func TestCrossValidatedAccuracy(t *testing.T) {
	fx := loadFixtures(t)
	for _, tc := range fx.CV {
		t.Run(tc.Data+"/"+tc.Model, func(t *testing.T) {
			spec, ok := cvModels[tc.Model]
			if !ok {
				t.Fatalf("no model %q", tc.Model)
			}
			X, y := fx.data(t, tc.Data)
			var sum float64
			for _, acc := range foldAccuracies(t, spec.m, X, y, tc.Folds) {
				sum += acc
			}
			acc := sum / float64(len(tc.Folds))
			if math.Abs(acc-tc.Accuracy) > spec.tol {
				t.Errorf("accuracy %.4f, scikit-learn %.4f", acc, tc.Accuracy)
			}
			t.Logf("accuracy %.4f, scikit-learn %.4f", acc, tc.Accuracy)
		})
	}
}

func takeRows(X *mat.Dense, y []float64, idx []int) (*mat.Dense, []float64) {
	_, p := X.Dims()
	out := mat.NewDense(len(idx), p, nil)
	ys := make([]float64, len(idx))
	for r, i := range idx {
		out.SetRow(r, X.RawRowView(i))
		ys[r] = y[i]
	}
	return out, ys
}
