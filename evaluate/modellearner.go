package evaluate

import (
	"context"
	"fmt"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// ModelLearner adapts a [model.Model], which fits on a matrix, to a
// [Learner], which fits on a frame: Fit reads the target column (float, or
// bool as 0/1) and assembles the feature columns with frame.Matrix — the
// named features, or every column but the target when none are named,
// fixed at fit time — and the returned Predictor assembles the same
// columns to predict. When the fitted model is a [model.ProbaPredictor],
// so is the Predictor. Features must already be numeric and complete (use
// preprocess, or the pipeline package, for the rest): frame.Matrix's errors
// name the offending column. The Learner is safe for concurrent use if m
// is.
func ModelLearner(m model.Model, target string, features ...string) Learner {
	features = slices.Clone(features)
	return LearnerFunc(func(ctx context.Context, train *frame.Frame) (Predictor, error) {
		y, err := Target(train, target)
		if err != nil {
			return nil, err
		}
		cols := features
		if len(cols) == 0 {
			for _, n := range train.Names() {
				if n != target {
					cols = append(cols, n)
				}
			}
		}
		X, _, err := train.Matrix(cols...)
		if err != nil {
			return nil, err
		}
		p, err := m.Fit(ctx, X, y)
		if err != nil {
			return nil, err
		}
		mp := modelPredictor{p: p, cols: cols}
		if pp, ok := p.(model.ProbaPredictor); ok {
			return modelProbaPredictor{mp, pp}, nil
		}
		return mp, nil
	})
}

type modelPredictor struct {
	p    model.Predictor
	cols []string
}

func (m modelPredictor) matrix(f *frame.Frame) (*mat.Dense, error) {
	X, _, err := f.Matrix(m.cols...)
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return X, nil
}

func (m modelPredictor) Predict(ctx context.Context, f *frame.Frame) ([]float64, error) {
	X, err := m.matrix(f)
	if err != nil {
		return nil, err
	}
	return m.p.Predict(ctx, X)
}

type modelProbaPredictor struct {
	modelPredictor
	pp model.ProbaPredictor
}

func (m modelProbaPredictor) PredictProba(ctx context.Context, f *frame.Frame) (*mat.Dense, error) {
	X, err := m.matrix(f)
	if err != nil {
		return nil, err
	}
	return m.pp.PredictProba(ctx, X)
}

func (m modelProbaPredictor) Classes() []float64 { return m.pp.Classes() }

var (
	_ Predictor      = modelPredictor{}
	_ ProbaPredictor = modelProbaPredictor{}
)
