package model_test

import (
	"math"
	"slices"
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

func TestElasticNetFixtures(t *testing.T) {
	fx := loadFixtures(t)
	for _, tc := range fx.Enet {
		t.Run(name(tc.Data, "/alpha=", tc.Alpha, "/l1=", tc.L1Ratio, "/intercept=", tc.FitIntercept), func(t *testing.T) {
			X, y := fx.data(t, tc.Data)
			var m model.Model = model.ElasticNet{Alpha: tc.Alpha, L1Ratio: tc.L1Ratio, NoIntercept: !tc.FitIntercept, Tol: 1e-12, MaxIter: 100000}
			if tc.L1Ratio == 1 {
				m = model.Lasso{Alpha: tc.Alpha, NoIntercept: !tc.FitIntercept, Tol: 1e-12, MaxIter: 100000}
			}
			p, err := m.Fit(ctx(), X, y)
			if err != nil {
				t.Fatal(err)
			}
			f := p.(*model.LinearFit)
			assertClose(t, "coef", f.Coef, tc.Coef, 1e-7, 1e-7)
			assertClose(t, "intercept", []float64{f.Intercept}, []float64{tc.Intercept}, 1e-7, 1e-7)
			for j, c := range tc.Coef {
				if (c == 0) != (f.Coef[j] == 0) {
					t.Errorf("coef[%d] = %v, scikit-learn %v: sparsity differs", j, f.Coef[j], c)
				}
			}
		})
	}
	// With the default tolerance, as a user calls it.
	tc := fx.LassoDefault
	X, y := fx.data(t, tc.Data)
	p, err := model.Lasso{Alpha: tc.Alpha}.Fit(ctx(), X, y)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, "default lasso coef", p.(*model.LinearFit).Coef, tc.Coef, 1e-4, 0)
}

func TestDummyFixtures(t *testing.T) {
	fx := loadFixtures(t)
	strategies := map[string]model.Model{
		"prior":         model.DummyClassifier{Strategy: model.Prior},
		"most_frequent": model.DummyClassifier{Strategy: model.MostFrequent},
		"mean":          model.DummyRegressor{Strategy: model.Mean},
		"median":        model.DummyRegressor{Strategy: model.Median},
	}
	for _, tc := range fx.Dummy {
		t.Run(tc.Data+"/"+tc.Strategy, func(t *testing.T) {
			X, y := fx.data(t, tc.Data)
			p, err := strategies[tc.Strategy].Fit(ctx(), X, y)
			if err != nil {
				t.Fatal(err)
			}
			q := X.Slice(0, 3, 0, X.RawMatrix().Cols)
			pred, err := p.Predict(ctx(), q)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "pred", pred, tc.Pred, 1e-12, 1e-12)
			if tc.Proba != nil {
				proba, err := p.(model.ProbaPredictor).PredictProba(ctx(), q)
				if err != nil {
					t.Fatal(err)
				}
				for i, row := range tc.Proba {
					assertClose(t, "proba", proba.RawRowView(i), row, 1e-12, 0)
				}
			}
		})
	}
}

func TestDummyRandomStrategies(t *testing.T) {
	// 3 of class 1, 1 of class 5: stratified draws follow 3:1, uniform 1:1.
	X := mat.NewDense(4, 1, nil)
	y := []float64{1, 1, 1, 5}
	big := mat.NewDense(20000, 1, nil)
	for _, tc := range []struct {
		s    model.DummyStrategy
		want float64 // share of class 1
	}{{model.Stratified, 0.75}, {model.Uniform, 0.5}} {
		p, err := model.DummyClassifier{Strategy: tc.s, Seed: 3}.Fit(ctx(), X, y)
		if err != nil {
			t.Fatal(err)
		}
		pred, err := p.Predict(ctx(), big)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := p.Predict(ctx(), big)
		if !slices.Equal(pred, again) {
			t.Errorf("strategy %d: two calls differ", tc.s)
		}
		ones := 0
		for _, v := range pred {
			if v == 1 {
				ones++
			} else if v != 5 {
				t.Fatalf("strategy %d predicted %v", tc.s, v)
			}
		}
		if share := float64(ones) / 20000; math.Abs(share-tc.want) > 0.015 {
			t.Errorf("strategy %d: class 1 share %v, want about %v", tc.s, share, tc.want)
		}
		proba, err := p.(model.ProbaPredictor).PredictProba(ctx(), mat.NewDense(2, 1, nil))
		if err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if s := proba.At(i, 0) + proba.At(i, 1); s != 1 {
				t.Errorf("strategy %d: probabilities sum to %v", tc.s, s)
			}
		}
	}
}

