package preprocess

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/mlpipe/mlpipe/frame"
)

// benchRows is the size of the benchmark frames. testdata/bench_sklearn.py
// times scikit-learn on the same data (same formulas).
const benchRows = 1_000_000

// benchFrame returns 1,000,000 rows: four float columns
// x_k[i] = 100·sin(i·(k+1)) + i mod 17 (every 10th value of x0 missing)
// and one categorical column of 20 categories, c[i] = "cat" + (i·7919 mod 20).
func benchFrame(b *testing.B) *frame.Frame {
	b.Helper()
	series := make([]frame.Series, 0, 5)
	for k := range 4 {
		x := make([]float64, benchRows)
		for i := range x {
			x[i] = 100*math.Sin(float64(i)*float64(k+1)) + float64(i%17)
			if k == 0 && i%10 == 0 {
				x[i] = math.NaN()
			}
		}
		series = append(series, frame.Floats(fmt.Sprintf("x%d", k), x))
	}
	dict := make([]string, 20)
	for k := range dict {
		dict[k] = fmt.Sprintf("cat%d", k)
	}
	codes := make([]int32, benchRows)
	for i := range codes {
		codes[i] = int32(i * 7919 % 20)
	}
	c, err := frame.NewCategoricalCodes(codes, dict)
	if err != nil {
		b.Fatal(err)
	}
	series = append(series, frame.Series{Name: "c", Col: c})
	f, err := frame.New(series...)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func benchStep(b *testing.B, s Step, transform bool) {
	f := benchFrame(b)
	ctx := context.Background()
	fitted, err := s.Fit(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		if transform {
			_, err = fitted.Transform(ctx, f)
		} else {
			_, err = s.Fit(ctx, f)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkStandardScaleFit fits four float columns of 1,000,000 rows.
func BenchmarkStandardScaleFit(b *testing.B) {
	benchStep(b, StandardScale("x0", "x1", "x2", "x3"), false)
}

// BenchmarkStandardScaleTransform scales four float columns of 1,000,000 rows.
func BenchmarkStandardScaleTransform(b *testing.B) {
	benchStep(b, StandardScale("x0", "x1", "x2", "x3"), true)
}

// BenchmarkMinMaxScaleFit fits four float columns of 1,000,000 rows.
func BenchmarkMinMaxScaleFit(b *testing.B) {
	benchStep(b, MinMaxScale("x0", "x1", "x2", "x3"), false)
}

// BenchmarkMinMaxScaleTransform scales four float columns of 1,000,000 rows.
func BenchmarkMinMaxScaleTransform(b *testing.B) {
	benchStep(b, MinMaxScale("x0", "x1", "x2", "x3"), true)
}

// BenchmarkRobustScaleFit fits the medians and interquartile ranges of
// four float columns of 1,000,000 rows (exact quantiles).
func BenchmarkRobustScaleFit(b *testing.B) {
	benchStep(b, RobustScale("x0", "x1", "x2", "x3"), false)
}

// BenchmarkRobustScaleTransform scales four float columns of 1,000,000 rows.
func BenchmarkRobustScaleTransform(b *testing.B) {
	benchStep(b, RobustScale("x0", "x1", "x2", "x3"), true)
}

// BenchmarkOneHotFit fits one categorical column of 1,000,000 rows, 20 categories.
func BenchmarkOneHotFit(b *testing.B) { benchStep(b, OneHot("c"), false) }

// BenchmarkOneHotTransform encodes one categorical column of 1,000,000 rows
// into 20 dense float columns.
func BenchmarkOneHotTransform(b *testing.B) { benchStep(b, OneHot("c"), true) }

// BenchmarkImputeMedianFit fits a median imputer on four float columns of
// 1,000,000 rows (exact: every value is held and sorted).
func BenchmarkImputeMedianFit(b *testing.B) {
	benchStep(b, Impute(Median, "x0", "x1", "x2", "x3"), false)
}

// BenchmarkQuantileTransformFit fits 1000 quantiles of four float columns
// of 1,000,000 rows, exactly (scikit-learn subsamples 100,000 rows).
func BenchmarkQuantileTransformFit(b *testing.B) {
	benchStep(b, QuantileTransform("x0", "x1", "x2", "x3"), false)
}

// BenchmarkQuantileTransformTransform maps four float columns of 1,000,000
// rows through their quantiles.
func BenchmarkQuantileTransformTransform(b *testing.B) {
	benchStep(b, QuantileTransform("x0", "x1", "x2", "x3"), true)
}
