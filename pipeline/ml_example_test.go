package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
)

// customers returns a small CSV: a customer's tenure in months (sometimes
// missing), plan and whether they left, which is likelier for short tenures
// and the basic plan.
func customers() string {
	var b strings.Builder
	b.WriteString("tenure,plan,churned\n")
	plans := []string{"basic", "plus", "pro"}
	for i := range 300 {
		tenure := float64((i * 37) % 60)
		plan := plans[(i*7)%3]
		z := 1.2 - 0.08*tenure + map[string]float64{"basic": 0.8, "plus": 0, "pro": -0.8}[plan]
		churned := 0
		if math.Mod(float64(i)*0.618, 1) < 1/(1+math.Exp(-z)) {
			churned = 1
		}
		t := fmt.Sprint(tenure)
		if i%17 == 0 {
			t = "NA"
		}
		fmt.Fprintf(&b, "%s,%s,%d\n", t, plan, churned)
	}
	return b.String()
}

func churnML() pipeline.ML {
	return pipeline.ML{
		Steps: []preprocess.Step{
			preprocess.Impute(preprocess.Median, "tenure"),
			preprocess.StandardScale("tenure"),
			preprocess.OneHot("plan"),
		},
		Model:  model.LogisticRegression{},
		Target: "churned",
	}
}