func TestNaiveBayesFixtures(t *testing.T) {
	fx := loadFixtures(t)
	for _, tc := range fx.NB {
		t.Run(name(tc.Kind, "/", tc.Data, "/", tc.VarSmoothing, tc.Alpha, tc.FitPrior), func(t *testing.T) {
			X, y := fx.data(t, tc.Data)
			var m model.Model = model.GaussianNB{VarSmoothing: tc.VarSmoothing}
			if tc.Kind == "multinomial" {
				m = model.MultinomialNB{Alpha: tc.Alpha, UniformPrior: !tc.FitPrior}
			}
			p, err := m.Fit(ctx(), X, y)
			if err != nil {
				t.Fatal(err)
			}
			switch f := p.(type) {
			case *model.GaussianNBFit:
				for c := range tc.Theta {
					assertClose(t, "theta", f.Theta[c], tc.Theta[c], 1e-12, 1e-12)
					assertClose(t, "var", f.Var[c], tc.Var[c], 1e-12, 1e-10)
				}
			case *model.MultinomialNBFit:
				for c := range tc.FeatureLogProb {
					assertClose(t, "feature_log_prob", f.FeatureLogProb[c], tc.FeatureLogProb[c], 1e-12, 1e-12)
				}
			}
			proba, err := p.(model.ProbaPredictor).PredictProba(ctx(), X)
			if err != nil {
				t.Fatal(err)
			}
			for i, row := range tc.Proba {
				assertClose(t, name("proba row ", i), proba.RawRowView(i), row, 1e-10, 0)
			}
			pred, err := p.Predict(ctx(), X)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "pred", pred, tc.Pred, 0, 0)
		})
	}
}

func TestKNeighborsFixtures(t *testing.T) {
	fx := loadFixtures(t)
	for _, tc := range fx.KNN {
		t.Run(name(tc.Data, "/k=", tc.K, "/", tc.Weights), func(t *testing.T) {
			Xtr, ytr, Xte, _ := fx.split(t, tc.Data, tc.Cut)
			m := model.KNeighbors{K: tc.K, Classifier: tc.Classifier, Workers: 3}
			if tc.Weights == "distance" {
				m.Weights = model.DistanceWeights
			}
			p, err := m.Fit(ctx(), Xtr, ytr)
			if err != nil {
				t.Fatal(err)
			}
			pred, err := p.Predict(ctx(), Xte)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "pred", pred, tc.Pred, 1e-12, 1e-12)
			if tc.Classifier {
				proba, err := p.(model.ProbaPredictor).PredictProba(ctx(), Xte)
				if err != nil {
					t.Fatal(err)
				}
				for i, row := range tc.Proba {
					assertClose(t, name("proba row ", i), proba.RawRowView(i), row, 1e-12, 0)
				}
			}
		})
	}
}

func TestTreeFixtures(t *testing.T) {
	fx := loadFixtures(t)
	crit := map[string]model.Criterion{"gini": model.Gini, "entropy": model.Entropy, "squared_error": model.SquaredError}
	for _, tc := range fx.Tree {
		t.Run(name(tc.Data, "/", tc.Criterion, "/depth=", tc.MaxDepth, "/leaf=", tc.MinSamplesLeaf, "/split=", tc.MinSamplesSplit), func(t *testing.T) {
			Xtr, ytr, Xte, yte := fx.split(t, tc.Data, tc.Cut)
			m := model.DecisionTree{Criterion: crit[tc.Criterion], MaxDepth: tc.MaxDepth,
				MinSamplesLeaf: tc.MinSamplesLeaf, MinSamplesSplit: tc.MinSamplesSplit}
			p, err := m.Fit(ctx(), Xtr, ytr)
			if err != nil {
				t.Fatal(err)
			}
			f := treeOf(p)
			if !tc.Stable {
				// Ties between splits: compare with the range over
				// scikit-learn's random states.
				pred, err := p.Predict(ctx(), Xte)
				if err != nil {
					t.Fatal(err)
				}
				score := testScore(pred, yte, tc.Criterion != "squared_error")
				lo, hi := slices.Min(tc.TestScores), slices.Max(tc.TestScores)
				slack := 0.05 * (hi - lo + 0.1)
				if score < lo-slack || score > hi+slack {
					t.Errorf("test score %v outside scikit-learn's range [%v, %v]", score, lo, hi)
				}
				n := len(f.Feature)
				if n < slices.Min(tc.NodeCounts)-4 || n > slices.Max(tc.NodeCounts)+4 {
					t.Errorf("%d nodes, scikit-learn %v", n, tc.NodeCounts)
				}
				return
			}
			if n := len(f.Feature); n != tc.NodeCounts[0] {
				t.Errorf("%d nodes, scikit-learn %d", n, tc.NodeCounts[0])
			}
			assertClose(t, "importances", f.Importances, tc.Importances, 1e-10, 1e-10)
			pred, err := p.Predict(ctx(), Xte)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "pred", pred, tc.Pred, 1e-10, 1e-10)
			if tc.Proba != nil {
				proba, err := p.(model.ProbaPredictor).PredictProba(ctx(), Xte)
				if err != nil {
					t.Fatal(err)
				}
				for i, row := range tc.Proba {
					assertClose(t, name("proba row ", i), proba.RawRowView(i), row, 1e-12, 0)
				}
			}
		})
	}
}

// testScore is accuracy for a classifier, R² for a regressor.
func testScore(pred, y []float64, classifier bool) float64 {
	if classifier {
		ok := 0
		for i := range y {
			if pred[i] == y[i] {
				ok++
			}
		}
		return float64(ok) / float64(len(y))
	}
	var mean, res, tot float64
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	for i, v := range y {
		res += (v - pred[i]) * (v - pred[i])
		tot += (v - mean) * (v - mean)
	}
	return 1 - res/tot
}
