package evaluate

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// classFixtures mirrors the classification and regression parts of
// testdata/fixtures.json beyond the first metrics.
type classFixtures struct {
	Binary []struct {
		Name             string
		YTrue            []float64 `json:"y_true"`
		YPred            []float64 `json:"y_pred"`
		Score, Prob      []float64
		BalancedAccuracy float64 `json:"balanced_accuracy"`
		Precision        float64
		Recall           float64
		F2               float64
		MCC              float64
		Kappa            *float64
		Confusion        [][]int
		Brier            float64
		Calibration      map[string][2][]float64
		LogLoss          *float64     `json:"log_loss"`
		ROCCurve         [3][]float64 `json:"roc_curve"`
		AveragePrecision *float64     `json:"average_precision"`
		PRCurve          [3][]float64 `json:"pr_curve"`
		Averaged         map[string]float64
		Report2          string
		Report4          string
	}
	Multiclass []struct {
		Name              string
		YTrue             []float64 `json:"y_true"`
		YPred             []float64 `json:"y_pred"`
		Proba             [][]float64
		Accuracy          float64
		BalancedAccuracy  float64 `json:"balanced_accuracy"`
		MCC               float64
		Kappa             *float64
		KappaLinear       float64 `json:"kappa_linear"`
		KappaQuadratic    float64 `json:"kappa_quadratic"`
		Confusion         [][]int
		LogLoss           float64      `json:"log_loss"`
		ROCAUCOvRMacro    float64      `json:"roc_auc_ovr_macro"`
		ROCAUCOvRWeighted float64      `json:"roc_auc_ovr_weighted"`
		PerClass          [4][]float64 `json:"per_class"`
		Averaged          map[string]float64
		Report2           string
		Report4           string
	}
	Regression []struct {
		Name              string
		YTrue             []float64 `json:"y_true"`
		YPred             []float64 `json:"y_pred"`
		MSE, MAE, MAPE    float64
		MedianAE          float64 `json:"median_ae"`
		MaxError          float64 `json:"max_error"`
		ExplainedVariance float64 `json:"explained_variance"`
	}
}

var loadClassFixtures = sync.OnceValues(func() (*classFixtures, error) {
	b, err := os.ReadFile("testdata/fixtures.json")
	if err != nil {
		return nil, err
	}
	var f classFixtures
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	// The averaged scores are stored under keys such as "f1_macro"; gather them.
	var raw struct {
		Binary, Multiclass []map[string]any
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	gather := func(m map[string]any) map[string]float64 {
		out := map[string]float64{}
		for k, v := range m {
			for _, avg := range []string{"_macro", "_micro", "_weighted"} {
				if strings.HasSuffix(k, avg) && !strings.HasPrefix(k, "roc_auc") {
					out[k] = v.(float64)
				}
			}
		}
		return out
	}
	for i := range f.Binary {
		f.Binary[i].Averaged = gather(raw.Binary[i])
	}
	for i := range f.Multiclass {
		f.Multiclass[i].Averaged = gather(raw.Multiclass[i])
	}
	return &f, nil
})

func cfx(t *testing.T) *classFixtures {
	t.Helper()
	f, err := loadClassFixtures()
	if err != nil {
		t.Fatalf("load fixtures: %v", err)
	}
	return f
}

func expect(t *testing.T, metric string, got float64, err error, want float64) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", metric, err)
		return
	}
	if !close(got, want) {
		t.Errorf("%s = %.17g, scikit-learn %.17g", metric, got, want)
	}
}

func expectSlice(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, scikit-learn %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if !close(got[i], want[i]) {
			t.Errorf("%s[%d] = %.17g, scikit-learn %.17g", what, i, got[i], want[i])
			return
		}
	}
}

func confusionEqual(c *Confusion, want [][]int) bool {
	return slices.EqualFunc(c.Counts, want, func(a, b []int) bool { return slices.Equal(a, b) })
}

// checkAveraged compares every averaged precision/recall/F scored in m.
func checkAveraged(t *testing.T, yt, yp []float64, m map[string]float64) {
	t.Helper()
	avgs := map[string]Average{"macro": Macro, "micro": Micro, "weighted": Weighted}
	if len(m) == 0 {
		t.Fatal("no averaged fixtures")
	}
	for key, want := range m {
		metric, avgName, _ := strings.Cut(key, "_")
		avg := avgs[avgName]
		var got float64
		var err error
		switch metric {
		case "precision":
			got, err = Precision(yt, yp, avg)
		case "recall":
			got, err = Recall(yt, yp, avg)
		case "f1":
			got, err = F1Avg(yt, yp, avg)
		case "f2":
			got, err = FBeta(yt, yp, 2, avg)
		default:
			t.Fatalf("unknown fixture key %q", key)
		}
		expect(t, key, got, err, want)
	}
}

