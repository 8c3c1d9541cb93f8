package model_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// mixed returns n rows of two dense features and two categorical ones
// (codes over 5 and 3 categories, some missing; the second through a map
// that folds two codes into one level and drops one), as a ColMatrix whose
// columns are interleaved, the same matrix dense, and labels from a
// logistic model on them.
func mixed(n int, seed uint64) (*model.ColMatrix, *mat.Dense, []float64) {
	r := rand.New(rand.NewPCG(seed, 2))
	a, b := make([]float64, n), make([]float64, n)
	c1, c2 := make([]int32, n), make([]int32, n)
	m2 := []int32{0, 1, 1, -1} // codes 1 and 2 are one level; code 3 none
	y := make([]float64, n)
	w1 := []float64{0.5, -1, 0.3, 1.2, 0}
	for i := range n {
		a[i], b[i] = r.NormFloat64(), 3*r.NormFloat64()+1
		c1[i] = int32(r.IntN(6)) - 1 // -1 is missing
		c2[i] = int32(r.IntN(4))
		z := 0.8*a[i] - 0.2*b[i] - 0.4
		if c1[i] >= 0 {
			z += w1[c1[i]]
		}
		if m2[c2[i]] == 1 {
			z -= 0.7
		}
		if r.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	cols := []model.Column{
		{Codes: c1, Level: 2}, {Dense: a}, {Codes: c2, Map: m2, Level: 1},
		{Codes: c1, Level: 0}, {Codes: c1, Level: 1}, {Dense: b},
		{Codes: c2, Map: m2, Level: 0}, {Codes: c1, Level: 3}, {Codes: c1, Level: 4},
	}
	cm, err := model.NewColMatrix(n, cols)
	if err != nil {
		panic(err)
	}
	return cm, mat.DenseCopyOf(cm), y
}

func TestColMatrixAt(t *testing.T) {
	cm, _, _ := mixed(50, 1)
	r, c := cm.Dims()
	if r != 50 || c != 9 {
		t.Fatalf("dims %d×%d", r, c)
	}
	for i := range r {
		col := cm.Column(2)
		want := 0.0
		if l := []int32{0, 1, 1, -1}[col.Codes[i]]; l == 1 {
			want = 1
		}
		if got := cm.At(i, 2); got != want {
			t.Fatalf("At(%d, 2) = %v, want %v", i, got, want)
		}
	}
}

// TestLogisticColMatrix: fitted on a ColMatrix, the model is the one fitted
// on the same matrix dense, whatever the workers, with the Hessian sampled
// or not; its predictions agree too.
func TestLogisticColMatrix(t *testing.T) {
	for _, sample := range []int{0, 4000} {
		if sample > 0 {
			defer model.SetHessianSample(sample)()
		}
		cm, dense, y := mixed(20000, 7)
		want, err := model.LogisticRegression{}.Fit(ctx(), dense, y)
		if err != nil {
			t.Fatal(err)
		}
		wf := want.(*model.LogisticFit)
		var first *model.LogisticFit
		for _, workers := range []int{1, 2, 3} {
			got, err := model.LogisticRegression{Workers: workers}.Fit(ctx(), cm, y)
			if err != nil {
				t.Fatal(err)
			}
			f := got.(*model.LogisticFit)
			if !f.Converged {
				t.Errorf("sample %d workers %d: not converged", sample, workers)
			}
			for j, v := range f.Coef[0] {
				if math.Abs(v-wf.Coef[0][j]) > 1e-6 {
					t.Errorf("sample %d workers %d: coef %d = %v, dense %v", sample, workers, j, v, wf.Coef[0][j])
				}
			}
			if math.Abs(f.Intercept[0]-wf.Intercept[0]) > 1e-6 {
				t.Errorf("sample %d: intercept %v, dense %v", sample, f.Intercept[0], wf.Intercept[0])
			}
			if first == nil {
				first = f
			} else if !equalFits(first, f) {
				t.Errorf("sample %d: workers %d changed the fit", sample, workers)
			}
		}
		pc, err := first.PredictProba(ctx(), cm)
		if err != nil {
			t.Fatal(err)
		}
		pd, err := first.PredictProba(ctx(), dense)
		if err != nil {
			t.Fatal(err)
		}
		if !mat.EqualApprox(pc, pd, 1e-12) {
			t.Errorf("sample %d: probabilities differ between the column and dense forms", sample)
		}
	}
}

func equalFits(a, b *model.LogisticFit) bool {
	if a.Intercept[0] != b.Intercept[0] {
		return false
	}
	for j, v := range a.Coef[0] {
		if b.Coef[0][j] != v {
			return false
		}
	}
	return true
}

// TestColMatrixOtherModels: a model without column kernels (and a
// multinomial logistic regression) reads the ColMatrix as the dense matrix.
func TestColMatrixOtherModels(t *testing.T) {
	cm, dense, y := mixed(600, 3)
	for i := range y {
		if cm.At(i, 1) > 1 {
			y[i] = 2
		}
	}
	for _, m := range []model.Model{model.LogisticRegression{}, model.GaussianNB{}} {
		pc, err := m.Fit(ctx(), cm, y)
		if err != nil {
			t.Fatal(err)
		}
		pd, err := m.Fit(ctx(), dense, y)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := pc.Predict(ctx(), cm)
		b, _ := pd.Predict(ctx(), dense)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%T: row %d predicted %v from columns, %v dense", m, i, a[i], b[i])
			}
		}
	}
}

func TestColMatrixBadInput(t *testing.T) {
	v := []float64{1, 2, math.NaN()}
	for name, cols := range map[string][]model.Column{
		"short":   {{Dense: v[:2]}},
		"neither": {{}},
		"both":    {{Dense: v, Codes: []int32{0, 1, 0}}},
		"map":     {{Codes: []int32{0, 3, 0}, Map: []int32{0, 1}}},
	} {
		if _, err := model.NewColMatrix(3, cols); !errors.Is(err, model.ErrColumn) {
			t.Errorf("%s: %v, want ErrColumn", name, err)
		}
	}
	if _, err := model.NewColMatrix(0, []model.Column{{Dense: v[:0]}}); !errors.Is(err, model.ErrEmpty) {
		t.Errorf("no rows: %v", err)
	}
	cm, err := model.NewColMatrix(3, []model.Column{{Dense: v}, {Codes: []int32{0, -1, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (model.LogisticRegression{}).Fit(ctx(), cm, []float64{0, 1, 0}); !errors.Is(err, model.ErrNotFinite) {
		t.Errorf("NaN: %v, want ErrNotFinite", err)
	}
	if _, err := (model.LogisticRegression{}).Fit(ctx(), cm, []float64{0, 1}); !errors.Is(err, model.ErrLength) {
		t.Errorf("short y: %v, want ErrLength", err)
	}
}