// The six steps as one value: extract, clean and encode, train, evaluate,
// cross-validate, deploy to a file with its manifest.
func ExampleTraining() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "churn.json")

	training := &pipeline.Training{
		Name:   "churn",
		Source: etl.CSV(strings.NewReader(customers()), etl.CSVOptions{}),
		ML:     churnML(),
		Eval: pipeline.Evaluation{Stratify: true, Seed: 1,
			CV: evaluate.StratifiedKFold{K: 5, Shuffle: true, Seed: 1}},
		Deploy: pipeline.DeployFile(path),
	}
	report, err := training.Run(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d rows, tenure missing %.1f%%\n", report.Data.Rows, 100*report.Data.Missing[0].Rate)
	for _, s := range report.Steps {
		fmt.Printf("step %s: %d rows\n", s.Name, s.RowsOut)
	}
	for _, m := range report.Metrics {
		fmt.Printf("held out %s %.3f\n", m.Name, m.Value)
	}
	fmt.Printf("cv roc_auc %.3f over %d folds\n", report.CV[1].Mean, len(report.CV[1].Folds))

	_, manifest, err := pipeline.LoadFileWithManifest(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("manifest:", manifest.Data.TrainRows, "training rows,", len(manifest.Params.Steps), "steps")
	// Output:
	// 300 rows, tenure missing 6.0%
	// step extract: 300 rows
	// step fingerprint: 300 rows
	// step split: 240 rows
	// step fit: profile: 240 rows
	// step fit: step 0 preprocess.ImputeSpec: 240 rows
	// step fit: step 1 preprocess.StandardScaleSpec: 240 rows
	// step fit: step 2 preprocess.OneHotSpec: 240 rows
	// step fit: model model.LogisticRegression: 240 rows
	// step fit: 240 rows
	// step evaluate: 60 rows
	// step cross-validate (5 folds): 300 rows
	// step deploy: 0 rows
	// held out accuracy 0.933
	// held out roc_auc 0.972
	// cv roc_auc 0.900 over 5 folds
	// manifest: 240 training rows, 3 steps
}

func fitted() *pipeline.Fitted {
	var batches []*frame.Frame
	etl.CSV(strings.NewReader(customers()), etl.CSVOptions{}).Extract(context.Background(),
		func(f *frame.Frame) error { batches = append(batches, f); return nil })
	data, _ := frame.Concat(batches...)
	spec := churnML()
	spec.Profile = true
	p, err := spec.Fit(context.Background(), data)
	if err != nil {
		panic(err)
	}
	return p
}

// Records — decoded JSON objects — are checked against the training schema;
// null is a missing value, imputed as in training.
func ExampleFitted_PredictRecords() {
	p := fitted()
	records, _, _ := pipeline.DecodeRecords(strings.NewReader(
		`[{"tenure": 2, "plan": "basic"}, {"tenure": null, "plan": "pro"}]`))
	preds, err := p.PredictRecords(context.Background(), records)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, pr := range preds {
		fmt.Printf("churned=%v p=%.2f\n", pr.Value, pr.Probabilities[1])
	}
	_, err = p.PredictRecords(context.Background(), []map[string]any{{"tenure": "long", "plan": "pro"}})
	fmt.Println(err)
	// Output:
	// churned=1 p=0.95
	// churned=0 p=0.10
	// record 0 column "tenure": got string "long", want a number: input does not match the training schema
}

// A serving batch whose tenures are all short is flagged; its plans are not.
func ExampleFitted_Drift() {
	p := fitted()
	tenure := make([]float64, 200)
	plan := make([]string, 200)
	for i := range tenure {
		tenure[i] = float64(i % 5)
		plan[i] = []string{"basic", "plus", "pro"}[i%3]
	}
	serving, _ := frame.New(frame.Floats("tenure", tenure), frame.Categories("plan", plan, nil))
	report, err := p.Drift(serving, pipeline.DriftOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range report.Columns {
		fmt.Printf("%s: psi %.2f, drift %v\n", c.Name, c.PSI, c.Drift)
	}
	fmt.Println("drifted:", report.Drifted())
	// Output:
	// tenure: psi 8.26, drift true
	// plan: psi 0.00, drift false
	// drifted: [tenure]
}

// Handler serves POST /predict and GET /healthz.
func ExampleHandler() {
	h, err := pipeline.Handler(fitted(), pipeline.ServeOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/predict", "application/json",
		strings.NewReader(`{"tenure": 40, "plan": "pro"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var out struct {
		Predictions []pipeline.Prediction `json:"predictions"`
		Classes     []float64             `json:"classes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		fmt.Println(err)
		return
	}
	p := out.Predictions[0]
	fmt.Printf("%s: churned=%v, p(%v)=%.3f\n", resp.Status, p.Value, out.Classes[1], p.Probabilities[1])
	// Output:
	// 200 OK: churned=0, p(1)=0.033
}

// A fitted pipeline predicts a stream of batches in bounded memory, with
// workers, in order; each batch comes out with its prediction columns.
func ExamplePredictStream() {
	p := fitted()
	src := etl.CSV(strings.NewReader("tenure,plan\n1,basic\n30,plus\nNA,pro\n59,pro\n"), etl.CSVOptions{BatchRows: 2})
	sink := new(etl.Memory[*frame.Frame])
	report, err := pipeline.PredictStream(context.Background(), p, src, sink, pipeline.Workers(2))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, batch := range sink.Items() {
		pred, _ := batch.Float(pipeline.PredictionColumn)
		proba, _ := batch.Float("proba_1")
		for i := range pred {
			fmt.Printf("churned=%v p=%.2f\n", pred[i], proba[i])
		}
	}
	fmt.Println(report.RowsOut, "rows")
	// Output:
	// churned=1 p=0.96
	// churned=0 p=0.23
	// churned=0 p=0.10
	// churned=0 p=0.00
	// 4 rows
}

// The fingerprint depends on the rows, not on how they were batched.
func ExampleFingerprint() {
	whole, _ := frame.New(frame.Floats("x", []float64{1, 2, 3, 4}), frame.Categories("c", []string{"a", "b", "a", "b"}, nil))
	top, _ := whole.Slice(0, 1)
	rest, _ := whole.Slice(1, 4)
	joined, _ := frame.Concat(top, rest)
	changed, _ := whole.With("x", frame.NewFloat([]float64{1, 2, 3, 5}))
	fmt.Println(pipeline.Fingerprint(whole) == pipeline.Fingerprint(joined))
	fmt.Println(pipeline.Fingerprint(whole) == pipeline.Fingerprint(changed))
	// Output:
	// true
	// false
}

// DecodeRecords reads one JSON object or an array of them.
func ExampleDecodeRecords() {
	records, single, err := pipeline.DecodeRecords(strings.NewReader(`{"tenure": 12, "plan": null}`))
	fmt.Println(len(records), single, err, records[0]["tenure"], records[0]["plan"])
	_, _, err = pipeline.DecodeRecords(strings.NewReader(`[1, 2]`))
	fmt.Println(err != nil)
	// Output:
	// 1 true <nil> 12 <nil>
	// true
}
