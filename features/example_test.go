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

func ExamplePolynomial() {
	f, _ := frame.New(frame.Floats("a", []float64{2, 3}), frame.Floats("b", []float64{5, 7}))
	fitted, out := fitApply(features.Polynomial(2, "a", "b"), f)
	fmt.Println(fitted.(*features.PolynomialExpander).Names())
	X, _, _ := out.Matrix()
	fmt.Println(X.RawRowView(0), X.RawRowView(1))
	// Output:
	// [a b a^2 a b b^2]
	// [2 5 4 10 25] [3 7 9 21 49]
}

func ExampleKBins() {
	f, _ := frame.New(frame.Floats("age", []float64{18, 25, 33, 41, 52, 67}))
	fitted, out := fitApply(features.KBins(3, features.Quantile, "age"), f)
	bins, _ := out.Float("age")
	fmt.Println(fitted.(*features.BinDiscretizer).Columns[0].Edges)
	fmt.Println(bins)

	_, out = fitApply(features.KBins(3, features.Uniform, "age").WithOneHot(true), f)
	fmt.Println(out.Names())
	// Output:
	// [18 30.333333333333336 44.66666666666667 67]
	// [0 0 1 1 2 2]
	// [age=0 age=1 age=2]
}

func ExampleTokenizer() {
	tok := features.Tokenizer{NGramMax: 2, StopWords: []string{"the"}}
	fmt.Printf("%q\n", tok.Tokens("The app crashed, a refund please!"))
	// Output:
	// ["app" "crashed" "refund" "please" "app crashed" "crashed refund" "refund please"]
}

func ExampleCountVectorize() {
	f, _ := frame.New(frame.Strings("notes", []string{"refund refund slow", "great app", "slow app"}, nil))
	fitted, out := fitApply(features.CountVectorize("notes"), f)
	fmt.Println(fitted.(*features.CountVectorizer).Vocabulary)
	fmt.Println(out.Names())
	X, _, _ := out.Matrix()
	for i := range 3 {
		fmt.Println(X.RawRowView(i))
	}
	// Output:
	// [app great refund slow]
	// [notes:app notes:great notes:refund notes:slow]
	// [0 0 2 1]
	// [1 1 0 0]
	// [1 0 0 1]
}

func ExampleTfidf() {
	ctx := context.Background()
	f, _ := frame.New(frame.Categories("notes", []string{"refund refund slow", "great app", "slow app", "great"}, nil))
	spec := features.Tfidf("notes")
	spec.Sublinear = true
	fitted, _ := spec.Fit(ctx, f)
	v := fitted.(*features.TfidfVectorizer)
	fmt.Println(v.Vocabulary)
	fmt.Printf("idf %.4f\n", v.IDF)
	// The sparse form: only the stored values, whatever the vocabulary size.
	m, _ := v.Sparse(ctx, f)
	r, c := m.Dims()
	fmt.Println(r, c, m.NNZ())
	m.DoRowNonZero(0, func(_, j int, x float64) { fmt.Printf("%s %.4f\n", v.Vocabulary[j], x) })
	// Output:
	// [app great refund slow]
	// idf [1.5108 1.5108 1.9163 1.5108]
	// 4 4 7
	// refund 0.9065
	// slow 0.4221
}

func ExampleHashing() {
	ctx := context.Background()
	f, _ := frame.New(frame.Strings("notes", []string{"refund refund slow", "never seen before"}, nil))
	fitted, _ := features.Hashing("notes", 1<<20).Fit(ctx, f)
	m, _ := fitted.(*features.HashingVectorizer).Sparse(ctx, f)
	r, c := m.Dims()
	fmt.Println(r, c, m.NNZ())
	// Output:
	// 2 1048576 5
}

func ExampleVarianceThreshold() {
	f, _ := frame.New(
		frame.Floats("constant", []float64{1, 1, 1, 1}),
		frame.Floats("tiny", []float64{1, 1.01, 1, 1.01}),
		frame.Floats("spread", []float64{1, 5, 2, 8}),
	)
	_, out := fitApply(features.VarianceThreshold(0), f)
	fmt.Println(out.Names())
	_, out = fitApply(features.VarianceThreshold(0.01), f)
	fmt.Println(out.Names())
	// Output:
	// [tiny spread]
	// [spread]
}

func ExampleSelectKBest() {
	f, _ := frame.New(
		frame.Floats("tickets", []float64{0, 1, 0, 5, 6, 4}),
		frame.Floats("noise", []float64{3, 1, 2, 2, 1, 3}),
		frame.Bools("churned", []bool{false, false, false, true, true, true}, nil),
	)
	fitted, out := fitApply(features.SelectKBest("churned", 1, features.FClassif), f)
	s := fitted.(*features.KBestSelector)
	fmt.Printf("F %.2f, kept %v\n", s.Scores, s.Kept())
	fmt.Println(out.Names())
	// Output:
	// F [49.00 0.00], kept [tickets]
	// [tickets churned]
}

