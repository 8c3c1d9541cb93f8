package pipeline

import (
	"bytes"
	"context"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
)

// fuzzTrain is a small training frame of every input kind a saved pipeline
// refers to.
func fuzzTrain(tb testing.TB) *frame.Frame {
	f, err := frame.New(
		frame.Floats("age", []float64{30, 41, 50, 40, 35, 28, 61, 45}),
		frame.Floats("income", []float64{1e4, 2e4, 3e4, 4e4, 5e4, 1.5e4, 2.5e4, 3.5e4}),
		frame.Categories("city", []string{"Oslo", "Bergen", "Bergen", "Oslo", "Tromsø", "Oslo", "Bergen", "Tromsø"}, nil),
		frame.Floats("y", []float64{0, 1, 1, 0, 1, 0, 1, 0}),
	)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// FuzzLoad feeds crafted artifacts to Load: it must return an error
// wrapping ErrArtifact or a pipeline whose Predict, PredictProba and
// CheckSchema return (a result or an error) without panicking, on a frame
// of the training schema and on one missing a column.
func FuzzLoad(f *testing.F) {
	ctx := context.Background()
	train := fuzzTrain(f)
	for _, m := range []model.Model{model.LogisticRegression{}, model.DecisionTree{}, model.GaussianNB{}, model.LinearRegression{}} {
		p, err := ML{
			Steps:   []preprocess.Step{preprocess.StandardScale("age", "income"), preprocess.OneHot("city")},
			Model:   m,
			Target:  "y",
			Profile: true,
		}.Fit(ctx, train)
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if err := p.Save(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	short, err := train.Select("age", "city")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, in := range []*frame.Frame{train, short} {
			_ = p.CheckSchema(in)
			_, _ = p.Predict(ctx, in)
			_, _ = p.PredictProba(ctx, in)
			_ = p.Classes()
		}
		if p.Profile != nil {
			_, _ = p.Drift(train, DriftOptions{})
		}
	})
}
