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
