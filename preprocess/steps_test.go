package preprocess

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/registry"
)

var nan = math.NaN()

func mustFrame(t testing.TB, series ...frame.Series) *frame.Frame {
	t.Helper()
	f, err := frame.New(series...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func sampleFrame(t testing.TB) *frame.Frame {
	return mustFrame(t,
		frame.Floats("age", []float64{30, nan, 50, 40, 35}),
		frame.Floats("income", []float64{1e4, 2e4, nan, 4e4, 5e4}),
		frame.Categories("city", []string{"Oslo", "", "Bergen", "Oslo", "Tromsø"}, []bool{true, false, true, true, true}),
		frame.Strings("note", []string{"a", "b", "c", "d", "e"}, nil),
	)
}

func TestFitBadInput(t *testing.T) {
	f := sampleFrame(t)
	empty, _ := f.Slice(0, 0)
	allNaN := mustFrame(t,
		frame.Floats("x", []float64{nan, nan}),
		frame.Categories("c", []string{"", ""}, []bool{false, false}),
	)
	inf := mustFrame(t, frame.Floats("x", []float64{1, math.Inf(1), 2}))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	ctx := context.Background()
	tests := []struct {
		name    string
		ctx     context.Context
		step    Step
		f       *frame.Frame
		want    error
		mention string
	}{
		{"impute unknown column", ctx, Impute(Mean, "age", "nope"), f, frame.ErrNoColumn, `"nope"`},
		{"impute mean of categorical", ctx, Impute(Mean, "city"), f, frame.ErrKind, `"city"`},
		{"impute most frequent of string", ctx, Impute(MostFrequent, "note"), f, frame.ErrKind, `"note"`},
		{"impute empty frame", ctx, Impute(Mean), empty, frame.ErrEmpty, "impute"},
		{"impute cancelled", cancelled, Impute(Mean, "age"), f, context.Canceled, ""},
		{"impute no strategy", ctx, ImputeSpec{Columns: []string{"age"}}, f, ErrParam, "strategy"},
		{"impute NaN fill", ctx, Impute(Constant, "age").WithFill(nan), f, ErrParam, "fill"},
		{"impute column twice", ctx, Impute(Mean, "age", "age"), f, ErrParam, `"age"`},
		{"impute all missing float", ctx, Impute(Median, "x"), allNaN, ErrAllMissing, `"x"`},
		{"impute all missing mean", ctx, Impute(Mean, "x"), allNaN, ErrAllMissing, `"x"`},
		{"impute all missing category", ctx, Impute(MostFrequent, "c"), allNaN, ErrAllMissing, `"c"`},
		{"impute infinity", ctx, Impute(Mean, "x"), inf, ErrNotFinite, "row 1"},
		{"impute no float column", ctx, Impute(Mean), mustFrame(t, frame.Strings("s", []string{"a"}, nil)), frame.ErrNoColumn, "float"},
		{"scale unknown column", ctx, StandardScale("nope"), f, frame.ErrNoColumn, `"nope"`},
		{"scale categorical", ctx, StandardScale("city"), f, frame.ErrKind, `"city"`},
		{"scale empty frame", ctx, StandardScale(), empty, frame.ErrEmpty, "standard scale"},
		{"scale cancelled", cancelled, StandardScale("age"), f, context.Canceled, ""},
		{"scale all missing", ctx, StandardScale("x"), allNaN, ErrAllMissing, `"x"`},
		{"scale infinity", ctx, StandardScale("x"), inf, ErrNotFinite, "row 1"},
		{"one-hot unknown column", ctx, OneHot("nope"), f, frame.ErrNoColumn, `"nope"`},
		{"one-hot float column", ctx, OneHot("age"), f, frame.ErrKind, `"age"`},
		{"one-hot empty frame", ctx, OneHot(), empty, frame.ErrEmpty, "one-hot"},
		{"one-hot cancelled", cancelled, OneHot("city"), f, context.Canceled, ""},
		{"one-hot all missing", ctx, OneHot("c"), allNaN, ErrAllMissing, `"c"`},
		{"one-hot bad policy", ctx, OneHotSpec{Unknown: 9}, f, ErrParam, "policy"},
		{"one-hot max categories 1", ctx, OneHotSpec{MaxCategories: 1}, f, ErrParam, "max categories"},
		{"one-hot min fraction", ctx, OneHotSpec{MinFraction: 1.5}, f, ErrParam, "min fraction"},
		{"ordinal infrequent policy", ctx, OrdinalSpec{Unknown: InfrequentIfExist}, f, ErrParam, "infrequent"},
		{"one-hot name clash", ctx, OneHot("city"), mustFrame(t,
			frame.Categories("city", []string{"Oslo"}, nil), frame.Floats("city=Oslo", []float64{1})), frame.ErrDuplicate, "city=Oslo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.step.Fit(tt.ctx, tt.f)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Fit = %v, %v; want error wrapping %v", got, err, tt.want)
			}
			if got != nil {
				t.Errorf("Fit returned %v with the error", got)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %s", err, tt.mention)
			}
		})
	}
}

