package evaluate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mlpipe/mlpipe/frame"
	"gonum.org/v1/gonum/mat"
)

// A Scorer scores a fitted [Predictor] on a frame of features x whose true
// targets are y. Scores follow scikit-learn's convention that greater is
// better, so an error metric is negated (see [ScoreNegRMSE]). Name labels
// the score in results. The predefined scorers are safe for concurrent use.
type Scorer struct {
	Name  string
	Score func(ctx context.Context, p Predictor, x *frame.Frame, y []float64) (float64, error)
}

// LabelScorer returns a Scorer called name that calls p.Predict and then
// metric(y, predictions).
func LabelScorer(name string, metric func(yTrue, yPred []float64) (float64, error)) Scorer {
	return Scorer{Name: name, Score: func(ctx context.Context, p Predictor, x *frame.Frame, y []float64) (float64, error) {
		pred, err := p.Predict(ctx, x)
		if err != nil {
			return 0, err
		}
		return metric(y, pred)
	}}
}

// ProbaScorer returns a Scorer called name for a binary metric of a score:
// it calls PredictProba on a [ProbaPredictor] and passes metric the
// probability of the larger of its two classes (scikit-learn's
// predict_proba(X)[:, 1]). The scorer returns an error wrapping
// [ErrNoProba] for a predictor without probabilities and [ErrLabel] for a
// predictor that does not have exactly two classes.
func ProbaScorer(name string, metric func(yTrue, score []float64) (float64, error)) Scorer {
	return Scorer{Name: name, Score: func(ctx context.Context, p Predictor, x *frame.Frame, y []float64) (float64, error) {
		pp, ok := p.(ProbaPredictor)
		if !ok {
			return 0, fmt.Errorf("%s: predictor %T: %w", name, p, ErrNoProba)
		}
		if n := len(pp.Classes()); n != 2 {
			return 0, fmt.Errorf("%s: predictor has %d classes, the binary scorer needs 2: %w", name, n, ErrLabel)
		}
		proba, err := pp.PredictProba(ctx, x)
		if err != nil {
			return 0, err
		}
		if r, c := proba.Dims(); r != len(y) || c != 2 {
			return 0, fmt.Errorf("%s: probabilities are %d×%d for %d rows and 2 classes: %w", name, r, c, len(y), ErrLength)
		}
		return metric(y, mat.Col(nil, 1, proba))
	}}
}

// ProbaMatrixScorer returns a Scorer called name for a metric of the full
// probability matrix, such as [LogLoss] or [ROCAUCOvR]: it calls
// PredictProba on a [ProbaPredictor] and passes metric the matrix and the
// predictor's Classes, which label its columns. The scorer returns an error
// wrapping [ErrNoProba] for a predictor without probabilities.
func ProbaMatrixScorer(name string, metric func(yTrue []float64, proba mat.Matrix, classes []float64) (float64, error)) Scorer {
	return Scorer{Name: name, Score: func(ctx context.Context, p Predictor, x *frame.Frame, y []float64) (float64, error) {
		pp, ok := p.(ProbaPredictor)
		if !ok {
			return 0, fmt.Errorf("%s: predictor %T: %w", name, p, ErrNoProba)
		}
		proba, err := pp.PredictProba(ctx, x)
		if err != nil {
			return 0, err
		}
		return metric(y, proba, pp.Classes())
	}}
}

// negate returns a metric's negative, for error metrics under the
// greater-is-better convention.
func negate(metric func(a, b []float64) (float64, error)) func(a, b []float64) (float64, error) {
	return func(a, b []float64) (float64, error) {
		v, err := metric(a, b)
		return -v, err
	}
}

func averaged(metric func(a, b []float64, avg Average) (float64, error), avg Average) func(a, b []float64) (float64, error) {
	return func(a, b []float64) (float64, error) { return metric(a, b, avg) }
}

