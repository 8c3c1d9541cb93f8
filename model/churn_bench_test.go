package model_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"gonum.org/v1/gonum/mat"
)

// churnRows is the size of the churn benchmarks' data.
const churnRows = 1_000_000

var churn struct {
	sync.Once
	X   *mat.Dense
	y   []float64
	err error
}

// churnMatrix returns the numeric matrix of 1,000,000 rows of the churn
// data (gen_churn.py), cleaned, imputed, scaled and one-hot encoded as the
// scikit-learn baseline does, and its labels. testdata/bench_churn.py
// writes it once, to churn-1000000.f64 in $MLPIPE_CHURN_DIR (default the
// temporary directory), from churn-1000000.csv there, which
// $MLPIPE_GEN_CHURN (default ../bench/gen_churn.py, the repository's generator) makes; the
// same script times scikit-learn on the same file. Without python3,
// pandas and scikit-learn the benchmark is skipped.
func churnMatrix(b *testing.B) (*mat.Dense, []float64) {
	churn.Do(func() {
		path, err := churnFile("testdata/bench_churn.py")
		if err != nil {
			churn.err = err
			return
		}
		churn.X, churn.y, churn.err = readChurn(path)
	})
	if churn.err != nil {
		b.Skipf("no churn benchmark data: %v", churn.err)
	}
	return churn.X, churn.y
}

// churnFile returns the path of the churn matrix, making it (and the CSV
// it comes from) with python3 when missing.
func churnFile(script string) (string, error) {
	dir := os.Getenv("MLPIPE_CHURN_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	csv := filepath.Join(dir, fmt.Sprintf("churn-%d.csv", churnRows))
	path := filepath.Join(dir, fmt.Sprintf("churn-%d.f64", churnRows))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if _, err := os.Stat(csv); err != nil {
		gen := os.Getenv("MLPIPE_GEN_CHURN")
		if gen == "" {
			gen = "../bench/gen_churn.py"
		}
		if out, err := exec.Command("python3", gen, fmt.Sprint(churnRows), csv).CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v %s", gen, err, out)
		}
	}
	if out, err := exec.Command("/usr/bin/python3", script, "matrix", csv, path).CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s: %v %s", script, err, out)
	}
	return path, nil
}

// readChurn reads the file bench_churn.py writes: rows and columns as
// little-endian int64, then X row-major and y as little-endian float64.
func readChurn(path string) (*mat.Dense, []float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	var shape [2]int64
	if err := binary.Read(f, binary.LittleEndian, &shape); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	n, p := int(shape[0]), int(shape[1])
	if n != churnRows || p < 1 || p > 1000 {
		return nil, nil, fmt.Errorf("%s: %d×%d, want %d rows", path, n, p, churnRows)
	}
	x, y := make([]float64, n*p), make([]float64, n)
	if err := binary.Read(f, binary.LittleEndian, x); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := binary.Read(f, binary.LittleEndian, y); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return mat.NewDense(n, p, x), y, nil
}

// BenchmarkChurnLogisticFit fits a logistic regression (C=1, L2) on the
// churn matrix. testdata/bench_churn.py times scikit-learn's
// LogisticRegression on the same file; "intercept" is there to check that
// both reach the same optimum.
func BenchmarkChurnLogisticFit(b *testing.B) {
	lf := benchChurnFit(b, model.LogisticRegression{C: 1}).(*model.LogisticFit)
	b.ReportMetric(float64(lf.Iterations), "iters")
	b.ReportMetric(lf.Intercept[0], "intercept")
}

// BenchmarkChurnForestFit fits a random forest of 10 trees of depth at
// most 12, √p features per split, bootstrapped with the out-of-bag score,
// on the churn matrix: scikit-learn's RandomForestClassifier(n_estimators=10,
// max_depth=12, max_features="sqrt", oob_score=True, n_jobs=2) in
// testdata/bench_churn.py.
func BenchmarkChurnForestFit(b *testing.B) {
	f := benchChurnFit(b, model.RandomForest{Trees: 10, MaxDepth: 12, Seed: 1, Workers: 2}).(*model.ForestFit)
	b.ReportMetric(f.OOBScore, "oob")
}

// benchChurnFit times m.Fit on the churn matrix, with the CPU time per
// fit, and returns the last fit.
func benchChurnFit(b *testing.B, m model.Model) model.Predictor {
	X, y := churnMatrix(b)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU(b)
	defer cpu.stop()
	var p model.Predictor
	var err error
	for b.Loop() {
		if p, err = m.Fit(ctx(), X, y); err != nil {
			b.Fatal(err)
		}
	}
	return p
}
