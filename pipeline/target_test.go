package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
	"gonum.org/v1/gonum/mat"
)

// A step over "every float column" must not touch the target, and the
// fitted pipeline must serve frames that have no target at all.
func TestStepsDoNotSeeTheTarget(t *testing.T) {
	ctx := context.Background()
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	y := []float64{10, 20, 30, 40, 50, 60, 70, 80}
	train, err := frame.New(frame.Floats("x", x), frame.Floats("y", y))
	if err != nil {
		t.Fatal(err)
	}
	ml := ML{
		Steps:  []preprocess.Step{preprocess.StandardScale()}, // every float column
		Model:  model.LinearRegression{},
		Target: "y",
	}
	fitted, err := ml.Fit(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	serve, err := train.Drop("y")
	if err != nil {
		t.Fatal(err)
	}
	pred, err := fitted.Predict(ctx, serve)
	if err != nil {
		t.Fatalf("predict without the target column: %v", err)
	}
	for i, p := range pred {
		if math.Abs(p-y[i]) > 1e-9 {
			t.Fatalf("row %d: predicted %v, want %v (the target must stay unscaled)", i, p, y[i])
		}
	}
}

// capture is a test model that keeps the first column of its training
// matrix and predicts 0.
type capture struct{ col *[]float64 }

func (c capture) Fit(_ context.Context, X mat.Matrix, _ []float64) (model.Predictor, error) {
	*c.col = mat.Col(nil, 0, X)
	return c, nil
}

func (capture) Predict(_ context.Context, X mat.Matrix) ([]float64, error) {
	r, _ := X.Dims()
	return make([]float64, r), nil
}

// Target encoding inside an ML pipeline must be cross-fitted: on an
// identifier column, the full-data encoding of each training row is its own
// label, so a model trained on it learns the label from the feature.
// Cross-fitted, each row is encoded from the other folds, where its
// identifier is unseen, and never with its own label.
func TestTargetEncodeIsCrossFittedInML(t *testing.T) {
	ctx := context.Background()
	const n = 400
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([]string, n)
	y := make([]float64, n)
	for i := range n {
		ids[i] = fmt.Sprintf("id%03d", i)
		y[i] = float64(rng.IntN(2))
	}
	train, err := frame.New(frame.Categories("id", ids, nil), frame.Floats("y", y))
	if err != nil {
		t.Fatal(err)
	}
	var seen []float64
	ml := ML{
		Steps:  []preprocess.Step{preprocess.TargetEncode("y", "id")},
		Model:  capture{&seen},
		Target: "y",
	}
	if _, err := ml.Fit(ctx, train); err != nil {
		t.Fatal(err)
	}
	if len(seen) != n {
		t.Fatalf("model saw %d rows, want %d", len(seen), n)
	}
	for i, v := range seen {
		if v == y[i] {
			t.Fatalf("row %d: the model was trained on its own label (%v): the encoding leaked", i, v)
		}
	}
}

// rowDropper is a test step that drops the first row.
type rowDropper struct{}

type droppedRow struct{}

func (rowDropper) Fit(context.Context, *frame.Frame) (preprocess.Fitted, error) {
	return droppedRow{}, nil
}

func (droppedRow) Transform(_ context.Context, f *frame.Frame) (*frame.Frame, error) {
	return f.Slice(1, f.NumRows())
}

func TestStepChangingRowsIsAnError(t *testing.T) {
	train, err := frame.New(frame.Floats("x", []float64{1, 2, 3, 4}), frame.Floats("y", []float64{1, 2, 3, 4}))
	if err != nil {
		t.Fatal(err)
	}
	ml := ML{Steps: []preprocess.Step{rowDropper{}}, Model: model.LinearRegression{}, Target: "y"}
	if _, err := ml.Fit(context.Background(), train); !errors.Is(err, ErrRowsChanged) {
		t.Fatalf("err = %v, want ErrRowsChanged", err)
	}
}
