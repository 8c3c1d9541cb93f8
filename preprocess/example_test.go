package preprocess_test

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

func ExampleImpute() {
	ctx := context.Background()
	nan := math.NaN()
	train, _ := frame.New(
		frame.Floats("age", []float64{30, nan, 50, 40}),
		frame.Categories("city", []string{"Oslo", "", "Bergen", "Oslo"}, []bool{true, false, true, true}),
	)
	ages, _ := preprocess.Impute(preprocess.Median, "age").Fit(ctx, train)
	cities, _ := preprocess.Impute(preprocess.MostFrequent, "city").Fit(ctx, train)
	out, _ := ages.Transform(ctx, train)
	out, _ = cities.Transform(ctx, out)
	age, _ := out.Float("age")
	city, _ := out.Categorical("city")
	for i := range out.NumRows() {
		label, _ := city.Label(i)
		fmt.Println(age[i], label)
	}
	// Output:
	// 30 Oslo
	// 40 Oslo
	// 50 Bergen
	// 40 Oslo
}

func ExampleStandardScale() {
	ctx := context.Background()
	train, _ := frame.New(frame.Floats("x", []float64{1, 2, 3, math.NaN()}))
	fitted, err := preprocess.StandardScale("x").Fit(ctx, train)
	if err != nil {
		fmt.Println(err)
		return
	}
	scaler := fitted.(*preprocess.StandardScaler)
	fmt.Printf("mean %.4g scale %.4g\n", scaler.Columns[0].Mean, scaler.Columns[0].Scale)
	out, _ := scaler.Transform(ctx, train)
	x, _ := out.Float("x")
	fmt.Printf("%.4f\n", x)
	back, _ := scaler.InverseTransform(ctx, out)
	x, _ = back.Float("x")
	fmt.Printf("%.4f\n", x)
	// Output:
	// mean 2 scale 0.8165
	// [-1.2247 0.0000 1.2247 NaN]
	// [1.0000 2.0000 3.0000 NaN]
}

func ExampleOneHot() {
	ctx := context.Background()
	train, _ := frame.New(
		frame.Floats("id", []float64{1, 2, 3}),
		frame.Categories("plan", []string{"pro", "basic", "pro"}, nil),
	)
	enc, _ := preprocess.OneHot("plan").Fit(ctx, train)
	test, _ := frame.New(
		frame.Floats("id", []float64{4, 5, 6}),
		frame.Categories("plan", []string{"basic", "enterprise", ""}, []bool{true, true, false}),
	)
	out, err := enc.Transform(ctx, test)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Names())
	basic, _ := out.Float("plan=basic")
	pro, _ := out.Float("plan=pro")
	fmt.Println(basic, pro) // an unseen and a missing category: all zeros
	// Output:
	// [id plan=basic plan=pro]
	// [1 0 0] [0 0 0]
}

func ExampleOneHotSpec_WithUnknown() {
	ctx := context.Background()
	train, _ := frame.New(frame.Categories("plan", []string{"pro", "basic"}, nil))
	test, _ := frame.New(frame.Categories("plan", []string{"enterprise"}, nil))
	enc, _ := preprocess.OneHot("plan").WithUnknown(preprocess.ErrorOnUnknown).Fit(ctx, train)
	_, err := enc.Transform(ctx, test)
	fmt.Println(err)
	// Output:
	// one-hot transform: column "plan" row 0: category "enterprise" not seen in fitting: unknown category
}

func ExampleMarshalFitted() {
	ctx := context.Background()
	train, _ := frame.New(frame.Floats("x", []float64{1, 2, 3, 4}))
	fitted, _ := preprocess.StandardScale("x").Fit(ctx, train)
	saved, _ := preprocess.MarshalFitted(fitted)
	fmt.Println(string(saved))
	loaded, _ := preprocess.UnmarshalFitted(saved)
	out, _ := loaded.Transform(ctx, train)
	x, _ := out.Float("x")
	fmt.Printf("%.4f\n", x)
	// Output:
	// {"kind":"preprocess.standard_scale","version":1,"state":{"columns":[{"name":"x","mean":2.5,"var":1.25,"n":4,"center":2.5,"scale":1.118033988749895}]}}
	// [-1.3416 -0.4472 0.4472 1.3416]
}

func ExampleMoments_Merge() {
	var a, b, all preprocess.Moments
	a.AddBatch([]float64{1, 2, 3})
	b.AddBatch([]float64{4, math.NaN(), 5})
	all.AddBatch([]float64{1, 2, 3, 4, math.NaN(), 5})
	m := a.Merge(b)
	fmt.Println(m.N, m.Missing, m.Mean, m.Variance(), m.Min, m.Max)
	fmt.Println(all.N, all.Missing, all.Mean, all.Variance(), all.Min, all.Max)
	// Output:
	// 5 1 3 2 1 5
	// 5 1 3 2 1 5
}

