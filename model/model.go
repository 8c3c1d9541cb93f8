package model

import (
	"context"

	"github.com/mlpipe/mlpipe/internal/registry"
	"gonum.org/v1/gonum/mat"
)

// A Model is an unfitted estimator: its parameters, no learned state. Fit
// learns from the rows of X (one row per sample, one column per feature) and
// their targets y, and returns a new fitted [Predictor]; the Model itself is
// not changed, so one Model may be fitted many times concurrently.
//
// Fit returns an error, never panics, on bad input: len(y) != rows of X, no
// rows, NaN or Inf in X or y, a single class for a classifier.
type Model interface {
	Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error)
}

// ModelFunc adapts an ordinary function to the [Model] interface.
type ModelFunc func(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error)

// Fit calls f(ctx, X, y).
func (f ModelFunc) Fit(ctx context.Context, X mat.Matrix, y []float64) (Predictor, error) {
	return f(ctx, X, y)
}

// A Predictor is a fitted model. Predict returns one prediction per row of X:
// a value for a regressor, a class label for a classifier. Predictors are
// immutable and safe for concurrent use.
type Predictor interface {
	Predict(ctx context.Context, X mat.Matrix) ([]float64, error)
}

// A ProbaPredictor is a fitted classifier that also gives class probabilities.
// PredictProba returns a rows × classes matrix whose column j is the
// probability of Classes()[j]; Classes is sorted ascending.
type ProbaPredictor interface {
	Predictor
	PredictProba(ctx context.Context, X mat.Matrix) (*mat.Dense, error)
	Classes() []float64
}

var fitted = registry.New[Predictor]("model")

// Errors of saved models, shared with package preprocess (the same values, so
// one errors.Is test serves both).
var (
	// ErrUnknownKind: a saved value names a kind no registered type has (a
	// model from a newer mlpipe, or a package not linked into this program).
	ErrUnknownKind = registry.ErrUnknownKind
	// ErrVersion: a saved value's format version is newer than this build reads.
	ErrVersion = registry.ErrVersion
)

// Register records that fitted models of type T (a pointer type implementing
// [Predictor] whose JSON encoding holds its whole state) are saved under kind,
// at format version. It panics if kind or T is already registered; call it
// from an init function.
func Register[T Predictor](kind string, version int) {
	registry.Register[Predictor, T](fitted, kind, version)
}

// Marshal returns the versioned JSON form of a fitted model:
// {"kind": ..., "version": ..., "state": ...}. It fails for a type that was
// never registered.
func Marshal(p Predictor) ([]byte, error) { return fitted.Marshal(p) }

// Unmarshal reads a fitted model written by [Marshal]. It fails with an error
// wrapping [ErrUnknownKind] or [ErrVersion] for an unknown kind or a newer
// format version, and with the JSON error for corrupt input.
func Unmarshal(data []byte) (Predictor, error) { return fitted.Unmarshal(data) }
