package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
	"gonum.org/v1/gonum/mat"
)

// center is a test step: it subtracts the training mean from one column.
type center struct{ Col string }

type centered struct {
	Col  string  `json:"col"`
	Mean float64 `json:"mean"`
}

func (c center) Fit(_ context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	v, err := f.Float(c.Col)
	if err != nil {
		return nil, err
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return &centered{Col: c.Col, Mean: s / float64(len(v))}, nil
}

func (c *centered) Transform(_ context.Context, f *frame.Frame) (*frame.Frame, error) {
	v, err := f.Float(c.Col)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x - c.Mean
	}
	return f.With(c.Col, frame.NewFloat(out))
}

// slope is a test model: y = w·x0 + b by least squares on the first column.
type slope struct{}

type slopeFit struct {
	W float64 `json:"w"`
	B float64 `json:"b"`
}

func (slope) Fit(_ context.Context, X mat.Matrix, y []float64) (model.Predictor, error) {
	r, _ := X.Dims()
	var sx, sy, sxx, sxy float64
	for i := range r {
		x := X.At(i, 0)
		sx, sy, sxx, sxy = sx+x, sy+y[i], sxx+x*x, sxy+x*y[i]
	}
	n := float64(r)
	w := (n*sxy - sx*sy) / (n*sxx - sx*sx)
	return &slopeFit{W: w, B: (sy - w*sx) / n}, nil
}

func (s *slopeFit) Predict(_ context.Context, X mat.Matrix) ([]float64, error) {
	r, _ := X.Dims()
	out := make([]float64, r)
	for i := range out {
		out[i] = s.W*X.At(i, 0) + s.B
	}
	return out, nil
}

func init() {
	preprocess.Register[*centered]("test.centered", 1)
	model.Register[*slopeFit]("test.slope", 1)
}