func ExampleSample_Quantile() {
	var s preprocess.Sample
	s.AddBatch([]float64{4, 1, math.NaN(), 3, 2})
	fmt.Println(s.Median(), s.Quantile(0.25), s.Quantile(0.9), s.Missing)
	// Output:
	// 2.5 1.75 3.7 1
}

func ExampleNormalizeMissing() {
	ctx := context.Background()
	raw, _ := frame.New(frame.Categories("city", []string{"Oslo", "NA", "?", " null ", "Bergen", "????"}, nil))
	fitted, _ := preprocess.NormalizeMissing().Fit(ctx, raw)
	out, _ := fitted.Transform(ctx, raw)
	city, _ := out.Col("city")
	for i := range city.Len() {
		fmt.Print(city.Value(i), ";")
	}
	fmt.Println()
	fmt.Println("made missing:", fitted.(*preprocess.MissingNormalizer).Found)
	// Output:
	// Oslo;<nil>;<nil>;<nil>;Bergen;<nil>;
	// made missing: [4]
}

func ExampleParseNumbers() {
	ctx := context.Background()
	raw, _ := frame.New(frame.Strings("price", []string{"$1,200.50", "12%", "(300)", "€ 7", "twelve"}, nil))
	fitted, _ := preprocess.ParseNumbers("price").Fit(ctx, raw)
	out, _ := fitted.Transform(ctx, raw)
	price, _ := out.Float("price")
	fmt.Println(price)
	r := fitted.(*preprocess.NumberParser).Report[0]
	fmt.Printf("parsed %d, unparsed %d %q\n", r.Parsed, r.Unparsed, r.Examples)
	// Output:
	// [1200.5 0.12 -300 7 NaN]
	// parsed 4, unparsed 1 ["twelve"]
}

func ExampleParseBools() {
	ctx := context.Background()
	raw, _ := frame.New(frame.Categories("churned", []string{"Yes", "no", "Y", "0", "on", "perhaps"}, nil))
	fitted, _ := preprocess.ParseBools().Fit(ctx, raw)
	out, _ := fitted.Transform(ctx, raw)
	c, _ := out.Col("churned")
	for i := range c.Len() {
		fmt.Print(c.Value(i), ";")
	}
	fmt.Println()
	// Output:
	// true;false;true;false;true;<nil>;
}

func ExampleParseDates() {
	ctx := context.Background()
	raw, _ := frame.New(frame.Strings("signup", []string{
		"2024-03-05", "2024-03-05T14:30:00+01:00", "05.03.2024", "Tue, 05 Mar 2024 14:30:00 GMT", "1709649000", "soon",
	}, nil))
	fitted, _ := preprocess.DateSpec{DayFirst: true, Epoch: preprocess.EpochSeconds}.Fit(ctx, raw)
	out, _ := fitted.Transform(ctx, raw)
	c, _ := out.Col("signup")
	for i := range c.Len() {
		if t, ok := c.(*frame.TimeColumn).At(i); ok {
			fmt.Println(t.Format(time.RFC3339))
		} else {
			fmt.Println("missing")
		}
	}
	fmt.Println("unparsed:", fitted.(*preprocess.DateParser).Report[0].Unparsed)
	// Output:
	// 2024-03-05T00:00:00Z
	// 2024-03-05T13:30:00Z
	// 2024-03-05T00:00:00Z
	// 2024-03-05T14:30:00Z
	// 2024-03-05T14:30:00Z
	// missing
	// unparsed: 1
}

func ExampleNormalizeText() {
	ctx := context.Background()
	raw, _ := frame.New(frame.Categories("country", []string{" us", "US", "ＵＳ", "U.S.A.", "Norway ", "norway"}, nil))
	fitted, _ := preprocess.NormalizeText().WithSynonyms(map[string]string{"u.s.a.": "us"}).Fit(ctx, raw)
	out, _ := fitted.Transform(ctx, raw)
	country, _ := out.Categorical("country")
	fmt.Println(country.Dict())
	// Output:
	// [us norway]
}

func ExampleDedupe() {
	f, _ := frame.New(
		frame.Floats("customer", []float64{1, 1, 2}),
		frame.Categories("plan", []string{"pro", "pro", "basic"}, nil),
	)
	out, dropped, _ := preprocess.Dedupe(f)
	fmt.Println(out.NumRows(), dropped)
	// Output:
	// 2 1
}