func TestTransformBadInput(t *testing.T) {
	ctx := context.Background()
	f := sampleFrame(t)
	imp, err := Impute(MostFrequent, "age", "city").Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := StandardScale("age").Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	oh, err := OneHot("city").Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	noAge, _ := f.Drop("age")
	ageAsText := mustFrame(t, frame.Categories("age", []string{"1"}, nil), frame.Categories("city", []string{"Oslo"}, nil))
	inf := mustFrame(t, frame.Floats("age", []float64{nan, math.Inf(-1)}), frame.Categories("city", []string{"Oslo", "Oslo"}, nil))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		step Fitted
		f    *frame.Frame
		want error
	}{
		{"impute missing column", ctx, imp, noAge, frame.ErrNoColumn},
		{"impute wrong kind", ctx, imp, ageAsText, frame.ErrKind},
		{"impute infinity", ctx, imp, inf, ErrNotFinite},
		{"impute cancelled", cancelled, imp, f, context.Canceled},
		{"scale missing column", ctx, sc, noAge, frame.ErrNoColumn},
		{"scale wrong kind", ctx, sc, ageAsText, frame.ErrKind},
		{"scale infinity", ctx, sc, inf, ErrNotFinite},
		{"scale cancelled", cancelled, sc, f, context.Canceled},
		{"one-hot missing column", ctx, oh, mustFrame(t, frame.Floats("age", []float64{1})), frame.ErrNoColumn},
		{"one-hot wrong kind", ctx, oh, mustFrame(t, frame.Floats("city", []float64{1})), frame.ErrKind},
		{"one-hot cancelled", cancelled, oh, f, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.step.Transform(tt.ctx, tt.f)
			if !errors.Is(err, tt.want) || got != nil {
				t.Fatalf("Transform = %v, %v; want error wrapping %v", got, err, tt.want)
			}
		})
	}
}

