package mlbeam_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	mlbeam "github.com/mlpipe/mlpipe/beam"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
)

// Fit a scaler on two batches of rows as a Beam combine (on Prism, unless
// --runner says otherwise): the fitted state is the one a single Fit gives
// on the five rows.
func ExampleFit() {
	p, s := beam.NewPipelineWithRoot()
	a, _ := frame.New(frame.Floats("x", []float64{1, 2, 3}))
	b, _ := frame.New(frame.Floats("x", []float64{4, 5}))
	fitted, err := mlbeam.Fit(s, preprocess.StandardScale("x"), beam.Create(s, a, b))
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "mlbeam")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "fitted.json")
	textio.Write(s, out, beam.ParDo(s, bytesToString, fitted))
	if err := beamx.Run(context.Background(), p); err != nil {
		log.Fatal(err)
	}

	state, err := os.ReadFile(out)
	if err != nil {
		log.Fatal(err)
	}
	step, err := preprocess.UnmarshalFitted(bytes.TrimSpace(state))
	if err != nil {
		log.Fatal(err)
	}
	c := step.(*preprocess.StandardScaler).Columns[0]
	fmt.Printf("%s: mean %.1f, scale %.4f\n", c.Name, c.Mean, c.Scale)
	// Output: x: mean 3.0, scale 1.4142
}

// Read CSV shards, fit imputation and scaling on all their rows, and keep
// the records that could not be read.
func ExampleFitSteps() {
	p, s := beam.NewPipelineWithRoot()
	frames, rejects, err := mlbeam.ReadCSV(s, "shards/*.csv", mlbeam.CSVOptions{NA: []string{"????"}})
	if err != nil {
		log.Fatal(err)
	}
	steps, _, err := mlbeam.FitSteps(s, []preprocess.Incremental{
		preprocess.Impute(preprocess.Median, "age", "income"),
		preprocess.StandardScale("age", "income"),
		preprocess.OneHot("plan"),
	}, frames)
	if err != nil {
		log.Fatal(err)
	}
	textio.Write(s, "out/steps.json", beam.ParDo(s, bytesToString, steps))
	textio.Write(s, "out/rejects.tsv", beam.ParDo(s, rejectLine, rejects))
	res, err := beamx.RunWithMetrics(context.Background(), p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rejected records:", mlbeam.Counter(res, "rejected"))
}

// Score CSV shards with a saved pipeline and write the scores beside the
// customer key.
func ExampleScore() {
	fitted, err := pipeline.LoadFile("churn.json")
	if err != nil {
		log.Fatal(err)
	}
	p, s := beam.NewPipelineWithRoot()
	frames, _, err := mlbeam.ReadCSV(s, "shards/*.csv", mlbeam.CSVOptions{})
	if err != nil {
		log.Fatal(err)
	}
	scored, err := mlbeam.Score(s, fitted, frames, mlbeam.ScoreOptions{Keep: []string{"customer_id"}})
	if err != nil {
		log.Fatal(err)
	}
	textio.Write(s, "out/scores.csv", mlbeam.FormatCSV(s, scored, etl.CSVWriterOptions{}))
	if err := beamx.Run(context.Background(), p); err != nil {
		log.Fatal(err)
	}
}