// printFloats fits spec on x, transforms it, and prints the result.
func printFloats(spec preprocess.Step, x ...float64) {
	ctx := context.Background()
	f, _ := frame.New(frame.Floats("x", x))
	fitted, err := spec.Fit(ctx, f)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := fitted.Transform(ctx, f)
	v, _ := out.Float("x")
	fmt.Printf("%.3g\n", v)
}

func ExampleMinMaxScale() {
	printFloats(preprocess.MinMaxScale("x"), 2, 4, 6, math.NaN())
	printFloats(preprocess.MinMaxScale("x").WithRange(-1, 1), 2, 4, 6)
	// Output:
	// [0 0.5 1 NaN]
	// [-1 0 1]
}

func ExampleMaxAbsScale() {
	printFloats(preprocess.MaxAbsScale("x"), -8, 2, 4)
	// Output:
	// [-1 0.25 0.5]
}

func ExampleRobustScale() {
	// Median 3, interquartile range 4 - 2 = 2: the outlier does not move them.
	printFloats(preprocess.RobustScale("x"), 1, 2, 3, 4, 1000)
	// Output:
	// [-1 -0.5 0 0.5 498]
}

func ExampleNormalizeRows() {
	ctx := context.Background()
	f, _ := frame.New(frame.Floats("a", []float64{3, 0}), frame.Floats("b", []float64{4, 0}))
	fitted, _ := preprocess.NormalizeRows(preprocess.L2, "a", "b").Fit(ctx, f)
	out, _ := fitted.Transform(ctx, f)
	a, _ := out.Float("a")
	b, _ := out.Float("b")
	fmt.Println(a, b)
	// Output:
	// [0.6 0] [0.8 0]
}

func ExampleQuantileTransform() {
	printFloats(preprocess.QuantileTransform("x"), 1, 10, 100, 1000, 10000)
	printFloats(preprocess.QuantileTransformSpec{Columns: []string{"x"}, Normal: true}, 1, 10, 100, 1000, 10000)
	// Output:
	// [0 0.25 0.5 0.75 1]
	// [-5.2 -0.674 0 0.674 5.2]
}

func ExampleRange() {
	printFloats(preprocess.Range(0, 120, "x"), 34, 999, -1, 56)
	printFloats(preprocess.Range(0, 120, "x").WithAction(preprocess.ToMissing), 34, 999, -1, 56)
	// Output:
	// [34 120 0 56]
	// [34 NaN NaN 56]
}

func ExampleIQR() {
	// Quartiles 2 and 4: fences 2 - 1.5·2 = -1 and 4 + 1.5·2 = 7.
	printFloats(preprocess.IQR("x"), 1, 2, 3, 4, 100)
	// Output:
	// [1 2 3 4 7]
}

func ExampleZScore() {
	printFloats(preprocess.ZScoreSpec{Columns: []string{"x"}, Threshold: 1}, 1, 2, 3, 4, 5)
	// Output:
	// [1.59 2 3 4 4.41]
}

func ExampleWinsorize() {
	printFloats(preprocess.Winsorize(0.1, 0.9, "x"), 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 1000)
	// Output:
	// [10 10 20 30 40 50 60 70 80 90 90]
}

// printCategories fits spec on the categories, transforms them, and prints
// column c.
func printCategories(spec preprocess.Step, train, test []string) {
	ctx := context.Background()
	tr, _ := frame.New(frame.Categories("c", train, nil))
	te, _ := frame.New(frame.Categories("c", test, nil))
	fitted, err := spec.Fit(ctx, tr)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := fitted.Transform(ctx, te)
	v, _ := out.Float("c")
	fmt.Printf("%.3g\n", v)
}

func ExampleOrdinal() {
	printCategories(preprocess.Ordinal("c"), []string{"low", "high", "mid", "low"}, []string{"high", "low", "mid", "extreme"})
	// Output:
	// [0 1 2 NaN]
}

func ExampleFrequencyEncode() {
	printCategories(preprocess.FrequencyEncode("c"), []string{"a", "b", "a", "a"}, []string{"a", "b", "z"})
	// Output:
	// [0.75 0.25 0]
}

