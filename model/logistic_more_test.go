package model_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// synthetic returns n rows of p standard normal features and labels drawn
// from a logistic model (classes > 2: a softmax over random weights).
func synthetic(n, p, classes int, seed uint64) (*mat.Dense, []float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	X := mat.NewDense(n, p, nil)
	w := make([]float64, p*classes)
	for j := range w {
		w[j] = r.NormFloat64()
	}
	y := make([]float64, n)
	z := make([]float64, classes)
	for i := range n {
		row := X.RawRowView(i)
		for j := range row {
			row[j] = r.NormFloat64()
		}
		for k := range classes {
			z[k] = 0
			for j, v := range row {
				z[k] += v * w[k*p+j]
			}
			z[k] -= math.Log(-math.Log(r.Float64())) // Gumbel noise
		}
		y[i] = float64(slices.Index(z, slices.Max(z)))
	}
	return X, y
}

func TestLogisticWorkersIdentical(t *testing.T) {
	// 24,000 rows, more than the Hessian sample (lowered for the test), so
	// the Hessian is estimated on a subset; the result is still the exact
	// optimum.
	defer model.SetHessianSample(5000)()
	for _, classes := range []int{2, 3} {
		X, y := synthetic(24000, 5, classes, 3)
		var first *model.LogisticFit
		for _, w := range []int{1, 2, 5} {
			p, err := model.LogisticRegression{Workers: w}.Fit(ctx(), X, y)
			if err != nil {
				t.Fatal(err)
			}
			f := p.(*model.LogisticFit)
			if !f.Converged {
				t.Errorf("classes %d workers %d: not converged in %d iterations", classes, w, f.Iterations)
			}
			if first == nil {
				first = f
				continue
			}
			for k := range f.Coef {
				if !slices.Equal(f.Coef[k], first.Coef[k]) {
					t.Errorf("classes %d workers %d: coef %v, with 1 worker %v", classes, w, f.Coef[k], first.Coef[k])
				}
			}
			if !slices.Equal(f.Intercept, first.Intercept) {
				t.Errorf("classes %d workers %d: intercept %v, with 1 worker %v", classes, w, f.Intercept, first.Intercept)
			}
		}
	}
}

func TestLogisticSeparable(t *testing.T) {
	// Perfectly separable: class 1 iff x0 + x1 > 0.
	X, _ := synthetic(200, 2, 2, 9)
	y := make([]float64, 200)
	for i := range y {
		if X.At(i, 0)+X.At(i, 1) > 0 {
			y[i] = 1
		}
	}
	for _, m := range []model.LogisticRegression{
		{Penalty: model.NoPenalty},
		{C: 1e6},
		{},
	} {
		p, err := m.Fit(ctx(), X, y)
		if err != nil {
			t.Fatalf("%+v: %v", m, err)
		}
		f := p.(*model.LogisticFit)
		for _, v := range append(slices.Clone(f.Coef[0]), f.Intercept...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("%+v: non-finite coefficients %v %v", m, f.Coef, f.Intercept)
			}
		}
		pred, err := p.Predict(ctx(), X)
		if err != nil {
			t.Fatal(err)
		}
		wrong := 0
		for i := range y {
			if pred[i] != y[i] {
				wrong++
			}
		}
		// The default C = 1 may misclassify a few points near the margin.
		allowed := 0
		if m.Penalty == model.L2 && m.C == 0 {
			allowed = 10
		}
		if wrong > allowed {
			t.Errorf("%+v: %d separable training rows misclassified", m, wrong)
		}
		proba, err := p.(model.ProbaPredictor).PredictProba(ctx(), X)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 200 {
			if s := proba.At(i, 0) + proba.At(i, 1); math.Abs(s-1) > 1e-12 || math.IsNaN(s) {
				t.Fatalf("%+v: row %d probabilities sum to %v", m, i, s)
			}
		}
		// The direction of the weights is the separating one, x0 + x1.
		if m.Penalty == model.NoPenalty {
			if r := f.Coef[0][0] / f.Coef[0][1]; math.Abs(r-1) > 0.3 {
				t.Errorf("no penalty: weight ratio %v, want about 1", r)
			}
		} else if !f.Converged {
			t.Errorf("%+v: L2 fit did not converge", m)
		}
	}
}

