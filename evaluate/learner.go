package evaluate

import (
	"context"

	"github.com/mlpipe/mlpipe/frame"
	"gonum.org/v1/gonum/mat"
)

// A Learner is anything that fits on a frame and returns a fitted
// [Predictor]: a model with its preprocessing, such as the pipeline
// package's ML pipeline. The training frame holds the target column as
// well as the features; the Learner knows which column its target is. Fit
// must not modify the frame and, because cross-validation fits one Learner
// on several folds at once, must be safe for concurrent use. It should
// return promptly with ctx.Err() once ctx is cancelled.
type Learner interface {
	Fit(ctx context.Context, train *frame.Frame) (Predictor, error)
}

// LearnerFunc adapts an ordinary function to the [Learner] interface.
type LearnerFunc func(ctx context.Context, train *frame.Frame) (Predictor, error)

// Fit calls f(ctx, train).
func (f LearnerFunc) Fit(ctx context.Context, train *frame.Frame) (Predictor, error) {
	return f(ctx, train)
}

// A Predictor is a fitted Learner. Predict returns one value per row of f:
// a class label for a classifier, a value for a regressor. The frame it is
// given during evaluation has the target column removed, as at serving
// time. Predictors must be safe for concurrent use.
type Predictor interface {
	Predict(ctx context.Context, f *frame.Frame) ([]float64, error)
}

// PredictorFunc adapts an ordinary function to the [Predictor] interface.
type PredictorFunc func(ctx context.Context, f *frame.Frame) ([]float64, error)

// Predict calls p(ctx, f).
func (p PredictorFunc) Predict(ctx context.Context, f *frame.Frame) ([]float64, error) {
	return p(ctx, f)
}

// A ProbaPredictor is a fitted classifier that also gives class
// probabilities: PredictProba returns a rows × classes matrix whose column j
// is the probability of Classes()[j], with Classes sorted ascending.
// Probability-based scorers such as [ScoreROCAUC] need it.
type ProbaPredictor interface {
	Predictor
	PredictProba(ctx context.Context, f *frame.Frame) (*mat.Dense, error)
	Classes() []float64
}
