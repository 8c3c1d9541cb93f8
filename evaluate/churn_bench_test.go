package evaluate_test

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"

	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/churnbench"
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
	x, p, y, err := churnbench.Load("..")
	if err != nil {
		return nil, err
	}
	n := len(y)
	series := make([]frame.Series, 0, p+1)
	for j := range p {
		col := make([]float64, n)
		for i := range col {
			col[i] = x[i*p+j]
		}
		series = append(series, frame.Floats(fmt.Sprintf("x%d", j), col))
	}
	return frame.New(append(series, frame.Floats("churned", y))...)
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
