package evaluate

import (
	"errors"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// metricCalls calls every metric, report and curve of the package on
// yTrue and a second slice (predictions, scores or probabilities).
func metricCalls(yTrue, y2 []float64) map[string]func() error {
	e1 := func(_ float64, err error) error { return err }
	proba := func() *mat.Dense {
		if len(y2) == 0 {
			return &mat.Dense{}
		}
		p := mat.NewDense(len(y2), 2, nil)
		for i, v := range y2 {
			p.Set(i, 0, 1-v)
			p.Set(i, 1, v)
		}
		return p
	}
	return map[string]func() error{
		"Accuracy":          func() error { return e1(Accuracy(yTrue, y2)) },
		"BalancedAccuracy":  func() error { return e1(BalancedAccuracy(yTrue, y2)) },
		"CohenKappa":        func() error { return e1(CohenKappa(yTrue, y2)) },
		"WeightedKappa":     func() error { return e1(WeightedKappa(yTrue, y2, true)) },
		"MatthewsCorrCoef":  func() error { return e1(MatthewsCorrCoef(yTrue, y2)) },
		"F1":                func() error { return e1(F1(yTrue, y2)) },
		"F1Avg":             func() error { return e1(F1Avg(yTrue, y2, Macro)) },
		"FBeta":             func() error { return e1(FBeta(yTrue, y2, 2, Weighted)) },
		"Precision":         func() error { return e1(Precision(yTrue, y2, Micro)) },
		"Recall":            func() error { return e1(Recall(yTrue, y2, Binary)) },
		"ROCAUC":            func() error { return e1(ROCAUC(yTrue, y2)) },
		"AveragePrecision":  func() error { return e1(AveragePrecision(yTrue, y2)) },
		"BrierScore":        func() error { return e1(BrierScore(yTrue, y2)) },
		"LogLoss":           func() error { return e1(LogLoss(yTrue, proba(), nil)) },
		"ROCAUCOvR":         func() error { return e1(ROCAUCOvR(yTrue, proba(), nil, Macro)) },
		"R2":                func() error { return e1(R2(yTrue, y2)) },
		"ExplainedVariance": func() error { return e1(ExplainedVariance(yTrue, y2)) },
		"MAE":               func() error { return e1(MAE(yTrue, y2)) },
		"MSE":               func() error { return e1(MSE(yTrue, y2)) },
		"RMSE":              func() error { return e1(RMSE(yTrue, y2)) },
		"MAPE":              func() error { return e1(MAPE(yTrue, y2)) },
		"MedianAE":          func() error { return e1(MedianAE(yTrue, y2)) },
		"MaxError":          func() error { return e1(MaxError(yTrue, y2)) },
		"ConfusionMatrix":   func() error { _, err := ConfusionMatrix(yTrue, y2); return err },
		"PerClass":          func() error { _, err := PerClass(yTrue, y2, 1); return err },
		"ClassificationReport": func() error {
			_, err := ClassificationReport(yTrue, y2, nil, 2)
			return err
		},
		"ROCCurve":             func() error { _, _, _, err := ROCCurve(yTrue, y2); return err },
		"PrecisionRecallCurve": func() error { _, _, _, err := PrecisionRecallCurve(yTrue, y2); return err },
		"CalibrationCurve":     func() error { _, _, err := CalibrationCurve(yTrue, y2, 5, false); return err },
	}
}

// TestMetricsLengthMismatch: every metric rejects labels and predictions
// of different lengths with ErrLength, and says both lengths.
func TestMetricsLengthMismatch(t *testing.T) {
	for name, call := range metricCalls([]float64{0, 1, 1, 0}, []float64{0.2, 0.9, 0.4}) {
		err := call()
		if !errors.Is(err, ErrLength) {
			t.Errorf("%s: err %v, want ErrLength", name, err)
			continue
		}
		if msg := err.Error(); !containsAll(msg, "4", "3") {
			t.Errorf("%s: error %q does not give both lengths", name, msg)
		}
	}
}

// TestMetricsEmpty: every metric rejects empty input with an error.
func TestMetricsEmpty(t *testing.T) {
	for name, call := range metricCalls(nil, nil) {
		if err := call(); err == nil {
			t.Errorf("%s: no error for empty input", name)
		}
	}
}

// TestMetricsOneClass: the metrics scikit-learn leaves undefined when
// y_true holds one class (ROC AUC and the ROC curve; with no positive,
// average precision and the precision-recall curve) return ErrUndefined.
func TestMetricsOneClass(t *testing.T) {
	calls := metricCalls([]float64{0, 0, 0, 0}, []float64{0.2, 0.9, 0.4, 0.1})
	for _, name := range []string{"ROCAUC", "ROCCurve", "AveragePrecision", "PrecisionRecallCurve"} {
		if err := calls[name](); !errors.Is(err, ErrUndefined) {
			t.Errorf("%s with one class: err %v, want ErrUndefined", name, err)
		}
	}
	p := mat.NewDense(4, 3, []float64{0.2, 0.5, 0.3, 0.1, 0.1, 0.8, 0.6, 0.2, 0.2, 0.3, 0.3, 0.4})
	if _, err := ROCAUCOvR([]float64{2, 2, 2, 2}, p, []float64{0, 1, 2}, Macro); !errors.Is(err, ErrUndefined) {
		t.Errorf("ROCAUCOvR with one class present: err %v, want ErrUndefined", err)
	}
	calls = metricCalls([]float64{1, 1, 1}, []float64{0.2, 0.9, 0.4})
	for _, name := range []string{"ROCAUC", "ROCCurve"} {
		if err := calls[name](); !errors.Is(err, ErrUndefined) {
			t.Errorf("%s with only positives: err %v, want ErrUndefined", name, err)
		}
	}
}

// TestSplitTooFewMembers: every stratified split rejects a class with
// fewer members than it needs with ErrTooFewMembers, naming the class.
func TestSplitTooFewMembers(t *testing.T) {
	y := []float64{0, 0, 0, 0, 0, 0, 7, 7}
	for _, s := range []Splitter{
		StratifiedKFold{K: 3},
		StratifiedKFold{K: 3, Shuffle: true, Seed: 1},
		RepeatedStratifiedKFold{K: 3, Repeats: 2, Seed: 1},
	} {
		_, err := s.Split(y)
		if !errors.Is(err, ErrTooFewMembers) {
			t.Errorf("%T%+v: err %v, want ErrTooFewMembers", s, s, err)
			continue
		}
		if !containsAll(err.Error(), "7") {
			t.Errorf("%T: error %q does not name the class", s, err)
		}
	}
	if _, _, err := TrainTestSplit([]float64{0, 0, 0, 0, 1}, 0.4, 0, true); !errors.Is(err, ErrTooFewMembers) {
		t.Errorf("stratified TrainTestSplit with a class of one: err %v, want ErrTooFewMembers", err)
	}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !contains(s, p) {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
