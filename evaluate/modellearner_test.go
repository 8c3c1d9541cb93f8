package evaluate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
)

type dataset struct {
	X             [][]float64
	Y             []float64
	Scores        map[string][]float64
	TrainAccuracy []float64   `json:"train_accuracy"`
	OOFPred       []float64   `json:"oof_pred"`
	OOFProba      [][]float64 `json:"oof_proba"`
}

func loadDatasets(t testing.TB) map[string]dataset {
	t.Helper()
	b, err := os.ReadFile("testdata/datasets.json")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]dataset
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func (d dataset) frame(t testing.TB) *frame.Frame {
	t.Helper()
	var series []frame.Series
	for j := range d.X[0] {
		col := make([]float64, len(d.X))
		for i := range d.X {
			col[i] = d.X[i][j]
		}
		series = append(series, frame.Floats(fmt.Sprintf("x%d", j), col))
	}
	series = append(series, frame.Floats("y", d.Y))
	f, err := frame.New(series...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestCrossValidateLogisticMatchesSklearn runs scikit-learn's protocol —
// LogisticRegression(C=1) under StratifiedKFold(5) without shuffling — on
// iris and wine and compares every fold's scores.
func TestCrossValidateLogisticMatchesSklearn(t *testing.T) {
	for name, d := range loadDatasets(t) {
		t.Run(name, func(t *testing.T) {
			data := d.frame(t)
			var scorers []Scorer
			for _, n := range []string{"accuracy", "roc_auc_ovr", "neg_log_loss", "f1_macro"} {
				s, err := ScorerByName(n)
				if err != nil {
					t.Fatal(err)
				}
				scorers = append(scorers, s)
			}
			res, err := CrossValidate(context.Background(), ModelLearner(model.LogisticRegression{}, "y"), data, "y",
				CVOptions{Splitter: StratifiedKFold{K: 5}, Scorers: scorers, TrainScores: true})
			if err != nil {
				t.Fatal(err)
			}
			// Labels agree exactly; probabilities to the solvers' tolerance.
			tol := map[string]float64{"accuracy": 0, "f1_macro": 0, "roc_auc_ovr": 1e-9, "neg_log_loss": 1e-8}
			for scorer, want := range d.Scores {
				got := res.TestScores(scorer)
				for k := range want {
					if math.Abs(got[k]-want[k]) > tol[scorer] {
						t.Errorf("%s fold %d: %.12g, scikit-learn %.12g", scorer, k, got[k], want[k])
					}
				}
			}
			for k, want := range d.TrainAccuracy {
				if got := res.TrainScores("accuracy")[k]; got != want {
					t.Errorf("train accuracy fold %d: %v, scikit-learn %v", k, got, want)
				}
			}
			t.Logf("%s: accuracy %.4f ± %.4f (scikit-learn %.4f)", name, res.Mean("accuracy"), res.Std("accuracy"), mean(d.Scores["accuracy"]))
		})
	}
}

func TestModelLearner(t *testing.T) {
	data := classData(t)
	ctx := context.Background()

	// Named features: the fitted predictor reads only those columns.
	l := ModelLearner(model.LogisticRegression{}, "y", "x")
	p, err := l.Fit(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	pp, ok := p.(ProbaPredictor)
	if !ok {
		t.Fatal("logistic regression's predictor is not a ProbaPredictor")
	}
	onlyX, _ := data.Select("x")
	pred, err := pp.Predict(ctx, onlyX)
	if err != nil || len(pred) != data.NumRows() {
		t.Fatalf("predict: %d, %v", len(pred), err)
	}
	if c := pp.Classes(); len(c) != 2 || c[0] != 0 || c[1] != 1 {
		t.Errorf("classes %v", c)
	}
	proba, err := pp.PredictProba(ctx, onlyX)
	if r, c := proba.Dims(); err != nil || r != 100 || c != 2 {
		t.Errorf("proba %d×%d, %v", r, c, err)
	}
	onlyY, _ := data.Select("y")
	if _, err := p.Predict(ctx, onlyY); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("predict without x: %v", err)
	}
	if _, err := pp.PredictProba(ctx, onlyY); !errors.Is(err, frame.ErrNoColumn) {
		t.Errorf("predict proba without x: %v", err)
	}

	// A regressor gives a plain Predictor.
	reg := ModelLearner(model.LinearRegression{}, "y")
	rp, err := reg.Fit(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rp.(ProbaPredictor); ok {
		t.Error("linear regression's predictor claims probabilities")
	}

	bad := []struct {
		name string
		l    Learner
		data *frame.Frame
		want error
	}{
		{"unknown feature", ModelLearner(model.LinearRegression{}, "y", "nope"), data, frame.ErrNoColumn},
		{"unknown target", ModelLearner(model.LinearRegression{}, "label"), data, frame.ErrNoColumn},
		{"string feature", ModelLearner(model.LinearRegression{}, "y"), mustWith(t, data, "s", frame.NewString(make([]string, 100), nil)), frame.ErrKind},
		{"NaN feature", ModelLearner(model.LinearRegression{}, "y"), mustWith(t, data, "income", frame.NewFloat(withNaN(100, 7))), frame.ErrMissing},
	}
	for _, b := range bad {
		_, err := b.l.Fit(ctx, b.data)
		if !errors.Is(err, b.want) {
			t.Errorf("%s: %v, want %v", b.name, err, b.want)
		}
		if b.name == "NaN feature" && (err == nil || !strings.Contains(err.Error(), "income")) {
			t.Errorf("NaN error does not name the column: %v", err)
		}
	}
}

func withNaN(n, at int) []float64 {
	v := make([]float64, n)
	v[at] = math.NaN()
	return v
}

func mustWith(t *testing.T, f *frame.Frame, name string, c frame.Column) *frame.Frame {
	t.Helper()
	out, err := f.With(name, c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCrossValPredictMatchesSklearn compares out-of-fold predictions and
// probabilities with scikit-learn's cross_val_predict on iris and wine.
func TestCrossValPredictMatchesSklearn(t *testing.T) {
	for name, d := range loadDatasets(t) {
		t.Run(name, func(t *testing.T) {
			oof, err := CrossValPredict(context.Background(), ModelLearner(model.LogisticRegression{}, "y"), d.frame(t), "y",
				CVOptions{Splitter: StratifiedKFold{K: 5}})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.OOFPred) != 150 && len(d.OOFPred) != 178 {
				t.Fatalf("fixture has %d predictions", len(d.OOFPred))
			}
			for i, want := range d.OOFPred {
				if oof.Pred[i] != want {
					t.Errorf("row %d predicted %v, scikit-learn %v", i, oof.Pred[i], want)
				}
			}
			var worst float64
			for i, row := range d.OOFProba {
				for j, want := range row {
					worst = math.Max(worst, math.Abs(oof.Proba.At(i, j)-want))
				}
			}
			if worst > 1e-6 {
				t.Errorf("probabilities differ from scikit-learn's by up to %g", worst)
			}
			t.Logf("%s: largest probability difference %.2g", name, worst)
		})
	}
}
