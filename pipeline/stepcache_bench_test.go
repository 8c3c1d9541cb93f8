package pipeline

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/features"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
)

// stepBenchData is 1,000,000 rows of six skewed float columns and a target.
func stepBenchData(b *testing.B) *frame.Frame {
	b.Helper()
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(1, 2))
	cols := make([]frame.Series, 0, 7)
	y := make([]float64, n)
	for j := range 6 {
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Exp(rng.NormFloat64()) * float64(j+1)
			y[i] += v[i] * float64(j%3-1)
		}
		cols = append(cols, frame.Floats(fmt.Sprintf("x%d", j), v))
	}
	f, err := frame.New(append(cols, frame.Floats("y", y))...)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

func stepBenchSpec(c cache.Cache, alpha float64) ML {
	return ML{
		Steps: []preprocess.Step{
			preprocess.QuantileTransform("x0", "x1", "x2", "x3"),
			preprocess.RobustScale("x4", "x5"),
		},
		Model:  model.Ridge{Alpha: alpha},
		Target: "y",
		Cache:  c,
	}
}

// BenchmarkStepCache fits a quantile transform of four columns, a robust
// scaler of two and a ridge regression on 1,000,000 rows: without a cache
// (fit), again with every step and the model in a memory cache (cached:
// the input is fingerprinted and the entries read), and with the steps
// cached but a model parameter changed, as in a grid search over the model
// (model-changed: the steps are read and applied, the model fitted).
// standard-scale compares the same with a step as cheap as one pass per
// column, tfidf with a TF-IDF vectoriser of 200,000 short texts. fingerprint is the cost of hashing the input alone.
func BenchmarkStepCache(b *testing.B) {
	ctx := context.Background()
	data := stepBenchData(b)
	mem, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer mem.Close()
	b.Run("fit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := stepBenchSpec(nil, 1).Fit(ctx, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	if _, err := stepBenchSpec(mem, 1).Fit(ctx, data); err != nil {
		b.Fatal(err)
	}
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := stepBenchSpec(mem, 1).Fit(ctx, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	alpha := 1.0
	b.Run("model-changed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			alpha++
			if _, err := stepBenchSpec(mem, alpha).Fit(ctx, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	// A cheap step: one pass per column, less than the fingerprint costs.
	cheap := func(c cache.Cache) ML {
		return ML{Steps: []preprocess.Step{preprocess.StandardScale()}, Model: model.Ridge{Alpha: 1}, Target: "y", Cache: c}
	}
	if _, err := cheap(mem).Fit(ctx, data); err != nil {
		b.Fatal(err)
	}
	for _, c := range []cache.Cache{nil, mem} {
		name := "standard-scale/fit"
		if c != nil {
			name = "standard-scale/cached"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cheap(c).Fit(ctx, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// A text step: TF-IDF over 200,000 short documents, 50 terms kept.
	docs := make([]string, 200_000)
	yt := make([]float64, len(docs))
	words := []string{"late", "delivery", "refund", "great", "price", "support", "slow", "broken", "love", "cancel",
		"app", "crash", "fast", "bill", "charge", "helpful", "rude", "wait", "easy", "login"}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range docs {
		var d []byte
		for k := range 8 + rng.IntN(8) {
			if k > 0 {
				d = append(d, ' ')
			}
			w := words[rng.IntN(len(words))]
			d = append(d, w...)
			d = append(d, byte('a'+rng.IntN(4))) // 80 distinct terms
		}
		docs[i], yt[i] = string(d), float64(len(d))
	}
	text, err := frame.New(frame.Strings("review", docs, nil), frame.Floats("y", yt))
	if err != nil {
		b.Fatal(err)
	}
	tfidf := func(c cache.Cache) ML {
		tf := features.Tfidf("review")
		tf.MaxFeatures = 50
		return ML{Steps: []preprocess.Step{tf}, Model: model.Ridge{Alpha: 1}, Target: "y", Cache: c}
	}
	if _, err := tfidf(mem).Fit(ctx, text); err != nil {
		b.Fatal(err)
	}
	for _, c := range []cache.Cache{nil, mem} {
		name := "tfidf/fit"
		if c != nil {
			name = "tfidf/cached"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tfidf(c).Fit(ctx, text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("fingerprint", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(data.NumRows() * data.NumCols() * 8))
		for b.Loop() {
			Fingerprint(data)
		}
	})
}
