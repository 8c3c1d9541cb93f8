package preprocess

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

type encoderFixtures struct {
	Ordinal struct {
		Train      [][]*string  `json:"train"`
		Test       [][]*string  `json:"test"`
		Categories [][]string   `json:"categories"`
		Output     [][]*float64 `json:"output"`
		Inverse    [][]*string  `json:"inverse"`
	} `json:"ordinal"`
	Hash []struct {
		NFeatures int              `json:"n_features"`
		Alternate bool             `json:"alternate_sign"`
		Rows      []map[string]any `json:"rows"`
		Output    [][]*float64     `json:"output"`
	} `json:"hash"`
}

func categoricalFrame(t *testing.T, names []string, cols [][]*string) *frame.Frame {
	t.Helper()
	series := make([]frame.Series, len(cols))
	for j, c := range cols {
		s, v := stringsOf(c)
		series[j] = frame.Categories(names[j], s, v)
	}
	return mustFrame(t, series...)
}

func TestOrdinalParity(t *testing.T) {
	loadFixtures(t)
	var fx encoderFixtures
	readJSON(t, "testdata/fixtures.json", &fx)
	ctx := context.Background()
	names := []string{"a", "b"}
	train, test := categoricalFrame(t, names, fx.Ordinal.Train), categoricalFrame(t, names, fx.Ordinal.Test)
	fitted, err := Ordinal().Fit(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	for j, c := range fitted.(*OrdinalEncoder).Columns {
		if !reflect.DeepEqual(c.Categories, fx.Ordinal.Categories[j]) {
			t.Errorf("categories %q, want %q", c.Categories, fx.Ordinal.Categories[j])
		}
	}
	out, err := fitted.Transform(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	for j, n := range names {
		got, _ := out.Float(n)
		checkFloats(t, n, got, floatsOf(fx.Ordinal.Output[j]))
	}
	back, err := fitted.(*OrdinalEncoder).InverseTransform(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	checkLabels(t, back, names, fx.Ordinal.Inverse)
	bad := mustFrame(t, frame.Floats("a", []float64{0.5}), frame.Floats("b", []float64{0}))
	if _, err := fitted.(*OrdinalEncoder).InverseTransform(ctx, bad); !errors.Is(err, ErrUnknownCategory) {
		t.Errorf("code 0.5: %v", err)
	}
	roundTrip(t, fitted, test)
	strict, _ := Ordinal().WithUnknownPolicy(ErrorOnUnknown).Fit(ctx, train)
	if _, err := strict.Transform(ctx, test); !errors.Is(err, ErrUnknownCategory) {
		t.Errorf("unknown category under ErrorOnUnknown: %v", err)
	}
}

func TestHashParity(t *testing.T) {
	loadFixtures(t)
	var fx encoderFixtures
	readJSON(t, "testdata/fixtures.json", &fx)
	ctx := context.Background()
	for _, c := range fx.Hash {
		n := len(c.Rows)
		city, valid := make([]string, n), make([]bool, n)
		plan, x := make([]string, n), make([]float64, n)
		for r, row := range c.Rows {
			if v, ok := row["city"].(string); ok {
				city[r], valid[r] = v, true
			}
			plan[r], x[r] = row["plan"].(string), row["x"].(float64)
		}
		for _, kind := range []string{"categorical", "string"} {
			cityCol := frame.Categories("city", city, valid)
			if kind == "string" {
				cityCol = frame.Strings("city", city, valid)
			}
			f := mustFrame(t, frame.Floats("id", make([]float64, n)), cityCol, frame.Categories("plan", plan, nil), frame.Floats("x", x))
			spec := HashSpec{Columns: []string{"city", "plan", "x"}, Features: c.NFeatures, NoAlternateSign: !c.Alternate}
			fitted, err := spec.Fit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			out, err := fitted.Transform(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want := append([]string{"id"}, fitted.(*Hasher).FeatureNames()...)
			if !reflect.DeepEqual(out.Names(), want) {
				t.Fatalf("names %q, want %q", out.Names(), want)
			}
			for j := range c.NFeatures {
				got, _ := out.Float(want[j+1])
				checkFloats(t, kind+" "+want[j+1], got, floatsOf(c.Output[j]))
			}
			roundTrip(t, fitted, f)
		}
	}
}

func TestMurmur3(t *testing.T) {
	// Reference values of MurmurHash3 x86_32, as sklearn.utils.murmurhash3_32
	// (positive=True) gives them.
	tests := []struct {
		in   string
		seed uint32
		want uint32
	}{
		{"", 0, 0},
		{"", 1, 0x514e28b7},
		{"a", 0, 0x3c2569b2},
		{"abcd", 0, 0x43ed676a},
		{"Hello, world!", 1234, 0xfaf6cdb3},
	}
	for _, tt := range tests {
		if got := murmur3([]byte(tt.in), tt.seed); got != tt.want {
			t.Errorf("murmur3(%q, %d) = %#x, want %#x", tt.in, tt.seed, got, tt.want)
		}
	}
}

func TestFrequencyEncode(t *testing.T) {
	ctx := context.Background()
	train := mustFrame(t, frame.Categories("c", []string{"a", "b", "a", "", "a", "c"}, []bool{true, true, true, false, true, true}))
	test := mustFrame(t, frame.Categories("c", []string{"a", "b", "z", ""}, []bool{true, true, true, false}))
	for _, tt := range []struct {
		spec FrequencySpec
		want []float64
	}{
		{FrequencyEncode("c"), []float64{0.6, 0.2, 0, nan}}, // 5 present values
		{FrequencySpec{Counts: true}, []float64{3, 1, 0, nan}},
	} {
		fitted, err := tt.spec.Fit(ctx, train)
		if err != nil {
			t.Fatal(err)
		}
		out, err := fitted.Transform(ctx, test)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := out.Float("c")
		checkFloats(t, "c", got, tt.want)
		roundTrip(t, fitted, test)
	}
}

func TestTargetEncode(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t,
		frame.Categories("city", []string{"a", "a", "b", "b", "b", "c", ""}, []bool{true, true, true, true, true, true, false}),
		frame.Floats("y", []float64{1, 0, 1, 1, 1, 0, 1}),
	)
	// prior 5/7; a: sum 1 of 2; b: 3 of 3; c: 0 of 1.
	prior := 5.0 / 7
	fitted, err := TargetEncode("y", "city").Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	test := mustFrame(t, frame.Categories("city", []string{"a", "b", "c", "zz", ""}, []bool{true, true, true, true, false}))
	out, err := fitted.Transform(ctx, test)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := out.Float("city")
	checkFloats(t, "plain", got, []float64{0.5, 1, 0, prior, prior})
	smooth, _ := TargetEncodeSpec{Target: "y", Smoothing: 2}.Fit(ctx, f)
	out, _ = smooth.Transform(ctx, test)
	got, _ = out.Float("city")
	checkFloats(t, "smoothed", got, []float64{(1 + 2*prior) / 4, (3 + 2*prior) / 5, (2 * prior) / 3, prior, prior})
	roundTrip(t, smooth, test)

	// Cross-fitting: each row is encoded without its own target. With as
	// many folds as rows (leave one out), row 0 ("a", y 1) sees only row 1
	// (y 0): 0; the unique "c" row sees no other "c": the prior of the
	// other rows, 5/6.
	spec := TargetEncodeSpec{Target: "y", Columns: []string{"city"}, Folds: 7, Seed: 1}
	full, enc, err := spec.FitTransform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = enc.Float("city")
	checkFloats(t, "leave one out", got, []float64{0, 1, 1, 1, 1, 5.0 / 6, 4.0 / 6})
	if !reflect.DeepEqual(full, fitted) {
		t.Errorf("FitTransform's fitted step %+v differs from Fit's %+v", full, fitted)
	}
	// Same seed, same folds; the result does not leak: a category seen once
	// never gets its own target back.
	_, again, _ := spec.FitTransform(ctx, f)
	if again.String() != enc.String() {
		t.Error("same seed gave other folds")
	}
	for _, bad := range []TargetEncodeSpec{{Target: "nope"}, {Target: "city"}, {Target: "y", Smoothing: -1}, {Target: "y", Folds: 1}} {
		if _, err := bad.Fit(ctx, f); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	withNaN := mustFrame(t, frame.Categories("c", []string{"a"}, nil), frame.Floats("y", []float64{math.NaN()}))
	if _, err := TargetEncode("y").Fit(ctx, withNaN); !errors.Is(err, frame.ErrMissing) {
		t.Errorf("missing target: %v", err)
	}
}
