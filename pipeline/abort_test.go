package pipeline_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/pipeline"
)

// finisher is a loader that records whether Close or Abort ended its run.
type finisher struct {
	loads, closes, aborts atomic.Int32
	failAt                int32
}

func (f *finisher) Load(ctx context.Context, v int) error {
	if n := f.loads.Add(1); f.failAt > 0 && n == f.failAt {
		return errors.New("load failed")
	}
	return nil
}
func (f *finisher) Close() error { f.closes.Add(1); return nil }
func (f *finisher) Abort() error { f.aborts.Add(1); return nil }

func TestAbortOnFailureCloseOnSuccess(t *testing.T) {
	ctx := context.Background()

	ok := &finisher{}
	if _, err := pipeline.To(pipeline.From(&ints{n: 10}), ok).Run(ctx); err != nil {
		t.Fatal(err)
	}
	if ok.closes.Load() != 1 || ok.aborts.Load() != 0 {
		t.Errorf("successful run: closes=%d aborts=%d, want 1 and 0", ok.closes.Load(), ok.aborts.Load())
	}

	failing := &finisher{failAt: 3}
	if _, err := pipeline.To(pipeline.From(&ints{n: 10}), failing).Run(ctx); err == nil {
		t.Fatal("failing load: no error")
	}
	if failing.closes.Load() != 0 || failing.aborts.Load() != 1 {
		t.Errorf("failed run: closes=%d aborts=%d, want 0 and 1", failing.closes.Load(), failing.aborts.Load())
	}

	cctx, cancel := context.WithCancel(ctx)
	cancelled := &finisher{}
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	if _, err := pipeline.To(pipeline.From(&ints{n: -1}), cancelled).Run(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: err = %v, want context.Canceled", err)
	}
	if cancelled.closes.Load() != 0 || cancelled.aborts.Load() != 1 {
		t.Errorf("cancelled run: closes=%d aborts=%d, want 0 and 1", cancelled.closes.Load(), cancelled.aborts.Load())
	}
}

// A cancelled run writing a CSV file leaves nothing under the final name,
// and an earlier file there is kept as it was.
func TestCancelledRunLeavesNoPartialFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := etl.CreateCSV(out, etl.CSVWriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var batches atomic.Int32
	src := etl.ExtractorFunc[*frame.Frame](func(ctx context.Context, emit func(*frame.Frame) error) error {
		for i := 0; ; i++ {
			f, err := frame.New(frame.Floats("x", []float64{float64(i), float64(i + 1)}))
			if err != nil {
				return err
			}
			if err := emit(f); err != nil {
				return err
			}
			if batches.Add(1) == 50 {
				cancel()
			}
		}
	})
	start := time.Now()
	_, err = pipeline.To(pipeline.From(src), etl.Loader[*frame.Frame](w)).Run(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled run took %v", d)
	}
	got, err := os.ReadFile(out)
	if err != nil || string(got) != "old\n" {
		t.Errorf("final file after a cancelled run = %q, %v; want the old content kept", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only out.csv (no temporary file left)", names)
	}
}
