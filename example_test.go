package mlpipe_test

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
)

// The README's code sample: read a CSV, fit a cleaning + model pipeline,
// cross-validate it, predict.
func Example() {
	ctx := context.Background()
	csv := `age,plan,tickets,churned
34,basic,5,1
NA,pro,0,0
51,basic,1,0
29,basic,?,1
45,pro,1,0
38,basic,4,1
61,pro,0,0
23,basic,6,1
`
	// Extract: a streaming CSV reader emits frames in bounded batches.
	var batches etl.Memory[*frame.Frame]
	src := etl.CSV(strings.NewReader(csv), etl.CSVOptions{})
	if _, err := pipeline.To(pipeline.From(src), &batches).Run(ctx); err != nil {
		panic(err)
	}
	data, _ := frame.Concat(batches.Items()...)

	// An ML pipeline is one value: cleaning steps and a model, fitted together.
	ml := pipeline.ML{
		Steps: []preprocess.Step{
			preprocess.Impute(preprocess.Median, "age", "tickets"),
			preprocess.StandardScale("age", "tickets"),
			preprocess.OneHot("plan"),
		},
		Model:  model.LogisticRegression{C: 1},
		Target: "churned",
	}
	cv, err := evaluate.CrossValidate(ctx, ml.Learner(), data, "churned",
		evaluate.CVOptions{Splitter: evaluate.StratifiedKFold{K: 2}})
	if err != nil {
		panic(err)
	}
	fitted, err := ml.Fit(ctx, data)
	if err != nil {
		panic(err)
	}
	newCustomers, _ := frame.New(
		frame.Floats("age", []float64{30, math.NaN()}),
		frame.Categories("plan", []string{"basic", "pro"}, nil),
		frame.Floats("tickets", []float64{5, 0}),
	)
	pred, _ := fitted.Predict(ctx, newCustomers)
	fmt.Printf("cv accuracy %.2f, features %v\n", cv.Mean("accuracy"), fitted.Features)
	fmt.Println("predicted churn:", pred)
	// Output:
	// cv accuracy 1.00, features [age plan=basic plan=pro tickets]
	// predicted churn: [1 0]
}