// checkReport compares the report with scikit-learn's text, character for
// character, at 2 and 4 digits.
func checkReport(t *testing.T, yt, yp []float64, want2, want4 string) {
	t.Helper()
	if want2 == "" || want4 == "" {
		t.Fatal("no report fixture")
	}
	for digits, want := range map[int]string{2: want2, 4: want4} {
		got, err := ClassificationReport(yt, yp, nil, digits)
		if err != nil || got != want {
			t.Errorf("report, %d digits (err %v):\n%s\nscikit-learn:\n%s", digits, err, got, want)
		}
	}
}

func TestBinaryClassificationMatchesSklearn(t *testing.T) {
	for _, c := range cfx(t).Binary {
		t.Run(c.Name, func(t *testing.T) {
			yt, yp := c.YTrue, c.YPred
			got, err := BalancedAccuracy(yt, yp)
			expect(t, "balanced accuracy", got, err, c.BalancedAccuracy)
			got, err = Precision(yt, yp, Binary)
			expect(t, "precision", got, err, c.Precision)
			got, err = Recall(yt, yp, Binary)
			expect(t, "recall", got, err, c.Recall)
			got, err = FBeta(yt, yp, 2, Binary)
			expect(t, "f2", got, err, c.F2)
			got, err = MatthewsCorrCoef(yt, yp)
			expect(t, "mcc", got, err, c.MCC)
			got, err = CohenKappa(yt, yp)
			if c.Kappa == nil {
				if !errors.Is(err, ErrUndefined) {
					t.Errorf("kappa: err %v, want ErrUndefined (scikit-learn: NaN)", err)
				}
			} else {
				expect(t, "kappa", got, err, *c.Kappa)
			}
			cm, err := ConfusionMatrix(yt, yp)
			if err != nil || !confusionEqual(cm, c.Confusion) {
				t.Errorf("confusion = %v, %v; scikit-learn %v", cm, err, c.Confusion)
			}
			checkAveraged(t, yt, yp, c.Averaged)
			checkReport(t, yt, yp, c.Report2, c.Report4)
			got, err = BrierScore(yt, c.Prob)
			expect(t, "brier", got, err, c.Brier)
			for key, want := range c.Calibration {
				strategy, bins, _ := strings.Cut(key, "_")
				n := map[string]int{"3": 3, "5": 5, "10": 10}[bins]
				pt, pp, err := CalibrationCurve(yt, c.Prob, n, strategy == "quantile")
				if err != nil {
					t.Errorf("calibration %s: %v", key, err)
					continue
				}
				expectSlice(t, "calibration "+key+" prob_true", pt, want[0])
				expectSlice(t, "calibration "+key+" prob_pred", pp, want[1])
			}
			if c.LogLoss == nil {
				return // one class
			}
			got, err = LogLoss(yt, mat.NewDense(len(c.Prob), 1, slices.Clone(c.Prob)), nil)
			expect(t, "log loss", got, err, *c.LogLoss)
			fpr, tpr, thr, err := ROCCurve(yt, c.Score)
			if err != nil {
				t.Fatalf("roc curve: %v", err)
			}
			expectSlice(t, "roc fpr", fpr, c.ROCCurve[0])
			expectSlice(t, "roc tpr", tpr, c.ROCCurve[1])
			expectSlice(t, "roc thresholds", thr, c.ROCCurve[2])
			got, err = AveragePrecision(yt, c.Score)
			if *c.AveragePrecision == 0 && slices.Max(yt) == 0 {
				return
			}
			expect(t, "average precision", got, err, *c.AveragePrecision)
			p, r, thr, err := PrecisionRecallCurve(yt, c.Score)
			if err != nil {
				t.Fatalf("pr curve: %v", err)
			}
			expectSlice(t, "pr precision", p, c.PRCurve[0])
			expectSlice(t, "pr recall", r, c.PRCurve[1])
			expectSlice(t, "pr thresholds", thr, c.PRCurve[2])
		})
	}
}

func denseRows(rows [][]float64) *mat.Dense {
	m := mat.NewDense(len(rows), len(rows[0]), nil)
	for i, r := range rows {
		m.SetRow(i, r)
	}
	return m
}

