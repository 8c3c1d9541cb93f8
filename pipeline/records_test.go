package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
)

// fittedChurn fits the churn spec on 400 rows and returns it with its data.
func fittedChurn(t testing.TB) (*Fitted, *frame.Frame) {
	t.Helper()
	var batches []*frame.Frame
	src := etl.CSV(bytes.NewReader(churnCSV(400, 11)), etl.CSVOptions{})
	if err := src.Extract(context.Background(), func(f *frame.Frame) error { batches = append(batches, f); return nil }); err != nil {
		t.Fatal(err)
	}
	data, _ := frame.Concat(batches...)
	spec := churnSpec(1)
	spec.Profile = true
	fitted, err := spec.Fit(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	return fitted, data
}

func TestPredictRecords(t *testing.T) {
	ctx := context.Background()
	fitted, data := fittedChurn(t)
	head, _ := data.Slice(0, 5)
	want, err := fitted.PredictProba(ctx, head)
	if err != nil {
		t.Fatal(err)
	}
	// The same rows as JSON objects, as a client sends them (the target
	// and unknown keys are ignored; NaN is sent as null).
	var recs []map[string]any
	for i := range 5 {
		rec := map[string]any{"extra": "ignored"}
		for _, name := range head.Names() {
			c, _ := head.Col(name)
			rec[name] = c.Value(i)
		}
		recs = append(recs, rec)
	}
	js, _ := json.Marshal(recs)
	decoded, single, err := DecodeRecords(bytes.NewReader(js))
	if err != nil || single || len(decoded) != 5 {
		t.Fatalf("decode: %v single=%v n=%d", err, single, len(decoded))
	}
	preds, err := fitted.PredictRecords(ctx, decoded)
	if err != nil {
		t.Fatal(err)
	}
	labels, _ := fitted.Predict(ctx, head)
	for i, p := range preds {
		if p.Value != labels[i] || p.Probabilities[0] != want.At(i, 0) || p.Probabilities[1] != want.At(i, 1) {
			t.Errorf("record %d: %+v, want label %v proba %v %v", i, p, labels[i], want.At(i, 0), want.At(i, 1))
		}
	}
	// null is missing: imputed as in training, so the same as a NaN row.
	nullRec := map[string]any{"tenure": nil, "spend": json.Number("20.5"), "plan": "pro"}
	nanRow, _ := frame.New(frame.Floats("tenure", []float64{math.NaN()}), frame.Floats("spend", []float64{20.5}),
		frame.Categories("plan", []string{"pro"}, nil))
	p1, err := fitted.PredictRecords(ctx, []map[string]any{nullRec})
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := fitted.PredictProba(ctx, nanRow)
	if p1[0].Probabilities[1] != p2.At(0, 1) {
		t.Errorf("null record %v, NaN row %v", p1[0].Probabilities, p2.At(0, 1))
	}
	// An unseen category follows the encoder's policy (ignored: all zeros).
	if _, err := fitted.PredictRecords(ctx, []map[string]any{{"tenure": 3, "spend": 1.5, "plan": "platinum"}}); err != nil {
		t.Errorf("unseen category: %v", err)
	}
}

func TestFrameFromRecordsErrors(t *testing.T) {
	fitted, _ := fittedChurn(t)
	tests := []struct {
		name string
		recs []map[string]any
		want error
		text string
	}{
		{"no records", nil, frame.ErrEmpty, ""},
		{"missing column", []map[string]any{{"tenure": 1, "spend": 2, "plan": "pro"}, {"tenure": 1, "plan": "pro"}},
			ErrSchema, `record 1 column "spend": missing`},
		{"string for a number", []map[string]any{{"tenure": "abc", "spend": 2, "plan": "pro"}},
			ErrSchema, `record 0 column "tenure": got string "abc", want a number`},
		{"bad json number", []map[string]any{{"tenure": json.Number("1e999x"), "spend": 2, "plan": "pro"}},
			ErrSchema, `column "tenure"`},
		{"number for a category", []map[string]any{{"tenure": 1, "spend": 2, "plan": 3}},
			ErrSchema, `column "plan": got number 3, want a string`},
		{"bool for a number", []map[string]any{{"tenure": true, "spend": 2, "plan": "pro"}},
			ErrSchema, "got boolean true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fitted.FrameFromRecords(tt.recs)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %v, want %v mentioning %q", err, tt.want, tt.text)
			}
			if tt.want == ErrSchema {
				if re, ok := errors.AsType[*RecordError](err); !ok || re.Column == "" {
					t.Errorf("no RecordError in %v", err)
				}
			}
		})
	}
}

