package model_test

import (
	"testing"

	"github.com/mlpipe/mlpipe/model"
)

func logisticSpec(tc logisticFixture) model.LogisticRegression {
	m := model.LogisticRegression{C: tc.C, NoIntercept: !tc.FitIntercept, BalancedWeights: tc.Balanced}
	if tc.Penalty == "none" {
		m.Penalty = model.NoPenalty
	}
	if tc.ClassWeight != nil {
		m.ClassWeight = map[float64]float64{}
		for _, kv := range tc.ClassWeight {
			m.ClassWeight[kv[0]] = kv[1]
		}
	}
	return m
}

func TestLogisticFixtures(t *testing.T) {
	fx := loadFixtures(t)
	for _, tc := range fx.Logistic {
		t.Run(name(tc.Data, "/C=", tc.C, "/", tc.Penalty, "/intercept=", tc.FitIntercept, "/balanced=", tc.Balanced, "/cw=", tc.ClassWeight), func(t *testing.T) {
			X, y := fx.data(t, tc.Data)
			p, err := logisticSpec(tc).Fit(ctx(), X, y)
			if err != nil {
				t.Fatal(err)
			}
			f := p.(*model.LogisticFit)
			if !f.Converged {
				t.Errorf("not converged after %d iterations", f.Iterations)
			}
			assertClose(t, "classes", f.Classes(), tc.Classes, 0, 0)
			if len(f.Coef) != len(tc.Coef) {
				t.Fatalf("%d coefficient rows, want %d", len(f.Coef), len(tc.Coef))
			}
			for k := range f.Coef {
				assertClose(t, name("coef", k), f.Coef[k], tc.Coef[k], 1e-6, 1e-6)
			}
			assertClose(t, "intercept", f.Intercept, tc.Intercept, 1e-6, 1e-6)
			proba, err := f.PredictProba(ctx(), X)
			if err != nil {
				t.Fatal(err)
			}
			for i, row := range tc.Proba {
				assertClose(t, name("proba row ", i), proba.RawRowView(i), row, 1e-7, 0)
			}
			pred, err := f.Predict(ctx(), X)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "pred", pred, tc.Pred, 0, 0)
		})
	}
}