func TestMulticlassMatchesSklearn(t *testing.T) {
	for _, c := range cfx(t).Multiclass {
		t.Run(c.Name, func(t *testing.T) {
			yt, yp := c.YTrue, c.YPred
			got, err := Accuracy(yt, yp)
			expect(t, "accuracy", got, err, c.Accuracy)
			got, err = BalancedAccuracy(yt, yp)
			expect(t, "balanced accuracy", got, err, c.BalancedAccuracy)
			got, err = MatthewsCorrCoef(yt, yp)
			expect(t, "mcc", got, err, c.MCC)
			got, err = CohenKappa(yt, yp)
			expect(t, "kappa", got, err, *c.Kappa)
			got, err = WeightedKappa(yt, yp, false)
			expect(t, "linear kappa", got, err, c.KappaLinear)
			got, err = WeightedKappa(yt, yp, true)
			expect(t, "quadratic kappa", got, err, c.KappaQuadratic)
			cm, err := ConfusionMatrix(yt, yp)
			if err != nil || !confusionEqual(cm, c.Confusion) {
				t.Errorf("confusion = %v, %v; scikit-learn %v", cm, err, c.Confusion)
			}
			checkAveraged(t, yt, yp, c.Averaged)
			checkReport(t, yt, yp, c.Report2, c.Report4)
			proba := denseRows(c.Proba)
			got, err = LogLoss(yt, proba, nil)
			expect(t, "log loss", got, err, c.LogLoss)
			got, err = ROCAUCOvR(yt, proba, nil, Macro)
			expect(t, "roc auc ovr macro", got, err, c.ROCAUCOvRMacro)
			got, err = ROCAUCOvR(yt, proba, nil, Weighted)
			expect(t, "roc auc ovr weighted", got, err, c.ROCAUCOvRWeighted)
			pc, err := PerClass(yt, yp, 1)
			if err != nil {
				t.Fatal(err)
			}
			expectSlice(t, "per-class precision", pc.Precision, c.PerClass[0])
			expectSlice(t, "per-class recall", pc.Recall, c.PerClass[1])
			expectSlice(t, "per-class f1", pc.FScore, c.PerClass[2])
			sup := make([]float64, len(pc.Support))
			for i, s := range pc.Support {
				sup[i] = float64(s)
			}
			expectSlice(t, "support", sup, c.PerClass[3])
		})
	}
}

func TestRegressionExtraMatchesSklearn(t *testing.T) {
	for _, c := range cfx(t).Regression {
		t.Run(c.Name, func(t *testing.T) {
			for _, m := range []struct {
				name string
				f    func(a, b []float64) (float64, error)
				want float64
			}{
				{"mse", MSE, c.MSE}, {"mae", MAE, c.MAE}, {"mape", MAPE, c.MAPE},
				{"median ae", MedianAE, c.MedianAE}, {"max error", MaxError, c.MaxError},
				{"explained variance", ExplainedVariance, c.ExplainedVariance},
			} {
				got, err := m.f(c.YTrue, c.YPred)
				expect(t, m.name, got, err, m.want)
			}
		})
	}
}

