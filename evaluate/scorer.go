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

// negate returns a metric's negative, for error metrics under the
// greater-is-better convention.
func negate(metric func(a, b []float64) (float64, error)) func(a, b []float64) (float64, error) {
	return func(a, b []float64) (float64, error) {
		v, err := metric(a, b)
		return -v, err
	}
}

// The predefined scorers, named as scikit-learn names them.
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
	return []Scorer{ScoreAccuracy, ScoreF1, ScoreROCAUC, ScoreR2, ScoreNegRMSE}
}

// ScorerByName returns the predefined scorer with scikit-learn's name for
// it ("accuracy", "f1", "roc_auc", "r2", "neg_root_mean_squared_error"), or
// an error wrapping [ErrScorer] that lists the known names.
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