func ExampleTargetEncodeSpec_FitTransform() {
	ctx := context.Background()
	train, _ := frame.New(
		frame.Categories("city", []string{"Oslo", "Oslo", "Bergen", "Bergen"}, nil),
		frame.Floats("churn", []float64{1, 0, 1, 1}),
	)
	// Leave-one-out cross-fitting: no row sees its own target.
	spec := preprocess.TargetEncodeSpec{Columns: []string{"city"}, Target: "churn", Folds: 4}
	fitted, encoded, _ := spec.FitTransform(ctx, train)
	city, _ := encoded.Float("city")
	fmt.Println("training rows:", city)
	test, _ := frame.New(frame.Categories("city", []string{"Oslo", "Bergen", "Tromsø"}, nil))
	out, _ := fitted.Transform(ctx, test)
	city, _ = out.Float("city")
	fmt.Println("new rows:", city)
	// Output:
	// training rows: [0 1 1 1]
	// new rows: [0.5 1 0.75]
}

func ExampleHash() {
	ctx := context.Background()
	f, _ := frame.New(frame.Categories("city", []string{"Oslo", "Bergen", "Oslo"}, nil))
	fitted, _ := preprocess.Hash(4, "city").Fit(ctx, f)
	out, _ := fitted.Transform(ctx, f)
	fmt.Println(out.Names())
	for _, n := range out.Names() {
		v, _ := out.Float(n)
		fmt.Println(n, v)
	}
	// The same numbers as scikit-learn's
	// FeatureHasher(4, input_type="dict") on {"city": ...} rows.

	// Output:
	// [hash0 hash1 hash2 hash3]
	// hash0 [0 1 0]
	// hash1 [1 0 1]
	// hash2 [0 0 0]
	// hash3 [0 0 0]
}

func ExampleColumnTransform() {
	ctx := context.Background()
	f, _ := frame.New(
		frame.Floats("age", []float64{20, 40}),
		frame.Floats("income", []float64{100, 300}),
		frame.Categories("plan", []string{"pro", "basic"}, nil),
		frame.Strings("note", []string{"first", "second"}, nil),
	)
	spec := preprocess.ColumnTransform(
		preprocess.Part(preprocess.ByKind(frame.Float), preprocess.StandardScale),
		preprocess.Part(preprocess.ByKind(frame.Categorical), preprocess.OneHot),
	).WithDropRest()
	fitted, _ := spec.Fit(ctx, f)
	out, _ := fitted.Transform(ctx, f)
	fmt.Println(out.Names())
	// Output:
	// [age income plan=basic plan=pro]
}

func ExampleMissingIndicator() {
	ctx := context.Background()
	f, _ := frame.New(frame.Floats("age", []float64{30, math.NaN(), 50}), frame.Floats("id", []float64{1, 2, 3}))
	indicator, _ := preprocess.MissingIndicator().Fit(ctx, f)
	imputer, _ := preprocess.Impute(preprocess.Mean, "age").Fit(ctx, f)
	out, _ := indicator.Transform(ctx, f) // indicate first, then fill
	out, _ = imputer.Transform(ctx, out)
	age, _ := out.Float("age")
	flag, _ := out.Float("age_missing")
	fmt.Println(out.Names(), age, flag)
	// Output:
	// [age id age_missing] [30 40 50] [0 1 0]
}

func ExampleKNNImpute() {
	ctx := context.Background()
	f, _ := frame.New(
		frame.Floats("height", []float64{150, 160, 170, 180, 175}),
		frame.Floats("weight", []float64{50, 60, 70, 80, math.NaN()}),
	)
	fitted, _ := preprocess.KNNImputeSpec{Neighbors: 2}.Fit(ctx, f)
	out, _ := fitted.Transform(ctx, f)
	w, _ := out.Float("weight")
	fmt.Println(w) // the two nearest heights, 170 and 180, weigh 70 and 80
	// Output:
	// [50 60 70 80 75]
}

func ExampleOneHotSpec_infrequent() {
	ctx := context.Background()
	train, _ := frame.New(frame.Categories("city", []string{"Oslo", "Oslo", "Oslo", "Bergen", "Bergen", "Tromsø", "Bodø"}, nil))
	spec := preprocess.OneHotSpec{Columns: []string{"city"}, MinCount: 2, Unknown: preprocess.InfrequentIfExist}
	enc, _ := spec.Fit(ctx, train)
	test, _ := frame.New(frame.Categories("city", []string{"Oslo", "Bodø", "Paris"}, nil))
	out, _ := enc.Transform(ctx, test)
	fmt.Println(out.Names())
	rare, _ := out.Float("city=<infrequent>")
	fmt.Println(rare) // Bodø is rare, Paris unseen: both infrequent
	// Output:
	// [city=Bergen city=Oslo city=<infrequent>]
	// [0 1 1]
}