func TestImputeBehaviour(t *testing.T) {
	ctx := context.Background()
	f := sampleFrame(t)
	t.Run("constant", func(t *testing.T) {
		fitted, err := Impute(Constant).WithFill(-1).WithFillCategory("?").Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		imp := fitted.(*Imputer)
		// With no columns named, Constant takes every float and categorical column.
		var names []string
		for _, c := range imp.Columns {
			names = append(names, c.Name)
		}
		if !reflect.DeepEqual(names, []string{"age", "income", "city"}) {
			t.Fatalf("columns %q", names)
		}
		if m := imp.Columns[0].Missing; m != 1 {
			t.Errorf("age missing = %d, want 1", m)
		}
		out, err := fitted.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		age, _ := out.Float("age")
		if !reflect.DeepEqual(age, []float64{30, -1, 50, 40, 35}) {
			t.Errorf("age = %v", age)
		}
		city, _ := out.Categorical("city")
		if l, _ := city.Label(1); l != "?" || frame.Missing(city) != 0 {
			t.Errorf("city row 1 = %q, %d missing", l, frame.Missing(city))
		}
		orig, _ := f.Categorical("city")
		if len(orig.Dict()) != 3 || len(city.Dict()) != 4 {
			t.Errorf("dictionaries %q -> %q: input changed or fill not added", orig.Dict(), city.Dict())
		}
	})
	t.Run("fill already a category, column without missing shared", func(t *testing.T) {
		fitted, err := Impute(Constant, "city", "note2").WithFillCategory("Oslo").Fit(ctx, mustFrame(t,
			frame.Categories("city", []string{"Oslo", ""}, []bool{true, false}),
			frame.Categories("note2", []string{"x", "y"}, nil)))
		if err != nil {
			t.Fatal(err)
		}
		in := mustFrame(t,
			frame.Categories("city", []string{"Bergen", "", "Oslo"}, []bool{true, false, true}),
			frame.Categories("note2", []string{"x", "y", "z"}, nil))
		out, err := fitted.Transform(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		city, _ := out.Categorical("city")
		if l, _ := city.Label(1); l != "Oslo" || len(city.Dict()) != 2 {
			t.Errorf("row 1 %q, dict %q", l, city.Dict())
		}
		a, _ := in.Col("note2")
		b, _ := out.Col("note2")
		if a != b {
			t.Error("column without missing values was copied")
		}
	})
}

func TestScaleBehaviour(t *testing.T) {
	ctx := context.Background()
	f := sampleFrame(t)
	fitted, err := StandardScale().Fit(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	sc := fitted.(*StandardScaler)
	if len(sc.Columns) != 2 || sc.Columns[0].Name != "age" || sc.Columns[1].Name != "income" {
		t.Fatalf("default columns %+v, want age and income", sc.Columns)
	}
	// age: 30, 50, 40, 35 present: mean 38.75, population variance 54.6875.
	if c := sc.Columns[0]; c.N != 4 || c.Mean != 38.75 || c.Var != 54.6875 || c.Scale != math.Sqrt(54.6875) {
		t.Errorf("age state %+v", c)
	}
	out, err := sc.Transform(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	age, _ := out.Float("age")
	if !math.IsNaN(age[1]) || age[0] != (30-38.75)/math.Sqrt(54.6875) {
		t.Errorf("age = %v", age)
	}
	if c, _ := out.Col("city"); c.Kind() != frame.Categorical {
		t.Error("untouched column changed")
	}
	constant, err := StandardScale("k").Fit(ctx, mustFrame(t, frame.Floats("k", []float64{7, 7, 7})))
	if err != nil {
		t.Fatal(err)
	}
	if c := constant.(*StandardScaler).Columns[0]; c.Scale != 1 || c.Var != 0 {
		t.Errorf("constant column state %+v, want scale 1", c)
	}
}

func TestOneHotBehaviour(t *testing.T) {
	ctx := context.Background()
	train := mustFrame(t,
		frame.Floats("a", []float64{1, 2, 3}),
		frame.Categories("one", []string{"x", "x", ""}, []bool{true, true, false}),
		frame.Categories("bin", []string{"n", "y", "y"}, nil),
		frame.Floats("z", []float64{1, 2, 3}),
	)
	test := mustFrame(t,
		frame.Floats("a", []float64{1, 2}),
		frame.Categories("one", []string{"", "w"}, []bool{false, true}),
		frame.Categories("bin", []string{"y", ""}, []bool{true, false}),
		frame.Floats("z", []float64{1, 2}),
	)
	tests := []struct {
		spec  OneHotSpec
		names []string
		cols  map[string][]float64
	}{
		{OneHot(), []string{"a", "one=x", "bin=n", "bin=y", "z"},
			map[string][]float64{"one=x": {0, 0}, "bin=n": {0, 0}, "bin=y": {1, 0}}},
		{OneHot().WithDrop(DropFirst), []string{"a", "bin=y", "z"}, map[string][]float64{"bin=y": {1, 0}}},
		{OneHot().WithDrop(DropIfBinary), []string{"a", "one=x", "bin=y", "z"},
			map[string][]float64{"one=x": {0, 0}, "bin=y": {1, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.spec.Drop.String(), func(t *testing.T) {
			fitted, err := tt.spec.Fit(ctx, train)
			if err != nil {
				t.Fatal(err)
			}
			// Missing at fit is not a category: "one" has only "x".
			if cats := fitted.(*OneHotEncoder).Columns[0].Categories; !reflect.DeepEqual(cats, []string{"x"}) {
				t.Errorf("categories of one = %q", cats)
			}
			out, err := fitted.Transform(ctx, test)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out.Names(), tt.names) {
				t.Fatalf("names %q, want %q", out.Names(), tt.names)
			}
			for n, want := range tt.cols {
				got, _ := out.Float(n)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %v, want %v", n, got, want)
				}
			}
		})
	}
	t.Run("error policy lets missing through", func(t *testing.T) {
		fitted, err := OneHot("bin").WithUnknown(ErrorOnUnknown).Fit(ctx, train)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fitted.Transform(ctx, test); err != nil {
			t.Fatalf("missing value under ErrorOnUnknown: %v", err)
		}
		// An unseen category in the dictionary that no row uses is no error.
		rows, _ := mustFrame(t, frame.Categories("bin", []string{"maybe", "y"}, nil)).Take([]int{1})
		if _, err := fitted.Transform(ctx, rows); err != nil {
			t.Fatalf("unused unseen category: %v", err)
		}
		_, err = fitted.Transform(ctx, mustFrame(t, frame.Categories("bin", []string{"y", "maybe"}, nil)))
		if !errors.Is(err, ErrUnknownCategory) || !strings.Contains(err.Error(), `"maybe"`) || !strings.Contains(err.Error(), "row 1") {
			t.Fatalf("unseen category: %v", err)
		}
	})
}

// fitAll fits the three steps of this package on f.
func fitAll(t *testing.T, f *frame.Frame) []Fitted {
	t.Helper()
	ctx := context.Background()
	var out []Fitted
	for _, s := range []Step{
		Impute(Mean, "age"), Impute(Median, "income"), Impute(MostFrequent, "age", "city"),
		Impute(Constant).WithFill(2.5).WithFillCategory("none"),
		StandardScale(), StandardScaleSpec{NoCenter: true}, StandardScaleSpec{NoScale: true},
		OneHot(), OneHot("city").WithDrop(DropFirst).WithUnknown(ErrorOnUnknown),
	} {
		fitted, err := s.Fit(ctx, f)
		if err != nil {
			t.Fatalf("%T %+v: %v", s, s, err)
		}
		out = append(out, fitted)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	f := sampleFrame(t)
	for _, fitted := range fitAll(t, f) {
		roundTrip(t, fitted, f)
	}
}

// roundTrip saves and loads fitted and checks the state, the saved bytes
// and the transform of f are unchanged.
func roundTrip(t *testing.T, fitted Fitted, f *frame.Frame) {
	t.Helper()
	ctx := context.Background()
	data, err := MarshalFitted(fitted)
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalFitted(data)
	if err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	if !reflect.DeepEqual(back, fitted) {
		t.Errorf("round trip changed the state:\n%+v\n%+v", fitted, back)
	}
	again, _ := MarshalFitted(back)
	if !bytes.Equal(again, data) {
		t.Errorf("saved twice differently:\n%s\n%s", data, again)
	}
	want, err1 := fitted.Transform(ctx, f)
	got, err2 := back.Transform(ctx, f)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if want.String() != got.String() {
		t.Errorf("loaded step transforms differently:\n%v\n%v", want, got)
	}
}

func TestUnmarshalCorrupt(t *testing.T) {
	tests := []struct {
		name, json string
		want       error
	}{
		{"impute no columns", `{"kind":"preprocess.impute","version":1,"state":{"strategy":"mean","columns":[]}}`, ErrState},
		{"impute bad strategy", `{"kind":"preprocess.impute","version":1,"state":{"strategy":"mode","columns":[]}}`, ErrParam},
		{"impute mean of categorical", `{"kind":"preprocess.impute","version":1,"state":{"strategy":"mean","columns":[{"name":"c","kind":2}]}}`, ErrState},
		{"impute bad kind", `{"kind":"preprocess.impute","version":1,"state":{"strategy":"constant","columns":[{"name":"c","kind":4}]}}`, ErrState},
		{"impute twice", `{"kind":"preprocess.impute","version":1,"state":{"strategy":"constant","columns":[{"name":"c","kind":1},{"name":"c","kind":1}]}}`, ErrState},
		{"impute unnamed", `{"kind":"preprocess.impute","version":1,"state":{"strategy":"constant","columns":[{"name":"","kind":1}]}}`, ErrState},
		{"scale zero", `{"kind":"preprocess.standard_scale","version":1,"state":{"columns":[{"name":"x","mean":1,"var":0,"n":3,"center":1,"scale":0}]}}`, ErrState},
		{"scale negative var", `{"kind":"preprocess.standard_scale","version":1,"state":{"columns":[{"name":"x","mean":1,"var":-1,"n":3,"center":1,"scale":1}]}}`, ErrState},
		{"scale no rows", `{"kind":"preprocess.standard_scale","version":1,"state":{"columns":[{"name":"x","mean":1,"var":1,"n":0,"center":1,"scale":1}]}}`, ErrState},
		{"scale no columns", `{"kind":"preprocess.standard_scale","version":1,"state":{}}`, ErrState},
		{"one-hot unsorted", `{"kind":"preprocess.one_hot","version":1,"state":{"columns":[{"name":"c","categories":["b","a"],"drop":-1}],"unknown":"ignore"}}`, ErrState},
		{"one-hot duplicate", `{"kind":"preprocess.one_hot","version":1,"state":{"columns":[{"name":"c","categories":["a","a"],"drop":-1}],"unknown":"ignore"}}`, ErrState},
		{"one-hot drop out of range", `{"kind":"preprocess.one_hot","version":1,"state":{"columns":[{"name":"c","categories":["a"],"drop":1}],"unknown":"ignore"}}`, ErrState},
		{"one-hot no categories", `{"kind":"preprocess.one_hot","version":1,"state":{"columns":[{"name":"c","categories":[],"drop":-1}],"unknown":"ignore"}}`, ErrState},
		{"one-hot bad policy", `{"kind":"preprocess.one_hot","version":1,"state":{"columns":[{"name":"c","categories":["a"],"drop":-1}],"unknown":"maybe"}}`, ErrParam},
		{"one-hot output clash", `{"kind":"preprocess.one_hot","version":1,"state":{"columns":[{"name":"a","categories":["b=c"],"drop":-1},{"name":"a=b","categories":["c"],"drop":-1}],"unknown":"ignore"}}`, ErrState},
		{"newer version", `{"kind":"preprocess.one_hot","version":2,"state":{}}`, registry.ErrVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UnmarshalFitted([]byte(tt.json))
			if !errors.Is(err, tt.want) {
				t.Fatalf("UnmarshalFitted = %v, %v; want error wrapping %v", got, err, tt.want)
			}
		})
	}
}

// TestConcurrentUse fits one spec and transforms with one fitted value from
// many goroutines at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	f := sampleFrame(t)
	specs := []Step{Impute(MostFrequent), StandardScale(), OneHot()}
	fitted := fitAll(t, f)
	want := make([]string, len(fitted))
	for i, s := range fitted {
		out, err := s.Transform(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = out.String()
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, s := range specs {
				if _, err := s.Fit(ctx, f); err != nil {
					t.Error(err)
				}
			}
			for i, s := range fitted {
				out, err := s.Transform(ctx, f)
				if err != nil || out.String() != want[i] {
					t.Errorf("concurrent transform %d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
}

// TestWorkerCountInvariance fits on data of many chunks with 1 and with
// several workers and expects the same state to the bit.
func TestWorkerCountInvariance(t *testing.T) {
	ctx := context.Background()
	n := 5000
	x := make([]float64, n)
	labels := make([]string, n)
	for i := range x {
		x[i] = 1e6 + math.Sin(float64(i))*float64(i%97)
		if i%11 == 0 {
			x[i] = nan
		}
		labels[i] = string(rune('a' + i*i%7))
	}
	f := mustFrame(t, frame.Floats("x", x), frame.Categories("c", labels, nil))
	fit := func(procs int) string {
		old := runtime.GOMAXPROCS(procs)
		defer runtime.GOMAXPROCS(old)
		var s string
		withChunkRows(100, func() {
			for _, st := range []Step{StandardScale(), Impute(Mean), Impute(MostFrequent), OneHot()} {
				fitted, err := st.Fit(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := MarshalFitted(fitted)
				s += string(b) + "\n"
			}
		})
		return s
	}
	one, four := fit(1), fit(4)
	if one != four {
		t.Errorf("state depends on the worker count:\n%s\n%s", one, four)
	}
	// Merged chunks agree with a single pass to rounding.
	var whole Moments
	whole.AddBatch(x)
	var fitted Fitted
	withChunkRows(100, func() { fitted, _ = StandardScale().Fit(ctx, f) })
	c := fitted.(*StandardScaler).Columns[0]
	if c.N != whole.N || !closeTo(c.Mean, whole.Mean) || !closeTo(c.Var, whole.Variance()) {
		t.Errorf("chunked %+v, whole %+v", c, whole)
	}
}

// TestPartialMerge fits each step on the whole frame, on 8 chunks merged,
// on a stream of batches, and on two shards merged across goroutines, and
// expects the same state: exactly for counts and categories, to rounding
// for moments.
func TestPartialMerge(t *testing.T) {
	ctx := context.Background()
	n := 1003
	x := make([]float64, n)
	y := make([]float64, n)
	labels := make([]string, n)
	valid := make([]bool, n)
	for i := range n {
		x[i] = 50 + 10*math.Sin(float64(i)*0.37)
		y[i] = float64(i % 13)
		if i%9 == 0 {
			x[i] = nan
		}
		labels[i] = []string{"red", "green", "blue", "Blue", "teal"}[i*i%5]
		valid[i] = i%7 != 0
	}
	f := mustFrame(t, frame.Floats("x", x), frame.Floats("y", y), frame.Categories("c", labels, valid))
	batches := func(k int) []*frame.Frame {
		var out []*frame.Frame
		for lo := 0; lo < n; lo += (n + k - 1) / k {
			b, err := f.Slice(lo, min(n, lo+(n+k-1)/k))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
		return out
	}
	specs := []Incremental{
		StandardScale(), Impute(Mean), Impute(Median), Impute(MostFrequent),
		Impute(Constant, "x", "c"), OneHot().WithDrop(DropIfBinary),
		MinMaxScale(), MaxAbsScale(), RobustScale(), QuantileTransformSpec{Quantiles: 50},
		Range(40, 55), IQR(), ZScore(), Winsorize(0.1, 0.9), Ordinal(), FrequencyEncode(), MissingIndicator(),
		DropSparse(0.1), PowerTransform("x"),
	}
	for _, s := range specs {
		t.Run(reflect.TypeOf(s).Name(), func(t *testing.T) {
			whole, err := s.Fit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			// 8 chunks, each its own Partial, merged in order.
			merged := s.Begin()
			for _, b := range batches(8) {
				p := s.Begin()
				if err := p.Add(ctx, b); err != nil {
					t.Fatal(err)
				}
				if err := merged.Merge(p); err != nil {
					t.Fatal(err)
				}
			}
			chunked, err := merged.Finish()
			if err != nil {
				t.Fatal(err)
			}
			// A stream of 13 batches into one Partial.
			streamed, err := FitStream(ctx, s, func(yield func(*frame.Frame, error) bool) {
				for _, b := range batches(13) {
					if !yield(b, nil) {
						return
					}
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			// Two shards fitted on goroutines, then merged.
			shards := batches(2)
			parts := []Partial{s.Begin(), s.Begin()}
			var wg sync.WaitGroup
			for i := range parts {
				wg.Go(func() {
					if err := parts[i].Add(ctx, shards[i]); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if err := parts[0].Merge(parts[1]); err != nil {
				t.Fatal(err)
			}
			sharded, err := parts[0].Finish()
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string]Fitted{"chunked": chunked, "streamed": streamed, "sharded": sharded} {
				sameState(t, name, whole, got)
			}
		})
	}
}

// sameState compares two fitted states: floats to 1e-12 relative,
// everything else exactly.
func sameState(t *testing.T, what string, want, got Fitted) {
	t.Helper()
	switch w := want.(type) {
	case *StandardScaler:
		g := got.(*StandardScaler)
		for i, c := range w.Columns {
			d := g.Columns[i]
			if c.Name != d.Name || c.N != d.N || !near(c.Mean, d.Mean) || !near(c.Var, d.Var) || !near(c.Scale, d.Scale) || !near(c.Center, d.Center) {
				t.Errorf("%s: %+v, whole %+v", what, d, c)
			}
		}
	case *Imputer:
		g := got.(*Imputer)
		for i, c := range w.Columns {
			d := g.Columns[i]
			if c.Name != d.Name || c.Kind != d.Kind || c.Category != d.Category || c.Missing != d.Missing || !near(c.Value, d.Value) {
				t.Errorf("%s: %+v, whole %+v", what, d, c)
			}
		}
	default:
		// Compare the saved forms, floats to 1e-12 relative.
		var a, b any
		wb, _ := MarshalFitted(want)
		gb, _ := MarshalFitted(got)
		if err := json.Unmarshal(wb, &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(gb, &b); err != nil {
			t.Fatal(err)
		}
		if !nearJSON(a, b) {
			t.Errorf("%s: %s, whole %s", what, gb, wb)
		}
	}
}

// nearJSON compares decoded JSON values, numbers to 1e-12 relative.
func nearJSON(a, b any) bool {
	switch a := a.(type) {
	case float64:
		b, ok := b.(float64)
		return ok && near(a, b)
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !nearJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			if !nearJSON(v, b[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func TestPartialMisuse(t *testing.T) {
	ctx := context.Background()
	f := sampleFrame(t)
	p := StandardScale("age").Begin()
	if err := p.Merge(OneHot().Begin()); !errors.Is(err, ErrParam) {
		t.Errorf("merge of another step: %v", err)
	}
	if err := p.Merge(StandardScale("income").Begin()); !errors.Is(err, ErrParam) {
		t.Errorf("merge of another spec: %v", err)
	}
	if _, err := p.Finish(); !errors.Is(err, frame.ErrEmpty) {
		t.Errorf("finish with no rows: %v", err)
	}
	if err := p.Add(ctx, f); err != nil {
		t.Fatal(err)
	}
	other := StandardScale().Begin() // resolves to age and income
	if err := other.Add(ctx, f); err != nil {
		t.Fatal(err)
	}
	q := StandardScale().Begin()
	if err := q.Add(ctx, mustFrame(t, frame.Floats("age", []float64{1}))); err != nil {
		t.Fatal(err)
	}
	if err := other.Merge(q); !errors.Is(err, ErrParam) {
		t.Errorf("merge of partials over other columns: %v", err)
	}
	// A later batch must have the columns of the first, with their kinds.
	if err := p.Add(ctx, mustFrame(t, frame.Categories("age", []string{"x"}, nil))); !errors.Is(err, frame.ErrKind) {
		t.Errorf("later batch of another kind: %v", err)
	}
	stream := func(yield func(*frame.Frame, error) bool) { yield(nil, frame.ErrLength) }
	if _, err := FitStream(ctx, OneHot(), stream); !errors.Is(err, frame.ErrLength) {
		t.Errorf("stream error: %v", err)
	}
}

// TestEmptyStateRejected loads every kind of fitted step of this package
// from an empty state and expects Validate to reject it, except the steps
// for which no column is a valid state (they then do nothing).
func TestEmptyStateRejected(t *testing.T) {
	noop := map[string]bool{"preprocess.missing_indicator": true, "preprocess.drop_sparse": true, "preprocess.column_transform": true}
	for _, kind := range []string{
		"preprocess.impute", "preprocess.standard_scale", "preprocess.one_hot", "preprocess.normalize_missing",
		"preprocess.parse_numbers", "preprocess.parse_bools", "preprocess.parse_dates", "preprocess.normalize_text",
		"preprocess.min_max_scale", "preprocess.max_abs_scale", "preprocess.robust_scale", "preprocess.normalize_rows",
		"preprocess.quantile_transform", "preprocess.outliers", "preprocess.ordinal", "preprocess.frequency",
		"preprocess.target_encode", "preprocess.hash", "preprocess.knn_impute", "preprocess.power_transform",
		"preprocess.missing_indicator", "preprocess.drop_sparse", "preprocess.column_transform",
	} {
		got, err := UnmarshalFitted([]byte(`{"kind":"` + kind + `","version":1,"state":{}}`))
		switch {
		case noop[kind] && err != nil:
			t.Errorf("%s: empty state: %v", kind, err)
		case noop[kind]:
			f := sampleFrame(t)
			out, err := got.Transform(context.Background(), f)
			if err != nil || out.String() != f.String() {
				t.Errorf("%s: empty state changed the frame (%v)", kind, err)
			}
		case !errors.Is(err, ErrState):
			t.Errorf("%s: empty state gave %v, want ErrState", kind, err)
		}
	}
}

// TestTransformEmpty transforms a frame of no rows with every fitted step:
// serving an empty batch is no error.
func TestTransformEmpty(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t,
		frame.Floats("age", []float64{30, nan, 50, 40, 35}),
		frame.Floats("income", []float64{1e4, 2e4, nan, 4e4, 5e4}),
		frame.Categories("city", []string{"Oslo", "", "Bergen", "Oslo", "Tromsø"}, []bool{true, false, true, true, true}),
		frame.Strings("note", []string{"1", "yes", "2024-01-02", "x", "NA"}, nil),
		frame.Floats("y", []float64{1, 0, 1, 1, 0}),
	)
	empty := emptyOf(t, f)
	steps := []Step{
		Impute(Mean, "age"), StandardScale("age"), OneHot("city"), NormalizeMissing("note"), ParseNumbers("note"),
		ParseBools("note"), ParseDates("note"), NormalizeText("city"), MinMaxScale("age"), MaxAbsScale("age"),
		RobustScale("age"), NormalizeRows(L2, "y"), QuantileTransform("age"), PowerTransform("income"),
		Range(0, 1, "age"), IQR("age"), Ordinal("city"), FrequencyEncode("city"), TargetEncode("y", "city"),
		Hash(4, "city"), MissingIndicator(), DropSparse(0.1), KNNImpute("age", "income"),
		ColumnTransform(Part(ByName("age"), StandardScale)),
	}
	for _, s := range steps {
		fitted, err := s.Fit(ctx, f)
		if err != nil {
			t.Fatalf("%T: %v", s, err)
		}
		out, err := fitted.Transform(ctx, empty)
		if err != nil || out.NumRows() != 0 {
			t.Errorf("%T on no rows: %v", fitted, err)
		}
	}
}

func TestImputeBool(t *testing.T) {
	ctx := context.Background()
	f := mustFrame(t, frame.Bools("b", []bool{true, false, true, false, false, true}, []bool{true, true, true, false, true, false}))
	test := mustFrame(t, frame.Bools("b", []bool{false, false, true}, []bool{false, true, true}))
	for _, tt := range []struct {
		spec ImputeSpec
		want []bool
	}{
		{Impute(MostFrequent, "b"), []bool{false, false, true}}, // 2 true, 2 false: a tie, false
		{Impute(Constant, "b").WithFill(1), []bool{true, false, true}},
		{Impute(Constant, "b"), []bool{false, false, true}},
	} {
		fitted, err := tt.spec.Fit(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if m := fitted.(*Imputer).Columns[0].Missing; m != 2 {
			t.Errorf("%v: missing %d, want 2", tt.spec.Strategy, m)
		}
		out, err := fitted.Transform(ctx, test)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := out.Col("b")
		got := c.(*frame.BoolColumn).Values()
		if !reflect.DeepEqual(got, tt.want) || frame.Missing(c) != 0 {
			t.Errorf("%v: %v, want %v", tt.spec.Strategy, got, tt.want)
		}
		roundTrip(t, fitted, test)
	}
	more := mustFrame(t, frame.Bools("b", []bool{true, true, false}, nil))
	fitted, _ := Impute(MostFrequent).Fit(ctx, more)
	if c := fitted.(*Imputer).Columns[0]; c.Kind != frame.Bool || !c.Bool {
		t.Errorf("mode of true, true, false: %+v", c)
	}
	if _, err := Impute(Median, "b").Fit(ctx, f); !errors.Is(err, frame.ErrKind) {
		t.Errorf("median of bools: %v", err)
	}
	allMissing := mustFrame(t, frame.Bools("b", []bool{true}, []bool{false}))
	if _, err := Impute(MostFrequent).Fit(ctx, allMissing); !errors.Is(err, ErrAllMissing) {
		t.Errorf("all missing bools: %v", err)
	}
}