func TestFrameFromRecordsKinds(t *testing.T) {
	p := &Fitted{Schema: []ColumnSchema{{"when", frame.Time}, {"ok", frame.Bool}, {"note", frame.String}, {"n", frame.Float}}}
	day := time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)
	f, err := p.FrameFromRecords([]map[string]any{
		{"when": "2024-01-31", "ok": true, "note": "hi", "n": int64(3)},
		{"when": "2024-01-31T10:00:00Z", "ok": nil, "note": nil, "n": float32(1.5)},
		{"when": day, "ok": false, "note": "", "n": uint8(7)},
		{"when": nil, "ok": true, "note": "x", "n": nil},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.Names(), ","); got != "when,ok,note,n" {
		t.Errorf("columns %s", got)
	}
	when, _ := f.Col("when")
	ok, _ := f.Col("ok")
	note, _ := f.Col("note")
	n, _ := f.Float("n")
	if when.Value(0) != day || when.Value(1) != day.Add(10*time.Hour) || !when.IsNA(3) {
		t.Errorf("times %v %v %v", when.Value(0), when.Value(1), when.IsNA(3))
	}
	if ok.Value(0) != true || !ok.IsNA(1) || ok.Value(2) != false || !note.IsNA(1) || note.Value(2) != "" {
		t.Errorf("bools or strings wrong")
	}
	if n[0] != 3 || n[1] != 1.5 || n[2] != 7 || !math.IsNaN(n[3]) {
		t.Errorf("numbers %v", n)
	}
	for name, rec := range map[string]map[string]any{
		"bad time":    {"when": "31/01/2024", "ok": true, "note": "", "n": 1},
		"time number": {"when": 5, "ok": true, "note": "", "n": 1},
		"bool string": {"when": nil, "ok": "yes", "note": "", "n": 1},
	} {
		if _, err := p.FrameFromRecords([]map[string]any{rec}); !errors.Is(err, ErrSchema) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestDecodeRecords(t *testing.T) {
	for _, tt := range []struct {
		in     string
		n      int
		single bool
		ok     bool
	}{
		{`{"a": 1}`, 1, true, true},
		{` [ {"a": 1}, {"a": null} ] `, 2, false, true},
		{`[]`, 0, false, true},
		{`{"a": 1} {"a": 2}`, 0, false, false},
		{`[1, 2]`, 0, false, false},
		{`[{"a":1}, null]`, 0, false, false},
		{`"text"`, 0, false, false},
		{`{"a":`, 0, false, false},
		{``, 0, false, false},
	} {
		recs, single, err := DecodeRecords(strings.NewReader(tt.in))
		if tt.ok != (err == nil) || len(recs) != tt.n || single != tt.single {
			t.Errorf("%q: %d records, single %v, error %v", tt.in, len(recs), single, err)
		}
		if err != nil && !errors.Is(err, ErrRecords) {
			t.Errorf("%q: error %v is not ErrRecords", tt.in, err)
		}
	}
	recs, _, _ := DecodeRecords(strings.NewReader(`{"big": 12345678901234567890}`))
	if recs[0]["big"] != json.Number("12345678901234567890") {
		t.Errorf("numbers not kept as json.Number: %T", recs[0]["big"])
	}
}

func TestPredictFrameAndStream(t *testing.T) {
	ctx := context.Background()
	fitted, data := fittedChurn(t)
	out, err := fitted.PredictFrame(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	pred, _ := out.Float(PredictionColumn)
	p1, _ := out.Float("proba_1")
	p0, _ := out.Float("proba_0")
	want, _ := fitted.Predict(ctx, data)
	for i := range want {
		if pred[i] != want[i] || math.Abs(p0[i]+p1[i]-1) > 1e-12 {
			t.Fatalf("row %d: %v %v %v, want %v", i, pred[i], p0[i], p1[i], want[i])
		}
	}
	// Streaming in batches, with workers, gives the same rows in order.
	var batches etl.Slice[*frame.Frame]
	for i := 0; i < data.NumRows(); i += 64 {
		b, _ := data.Slice(i, min(i+64, data.NumRows()))
		batches = append(batches, b)
	}
	sink := new(etl.Memory[*frame.Frame])
	rep, err := PredictStream(ctx, fitted, batches, sink, Workers(3))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := frame.Concat(sink.Items()...)
	gp, _ := got.Float("proba_1")
	if !equalFloats(gp, p1) || rep.RowsOut != int64(data.NumRows()) {
		t.Errorf("stream differs from one frame (rows %d)", rep.RowsOut)
	}
	if s, ok := rep.Stage("predict"); !ok || s.Workers != 3 {
		t.Errorf("predict stage %+v", s)
	}
	// A batch without a training column stops the stream with a StageError.
	bad, _ := data.Drop("spend")
	_, err = PredictStream(ctx, fitted, etl.Slice[*frame.Frame]{bad}, sink)
	if se, ok := errors.AsType[*StageError](err); !ok || !errors.Is(err, ErrSchema) || se.Stage != "predict" {
		t.Errorf("bad batch: %v", err)
	}
	// A regressor adds the prediction column only.
	reg, _ := ML{Model: model.LinearRegression{}, Target: "y"}.Fit(ctx, trainFrame(t))
	rf, err := reg.PredictFrame(ctx, trainFrame(t))
	if err != nil || rf.NumCols() != 3 || !rf.Has(PredictionColumn) {
		t.Errorf("regressor frame: %v %v", err, rf.Names())
	}
}

// TestSaveLoadEveryModel: for every model, the reloaded pipeline predicts
// exactly what the fitted one does.
func TestSaveLoadEveryModel(t *testing.T) {
	ctx := context.Background()
	_, data := fittedChurn(t)
	multi, _ := data.With("churned", frame.NewFloat(func() []float64 {
		spend, _ := data.Float("spend")
		out := make([]float64, len(spend))
		for i, s := range spend {
			out[i] = math.Floor(math.Max(0, math.Min(2, (s-12)/8)))
		}
		return out
	}()))
	steps := churnSpec(1).Steps
	// Multinomial naive Bayes needs counts: min-max scaled, not standardised.
	nonNegative := []preprocess.Step{preprocess.Impute(preprocess.Median, "tenure"),
		preprocess.MinMaxScale("tenure", "spend"), preprocess.OneHot("plan")}
	for name, c := range map[string]struct {
		m     model.Model
		data  *frame.Frame
		steps []preprocess.Step
	}{
		"linear":          {model.LinearRegression{}, data, steps},
		"ridge":           {model.Ridge{Alpha: 2}, data, steps},
		"lasso":           {model.Lasso{Alpha: 0.01}, data, steps},
		"elastic net":     {model.ElasticNet{Alpha: 0.01}, data, steps},
		"logistic":        {model.LogisticRegression{C: 0.5}, data, steps},
		"multinomial":     {model.LogisticRegression{}, multi, steps},
		"gaussian nb":     {model.GaussianNB{}, multi, steps},
		"multinomial nb":  {model.MultinomialNB{}, data, nonNegative},
		"knn classifier":  {model.KNeighbors{K: 5, Classifier: true}, data, steps},
		"knn regressor":   {model.KNeighbors{K: 5}, data, steps},
		"tree":            {model.DecisionTree{MaxDepth: 4, Seed: 1}, multi, steps},
		"tree regressor":  {model.DecisionTree{Criterion: model.SquaredError, MaxDepth: 4}, data, steps},
		"forest":          {model.RandomForest{Trees: 5, MaxFeatures: 2, Seed: 3}, data, steps},
		"dummy":           {model.DummyClassifier{}, data, steps},
		"dummy regressor": {model.DummyRegressor{}, data, steps},
	} {
		t.Run(name, func(t *testing.T) {
			fitted, err := ML{Steps: c.steps, Model: c.m, Target: "churned", Profile: true}.Fit(ctx, c.data)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := fitted.Save(&buf); err != nil {
				t.Fatal(err)
			}
			loaded, err := Load(&buf)
			if err != nil {
				t.Fatal(err)
			}
			a, err := fitted.PredictFrame(ctx, c.data)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := loaded.PredictFrame(ctx, c.data)
			for _, col := range a.Names() {
				if x, err := a.Float(col); err == nil {
					y, _ := b.Float(col)
					if !equalFloats(x, y) {
						t.Errorf("column %s differs after reload", col)
					}
				}
			}
			if name == "multinomial" && len(loaded.Classes()) != 3 {
				t.Errorf("classes %v", loaded.Classes())
			}
		})
	}
}