func ExampleDropCorrelated() {
	f, _ := frame.New(
		frame.Floats("income", []float64{30, 45, 60, 80}),
		frame.Floats("income_k", []float64{0.03, 0.045, 0.06, 0.08}),
		frame.Floats("age", []float64{40, 25, 61, 33}),
	)
	fitted, out := fitApply(features.DropCorrelated(0.95), f)
	fmt.Println(out.Names())
	p := fitted.(*features.CorrelationFilter).Drop[0]
	fmt.Printf("%s dropped: r = %.2f with %s\n", p.Dropped, p.R, p.With)
	// Output:
	// [income age]
	// income_k dropped: r = 1.00 with income
}

func ExampleFunc() {
	// A function step is saved by name; a program that loads the pipeline
	// registers the same function (Func does it when building).
	ratio := func(_ context.Context, f *frame.Frame) (*frame.Frame, error) {
		spend, err := f.Float("spend")
		if err != nil {
			return nil, err
		}
		income, err := f.Float("income")
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(spend))
		for i := range out {
			out[i] = spend[i] * 12 / income[i]
		}
		return f.With("spend_share", frame.NewFloat(out))
	}
	f, _ := frame.New(frame.Floats("spend", []float64{50, 100}), frame.Floats("income", []float64{60000, 40000}))
	fitted, out := fitApply(features.Func("example.spend_share", ratio), f)
	share, _ := out.Float("spend_share")
	fmt.Println(share)

	saved, _ := preprocess.MarshalFitted(fitted)
	fmt.Println(string(saved))
	loaded, _ := preprocess.UnmarshalFitted(saved)
	again, _ := loaded.Transform(context.Background(), f)
	fmt.Println(again.Names())
	// Output:
	// [0.01 0.03]
	// {"kind":"features.func","version":1,"state":{"name":"example.spend_share","in":["spend","income"],"out":["spend","income","spend_share"]}}
	// [spend income spend_share]
}

func ExampleNewCSR() {
	// 2×3: row 0 holds 1 in column 0 and 2 in column 2; row 1 is empty.
	m, err := features.NewCSR(2, 3, []int{0, 2, 2}, []int32{0, 2}, []float64{1, 2})
	if err != nil {
		panic(err)
	}
	d, _ := m.Dense(0)
	fmt.Println(d.RawMatrix().Data, m.At(0, 2), m.NNZ())
	// Output:
	// [1 0 2 0 0 0] 2 2
}

func ExampleAssemble() {
	ctx := context.Background()
	f, _ := frame.New(
		frame.Floats("tickets", []float64{0, 3}),
		frame.Strings("notes", []string{"slow app", "refund refund"}, nil),
	)
	fitted, _ := features.CountVectorize("notes").Fit(ctx, f)
	X, names, err := features.Assemble(ctx, f, []string{"tickets"}, fitted.(*features.CountVectorizer))
	if err != nil {
		panic(err)
	}
	r, c := X.Dims()
	fmt.Println(r, c, X.NNZ(), names)
	fmt.Println(X.At(1, 0), X.At(1, 2))
	// Output:
	// 2 4 4 [tickets notes:app notes:refund notes:slow]
	// 3 2
}

func ExampleTextStats() {
	ctx := context.Background()
	// Fit TF-IDF over batches (a stream, or shards merged): the same
	// vectoriser as fitting on all rows at once.
	st, _ := features.NewTextStats("notes", features.Tokenizer{})
	for _, batch := range [][]string{{"slow app", "refund please"}, {"great app"}, {"slow refund", "app"}} {
		f, _ := frame.New(frame.Strings("notes", batch, nil))
		if err := st.Add(ctx, f); err != nil {
			panic(err)
		}
	}
	v, err := features.Tfidf("notes").FitStats(st)
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Docs(), v.Vocabulary)
	fmt.Printf("%.4f\n", v.IDF)
	// Output:
	// 5 [app great please refund slow]
	// [1.4055 2.0986 2.0986 1.6931 1.6931]
}

func ExampleTfidfSpec_FitSparse() {
	ctx := context.Background()
	f, _ := frame.New(frame.Strings("notes", []string{"slow app", "refund please", "great app"}, nil))
	// Fit and transform the training rows in one pass, as scikit-learn's
	// fit_transform; the fitted vectoriser transforms new rows later.
	v, X, err := features.Tfidf("notes").FitSparse(ctx, f)
	if err != nil {
		panic(err)
	}
	r, c := X.Dims()
	fmt.Println(r, c, X.NNZ(), v.TermNames())
	fmt.Printf("%.4f\n", X.At(0, 0))
	// Output:
	// 3 5 6 [notes:app notes:great notes:please notes:refund notes:slow]
	// 0.6053
}
