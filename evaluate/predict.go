package evaluate

import (
	"context"
	"fmt"
	"runtime"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/mat"
)

// OutOfFold holds cross-validated predictions: for every row, what the
// model fitted without that row predicted, as scikit-learn's
// cross_val_predict. Pred has one value per row. When the fitted
// predictors give probabilities, Proba has one row per data row and one
// column per class of Classes (the target's labels, ascending); a class a
// fold's predictor never saw has probability 0 there. Otherwise Proba and
// Classes are nil.
type OutOfFold struct {
	Pred    []float64
	Proba   *mat.Dense
	Classes []float64
}

// CrossValPredict fits l on each fold's training rows and predicts its
// held-out rows, returning the predictions in row order, for curves and
// reports over the whole data set (a ROC curve from cross-validation, a
// confusion matrix). Folds run concurrently as in [CrossValidate], with the
// same defaults (opts.Scorers and opts.TrainScores are not used). The
// splitter must put every row in exactly one test set.
//
// It returns the errors of CrossValidate, an error wrapping [ErrSplit] if
// the folds are not a partition of the rows, [ErrLength] for a predictor
// returning the wrong number of values, and [ErrLabel] for a probability
// column of a class absent from the target.
func CrossValPredict(ctx context.Context, l Learner, data *frame.Frame, target string, opts CVOptions) (*OutOfFold, error) {
	if l == nil {
		return nil, fmt.Errorf("cross-validated predictions: nil learner")
	}
	opts.Scorers = nil // not used
	cv, err := setup(data, target, opts)
	if err != nil {
		return nil, fmt.Errorf("cross-validated predictions: %w", err)
	}
	n := len(cv.y)
	seen := make([]int, n)
	for _, f := range cv.folds {
		for _, i := range f.Test {
			if i < 0 || i >= n {
				return nil, fmt.Errorf("cross-validated predictions: test row %d of %d: %w", i, n, frame.ErrIndex)
			}
			seen[i]++
		}
	}
	for i, c := range seen {
		if c != 1 {
			return nil, fmt.Errorf("cross-validated predictions: row %d is in %d test sets; the splitter must partition the rows: %w", i, c, ErrSplit)
		}
	}
	classes := uniqueSorted(cv.y)
	out := &OutOfFold{Pred: make([]float64, n)}
	probas := make([]*mat.Dense, len(cv.folds))
	foldClasses := make([][]float64, len(cv.folds))

	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for k, f := range cv.folds {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			train, err := data.Take(f.Train)
			if err != nil {
				return err
			}
			test, err := data.Take(f.Test)
			if err != nil {
				return err
			}
			if test, err = test.Drop(target); err != nil {
				return err
			}
			p, err := l.Fit(gctx, train)
			if err != nil {
				return fmt.Errorf("fold %d: fit: %w", k, err)
			}
			if p == nil {
				return fmt.Errorf("fold %d: fit returned a nil predictor", k)
			}
			pred, err := p.Predict(gctx, test)
			if err != nil {
				return fmt.Errorf("fold %d: predict: %w", k, err)
			}
			if len(pred) != len(f.Test) {
				return fmt.Errorf("fold %d: %d predictions for %d rows: %w", k, len(pred), len(f.Test), ErrLength)
			}
			for j, i := range f.Test {
				out.Pred[i] = pred[j] // rows of different folds never overlap
			}
			if pp, ok := p.(ProbaPredictor); ok {
				if probas[k], err = pp.PredictProba(gctx, test); err != nil {
					return fmt.Errorf("fold %d: predict probabilities: %w", k, err)
				}
				foldClasses[k] = pp.Classes()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("cross-validated predictions: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("cross-validated predictions: %w", err)
	}
	if slices.Contains(probas, nil) {
		return out, nil
	}
	out.Classes = classes
	out.Proba = mat.NewDense(n, len(classes), nil)
	for k, f := range cv.folds {
		cols := make([]int, len(foldClasses[k]))
		for j, c := range foldClasses[k] {
			var ok bool
			if cols[j], ok = slices.BinarySearch(classes, c); !ok {
				return nil, fmt.Errorf("cross-validated predictions: fold %d predicts class %v, absent from target %q: %w", k, c, target, ErrLabel)
			}
		}
		if r, c := probas[k].Dims(); r != len(f.Test) || c != len(cols) {
			return nil, fmt.Errorf("cross-validated predictions: fold %d: probabilities are %d×%d for %d rows and %d classes: %w",
				k, r, c, len(f.Test), len(cols), ErrLength)
		}
		for r, i := range f.Test {
			for j, col := range cols {
				out.Proba.Set(i, col, probas[k].At(r, j))
			}
		}
	}
	return out, nil
}