func TestClassificationErrors(t *testing.T) {
	p2 := mat.NewDense(2, 2, []float64{0.5, 0.5, 0.2, 0.8})
	tests := []struct {
		name string
		f    func() error
		want error
	}{
		{"precision length", func() error { _, err := Precision([]float64{1}, nil, Macro); return err }, ErrLength},
		{"recall binary multiclass", func() error { _, err := Recall([]float64{0, 1, 2}, []float64{0, 1, 2}, Binary); return err }, ErrLabel},
		{"fbeta negative beta", func() error { _, err := FBeta([]float64{1}, []float64{1}, -1, Macro); return err }, ErrValue},
		{"bad average", func() error { _, err := F1Avg([]float64{1}, []float64{1}, Average(9)); return err }, ErrValue},
		{"balanced empty", func() error { _, err := BalancedAccuracy(nil, nil); return err }, ErrEmpty},
		{"mcc length", func() error { _, err := MatthewsCorrCoef([]float64{1, 0}, []float64{1}); return err }, ErrLength},
		{"kappa one label", func() error { _, err := CohenKappa([]float64{1, 1}, []float64{1, 1}); return err }, ErrUndefined},
		{"weighted kappa one label", func() error { _, err := WeightedKappa([]float64{1, 1}, []float64{1, 1}, true); return err }, ErrUndefined},
		{"weighted kappa length", func() error { _, err := WeightedKappa([]float64{1, 1}, []float64{1}, false); return err }, ErrLength},
		{"confusion nan", func() error { _, err := ConfusionMatrix([]float64{math.NaN()}, []float64{1}); return err }, ErrValue},
		{"log loss one class", func() error { _, err := LogLoss([]float64{1, 1}, p2, nil); return err }, ErrUndefined},
		{"log loss columns", func() error {
			_, err := LogLoss([]float64{0, 1}, mat.NewDense(2, 3, []float64{.2, .3, .5, .2, .3, .5}), nil)
			return err
		}, ErrLabel},
		{"log loss rows", func() error { _, err := LogLoss([]float64{0, 1, 1}, p2, nil); return err }, ErrLength},
		{"log loss label outside classes", func() error { _, err := LogLoss([]float64{0, 2}, p2, []float64{0, 1}); return err }, ErrLabel},
		{"log loss nan", func() error {
			_, err := LogLoss([]float64{0, 1}, mat.NewDense(2, 1, []float64{math.NaN(), 1}), nil)
			return err
		}, ErrValue},
		{"ovr micro", func() error { _, err := ROCAUCOvR([]float64{0, 1}, p2, nil, Micro); return err }, ErrValue},
		{"ovr rows not summing to 1", func() error {
			_, err := ROCAUCOvR([]float64{0, 1, 2}, mat.NewDense(3, 3, []float64{.5, .5, .5, .2, .3, .5, .2, .3, .5}), nil, Macro)
			return err
		}, ErrValue},
		{"ovr absent class", func() error {
			_, err := ROCAUCOvR([]float64{0, 1, 1}, mat.NewDense(3, 3, []float64{.5, .3, .2, .2, .3, .5, .2, .3, .5}), []float64{0, 1, 2}, Macro)
			return err
		}, ErrUndefined},
		{"brier out of range", func() error { _, err := BrierScore([]float64{0, 1}, []float64{0.5, 1.5}); return err }, ErrValue},
		{"brier three labels", func() error { _, err := BrierScore([]float64{0, 1, 2}, []float64{0.5, 0.5, 0.5}); return err }, ErrLabel},
		{"roc curve one class", func() error { _, _, _, err := ROCCurve([]float64{1, 1}, []float64{0.5, 0.2}); return err }, ErrUndefined},
		{"roc curve labels", func() error { _, _, _, err := ROCCurve([]float64{1, 2}, []float64{0.5, 0.2}); return err }, ErrLabel},
		{"pr curve no positive", func() error { _, _, _, err := PrecisionRecallCurve([]float64{0, 0}, []float64{0.5, 0.2}); return err }, ErrUndefined},
		{"average precision no positive", func() error { _, err := AveragePrecision([]float64{0, 0}, []float64{0.5, 0.2}); return err }, ErrUndefined},
		{"calibration bins", func() error {
			_, _, err := CalibrationCurve([]float64{0, 1}, []float64{0.5, 0.2}, 0, false)
			return err
		}, ErrValue},
		{"calibration range", func() error {
			_, _, err := CalibrationCurve([]float64{0, 1}, []float64{-0.5, 0.2}, 5, false)
			return err
		}, ErrValue},
		{"report names", func() error {
			_, err := ClassificationReport([]float64{0, 1}, []float64{0, 1}, []string{"a"}, 2)
			return err
		}, ErrLength},
		{"mape empty", func() error { _, err := MAPE(nil, nil); return err }, ErrEmpty},
		{"median length", func() error { _, err := MedianAE([]float64{1}, nil); return err }, ErrLength},
		{"max error nan", func() error { _, err := MaxError([]float64{math.NaN()}, []float64{1}); return err }, ErrValue},
		{"explained variance empty", func() error { _, err := ExplainedVariance(nil, nil); return err }, ErrEmpty},
		{"mae length", func() error { _, err := MAE([]float64{1}, nil); return err }, ErrLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.f(); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestClassificationReport(t *testing.T) {
	yt := []float64{0, 1, 2, 2, 2}
	yp := []float64{0, 0, 2, 2, 1}
	got, err := ClassificationReport(yt, yp, []string{"class 0", "class 1", "class 2"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// scikit-learn's classification_report of its documentation's example.
	want := "              precision    recall  f1-score   support\n\n     class 0       0.50      1.00      0.67         1\n     class 1       0.00      0.00      0.00         1\n     class 2       1.00      0.67      0.80         3\n\n    accuracy                           0.60         5\n   macro avg       0.50      0.56      0.49         5\nweighted avg       0.70      0.60      0.61         5\n"
	if got != want {
		t.Errorf("report:\n%q\nwant\n%q", got, want)
	}
	long, _ := ClassificationReport(yt, yp, []string{"a rather long class name", "b", "c"}, 3)
	if !strings.HasPrefix(strings.Split(long, "\n")[2], "a rather long class name      0.500") {
		t.Errorf("long name not given its width:\n%s", long)
	}
}
