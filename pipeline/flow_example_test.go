package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/pipeline"
)

// A flow of frames: batches in memory, a cleaning stage run by four workers,
// a stage that changes the type, and a loader; then the run's report.
func Example() {
	batch := func(ages ...float64) *frame.Frame {
		f, _ := frame.New(frame.Floats("age", ages))
		return f
	}
	batches := etl.Slice[*frame.Frame]{batch(34, 999, 41), batch(28, -1), batch(55, 61, 19, 999)}

	// Drop impossible ages.
	clean := etl.TransformerFunc[*frame.Frame, *frame.Frame](func(_ context.Context, f *frame.Frame) (*frame.Frame, error) {
		age, err := f.Float("age")
		if err != nil {
			return nil, err
		}
		return f.Filter(func(i int) bool { return age[i] >= 0 && age[i] < 130 }), nil
	})
	// Summarise each batch as a line of text.
	describe := etl.TransformerFunc[*frame.Frame, string](func(_ context.Context, f *frame.Frame) (string, error) {
		age, _ := f.Float("age")
		return fmt.Sprint(age), nil
	})

	var out etl.Memory[string]
	flow := pipeline.From(batches, pipeline.Name("read"))
	cleaned := pipeline.Then(flow, clean, pipeline.Name("clean"), pipeline.Workers(4))
	lines := pipeline.Then(cleaned, describe, pipeline.Name("describe"))
	report, err := pipeline.To(lines, &out, pipeline.Name("collect")).Run(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strings.Join(out.Items(), "\n"))
	s, _ := report.Stage("clean")
	fmt.Printf("clean: %d batches, %d rows in, %d rows out\n", s.BatchesOut, s.RowsIn, s.RowsOut)
	// Output:
	// [34 41]
	// [28]
	// [55 61 19]
	// clean: 3 batches, 9 rows in, 6 rows out
}

// Then changes the type of the values and keeps their order, however many
// workers run the stage.
func ExampleThen() {
	square := etl.TransformerFunc[int, string](func(_ context.Context, v int) (string, error) {
		return fmt.Sprintf("%d²=%d", v, v*v), nil
	})
	var out etl.Memory[string]
	squares := pipeline.Then(pipeline.From(etl.Slice[int]{1, 2, 3, 4, 5, 6}), square, pipeline.Workers(3))
	if _, err := pipeline.To(squares, &out).Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	fmt.Println(out.Items())
	// Output: [1²=1 2²=4 3²=9 4²=16 5²=25 6²=36]
}

// The first error stops every stage, and names the stage and the batch.
func ExampleJob_Run_error() {
	errNegative := errors.New("negative amount")
	check := etl.TransformerFunc[int, int](func(_ context.Context, v int) (int, error) {
		if v < 0 {
			return 0, errNegative
		}
		return v, nil
	})
	var out etl.Memory[int]
	flow := pipeline.Then(pipeline.From(etl.Slice[int]{5, 8, -2, 7}), check, pipeline.Name("check"))
	_, err := pipeline.To(flow, &out).Run(context.Background())
	fmt.Println(err)
	fmt.Println(errors.Is(err, errNegative))
	// Output:
	// pipeline stage check batch 2: negative amount
	// true
}

// Progress reports how much data has gone through a stage.
func ExampleProgress() {
	batch := func(n int) *frame.Frame {
		f, _ := frame.New(frame.Floats("x", make([]float64, n)))
		return f
	}
	src := etl.Slice[*frame.Frame]{batch(100), batch(250), batch(50)}
	show := pipeline.Progress(func(p pipeline.ProgressInfo) {
		fmt.Printf("%s: %d batches, %d rows\n", p.Stage, p.Batches, p.Rows)
	})
	var out etl.Memory[*frame.Frame]
	if _, err := pipeline.To(pipeline.From(src), &out, pipeline.Name("save"), show).Run(context.Background()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// save: 1 batches, 100 rows
	// save: 2 batches, 350 rows
	// save: 3 batches, 400 rows
}
