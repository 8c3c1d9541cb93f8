package pipeline_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
	"github.com/mlpipe/mlpipe/preprocess"
)

// churnLike is n rows shaped as the churn benchmark's cleaned data: nine
// float columns (a tenth of two of them missing), a categorical column of 25
// categories and one of 4 (some missing), and a 0/1 target from a logistic
// model on them.
func churnLike(n int) *frame.Frame {
	rng := rand.New(rand.NewPCG(3, 4))
	series := make([]frame.Series, 0, 12)
	z := make([]float64, n)
	for j := range 9 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()*float64(j+1) + float64(j)
			z[i] += v[i] * float64(j%3-1) / float64(j+1)
			if j < 2 && rng.IntN(10) == 0 {
				v[i] = math.NaN()
			}
		}
		series = append(series, frame.Floats(fmt.Sprintf("x%d", j), v))
	}
	for _, c := range []struct {
		name string
		k    int
	}{{"country", 25}, {"plan", 4}} {
		v, valid := make([]string, n), make([]bool, n)
		for i := range v {
			k := rng.IntN(c.k)
			v[i], valid[i] = fmt.Sprintf("%s%d", c.name, k), rng.IntN(30) != 0
			z[i] += float64(k%3) * 0.3
		}
		series = append(series, frame.Categories(c.name, v, valid))
	}
	y := make([]float64, n)
	for i := range y {
		if rng.Float64() < 1/(1+math.Exp(-z[i]+1)) {
			y[i] = 1
		}
	}
	f, err := frame.New(append(series, frame.Floats("y", y))...)
	if err != nil {
		panic(err)
	}
	return f
}

func churnLikeSpec() pipeline.ML {
	num := []string{"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8"}
	return pipeline.ML{
		Steps: []preprocess.Step{
			preprocess.Impute(preprocess.Median, num...),
			preprocess.StandardScale(num...),
			preprocess.Impute(preprocess.MostFrequent, "country", "plan"),
			preprocess.OneHot("country", "plan"),
		},
		Model:  model.LogisticRegression{C: 1},
		Target: "y",
	}
}

// BenchmarkMLFitOneHot fits impute, scale, one-hot and a logistic regression
// on 400,000 rows: the churn benchmark's fit phase, on made-up data.
func BenchmarkMLFitOneHot(b *testing.B) {
	data := churnLike(400_000)
	spec := churnLikeSpec()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := spec.Fit(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCrossValidateOneHot cross-validates that pipeline, 5 folds of
// 400,000 rows, one fold at a time.
func BenchmarkCrossValidateOneHot(b *testing.B) {
	data := churnLike(400_000)
	l := churnLikeSpec().Learner()
	b.ReportAllocs()
	for b.Loop() {
		_, err := evaluate.CrossValidate(context.Background(), l, data, "y", evaluate.CVOptions{
			Splitter: evaluate.StratifiedKFold{K: 5, Shuffle: true},
			Scorers:  []evaluate.Scorer{evaluate.ScoreROCAUC},
			Workers:  1,
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
