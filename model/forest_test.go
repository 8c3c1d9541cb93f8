package model_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/mlpipe/mlpipe/model"
)

func TestForestWorkersIdentical(t *testing.T) {
	fx := loadFixtures(t)
	X, y := fx.data(t, "multi")
	var first []float64
	for _, w := range []int{1, 2, 5} {
		p, err := model.RandomForest{Trees: 8, Seed: 7, Workers: w}.Fit(ctx(), X, y)
		if err != nil {
			t.Fatal(err)
		}
		proba, err := p.(model.ProbaPredictor).PredictProba(ctx(), X)
		if err != nil {
			t.Fatal(err)
		}
		got := append(slices.Clone(proba.RawMatrix().Data), p.(*model.ForestFit).OOBScore)
		got = append(got, p.(*model.ForestFit).Importances...)
		if first == nil {
			first = got
		} else if !slices.Equal(got, first) {
			t.Errorf("workers %d: forest differs from the one fitted with 1 worker", w)
		}
	}
	p, err := model.RandomForest{Trees: 8, Seed: 8}.Fit(ctx(), X, y)
	if err != nil {
		t.Fatal(err)
	}
	proba, _ := p.(model.ProbaPredictor).PredictProba(ctx(), X)
	if slices.Equal(proba.RawMatrix().Data, first[:len(proba.RawMatrix().Data)]) {
		t.Errorf("another seed gave the same forest")
	}
}

func TestForestAgainstScikitLearn(t *testing.T) {
	fx := loadFixtures(t)
	for _, tc := range []struct {
		name string
		m    model.RandomForest
		fix  forestFixture
		tol  float64
	}{
		{"regressor", model.RandomForest{Criterion: model.SquaredError, Trees: 200, Seed: 1}, fx.ForestReg, 0.04},
		{"classifier", model.RandomForest{Trees: 200, Seed: 1}, fx.ForestClf, 0.05},
	} {
		t.Run(tc.name, func(t *testing.T) {
			X, y := fx.data(t, tc.fix.Data)
			p, err := tc.m.Fit(ctx(), X, y)
			if err != nil {
				t.Fatal(err)
			}
			f := forestOf(p)
			if !f.HasOOB || math.Abs(f.OOBScore-tc.fix.OOBScore) > tc.tol {
				t.Errorf("OOB score %v (has %v), scikit-learn %v", f.OOBScore, f.HasOOB, tc.fix.OOBScore)
			}
			assertClose(t, "importances", f.Importances, tc.fix.Importances, 0.03, 0)
			var s float64
			for _, v := range f.Importances {
				s += v
			}
			if math.Abs(s-1) > 1e-12 {
				t.Errorf("importances sum to %v", s)
			}
			t.Logf("OOB %.4f (scikit-learn %.4f), importances %.3f (scikit-learn %.3f)", f.OOBScore, tc.fix.OOBScore, f.Importances, tc.fix.Importances)
		})
	}
}

func TestForestNoBootstrap(t *testing.T) {
	fx := loadFixtures(t)
	X, y := fx.data(t, "bin")
	p, err := model.RandomForest{Trees: 5, NoBootstrap: true, MaxFeatures: 5}.Fit(ctx(), X, y)
	if err != nil {
		t.Fatal(err)
	}
	f := p.(*model.ForestFit)
	if f.HasOOB {
		t.Errorf("OOB score without bootstrap")
	}
	// All rows and all features: every tree is the full tree, which fits
	// the training data exactly.
	pred, _ := p.Predict(ctx(), X)
	if !slices.Equal(pred, y) {
		t.Errorf("full trees on all rows misclassify training rows")
	}
}

func TestForestCancelled(t *testing.T) {
	fx := loadFixtures(t)
	X, y := fx.data(t, "multi")
	c, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (model.RandomForest{}).Fit(c, X, y); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

// forestOf returns the forest state of a fitted classifier or regressor.
func forestOf(p model.Predictor) *model.Forest {
	switch f := p.(type) {
	case *model.ForestFit:
		return &f.Forest
	case *model.ForestRegressorFit:
		return &f.Forest
	}
	panic("not a forest")
}

// treeOf returns the tree state of a fitted classifier or regressor.
func treeOf(p model.Predictor) *model.Tree {
	switch f := p.(type) {
	case *model.TreeFit:
		return &f.Tree
	case *model.TreeRegressorFit:
		return &f.Tree
	}
	panic("not a tree")
}

func TestForestPredictChunks(t *testing.T) {
	// 3,000 rows are answered in parallel chunks; each row must get what it
	// gets alone.
	X, y := synthetic(3000, 3, 2, 17)
	p, err := model.RandomForest{Trees: 5, Seed: 2}.Fit(ctx(), X, y)
	if err != nil {
		t.Fatal(err)
	}
	all, err := p.(model.ProbaPredictor).PredictProba(ctx(), X)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1023, 1024, 2999} {
		one, err := p.(model.ProbaPredictor).PredictProba(ctx(), X.Slice(i, i+1, 0, 3))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(one.RawRowView(0), all.RawRowView(i)) {
			t.Errorf("row %d: alone %v, in the batch %v", i, one.RawRowView(0), all.RawRowView(i))
		}
	}
}