// The predefined scorers, named as scikit-learn names them. More are
// available by name from [ScorerByName].
var (
	// ScoreAccuracy scores predicted labels with [Accuracy].
	ScoreAccuracy = LabelScorer("accuracy", Accuracy)
	// ScoreF1 scores predicted labels with binary [F1].
	ScoreF1 = LabelScorer("f1", F1)
	// ScoreROCAUC scores the positive-class probability with [ROCAUC]; the
	// predictor must be a [ProbaPredictor] with two classes.
	ScoreROCAUC = ProbaScorer("roc_auc", ROCAUC)
	// ScoreR2 scores predicted values with [R2].
	ScoreR2 = LabelScorer("r2", R2)
	// ScoreNegRMSE scores predicted values with minus [RMSE].
	ScoreNegRMSE = LabelScorer("neg_root_mean_squared_error", negate(RMSE))
)

func builtinScorers() []Scorer {
	s := []Scorer{
		ScoreAccuracy, ScoreF1, ScoreROCAUC, ScoreR2, ScoreNegRMSE,
		LabelScorer("balanced_accuracy", BalancedAccuracy),
		LabelScorer("precision", averaged(Precision, Binary)),
		LabelScorer("recall", averaged(Recall, Binary)),
		LabelScorer("matthews_corrcoef", MatthewsCorrCoef),
		ProbaScorer("average_precision", AveragePrecision),
		ProbaScorer("neg_brier_score", negate(BrierScore)),
		ProbaMatrixScorer("neg_log_loss", func(y []float64, p mat.Matrix, classes []float64) (float64, error) {
			v, err := LogLoss(y, p, classes)
			return -v, err
		}),
		ProbaMatrixScorer("roc_auc_ovr", func(y []float64, p mat.Matrix, classes []float64) (float64, error) {
			return ROCAUCOvR(y, p, classes, Macro)
		}),
		ProbaMatrixScorer("roc_auc_ovr_weighted", func(y []float64, p mat.Matrix, classes []float64) (float64, error) {
			return ROCAUCOvR(y, p, classes, Weighted)
		}),
		LabelScorer("explained_variance", ExplainedVariance),
		LabelScorer("max_error", negate(MaxError)),
		LabelScorer("neg_mean_absolute_error", negate(MAE)),
		LabelScorer("neg_mean_squared_error", negate(MSE)),
		LabelScorer("neg_median_absolute_error", negate(MedianAE)),
		LabelScorer("neg_mean_absolute_percentage_error", negate(MAPE)),
	}
	for _, avg := range []Average{Macro, Micro, Weighted} {
		s = append(s,
			LabelScorer("f1_"+avg.String(), averaged(F1Avg, avg)),
			LabelScorer("precision_"+avg.String(), averaged(Precision, avg)),
			LabelScorer("recall_"+avg.String(), averaged(Recall, avg)))
	}
	return s
}

// ScorerByName returns the predefined scorer with scikit-learn's name for
// it: "accuracy", "balanced_accuracy", "f1", "precision", "recall" (binary,
// positive label 1), their "_macro", "_micro" and "_weighted" forms,
// "matthews_corrcoef", "roc_auc", "roc_auc_ovr", "roc_auc_ovr_weighted",
// "average_precision", "neg_log_loss", "neg_brier_score", "r2",
// "explained_variance", "max_error" (negated, as in scikit-learn),
// "neg_mean_absolute_error", "neg_mean_squared_error",
// "neg_root_mean_squared_error", "neg_median_absolute_error" and
// "neg_mean_absolute_percentage_error". An unknown name gives an error
// wrapping [ErrScorer] that lists the known names.
func ScorerByName(name string) (Scorer, error) {
	var names []string
	for _, s := range builtinScorers() {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	slices.Sort(names)
	return Scorer{}, fmt.Errorf("scorer %q; known: %s: %w", name, strings.Join(names, ", "), ErrScorer)
}
