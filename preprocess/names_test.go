package preprocess

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// Every fitted step names its output columns as its Transform makes them.
func TestFeatureNamesOutMatchesTransform(t *testing.T) {
	ctx := context.Background()
	const n = 60
	x, y, z := make([]float64, n), make([]float64, n), make([]float64, n)
	cats, nums, bools, dates, texts := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	valid := make([]bool, n)
	for i := range n {
		x[i], y[i], z[i] = float64(i%17)+0.5, float64(i%5), 1+float64(i%7)
		if i%6 == 0 {
			x[i] = nan
		}
		cats[i] = []string{"red", "green", "blue"}[i%3]
		valid[i] = i%8 != 0
		nums[i] = fmt.Sprintf("$%d,000", i)
		bools[i] = []string{"yes", "no", "Y", "0"}[i%4]
		dates[i] = fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i%28)
		texts[i] = []string{" US", "us ", "De", "DE"}[i%4]
	}
	f := mustFrame(t, frame.Floats("x", x), frame.Floats("y", y), frame.Floats("z", z),
		frame.Categories("c", cats, valid), frame.Strings("s", nums, nil),
		frame.Strings("b", bools, nil), frame.Strings("d", dates, nil), frame.Categories("t", texts, nil))
	specs := []Step{
		NormalizeMissing("s"), ParseNumbers("s"), ParseBools("b"), ParseDates("d"), NormalizeText("t"),
		Impute(Median, "x"), Impute(MostFrequent, "c"), KNNImpute("x", "y"), MissingIndicator("x", "c"),
		DropSparse(0.1), StandardScale("x", "y"), MinMaxScale("y"), MaxAbsScale("y"), RobustScale("y"),
		QuantileTransformSpec{Columns: []string{"y"}, Quantiles: 20}, PowerTransform("z"), NormalizeRows(L2, "y", "z"),
		Range(1, 10, "x"), IQR("y"), ZScore("y"), Winsorize(0.1, 0.9, "y"),
		OneHot("c", "t"), Ordinal("c"), FrequencyEncode("c"), TargetEncode("y", "c"), Hash(8, "c", "t"),
		ColumnTransform(Part(ByName("y", "z"), StandardScale), Part(ByName("c"), OneHot)).WithDropRest(),
	}
	in := f.Names()
	for _, s := range specs {
		t.Run(reflect.TypeOf(s).Name(), func(t *testing.T) {
			fs, err := s.Fit(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			out, err := fs.Transform(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			namer, ok := fs.(FeatureNamer)
			if !ok {
				t.Fatalf("%T does not implement FeatureNamer", fs)
			}
			got, err := namer.FeatureNamesOut(in)
			if err != nil {
				t.Fatal(err)
			}
			if want := out.Names(); !slices.Equal(got, want) {
				t.Errorf("FeatureNamesOut = %v\nTransform gives  %v", got, want)
			}
			// Without a column the step needs, an error.
			if needed := neededColumn(ctx, fs, f); needed != "" {
				short := slices.DeleteFunc(slices.Clone(in), func(n string) bool { return n == needed })
				if _, err := namer.FeatureNamesOut(short); !errors.Is(err, frame.ErrNoColumn) {
					t.Errorf("without %q: err = %v, want frame.ErrNoColumn", needed, err)
				}
			}
		})
	}
}

// neededColumn returns the first input column without which the fitted
// step's Transform fails, or "".
func neededColumn(ctx context.Context, fs Fitted, f *frame.Frame) string {
	for _, n := range f.Names() {
		g, err := f.Drop(n)
		if err != nil {
			continue
		}
		if _, err := fs.Transform(ctx, g); errors.Is(err, frame.ErrNoColumn) {
			return n
		}
	}
	return ""
}
