package model_test

import (
	"bufio"
	"encoding/binary"
	"os"
	"path/filepath"
	"sync"
	"syscall"
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
	cpu := startCPU(b)
	defer cpu.stop()
	for b.Loop() {
		p, err := model.LogisticRegression{}.Fit(ctx(), X, y)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(p.(*model.LogisticFit).Iterations), "iters")
	}
}

// TestDumpBenchData writes the benchmark data for testdata/bench_sklearn.py
// when MODEL_BENCH_DUMP names a directory: logistic.bin (1,000,000 × 40) and
// forest.bin (50,000 × 20), each X (row-major) then y, as little-endian
// float64.
func TestDumpBenchData(t *testing.T) {
	dir := os.Getenv("MODEL_BENCH_DUMP")
	if dir == "" {
		t.Skip("set MODEL_BENCH_DUMP=dir to write the benchmark data")
	}
	X, y := benchData()
	dump(t, filepath.Join(dir, "logistic.bin"), X, y)
	X, y = forestData()
	dump(t, filepath.Join(dir, "forest.bin"), X, y)
}

func dump(t *testing.T, path string, X *mat.Dense, y []float64) {
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

var (
	forestOnce sync.Once
	forestX    *mat.Dense
	forestY    []float64
)

// forestData is 50,000 rows × 20 features with labels of a noisy logistic
// model (the same data TestDumpBenchData writes, for scikit-learn).
func forestData() (*mat.Dense, []float64) {
	forestOnce.Do(func() { forestX, forestY = synthetic(50_000, 20, 2, 43) })
	return forestX, forestY
}

func BenchmarkForestFit50kx20(b *testing.B) {
	X, y := forestData()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU(b)
	defer cpu.stop()
	for b.Loop() {
		if _, err := (model.RandomForest{Trees: 50, Seed: 1}).Fit(ctx(), X, y); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTreeFit50kx20(b *testing.B) {
	X, y := forestData()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU(b)
	defer cpu.stop()
	for b.Loop() {
		if _, err := (model.DecisionTree{}).Fit(ctx(), X, y); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKNeighborsPredict(b *testing.B) {
	X, y := forestData()
	train := X.Slice(0, 20000, 0, 20)
	query := X.Slice(20000, 22000, 0, 20)
	p, err := model.KNeighbors{Classifier: true}.Fit(ctx(), train, y[:20000])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU(b)
	defer cpu.stop()
	for b.Loop() {
		if _, err := p.Predict(ctx(), query); err != nil {
			b.Fatal(err)
		}
	}
}

// cpuTimer reports the CPU time (user + system, all threads) per operation
// as "cpu-s/op": on a shared machine it is steadier than the wall time.
type cpuTimer struct {
	b     *testing.B
	start float64
}

func startCPU(b *testing.B) *cpuTimer { return &cpuTimer{b: b, start: cpuSeconds()} }

func (c *cpuTimer) stop() {
	c.b.ReportMetric((cpuSeconds()-c.start)/float64(c.b.N), "cpu-s/op")
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func BenchmarkLinearFit1Mx40(b *testing.B) {
	X, y := benchData()
	for _, m := range []struct {
		name string
		m    model.Model
	}{{"ols", model.LinearRegression{}}, {"ridge", model.Ridge{}}} {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU(b)
			defer cpu.stop()
			for b.Loop() {
				if _, err := m.m.Fit(ctx(), X, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
