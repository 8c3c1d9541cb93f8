package evaluate

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"gonum.org/v1/gonum/mat"
)

// TestEveryScorerByName scores a stump on known data with every named
// scorer and checks the value against the metric called directly.
func TestEveryScorerByName(t *testing.T) {
	data := classData(t)
	p, err := stumpLearner(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := data.Drop("y")
	y, _ := Target(data, "y")
	pred, _ := p.Predict(context.Background(), x)
	proba, _ := p.(ProbaPredictor).PredictProba(context.Background(), x)
	pos := mat.Col(nil, 1, proba)
	classes := []float64{0, 1}
	direct := func(f func(a, b []float64) (float64, error), b []float64) float64 {
		v, err := f(y, b)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	avg := func(f func(a, b []float64, avg Average) (float64, error), a Average) float64 {
		v, err := f(y, pred, a)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ll, _ := LogLoss(y, mat.NewDense(len(pos), 1, pos), nil)
	ovr, _ := ROCAUCOvR(y, proba, classes, Macro)
	want := map[string]float64{
		"accuracy":                           direct(Accuracy, pred),
		"balanced_accuracy":                  direct(BalancedAccuracy, pred),
		"f1":                                 direct(F1, pred),
		"precision":                          avg(Precision, Binary),
		"recall":                             avg(Recall, Binary),
		"matthews_corrcoef":                  direct(MatthewsCorrCoef, pred),
		"roc_auc":                            direct(ROCAUC, pos),
		"roc_auc_ovr":                        ovr,
		"roc_auc_ovr_weighted":               ovr,
		"average_precision":                  direct(AveragePrecision, pos),
		"neg_log_loss":                       -ll,
		"neg_brier_score":                    -direct(BrierScore, pos),
		"r2":                                 direct(R2, pred),
		"explained_variance":                 direct(ExplainedVariance, pred),
		"max_error":                          -direct(MaxError, pred),
		"neg_mean_absolute_error":            -direct(MAE, pred),
		"neg_mean_squared_error":             -direct(MSE, pred),
		"neg_root_mean_squared_error":        -direct(RMSE, pred),
		"neg_median_absolute_error":          -direct(MedianAE, pred),
		"neg_mean_absolute_percentage_error": -direct(MAPE, pred),
	}
	for _, a := range []Average{Macro, Micro, Weighted} {
		want["f1_"+a.String()] = avg(F1Avg, a)
		want["precision_"+a.String()] = avg(Precision, a)
		want["recall_"+a.String()] = avg(Recall, a)
	}
	for _, s := range builtinScorers() {
		w, ok := want[s.Name]
		if !ok {
			t.Errorf("scorer %q not checked", s.Name)
			continue
		}
		got, err := s.Score(context.Background(), p, x, y)
		if err != nil || !close(got, w) {
			t.Errorf("%s = %v, %v; direct %v", s.Name, got, err, w)
		}
		byName, err := ScorerByName(s.Name)
		if err != nil || byName.Name != s.Name {
			t.Errorf("ScorerByName(%q) = %q, %v", s.Name, byName.Name, err)
		}
	}
	if len(want) != len(builtinScorers()) {
		t.Errorf("%d expected scores for %d scorers", len(want), len(builtinScorers()))
	}
	if math.IsNaN(want["neg_log_loss"]) {
		t.Error("log loss not computed")
	}
}

func TestScorerByNameUnknown(t *testing.T) {
	if _, err := ScorerByName("rmse"); !errors.Is(err, ErrScorer) || !strings.Contains(err.Error(), "neg_root_mean_squared_error") {
		t.Errorf("unknown name: %v", err)
	}
}

func TestProbaScorerNeedsTwoClasses(t *testing.T) {
	three := constProba{label: 0, classes: []float64{0, 1, 2}, proba: []float64{0.2, 0.3, 0.5}}
	f, _ := frame.New(frame.Floats("x", []float64{1, 2, 3}))
	y := []float64{0, 1, 2}
	if _, err := ScoreROCAUC.Score(context.Background(), three, f, y); !errors.Is(err, ErrLabel) {
		t.Errorf("roc_auc with 3 classes: %v", err)
	}
	ovr, _ := ScorerByName("roc_auc_ovr")
	if v, err := ovr.Score(context.Background(), three, f, y); err != nil || v != 0.5 {
		t.Errorf("roc_auc_ovr with constant probabilities = %v, %v; want 0.5", v, err)
	}
}
