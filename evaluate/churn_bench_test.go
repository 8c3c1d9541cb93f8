package evaluate_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
)

var churn struct {
	sync.Once
	f   *frame.Frame
	err error
}

// churnFrame returns the churn benchmark matrix of model/churn_bench_test.go
// (1,000,000 rows of gen_churn.py's data, cleaned, imputed, scaled and
// one-hot encoded by ../model/testdata/bench_churn.py) as float columns
// x0 … and the label column "churned". The file lives in
// $MLPIPE_CHURN_DIR (default the temporary directory) and is made with
// python3 when missing; without python3, pandas and scikit-learn the
// benchmark is skipped.
func churnFrame(b *testing.B) *frame.Frame {
	churn.Do(func() { churn.f, churn.err = readChurn() })
	if churn.err != nil {
		b.Skipf("no churn benchmark data: %v", churn.err)
	}
	return churn.f
}

func readChurn() (*frame.Frame, error) {
	path, err := churnFile("../model/testdata/bench_churn.py")
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var shape [2]int64
	if err := binary.Read(f, binary.LittleEndian, &shape); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n, p := int(shape[0]), int(shape[1])
	if n != churnRows || p < 1 || p > 1000 {
		return nil, fmt.Errorf("%s: %d×%d, want %d rows", path, n, p, churnRows)
	}
	x := make([]float64, n*p)
	if err := binary.Read(f, binary.LittleEndian, x); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	series := make([]frame.Series, 0, p+1)
	for j := range p {
		col := make([]float64, n)
		for i := range col {
			col[i] = x[i*p+j]
		}
		series = append(series, frame.Floats(fmt.Sprintf("x%d", j), col))
	}
	y := make([]float64, n)
	if err := binary.Read(f, binary.LittleEndian, y); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return frame.New(append(series, frame.Floats("churned", y))...)
}

// churnRows is the size of the churn benchmark data.
const churnRows = 1_000_000

// churnFile returns the path of the churn matrix, making it (and the CSV
// it comes from, with $MLPIPE_GEN_CHURN, default
// ../bench/gen_churn.py) with python3 when missing, as
// model/churn_bench_test.go does.
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

// BenchmarkCrossValidateChurn: 5-fold stratified cross-validation (not
// shuffled) of a logistic regression (C=1) on the churn matrix, two folds
// at a time, scored by accuracy and ROC AUC: scikit-learn's
// cross_validate(LogisticRegression(), X, y, cv=StratifiedKFold(5),
// n_jobs=2) in ../model/testdata/bench_churn.py, on the same file.
func BenchmarkCrossValidateChurn(b *testing.B) {
	data := churnFrame(b)
	l := evaluate.ModelLearner(model.LogisticRegression{C: 1}, "churned")
	opts := evaluate.CVOptions{
		Splitter: evaluate.StratifiedKFold{K: 5},
		Scorers:  []evaluate.Scorer{evaluate.ScoreAccuracy, evaluate.ScoreROCAUC},
		Workers:  2,
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuSeconds()
	var res *evaluate.CVResult
	var err error
	for b.Loop() {
		if res, err = evaluate.CrossValidate(context.Background(), l, data, "churned", opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	b.ReportMetric(res.Mean("accuracy"), "accuracy")
	b.ReportMetric(res.Mean("roc_auc"), "auc")
}

// cpuSeconds is the process's user plus system CPU time, all threads.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
