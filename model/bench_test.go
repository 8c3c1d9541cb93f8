package model_test

import (
	"bufio"
	"encoding/binary"
	"os"
	"sync"
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

var (
	benchOnce sync.Once
	benchX    *mat.Dense
	benchY    []float64
)

// benchData is 1,000,000 rows × 40 standard normal features with logistic
// labels, made once (the same data gen_bench.py writes for scikit-learn).
func benchData() (*mat.Dense, []float64) {
	benchOnce.Do(func() { benchX, benchY = synthetic(1_000_000, 40, 2, 42) })
	return benchX, benchY
}

func BenchmarkLogisticFit1Mx40(b *testing.B) {
	X, y := benchData()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p, err := model.LogisticRegression{}.Fit(ctx(), X, y)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(p.(*model.LogisticFit).Iterations), "iters")
	}
}

// TestDumpBenchData writes the benchmark data for testdata/bench_logistic.py
// when MODEL_BENCH_DUMP names a file: X (row-major) then y, as little-endian
// float64.
func TestDumpBenchData(t *testing.T) {
	path := os.Getenv("MODEL_BENCH_DUMP")
	if path == "" {
		t.Skip("set MODEL_BENCH_DUMP=file to write the benchmark data")
	}
	X, y := benchData()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := binary.Write(w, binary.LittleEndian, X.RawMatrix().Data); err != nil {
		t.Fatal(err)
	}
	if err := binary.Write(w, binary.LittleEndian, y); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
