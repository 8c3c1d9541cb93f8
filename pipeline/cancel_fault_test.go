package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
)

// cancelWithin is how soon a cancelled run must return.
const cancelWithin = time.Second

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestFlowCancelledAtRandomPoints runs CSV file → transform (two workers)
// → CSV, Parquet or JSON Lines file, and cancels it at a random moment
// (seeded, so a failure repeats): after a random delay, or from inside the
// source, the transform or the sink after a random number of batches. Each
// run returns within a second of the cancellation, leaves no goroutine,
// leaves the input untouched, and leaves under the final name either the
// file that was there before (or none), or — when the run finished before
// the cancellation — the whole output; never a part, and no temporary file.
func TestFlowCancelledAtRandomPoints(t *testing.T) {
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	const rows = 30_000
	if err := os.WriteFile(input, churnCSV(rows, 11), 0o644); err != nil {
		t.Fatal(err)
	}
	inputSum := fileSum(t, input)
	sinks := []struct {
		ext    string
		create func(path string) (fileSink, error)
		read   func(path string) (int, error)
	}{
		{".csv", func(p string) (fileSink, error) { return etl.CreateCSV(p, etl.CSVWriterOptions{}) },
			func(p string) (int, error) { return countRowsOf(etl.OpenCSV(p, etl.CSVOptions{})) }},
		{".parquet", func(p string) (fileSink, error) { return etl.CreateParquet(p, etl.ParquetWriterOptions{}) },
			func(p string) (int, error) { return countRowsOf(etl.OpenParquet(p, etl.ParquetOptions{})) }},
		{".jsonl", func(p string) (fileSink, error) {
			return etl.CreateJSONLines(p, etl.JSONLinesWriterOptions{})
		}, func(p string) (int, error) { return countRowsOf(etl.OpenJSONLines(p, etl.RecordOptions{})) }},
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	cancelled, finished := 0, 0
	for round := range 12 {
		sk := sinks[round%len(sinks)]
		where := []string{"timer", "source", "transform", "sink"}[rng.IntN(4)]
		after := 1 + rng.IntN(40)                                   // batches
		delay := time.Duration(rng.IntN(30_000)) * time.Microsecond // for the timer
		name := fmt.Sprintf("round%d-%s-%d%s", round, where, after, sk.ext)
		t.Run(name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			outDir := t.TempDir()
			out := filepath.Join(outDir, "out"+sk.ext)
			old := round%2 == 0
			if old {
				if err := os.WriteFile(out, []byte("previous output\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var cancelledAt atomic.Int64 // Unix nanoseconds of the first cancel
			cancelNow := func() {
				cancelledAt.CompareAndSwap(0, time.Now().UnixNano())
				cancel()
			}
			var timer *time.Timer
			if where == "timer" {
				timer = time.AfterFunc(delay, cancelNow)
				defer timer.Stop()
			}
			src, err := etl.OpenCSV(input, etl.CSVOptions{BatchRows: 500})
			if err != nil {
				t.Fatal(err)
			}
			counted := func(at string, n *atomic.Int32) {
				if where == at && int(n.Add(1)) == after {
					cancelNow()
				}
			}
			var nSrc, nTr, nSink atomic.Int32
			source := etl.ExtractorFunc[*frame.Frame](func(ctx context.Context, emit func(*frame.Frame) error) error {
				defer src.Close()
				return src.Extract(ctx, func(f *frame.Frame) error {
					counted("source", &nSrc)
					return emit(f)
				})
			})
			double := etl.TransformerFunc[*frame.Frame, *frame.Frame](func(_ context.Context, f *frame.Frame) (*frame.Frame, error) {
				counted("transform", &nTr)
				spend, err := f.Float("spend")
				if err != nil {
					return nil, err
				}
				d := make([]float64, len(spend))
				for i, v := range spend {
					d[i] = 2 * v
				}
				return f.With("spend2", frame.NewFloat(d))
			})
			sink, err := sk.create(out)
			if err != nil {
				t.Fatal(err)
			}
			counting := etl.LoaderFunc[*frame.Frame](func(ctx context.Context, f *frame.Frame) error {
				counted("sink", &nSink)
				return sink.Load(ctx, f)
			})
			job := To(Then(From(source), double, Workers(2)), loaderWithFinish{counting, sink})
			_, err = job.Run(ctx)
			returned := time.Now()
			if at := cancelledAt.Load(); at != 0 && returned.Sub(time.Unix(0, at)) > cancelWithin {
				t.Errorf("returned %v after the cancellation", returned.Sub(time.Unix(0, at)))
			}
			if fileSum(t, input) != inputSum {
				t.Fatal("the input file changed")
			}
			entries, _ := os.ReadDir(outDir)
			if len(entries) > 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("output directory holds %v: a temporary file was left", names)
			}
			switch {
			case err == nil:
				finished++
				n, rerr := sk.read(out)
				if rerr != nil || n != rows {
					t.Fatalf("finished run: output holds %d rows, %v; want %d", n, rerr, rows)
				}
			case errors.Is(err, context.Canceled):
				cancelled++
				got, rerr := os.ReadFile(out)
				switch {
				case old && (rerr != nil || string(got) != "previous output\n"):
					t.Fatalf("cancelled run replaced the previous output: %q, %v", clip(got), rerr)
				case !old && !errors.Is(rerr, os.ErrNotExist):
					t.Fatalf("cancelled run left a file under the final name: %q, %v", clip(got), rerr)
				}
			default:
				t.Fatalf("run: %v", err)
			}
		})
	}
	t.Logf("%d runs cancelled, %d finished before the cancellation", cancelled, finished)
	if cancelled < 6 {
		t.Errorf("only %d of 12 runs were cancelled mid-way", cancelled)
	}
}

func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

// fileSink is what the etl file writers are: a Loader that commits at Close
// and discards at Abort.
type fileSink interface {
	etl.Loader[*frame.Frame]
	Close() error
	Abort() error
}

// loaderWithFinish is a Loader whose Close and Abort are another's: a
// counting wrapper around a file sink.
type loaderWithFinish struct {
	etl.Loader[*frame.Frame]
	fin fileSink
}

func (l loaderWithFinish) Close() error { return l.fin.Close() }
func (l loaderWithFinish) Abort() error { return l.fin.Abort() }

func countRowsOf[X etl.Extractor[*frame.Frame]](x X, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	if c, ok := any(x).(interface{ Close() error }); ok {
		defer c.Close()
	}
	n := 0
	err = x.Extract(context.Background(), func(f *frame.Frame) error { n += f.NumRows(); return nil })
	return n, err
}

// TestMLCancelledAtRandomPoints cancels ML.Fit and a cross-validation of the
// whole pipeline at random moments (seeded): each returns context.Canceled
// within a second of the cancellation and leaves no goroutine.
func TestMLCancelledAtRandomPoints(t *testing.T) {
	data, err := etlRead(churnCSV(20_000, 5))
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]ML{
		"logistic": churnSpec(2),
		"forest": {Steps: []preprocess.Step{preprocess.Impute(preprocess.Median, "tenure"), preprocess.OneHot("plan")},
			Model: model.RandomForest{Trees: 200, Workers: 2}, Target: "churned"},
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for name, spec := range specs {
		for _, what := range []string{"fit", "cross-validate"} {
			for range 3 {
				delay := time.Duration(rng.IntN(50_000)) * time.Microsecond
				t.Run(fmt.Sprintf("%s/%s/%v", name, what, delay), func(t *testing.T) {
					defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
					ctx, cancel := context.WithCancel(context.Background())
					var cancelledAt atomic.Int64
					timer := time.AfterFunc(delay, func() { cancelledAt.Store(time.Now().UnixNano()); cancel() })
					var err error
					if what == "fit" {
						_, err = spec.Fit(ctx, data)
					} else {
						_, err = evaluate.CrossValidate(ctx, spec.Learner(), data, "churned", evaluate.CVOptions{Workers: 2})
					}
					returned := time.Now()
					if !timer.Stop() {
						if !errors.Is(err, context.Canceled) && err != nil {
							t.Fatalf("cancelled %s: %v", what, err)
						}
						if d := returned.Sub(time.Unix(0, cancelledAt.Load())); err != nil && d > cancelWithin {
							t.Errorf("returned %v after the cancellation", d)
						}
					} else if err != nil {
						t.Fatalf("%s: %v", what, err)
					}
					cancel()
				})
			}
		}
	}
}

func etlRead(data []byte) (*frame.Frame, error) {
	var frames []*frame.Frame
	err := etl.CSV(bytes.NewReader(data), etl.CSVOptions{}).Extract(context.Background(), func(f *frame.Frame) error {
		frames = append(frames, f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return frame.Concat(frames...)
}
