package features_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mlpipe/mlpipe/features"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// fitApply fits step on f and transforms f with it.
func fitApply(step preprocess.Step, f *frame.Frame) (preprocess.Fitted, *frame.Frame) {
	ctx := context.Background()
	fitted, err := step.Fit(ctx, f)
	if err != nil {
		panic(err)
	}
	out, err := fitted.Transform(ctx, f)
	if err != nil {
		panic(err)
	}
	return fitted, out
}

func ExampleDateParts() {
	f, _ := frame.New(
		frame.Times("signup", []time.Time{
			time.Date(2024, 3, 9, 15, 30, 0, 0, time.UTC), // a Saturday
			{}, // missing
		}, nil),
	)
	_, out := fitApply(features.DateParts("signup", features.Year, features.Weekday, features.Weekend), f)
	fmt.Println(out.Names())
	for i := range out.NumRows() {
		y, _ := out.Float("signup_year")
		w, _ := out.Float("signup_weekday")
		we, _ := out.Float("signup_weekend")
		fmt.Println(y[i], w[i], we[i])
	}
	// Output:
	// [signup_year signup_weekday signup_weekend]
	// 2024 5 1
	// NaN NaN NaN
}

func ExampleCyclical() {
	f, _ := frame.New(frame.Floats("month", []float64{12, 3, 6}))
	_, out := fitApply(features.Cyclical("month", 12), f)
	sin, _ := out.Float("month_sin")
	cos, _ := out.Float("month_cos")
	for i := range sin {
		fmt.Printf("%.3f %.3f\n", sin[i], cos[i])
	}
	// Output:
	// -0.000 1.000
	// 1.000 0.000
	// 0.000 -1.000
}

func ExampleElapsed() {
	f, _ := frame.New(frame.Times("signup", []time.Time{
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 2, 12, 0, 0, 0, time.UTC),
	}, nil))
	// A zero reference means the earliest training time.
	fitted, out := fitApply(features.Elapsed("signup", time.Time{}), f)
	days, _ := out.Float("signup_days")
	fmt.Println(fitted.(*features.ElapsedTime).Reference, days)
	// Output:
	// 2024-01-01 00:00:00 +0000 UTC [0 1.5]
}

func ExampleFeatureNamesOut() {
	ctx := context.Background()
	f, _ := frame.New(
		frame.Times("signup", []time.Time{time.Date(2024, 3, 9, 0, 0, 0, 0, time.UTC)}, nil),
		frame.Floats("age", []float64{40}),
	)
	parts, _ := features.DateParts("signup", features.Year, features.Month).Fit(ctx, f)
	g, _ := parts.Transform(ctx, f)
	cyc, _ := features.Cyclical("signup_month", 12).Fit(ctx, g)
	names, err := features.FeatureNamesOut(f.Names(), parts, cyc)
	fmt.Println(names, err)
	// Output:
	// [signup_year signup_month_sin signup_month_cos age] <nil>
}