func TestLogisticGenericMatrix(t *testing.T) {
	// A matrix that is not a *mat.Dense (a transpose view) is read through At.
	X, y := synthetic(100, 3, 2, 5)
	var Xt mat.Dense
	Xt.CloneFrom(X.T())
	a, err := model.LogisticRegression{}.Fit(ctx(), X, y)
	if err != nil {
		t.Fatal(err)
	}
	b, err := model.LogisticRegression{}.Fit(ctx(), Xt.T(), y)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.(*model.LogisticFit).Coef[0], b.(*model.LogisticFit).Coef[0]) {
		t.Errorf("fit on a transpose view differs from the dense fit")
	}
}

func TestLogisticSampledSameOptimum(t *testing.T) {
	// On many rows the Hessian is estimated on a sample and Newton starts
	// from the solution on a subsample; the answer must still be the exact
	// optimum, the one found with neither (to the tolerance of the
	// gradient test).
	for _, tc := range []struct {
		classes int
		sorted  bool
	}{{2, false}, {3, false}, {2, true}} {
		classes := tc.classes
		X, y := synthetic(30000, 4, classes, 11)
		if tc.sorted {
			// Rows sorted by label: the samples must still serve.
			X, y = sortedByLabel(X, y)
		}
		m := model.LogisticRegression{C: 0.5, BalancedWeights: true}
		restore := model.SetHessianSample(1 << 30)
		p, err := m.Fit(ctx(), X, y)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		restore = model.SetHessianSample(2000)
		q, err := m.Fit(ctx(), X, y)
		restore()
		if err != nil {
			t.Fatal(err)
		}
		a, b := p.(*model.LogisticFit), q.(*model.LogisticFit)
		if !a.Converged || !b.Converged {
			t.Fatalf("classes %d: converged %v and %v", classes, a.Converged, b.Converged)
		}
		for k := range a.Coef {
			assertClose(t, name("classes ", classes, " coef"), b.Coef[k], a.Coef[k], 1e-6, 1e-6)
		}
		assertClose(t, name("classes ", classes, " intercept"), b.Intercept, a.Intercept, 1e-6, 1e-6)
	}
}

func TestLogisticLBFGSMatchesNewton(t *testing.T) {
	// Many parameters are solved by L-BFGS; on small problems forced down
	// that path, it must reach scikit-learn's (Newton's) solution.
	fx := loadFixtures(t)
	defer model.SetMaxNewtonDim(1)()
	for _, tc := range fx.Logistic {
		if tc.Data != "bin" && tc.Data != "multi" && tc.Data != "bin_imbalanced" {
			continue
		}
		t.Run(name(tc.Data, "/C=", tc.C, "/", tc.Penalty, "/intercept=", tc.FitIntercept, "/balanced=", tc.Balanced, "/cw=", tc.ClassWeight), func(t *testing.T) {
			X, y := fx.data(t, tc.Data)
			p, err := logisticSpec(tc).Fit(ctx(), X, y)
			if err != nil {
				t.Fatal(err)
			}
			f := p.(*model.LogisticFit)
			if !f.Converged {
				t.Errorf("not converged in %d iterations", f.Iterations)
			}
			for k := range f.Coef {
				assertClose(t, name("coef", k), f.Coef[k], tc.Coef[k], 1e-6, 1e-6)
			}
			assertClose(t, "intercept", f.Intercept, tc.Intercept, 1e-6, 1e-6)
		})
	}
}

func sortedByLabel(X *mat.Dense, y []float64) (*mat.Dense, []float64) {
	n, p := X.Dims()
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return int(y[a] - y[b]) })
	Xs := mat.NewDense(n, p, nil)
	ys := make([]float64, n)
	for r, i := range idx {
		Xs.SetRow(r, X.RawRowView(i))
		ys[r] = y[i]
	}
	return Xs, ys
}
