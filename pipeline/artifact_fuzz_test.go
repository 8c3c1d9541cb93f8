package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/jsonedit"
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

// FuzzLoadEdit is FuzzLoad with edits that keep the artifact well-formed
// JSON, which byte-level mutation rarely does: the fuzzer picks a node of a
// saved pipeline (a step's state, a model's coefficients, a tree's node
// arrays, a count) and replaces it with a number, a string, null, an empty
// or a shortened array. Load must refuse the result with ErrArtifact or give
// a pipeline whose Predict and PredictProba return without panicking.
func FuzzLoadEdit(f *testing.F) {
	ctx := context.Background()
	train := fuzzTrain(f)
	var saved [][]byte
	for _, m := range []model.Model{
		model.LogisticRegression{}, model.DecisionTree{}, model.RandomForest{Trees: 2}, model.GaussianNB{},
		model.KNeighbors{K: 2, Classifier: true}, model.LinearRegression{},
	} {
		p, err := ML{
			Steps: []preprocess.Step{preprocess.Impute(preprocess.Mean, "age"), preprocess.StandardScale("age", "income"),
				preprocess.OneHot("city")},
			Model: m, Target: "y", Profile: true,
		}.Fit(ctx, train)
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if err := p.Save(&buf); err != nil {
			f.Fatal(err)
		}
		saved = append(saved, buf.Bytes())
	}
	for i := range saved {
		f.Add(uint8(i), uint16(7), uint8(0), 3.0, "x")
		f.Add(uint8(i), uint16(40), uint8(3), -1.0, "")
	}
	short, err := train.Select("age", "city")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, which uint8, node uint16, kind uint8, num float64, s string) {
		var doc any
		if err := json.Unmarshal(saved[int(which)%len(saved)], &doc); err != nil {
			t.Fatal(err)
		}
		doc = jsonedit.Replace(doc, int(node)%jsonedit.Nodes(doc), func(v any) any { return jsonedit.Edit(v, kind, num, s) })
		b, err := json.Marshal(doc)
		if err != nil {
			return // NaN or Inf: not JSON
		}
		p, err := Load(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrArtifact) {
				t.Fatalf("Load error %v does not wrap ErrArtifact", err)
			}
			return
		}
		for _, in := range []*frame.Frame{train, short} {
			_, _ = p.Predict(ctx, in)
			_, _ = p.PredictProba(ctx, in)
		}
	})
}
