package model_test

import (
	"testing"

	"github.com/mlpipe/mlpipe/model"
)

func TestLinearFixtures(t *testing.T) {
	fx := loadFixtures(t)
	for _, tc := range fx.Linear {
		t.Run(name(tc.Data, "/intercept=", tc.FitIntercept), func(t *testing.T) {
			X, y := fx.data(t, tc.Data)
			p, err := model.LinearRegression{NoIntercept: !tc.FitIntercept}.Fit(ctx(), X, y)
			if err != nil {
				t.Fatal(err)
			}
			f := p.(*model.LinearFit)
			assertClose(t, "coef", f.Coef, tc.Coef, 1e-8, 1e-8)
			assertClose(t, "intercept", []float64{f.Intercept}, []float64{tc.Intercept}, 1e-8, 1e-8)
			pred, err := p.Predict(ctx(), X)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "pred", pred, tc.Pred, 1e-8, 1e-8)
		})
	}
}

func TestRidgeFixtures(t *testing.T) {
	fx := loadFixtures(t)
	for _, tc := range fx.Ridge {
		t.Run(name(tc.Data, "/alpha=", tc.Alpha, "/intercept=", tc.FitIntercept), func(t *testing.T) {
			X, y := fx.data(t, tc.Data)
			p, err := model.Ridge{Alpha: tc.Alpha, NoIntercept: !tc.FitIntercept}.Fit(ctx(), X, y)
			if err != nil {
				t.Fatal(err)
			}
			f := p.(*model.LinearFit)
			assertClose(t, "coef", f.Coef, tc.Coef, 1e-8, 1e-8)
			assertClose(t, "intercept", []float64{f.Intercept}, []float64{tc.Intercept}, 1e-8, 1e-8)
			pred, err := p.Predict(ctx(), X)
			if err != nil {
				t.Fatal(err)
			}
			assertClose(t, "pred", pred, tc.Pred, 1e-8, 1e-8)
		})
	}
}