func ExampleDropSparse() {
	ctx := context.Background()
	nan := math.NaN()
	f, _ := frame.New(
		frame.Floats("age", []float64{30, 40, nan, 50}),
		frame.Floats("fax", []float64{nan, nan, nan, 1}),
	)
	fitted, _ := preprocess.DropSparse(0.5).Fit(ctx, f)
	out, _ := fitted.Transform(ctx, f)
	fmt.Println(out.Names(), fitted.(*preprocess.ColumnDropper).Missing)
	// Output:
	// [age] [0.75]
}

func ExamplePowerTransform() {
	ctx := context.Background()
	f, _ := frame.New(frame.Floats("income", []float64{1, 2, 4, 8, 16, 32, 64, 128}))
	fitted, _ := preprocess.PowerTransformSpec{Columns: []string{"income"}, BoxCox: true}.Fit(ctx, f)
	pt := fitted.(*preprocess.PowerTransformer)
	// Powers of two want a log: λ near 0 (scikit-learn finds -1.2e-09).
	fmt.Println("lambda near 0:", math.Abs(pt.Columns[0].Lambda) < 1e-6)
	out, _ := fitted.Transform(ctx, f)
	v, _ := out.Float("income")
	fmt.Printf("%.2f\n", v)
	// Output:
	// lambda near 0: true
	// [-1.53 -1.09 -0.65 -0.22 0.22 0.65 1.09 1.53]
}

func ExampleFitStream() {
	ctx := context.Background()
	// Batches as a file reader would emit them.
	batches := func(yield func(*frame.Frame, error) bool) {
		for _, ages := range [][]float64{{20, 30}, {40, math.NaN()}, {50}} {
			f, err := frame.New(frame.Floats("age", ages))
			if !yield(f, err) {
				return
			}
		}
	}
	fitted, err := preprocess.FitStream(ctx, preprocess.StandardScale("age"), batches)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := fitted.(*preprocess.StandardScaler).Columns[0]
	fmt.Println(c.N, c.Mean, c.Var)
	// Output:
	// 4 35 125
}

func ExampleIncremental() {
	ctx := context.Background()
	// Two shards fitted apart (other goroutines, other machines), then merged.
	shardA, _ := frame.New(frame.Categories("plan", []string{"pro", "basic", "pro"}, nil))
	shardB, _ := frame.New(frame.Categories("plan", []string{"enterprise", "pro"}, nil))
	spec := preprocess.OneHot("plan")
	a, b := spec.Begin(), spec.Begin()
	if err := a.Add(ctx, shardA); err != nil {
		fmt.Println(err)
		return
	}
	if err := b.Add(ctx, shardB); err != nil {
		fmt.Println(err)
		return
	}
	if err := a.Merge(b); err != nil {
		fmt.Println(err)
		return
	}
	fitted, _ := a.Finish()
	fmt.Println(fitted.(*preprocess.OneHotEncoder).FeatureNames())
	// Output:
	// [plan=basic plan=enterprise plan=pro]
}

func ExampleSketch() {
	// A million values summarised in a few thousand, merged from two shards.
	a, b := preprocess.NewSketch(1024), preprocess.NewSketch(1024)
	for i := range 1_000_000 {
		x := []float64{float64(i)}
		if i%2 == 0 {
			a.AddBatch(x)
		} else {
			b.AddBatch(x)
		}
	}
	a.Merge(b)
	median := a.Quantile(0.5)
	fmt.Println(a.N(), math.Abs(median-499_999.5) < 0.01*1_000_000)
	// Output:
	// 1000000 true
}

func ExampleDropMissingRows() {
	nan := math.NaN()
	f, _ := frame.New(
		frame.Floats("a", []float64{1, nan, nan}),
		frame.Floats("b", []float64{1, 2, nan}),
	)
	out, dropped, _ := preprocess.DropMissingRows(f, 0.5) // keep rows at most half missing
	fmt.Println(out.NumRows(), dropped)
	// Output:
	// 2 1
}

func ExampleCounts_Mode() {
	var c preprocess.Counts[string]
	for _, s := range []string{"b", "a", "b", "a", "c"} {
		c.Add(s)
	}
	mode, _ := c.Mode() // a tie: the smallest, as scikit-learn
	fmt.Println(mode, c.Total(), c.Values())
	// Output:
	// a 5 [a b c]
}

func ExampleByPattern() {
	f, _ := frame.New(
		frame.Floats("q1_score", []float64{1}),
		frame.Floats("q2_score", []float64{2}),
		frame.Floats("age", []float64{30}),
	)
	names, _ := preprocess.ByPattern(`_score$`).Select(f)
	fmt.Println(names)
	names, _ = preprocess.Except(preprocess.ByPattern(`_score$`)).Select(f)
	fmt.Println(names)
	// Output:
	// [q1_score q2_score]
	// [age]
}
