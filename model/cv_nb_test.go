package model_test

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// TestCrossValidatedAccuracyMultinomialNB compares multinomial naive
// Bayes's 5-fold accuracy on iris and wine with scikit-learn's
// (testdata/gen_cv_nb.py), on the folds of fixtures.json, to 0.01.
func TestCrossValidatedAccuracyMultinomialNB(t *testing.T) {
	b, err := os.ReadFile("testdata/cv_nb.json")
	if err != nil {
		t.Fatal(err)
	}
	var want []struct {
		Data         string    `json:"data"`
		Accuracy     float64   `json:"accuracy"`
		FoldAccuracy []float64 `json:"fold_accuracy"`
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	fx := loadFixtures(t)
	for _, w := range want {
		t.Run(w.Data, func(t *testing.T) {
			i := slices.IndexFunc(fx.CV, func(c cvFixture) bool { return c.Data == w.Data })
			if i < 0 {
				t.Fatalf("no folds for %s in fixtures.json", w.Data)
			}
			X, y := fx.data(t, w.Data)
			accs := foldAccuracies(t, model.MultinomialNB{}, X, y, fx.CV[i].Folds)
			var sum float64
			for k, acc := range accs {
				if math.Abs(acc-w.FoldAccuracy[k]) > 1e-12 {
					t.Errorf("fold %d: accuracy %.4f, scikit-learn %.4f", k, acc, w.FoldAccuracy[k])
				}
				sum += acc
			}
			acc := sum / float64(len(fx.CV[i].Folds))
			if math.Abs(acc-w.Accuracy) > 0.01 {
				t.Errorf("accuracy %.4f, scikit-learn %.4f", acc, w.Accuracy)
			}
		})
	}
}

// foldAccuracies fits m on all rows but each fold's and returns its
// accuracy on the fold's rows.
func foldAccuracies(t *testing.T, m model.Model, X *mat.Dense, y []float64, folds [][]int) []float64 {
	t.Helper()
	accs := make([]float64, len(folds))
	for k, test := range folds {
		var train []int
		for r := range y {
			if !slices.Contains(test, r) {
				train = append(train, r)
			}
		}
		Xtr, ytr := takeRows(X, y, train)
		Xte, yte := takeRows(X, y, test)
		p, err := m.Fit(ctx(), Xtr, ytr)
		if err != nil {
			t.Fatal(err)
		}
		pred, err := p.Predict(ctx(), Xte)
		if err != nil {
			t.Fatal(err)
		}
		accs[k] = testScore(pred, yte, true)
	}
	return accs
}
