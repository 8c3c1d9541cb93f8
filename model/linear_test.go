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

func TestLinearBlockedMatchesDense(t *testing.T) {
	// 10,000 rows: three blocks of the tall-skinny QR, against one QR of
	// the whole matrix. Unscaled columns and an exactly collinear one.
	X, _ := synthetic(10000, 4, 2, 21)
	y := make([]float64, 10000)
	for i := range y {
		row := X.RawRowView(i)
		row[1] = row[1]*1000 + 5000
		row[3] = 2*row[0] - row[2]
		y[i] = 3*row[0] - 0.002*row[1] + row[2] + 0.1*float64(i%7)
	}
	for _, alpha := range []float64{0, 0.5} {
		for _, intercept := range []bool{true, false} {
			var m model.Model = model.LinearRegression{NoIntercept: !intercept}
			if alpha > 0 {
				m = model.Ridge{Alpha: alpha, NoIntercept: !intercept}
			}
			p, err := m.Fit(ctx(), X, y)
			if err != nil {
				t.Fatal(err)
			}
			w, b, err := model.DenseLeastSquares(X, y, intercept, alpha)
			if err != nil {
				t.Fatal(err)
			}
			f := p.(*model.LinearFit)
			what := name("alpha ", alpha, " intercept ", intercept)
			assertClose(t, what+" coef", f.Coef, w, 1e-9, 1e-9)
			assertClose(t, what+" intercept", []float64{f.Intercept}, []float64{b}, 1e-7, 1e-9)
		}
	}
}