func trainFrame(t *testing.T) *frame.Frame {
	t.Helper()
	f, err := frame.New(
		frame.Floats("x", []float64{1, 2, 3, 4, 5}),
		frame.Floats("y", []float64{3, 5, 7, 9, 11}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestMLFitPredictSaveLoad(t *testing.T) {
	ctx := context.Background()
	spec := ML{Steps: []preprocess.Step{center{"x"}}, Model: slope{}, Target: "y"}
	fitted, err := spec.Fit(ctx, trainFrame(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(fitted.Features) != 1 || fitted.Features[0] != "x" {
		t.Fatalf("features %v", fitted.Features)
	}
	serve, _ := frame.New(frame.Floats("x", []float64{10, 0}))
	got, err := fitted.Predict(ctx, serve)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got[0]-21) > 1e-12 || math.Abs(got[1]-1) > 1e-12 {
		t.Fatalf("predict %v, want [21 1]", got)
	}

	path := filepath.Join(t.TempDir(), "model.json")
	if err := fitted.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := loaded.Predict(ctx, serve)
	if err != nil {
		t.Fatal(err)
	}
	if again[0] != got[0] || again[1] != got[1] {
		t.Fatalf("after reload %v, before %v", again, got)
	}
	// Same fitted value, same bytes.
	a, _ := json.Marshal(fitted)
	b, _ := json.Marshal(loaded)
	if !bytes.Equal(a, b) {
		t.Errorf("artifact not stable:\n%s\n%s", a, b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestMLFitErrors(t *testing.T) {
	ctx := context.Background()
	f := trainFrame(t)
	empty, _ := f.Slice(0, 0)
	cat, _ := f.With("y", frame.NewCategorical([]string{"a", "b", "a", "b", "a"}, nil))
	nan, _ := f.With("y", frame.NewFloat([]float64{1, math.NaN(), 1, 1, 1}))
	withCat, _ := f.With("c", frame.NewCategorical([]string{"a", "b", "a", "b", "a"}, nil))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		spec ML
		data *frame.Frame
		want error
		text string
	}{
		{"no model", ctx, ML{Target: "y"}, f, nil, "no model"},
		{"empty frame", ctx, ML{Model: slope{}, Target: "y"}, empty, frame.ErrEmpty, ""},
		{"unknown target", ctx, ML{Model: slope{}, Target: "z"}, f, ErrTarget, `"z"`},
		{"categorical target", ctx, ML{Model: slope{}, Target: "y"}, cat, ErrTarget, "categorical"},
		{"missing target", ctx, ML{Model: slope{}, Target: "y"}, nan, ErrTarget, "row 1"},
		{"unknown step column", ctx, ML{Steps: []preprocess.Step{center{"nope"}}, Model: slope{}, Target: "y"}, f, frame.ErrNoColumn, "step 0"},
		{"unencoded categorical", ctx, ML{Model: slope{}, Target: "y"}, withCat, frame.ErrKind, `"c"`},
		{"cancelled", cancelled, ML{Steps: []preprocess.Step{center{"x"}}, Model: slope{}, Target: "y"}, f, context.Canceled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.spec.Fit(tt.ctx, tt.data)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not mention %q", err, tt.text)
			}
		})
	}
}

func TestPredictSchemaErrors(t *testing.T) {
	ctx := context.Background()
	fitted, err := ML{Model: slope{}, Target: "y"}.Fit(ctx, trainFrame(t))
	if err != nil {
		t.Fatal(err)
	}
	noX, _ := frame.New(frame.Floats("w", []float64{1}))
	if _, err := fitted.Predict(ctx, noX); !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("missing column: %v", err)
	}
	catX, _ := frame.New(frame.Categories("x", []string{"a"}, nil))
	if _, err := fitted.Predict(ctx, catX); !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), "categorical") {
		t.Errorf("wrong kind: %v", err)
	}
	if _, err := fitted.PredictProba(ctx, noX); !errors.Is(err, ErrNoProba) {
		t.Errorf("proba of a regressor: %v", err)
	}
}

func TestLoadRefusesBadArtifacts(t *testing.T) {
	fitted, err := ML{Model: slope{}, Target: "y"}.Fit(context.Background(), trainFrame(t))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := json.Marshal(fitted)
	future := strings.Replace(string(good), `"version":1`, fmt.Sprintf(`"version":%d`, FormatVersion+1), 1)
	modelFuture := strings.Replace(string(good), `"kind":"test.slope","version":1`, `"kind":"test.slope","version":7`, 1)
	withStep, err := ML{Steps: []preprocess.Step{center{"x"}}, Model: slope{}, Target: "y"}.Fit(context.Background(), trainFrame(t))
	if err != nil {
		t.Fatal(err)
	}
	stepped, _ := json.Marshal(withStep)
	stepFuture := strings.Replace(string(stepped), `"kind":"test.centered","version":1`, `"kind":"test.centered","version":2`, 1)
	stepUnknown := strings.Replace(string(stepped), `"kind":"test.centered"`, `"kind":"test.gone"`, 1)
	if stepFuture == string(stepped) || stepUnknown == string(stepped) {
		t.Fatalf("step envelope not found in %s", stepped)
	}
	for name, in := range map[string]string{
		"not json":       "{{{",
		"truncated":      string(good[:len(good)/2]),
		"other format":   `{"format":"something","version":1}`,
		"future version": future,
		"future model":   modelFuture,
		"unknown model":  strings.Replace(string(good), "test.slope", "test.unknown", 1),
		"no model":       `{"format":"mlpipe.pipeline","version":1,"features":["x"]}`,
		"future step":    stepFuture,
		"unknown step":   stepUnknown,
		"bad profile":    strings.Replace(string(good), `"model":`, `"profile":{"rows":1,"columns":[{"name":"x","kind":1,"missing":0,"count":1,"edges":[2,1],"bins":[1,0,0]}]},"model":`, 1),
		"empty":          "",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Load(strings.NewReader(in)); !errors.Is(err, ErrArtifact) {
				t.Errorf("error %v, want ErrArtifact", err)
			}
		})
	}
	if _, err := LoadFile(filepath.Join(t.TempDir(), "absent.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestMLCrossValidate(t *testing.T) {
	x := make([]float64, 40)
	y := make([]float64, 40)
	for i := range x {
		x[i] = float64(i)
		y[i] = 2*float64(i) + 1
	}
	data, _ := frame.New(frame.Floats("x", x), frame.Floats("y", y))
	spec := ML{Steps: []preprocess.Step{center{"x"}}, Model: slope{}, Target: "y"}
	res, err := evaluate.CrossValidate(context.Background(), spec.Learner(), data, "y",
		evaluate.CVOptions{Splitter: evaluate.KFold{K: 4}, Scorers: []evaluate.Scorer{evaluate.ScoreR2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Folds) != 4 || math.Abs(res.Mean("r2")-1) > 1e-9 {
		t.Errorf("cv on an exact line: %d folds, mean r2 %v", len(res.Folds), res.Mean("r2"))
	}
}

func TestMLInputs(t *testing.T) {
	ctx := context.Background()
	f, _ := trainFrame(t).With("id", frame.NewString([]string{"a", "b", "c", "d", "e"}, nil))
	if _, err := (ML{Model: slope{}, Target: "y"}).Fit(ctx, f); !errors.Is(err, frame.ErrKind) {
		t.Errorf("a string column taken as a feature: %v", err)
	}
	spec := ML{Steps: []preprocess.Step{center{"x"}}, Model: slope{}, Target: "y", Inputs: []string{"x"}}
	fitted, err := spec.Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(fitted.Schema) != 1 || fitted.Schema[0].Name != "x" || len(fitted.Features) != 1 {
		t.Errorf("schema %v, features %v", fitted.Schema, fitted.Features)
	}
	// Serving needs only the inputs; extra columns are dropped before the steps.
	serve, _ := frame.New(frame.Floats("x", []float64{10}), frame.Strings("other", []string{"z"}, nil))
	if got, err := fitted.Predict(ctx, serve); err != nil || math.Abs(got[0]-21) > 1e-12 {
		t.Errorf("predict %v %v", got, err)
	}
	if p := ParamsOf(spec); len(p.Inputs) != 1 || p.Inputs[0] != "x" {
		t.Errorf("params inputs %v", p.Inputs)
	}
	// A pipeline built by hand without a schema takes the frame as it is.
	bare := &Fitted{Predictor: &slopeFit{W: 2, B: 1}, Features: []string{"x"}}
	if got, err := bare.Predict(ctx, serve); err != nil || got[0] != 21 {
		t.Errorf("no schema: %v %v", got, err)
	}
	spec.Inputs = []string{"nope"}
	if _, err := spec.Fit(ctx, f); !errors.Is(err, frame.ErrNoColumn) || !strings.Contains(err.Error(), "inputs") {
		t.Errorf("unknown input: %v", err)
	}
}
