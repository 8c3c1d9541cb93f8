package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/pipeline"
	"go.uber.org/goleak"
)

// ints emits 0, 1, … n-1 (forever when n < 0), counting what it emitted,
// and records Setup and Close calls.
type ints struct {
	n        int
	emitted  atomic.Int64
	setups   atomic.Int32
	closes   atomic.Int32
	setupErr error
	closeErr error
}

func (s *ints) Extract(ctx context.Context, emit func(int) error) error {
	for i := 0; s.n < 0 || i < s.n; i++ {
		if err := emit(i); err != nil {
			return fmt.Errorf("ints: %w", err)
		}
		s.emitted.Add(1)
	}
	return nil
}

func (s *ints) Setup(context.Context) error { s.setups.Add(1); return s.setupErr }
func (s *ints) Close() error                { s.closes.Add(1); return s.closeErr }

// sink collects ints, optionally failing or panicking at one value, and
// records Close calls.
type sink struct {
	etl.Memory[int]
	failAt   int // -1: never
	panicAt  int // -1: never
	closes   atomic.Int32
	closeErr error
}

func newSink() *sink { return &sink{failAt: -1, panicAt: -1} }

var errSink = errors.New("disk full")

func (s *sink) Load(ctx context.Context, v int) error {
	if v == s.failAt {
		return errSink
	}
	if v == s.panicAt {
		panic("sink exploded")
	}
	return s.Memory.Load(ctx, v)
}

func (s *sink) Close() error { s.closes.Add(1); return s.closeErr }

func double(_ context.Context, v int) (int, error) { return 2 * v, nil }

func seq(n, mul int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i * mul
	}
	return out
}

func equalInts(t *testing.T, got, want []int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("value %d = %d, want %d (got %v)", i, got[i], want[i], got[:min(len(got), i+5)])
		}
	}
}

func TestOrderKept(t *testing.T) {
	tests := []struct {
		workers, buffer int
	}{
		{1, 0}, {1, 1}, {2, 0}, {8, 0}, {8, 1}, {8, 16}, {3, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("workers=%d/buffer=%d", tt.workers, tt.buffer), func(t *testing.T) {
			const n = 300
			src := &ints{n: n}
			var busy atomic.Int32
			var maxBusy atomic.Int32
			// Random delays make later values finish before earlier ones.
			jitter := func(ctx context.Context, v int) (string, error) {
				cur := busy.Add(1)
				defer busy.Add(-1)
				for m := maxBusy.Load(); cur > m && !maxBusy.CompareAndSwap(m, cur); m = maxBusy.Load() {
				}
				time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
				return strconv.Itoa(v), nil
			}
			back := func(_ context.Context, s string) (int, error) { return strconv.Atoi(s) }
			out := newSink()
			f1 := pipeline.From[int](src, pipeline.Buffer(tt.buffer))
			f2 := pipeline.Then(f1, etl.TransformerFunc[int, string](jitter), pipeline.Workers(tt.workers), pipeline.Buffer(tt.buffer))
			f3 := pipeline.Then(f2, etl.TransformerFunc[string, int](back), pipeline.Workers(tt.workers))
			f4 := pipeline.Then(f3, etl.TransformerFunc[int, int](double), pipeline.Workers(tt.workers))
			rep, err := pipeline.To[int](f4, out).Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			equalInts(t, out.Items(), seq(n, 2))
			if got := maxBusy.Load(); got > int32(tt.workers) {
				t.Errorf("%d Transform calls at once, want at most %d", got, tt.workers)
			}
			if tt.workers > 1 && maxBusy.Load() < 2 {
				t.Errorf("Transform was never called concurrently with %d workers", tt.workers)
			}
			for _, s := range rep.Stages {
				if s.Kind == "transform" && (s.BatchesIn != n || s.BatchesOut != n || s.Workers != tt.workers) {
					t.Errorf("stage %s: %+v, want %d batches in and out, %d workers", s.Name, s, n, tt.workers)
				}
			}
			if src.closes.Load() != 1 || out.closes.Load() != 1 {
				t.Errorf("Close called %d times on the extractor and %d on the loader, want 1 and 1",
					src.closes.Load(), out.closes.Load())
			}
		})
	}
}

var errBad = errors.New("bad value")

func TestFirstErrorCancelsEveryStage(t *testing.T) {
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			src := &ints{n: -1} // endless: only cancellation stops it
			clean := func(_ context.Context, v int) (int, error) {
				if v == 12 {
					return 0, errBad
				}
				return v, nil
			}
			var after atomic.Int32
			count := func(_ context.Context, v int) (int, error) {
				after.Add(1)
				return v, nil
			}
			out := newSink()
			f := pipeline.Then(pipeline.From[int](src, pipeline.Name("numbers")),
				etl.TransformerFunc[int, int](clean), pipeline.Name("clean"), pipeline.Workers(workers))
			f = pipeline.Then(f, etl.TransformerFunc[int, int](count))
			start := time.Now()
			rep, err := pipeline.To[int](f, out).Run(context.Background())
			goleak.VerifyNone(t) // nothing outlives Run
			if took := time.Since(start); took > time.Second {
				t.Errorf("Run took %v after an error", took)
			}
			if n := after.Load(); n > 12 {
				t.Errorf("the stage after the failing one saw %d values, want at most 12", n)
			}
			if !errors.Is(err, errBad) {
				t.Fatalf("Run error = %v, want %v", err, errBad)
			}
			if want := "pipeline stage clean batch 12: bad value"; err.Error() != want {
				t.Errorf("error reads %q, want %q", err, want)
			}
			var se *pipeline.StageError
			if !errors.As(err, &se) || se.Stage != "clean" || se.Batch != 12 || se.Op != "" {
				t.Errorf("StageError = %+v, want stage clean batch 12", se)
			}
			// Everything loaded is a prefix of the input, and stops before 12.
			got := out.Items()
			equalInts(t, got, seq(len(got), 1))
			if len(got) > 12 {
				t.Errorf("loaded %d values, want at most 12", len(got))
			}
			if rep == nil {
				t.Fatal("nil report on a failed run")
			}
			if s, _ := rep.Stage("clean"); s.BatchesOut > 12 || s.BatchesIn < 13 {
				t.Errorf("clean stage counts %+v: want 13 or more in, at most 12 out", s)
			}
			if src.closes.Load() != 1 || out.closes.Load() != 1 {
				t.Errorf("Close calls: extractor %d, loader %d; want 1 and 1", src.closes.Load(), out.closes.Load())
			}
		})
	}
}

func TestErrorsNameTheStage(t *testing.T) {
	errExtract := errors.New("connection reset")
	badSource := etl.ExtractorFunc[int](func(ctx context.Context, emit func(int) error) error {
		for i := range 3 {
			if err := emit(i); err != nil {
				return err
			}
		}
		return errExtract
	})
	tests := []struct {
		name string
		job  func() (*pipeline.Job, *sink)
		want string
		is   error
	}{
		{
			name: "extractor",
			job: func() (*pipeline.Job, *sink) {
				out := newSink()
				return pipeline.To[int](pipeline.From[int](badSource, pipeline.Name("api")), out), out
			},
			want: "pipeline stage api extract: connection reset",
			is:   errExtract,
		},
		{
			name: "loader",
			job: func() (*pipeline.Job, *sink) {
				out := newSink()
				out.failAt = 5
				return pipeline.To[int](pipeline.From[int](&ints{n: 100}), out, pipeline.Name("db")), out
			},
			want: "pipeline stage db batch 5: disk full",
			is:   errSink,
		},
		{
			name: "loader after a parallel stage",
			job: func() (*pipeline.Job, *sink) {
				out := newSink()
				out.failAt = 40
				f := pipeline.Then(pipeline.From[int](&ints{n: 100}), etl.TransformerFunc[int, int](double), pipeline.Workers(3))
				return pipeline.To[int](f, out), out
			},
			want: "pipeline stage load batch 20: disk full",
			is:   errSink,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job, out := tt.job()
			_, err := job.Run(context.Background())
			if !errors.Is(err, tt.is) || err.Error() != tt.want {
				t.Fatalf("Run error = %v, want %q", err, tt.want)
			}
			if out.closes.Load() != 1 {
				t.Errorf("loader closed %d times, want 1", out.closes.Load())
			}
		})
	}
}

func TestCancelledContext(t *testing.T) {
	tests := []struct {
		name    string
		workers int
		ctx     func() (context.Context, context.CancelFunc)
		is      error
	}{
		{"cancel/1 worker", 1, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(30*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"cancel/4 workers", 4, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(30*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"deadline", 2, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 30*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancelled before Run", 1, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := tt.ctx()
			defer cancel()
			src := &ints{n: -1}
			// A stage that is slow but honours its context.
			slow := func(ctx context.Context, v int) (int, error) {
				select {
				case <-time.After(time.Millisecond):
					return v, nil
				case <-ctx.Done():
					return 0, ctx.Err()
				}
			}
			out := newSink()
			f := pipeline.Then(pipeline.From[int](src), etl.TransformerFunc[int, int](slow), pipeline.Workers(tt.workers))
			f = pipeline.Then(f, etl.TransformerFunc[int, int](double))
			start := time.Now()
			rep, err := pipeline.To[int](f, out).Run(ctx)
			goleak.VerifyNone(t) // nothing outlives Run
			if took := time.Since(start); took > time.Second {
				t.Errorf("Run returned %v after the start, want well under 1s", took)
			}
			if !errors.Is(err, tt.is) {
				t.Fatalf("Run error = %v, want one wrapping %v", err, tt.is)
			}
			if rep == nil {
				t.Fatal("nil report")
			}
			if src.closes.Load() != 1 || out.closes.Load() != 1 {
				t.Errorf("Close calls: extractor %d, loader %d; want 1 and 1", src.closes.Load(), out.closes.Load())
			}
			got := out.Items()
			equalInts(t, got, seq(len(got), 2))
		})
	}
}

// A stage that turns cancellation into an error of its own must not hide
// that the caller cancelled.
func TestCancelledErrorSaysSo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errConn := errors.New("bad connection")
	stubborn := func(ctx context.Context, v int) (int, error) {
		if v == 3 {
			cancel()
			<-ctx.Done()
			return 0, errConn
		}
		return v, nil
	}
	_, err := pipeline.To[int](pipeline.Then(pipeline.From[int](&ints{n: -1}),
		etl.TransformerFunc[int, int](stubborn)), newSink()).Run(ctx)
	// Whichever stage reports first, the caller learns it cancelled.
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error = %v, want one wrapping context.Canceled", err)
	}
	const want = "pipeline cancelled: context canceled; pipeline stage transform 1 batch 3: bad connection"
	if errors.Is(err, errConn) && err.Error() != want {
		t.Errorf("Run error = %q, want %q", err, want)
	}
}

func TestCloseOnceAndReported(t *testing.T) {
	errClose := errors.New("flush failed")
	errClose2 := errors.New("socket closed")
	tests := []struct {
		name      string
		setupErr  error
		sinkErr   error
		srcClose  error
		sinkClose error
		wantIs    []error
		wantNotIs []error
	}{
		{name: "success"},
		{name: "loader close error", sinkClose: errClose, wantIs: []error{errClose}},
		{name: "both close errors", srcClose: errClose2, sinkClose: errClose, wantIs: []error{errClose, errClose2}},
		{name: "run error and close error", sinkErr: errSink, sinkClose: errClose, wantIs: []error{errSink, errClose}},
		{name: "setup error", setupErr: errBad, wantIs: []error{errBad}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &ints{n: 20, setupErr: tt.setupErr, closeErr: tt.srcClose}
			out := newSink()
			out.closeErr = tt.sinkClose
			if tt.sinkErr != nil {
				out.failAt = 7
			}
			_, err := pipeline.To[int](pipeline.From[int](src, pipeline.Name("src")), out, pipeline.Name("dst")).Run(context.Background())
			if len(tt.wantIs) == 0 && err != nil {
				t.Fatalf("Run error = %v, want nil", err)
			}
			for _, want := range tt.wantIs {
				if !errors.Is(err, want) {
					t.Errorf("Run error = %v, want one wrapping %v", err, want)
				}
			}
			if tt.sinkClose != nil && !strings.Contains(err.Error(), "pipeline stage dst close: flush failed") {
				t.Errorf("Run error = %q, want it to name the loader's Close", err)
			}
			if tt.setupErr != nil {
				if err.Error() != "pipeline stage src setup: bad value" {
					t.Errorf("Run error = %q, want the Setup error naming the stage", err)
				}
				if src.emitted.Load() != 0 {
					t.Errorf("%d values emitted after a failed Setup", src.emitted.Load())
				}
			}
			if src.setups.Load() != 1 {
				t.Errorf("Setup called %d times, want 1", src.setups.Load())
			}
			if src.closes.Load() != 1 || out.closes.Load() != 1 {
				t.Errorf("Close calls: extractor %d, loader %d; want 1 and 1", src.closes.Load(), out.closes.Load())
			}
		})
	}
}

type setupTransform struct {
	calls   atomic.Int32
	ready   atomic.Bool
	closes  atomic.Int32
	touched atomic.Bool
}

func (s *setupTransform) Setup(context.Context) error {
	s.calls.Add(1)
	s.ready.Store(true)
	return nil
}
func (s *setupTransform) Close() error { s.closes.Add(1); return nil }
func (s *setupTransform) Transform(_ context.Context, v int) (int, error) {
	if !s.ready.Load() {
		return 0, errors.New("Transform before Setup")
	}
	s.touched.Store(true)
	return v, nil
}

func TestSetupBeforeRunAndTransformersNotClosed(t *testing.T) {
	tr := &setupTransform{}
	out := newSink()
	if _, err := pipeline.To[int](pipeline.Then(pipeline.From[int](&ints{n: 5}), tr), out).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if tr.calls.Load() != 1 || !tr.touched.Load() {
		t.Errorf("Setup called %d times (want 1), Transform called: %v", tr.calls.Load(), tr.touched.Load())
	}
	if tr.closes.Load() != 0 {
		t.Errorf("transformer closed %d times; transformers belong to the caller", tr.closes.Load())
	}
}

func TestPanicBecomesError(t *testing.T) {
	boom := func(_ context.Context, v int) (int, error) {
		if v == 4 {
			panic("boom")
		}
		return v, nil
	}
	errPanic := errors.New("typed panic")
	tests := []struct {
		name  string
		job   func() *pipeline.Job
		want  string
		value any
	}{
		{"transform", func() *pipeline.Job {
			return pipeline.To[int](pipeline.Then(pipeline.From[int](&ints{n: 10}), etl.TransformerFunc[int, int](boom), pipeline.Name("clean")), newSink())
		}, "pipeline stage clean batch 4: panic: boom", "boom"},
		{"parallel transform", func() *pipeline.Job {
			return pipeline.To[int](pipeline.Then(pipeline.From[int](&ints{n: 10}), etl.TransformerFunc[int, int](boom), pipeline.Name("clean"), pipeline.Workers(3)), newSink())
		}, "pipeline stage clean batch 4: panic: boom", "boom"},
		{"extractor", func() *pipeline.Job {
			src := etl.ExtractorFunc[int](func(context.Context, func(int) error) error { panic(errPanic) })
			return pipeline.To[int](pipeline.From[int](src), newSink())
		}, "pipeline stage extract extract: panic: typed panic", errPanic},
		{"loader", func() *pipeline.Job {
			out := newSink()
			out.panicAt = 6
			return pipeline.To[int](pipeline.From[int](&ints{n: 10}), out)
		}, "pipeline stage load batch 6: panic: sink exploded", "sink exploded"},
		{"progress of the loader", func() *pipeline.Job {
			bar := pipeline.Progress(func(pipeline.ProgressInfo) { panic("bar too long") })
			return pipeline.To[int](pipeline.From[int](&ints{n: 5}), newSink(), bar)
		}, "pipeline stage load progress: panic: bar too long", "bar too long"},
		{"progress of the extractor", func() *pipeline.Job {
			bar := pipeline.Progress(func(pipeline.ProgressInfo) { panic("bar too long") })
			return pipeline.To[int](pipeline.From[int](&ints{n: 5}, bar), newSink())
		}, "pipeline stage extract progress: panic: bar too long", "bar too long"},
		{"progress of a parallel stage", func() *pipeline.Job {
			bar := pipeline.Progress(func(pipeline.ProgressInfo) { panic("bar too long") })
			return pipeline.To[int](pipeline.Then(pipeline.From[int](&ints{n: 5}), etl.TransformerFunc[int, int](double), bar, pipeline.Workers(2)), newSink())
		}, "pipeline stage transform 1 progress: panic: bar too long", "bar too long"},
		{"close", func() *pipeline.Job {
			l := &panicCloser{}
			return pipeline.To[int](pipeline.From[int](&ints{n: 1}), l)
		}, "pipeline stage load close: panic: close exploded", "close exploded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.job().Run(context.Background())
			goleak.VerifyNone(t) // nothing outlives Run
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Run error = %v, want %q", err, tt.want)
			}
			var pe *pipeline.PanicError
			if !errors.As(err, &pe) || pe.Value != tt.value || !strings.Contains(string(pe.Stack), "goroutine") {
				t.Fatalf("PanicError = %+v, want value %v with a stack", pe, tt.value)
			}
			if e, ok := tt.value.(error); ok && !errors.Is(err, e) {
				t.Errorf("errors.Is does not see the panicked error %v", e)
			}
		})
	}
}

type panicCloser struct{ etl.Memory[int] }

func (*panicCloser) Close() error { panic("close exploded") }

// The number of values between the extractor and the loader is bounded: a
// loader that stops stops the extractor after a known number of values.
func TestBackPressure(t *testing.T) {
	tests := []struct {
		workers, buffer int
	}{
		{1, 0}, {1, 1}, {1, 5}, {4, 0}, {4, 1}, {8, 2},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("workers=%d/buffer=%d", tt.workers, tt.buffer), func(t *testing.T) {
			src := &ints{n: 10_000}
			release := make(chan struct{})
			var loading atomic.Int32
			blocked := etl.LoaderFunc[int](func(ctx context.Context, v int) error {
				loading.Store(1)
				select {
				case <-release:
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			f := pipeline.Then(pipeline.From[int](src, pipeline.Buffer(tt.buffer)),
				etl.TransformerFunc[int, int](double), pipeline.Workers(tt.workers), pipeline.Buffer(tt.buffer))
			job := pipeline.To[int](f, blocked)
			done := make(chan error, 1)
			go func() { _, err := job.Run(context.Background()); done <- err }()

			// In flight: each channel's buffer, one value per worker of the
			// transform stage, and the one the loader holds.
			bound := int64(tt.buffer + tt.workers + tt.buffer + 1)

			deadline := time.Now().Add(2 * time.Second)
			for (loading.Load() == 0 || src.emitted.Load() < bound) && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(20 * time.Millisecond) // would it go on?
			if got := src.emitted.Load(); got != bound {
				t.Errorf("%d values emitted while the loader is stuck on its first, want exactly %d", got, bound)
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if src.emitted.Load() != 10_000 {
				t.Errorf("emitted %d values after release, want 10000", src.emitted.Load())
			}
		})
	}
}

func frameOf(t testing.TB, n int) *frame.Frame {
	t.Helper()
	f, err := frame.New(frame.Floats("x", seqFloat(n)))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func seqFloat(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i)
	}
	return v
}

func TestReportCounts(t *testing.T) {
	batches := etl.Slice[*frame.Frame]{frameOf(t, 10), frameOf(t, 20), frameOf(t, 30), frameOf(t, 0)}
	evens := func(_ context.Context, f *frame.Frame) (*frame.Frame, error) {
		x, err := f.Float("x")
		if err != nil {
			return nil, err
		}
		return f.Filter(func(i int) bool { return int(x[i])%2 == 0 }), nil
	}
	width := func(_ context.Context, f *frame.Frame) (int, error) { return f.NumRows(), nil }
	var sizes etl.Memory[int]
	var progress []pipeline.ProgressInfo
	p1 := pipeline.Then(pipeline.From[*frame.Frame](batches, pipeline.Name("read")),
		etl.TransformerFunc[*frame.Frame, *frame.Frame](evens), pipeline.Name("evens"), pipeline.Workers(2))
	p2 := pipeline.Then(p1, etl.TransformerFunc[*frame.Frame, int](width), pipeline.Name("width"))
	job := pipeline.To[int](p2, &sizes, pipeline.Name("sizes"),
		pipeline.Progress(func(pi pipeline.ProgressInfo) { progress = append(progress, pi) }))
	rep, err := job.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	equalInts(t, sizes.Items(), []int{5, 10, 15, 0})
	want := []struct {
		name, kind                       string
		workers                          int
		batchIn, batchOut, rowIn, rowOut int64
	}{
		{"read", "extract", 1, 0, 4, 0, 60},
		{"evens", "transform", 2, 4, 4, 60, 30},
		{"width", "transform", 1, 4, 4, 30, 0}, // ints are not RowCounters
		{"sizes", "load", 1, 4, 0, 0, 0},
	}
	if len(rep.Stages) != len(want) {
		t.Fatalf("report has %d stages, want %d", len(rep.Stages), len(want))
	}
	for i, w := range want {
		s := rep.Stages[i]
		if s.Name != w.name || s.Kind != w.kind || s.Workers != w.workers || s.BatchesIn != w.batchIn ||
			s.BatchesOut != w.batchOut || s.RowsIn != w.rowIn || s.RowsOut != w.rowOut {
			t.Errorf("stage %d = %+v, want %+v", i, s, w)
		}
		if s.Wall < 0 || s.Busy < 0 || s.Wall > rep.Wall {
			t.Errorf("stage %s times: busy %v wall %v (run %v)", s.Name, s.Busy, s.Wall, rep.Wall)
		}
	}
	if rep.BatchesIn != 4 || rep.RowsIn != 60 || rep.BatchesOut != 4 || rep.RowsOut != 0 {
		t.Errorf("totals: %+v", rep)
	}
	var busy time.Duration
	for _, s := range rep.Stages {
		busy += s.Busy
	}
	if rep.Busy != busy {
		t.Errorf("total busy %v, want the sum %v", rep.Busy, busy)
	}
	if len(progress) != 4 || progress[3].Batches != 4 || progress[3].Stage != "sizes" || progress[3].Elapsed <= 0 {
		t.Errorf("progress calls = %+v, want 4 ending at batch 4", progress)
	}

	// JSON round trip.
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back pipeline.Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Stages[1] != rep.Stages[1] || back.Wall != rep.Wall || back.RowsIn != 60 {
		t.Errorf("JSON round trip changed the report: %s", data)
	}
	if !strings.Contains(string(data), `"rows_in":60`) || !strings.Contains(string(data), `"name":"evens"`) {
		t.Errorf("JSON lacks expected fields: %s", data)
	}

	// Text table: a header, one line per stage, a total.
	lines := strings.Split(strings.TrimRight(rep.String(), "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("String() has %d lines, want 6:\n%s", len(lines), rep)
	}
	if f := strings.Fields(lines[2]); len(f) != 9 || f[0] != "evens" || f[2] != "2" || f[5] != "60" || f[6] != "30" {
		t.Errorf("stage line %q, want evens with 2 workers, 60 rows in, 30 out", lines[2])
	}
	if f := strings.Fields(lines[5]); f[0] != "total" || f[1] != "4" || f[3] != "60" {
		t.Errorf("total line %q", lines[5])
	}
}

// Values of an interface type are counted one by one.
func TestReportCountsInterfaceValues(t *testing.T) {
	src := etl.Slice[any]{frameOf(t, 7), "not a frame", (*frame.Frame)(nil), frameOf(t, 3)}
	var out etl.Memory[any]
	rep, err := pipeline.To[any](pipeline.From[any](src), &out).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Stages[0]; s.BatchesOut != 4 || s.RowsOut != 10 {
		t.Errorf("extract stage = %+v, want 4 batches, 10 rows", s)
	}
	if rep.RowsOut != 10 || out.Len() != 4 {
		t.Errorf("loaded %d rows in %d values, want 10 in 4", rep.RowsOut, out.Len())
	}
}

func TestProgressFromEveryStageKind(t *testing.T) {
	var mu sync.Mutex
	calls := map[string][]int64{}
	record := func(pi pipeline.ProgressInfo) {
		mu.Lock()
		calls[pi.Stage] = append(calls[pi.Stage], pi.Batches)
		mu.Unlock()
	}
	f := pipeline.From[int](&ints{n: 5}, pipeline.Progress(record), pipeline.Name("src"))
	g := pipeline.Then(f, etl.TransformerFunc[int, int](double), pipeline.Progress(record), pipeline.Workers(2), pipeline.Name("mid"))
	if _, err := pipeline.To[int](g, newSink(), pipeline.Progress(record), pipeline.Name("dst")).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, stage := range []string{"src", "mid", "dst"} {
		if got := fmt.Sprint(calls[stage]); got != "[1 2 3 4 5]" {
			t.Errorf("progress of %s: batches %s, want [1 2 3 4 5]", stage, got)
		}
	}
}

func TestBadFlow(t *testing.T) {
	src := &ints{n: 3}
	id := etl.TransformerFunc[int, int](double)
	var nilFlow *pipeline.Flow[int]
	tests := []struct {
		name string
		job  *pipeline.Job
		want string
	}{
		{"nil extractor", pipeline.To[int](pipeline.From[int](nil), newSink()), "nil extract stage"},
		{"nil transformer", pipeline.To[int](pipeline.Then[int, int](pipeline.From[int](src), nil), newSink()), "nil transform stage"},
		{"nil loader", pipeline.To[int](pipeline.From[int](src), nil), "nil load stage"},
		{"nil flow in Then", pipeline.To[int](pipeline.Then[int, int](nilFlow, id), newSink()), "Then on a flow not made by From"},
		{"zero flow", pipeline.To(&pipeline.Flow[int]{}, newSink()), "To on a flow not made by From"},
		{"nil flow in To", pipeline.To[int](nilFlow, newSink()), "To on a flow not made by From"},
		{"zero workers", pipeline.To[int](pipeline.Then(pipeline.From[int](src), id, pipeline.Workers(0)), newSink()), "Workers(0)"},
		{"workers on From", pipeline.To[int](pipeline.From[int](src, pipeline.Workers(2)), newSink()), "Workers applies to Then stages only"},
		{"workers on To", pipeline.To[int](pipeline.From[int](src), newSink(), pipeline.Workers(2)), "Workers applies to Then stages only"},
		{"negative buffer", pipeline.To[int](pipeline.From[int](src, pipeline.Buffer(-1)), newSink()), "Buffer(-1)"},
		{"buffer on To", pipeline.To[int](pipeline.From[int](src), newSink(), pipeline.Buffer(2)), "Buffer applies to From and Then"},
		{"empty name", pipeline.To[int](pipeline.From[int](src, pipeline.Name("")), newSink()), "empty name"},
		{"duplicate names", pipeline.To[int](pipeline.Then(pipeline.From[int](src, pipeline.Name("a")), id, pipeline.Name("a")), newSink()), `two stages named "a"`},
		{"error kept through Then", pipeline.To[int](pipeline.Then(pipeline.From[int](nil), id), newSink()), "nil extract stage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := tt.job.Run(context.Background())
			if !errors.Is(err, pipeline.ErrBadFlow) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Run error = %v, want ErrBadFlow mentioning %q", err, tt.want)
			}
			if rep != nil {
				t.Errorf("report %v for a flow that never ran", rep)
			}
		})
	}
	var nilJob *pipeline.Job
	for _, j := range []*pipeline.Job{nilJob, {}} {
		if _, err := j.Run(context.Background()); !errors.Is(err, pipeline.ErrBadFlow) {
			t.Errorf("Job %v: Run error = %v, want ErrBadFlow", j, err)
		}
	}
	if src.emitted.Load() != 0 || src.setups.Load() != 0 {
		t.Errorf("a bad flow touched its extractor")
	}
}

// An extractor that swallows emit's error must not make a failed run look
// like a success, and emit called after Extract returned is refused.
func TestMisbehavingExtractor(t *testing.T) {
	var saved func(int) error
	swallow := etl.ExtractorFunc[int](func(ctx context.Context, emit func(int) error) error {
		saved = emit
		for i := range 1000 {
			_ = emit(i)
		}
		return nil
	})
	out := newSink()
	out.failAt = 2
	_, err := pipeline.To[int](pipeline.From[int](swallow), out).Run(context.Background())
	if !errors.Is(err, errSink) {
		t.Fatalf("Run error = %v, want the loader's error", err)
	}
	if err := saved(1); err == nil {
		t.Error("emit after Extract returned gave no error")
	}
}

// A Flow is a description: it can be extended twice and a Job run twice.
func TestFlowAndJobReuse(t *testing.T) {
	base := pipeline.Then(pipeline.From[int](etl.Slice[int]{1, 2, 3}), etl.TransformerFunc[int, int](double))
	toString := pipeline.Then(base, etl.TransformerFunc[int, string](func(_ context.Context, v int) (string, error) {
		return strconv.Itoa(v), nil
	}))
	plusOne := pipeline.Then(base, etl.TransformerFunc[int, int](func(_ context.Context, v int) (int, error) { return v + 1, nil }))
	var strs etl.Memory[string]
	var nums etl.Memory[int]
	strJob := pipeline.To[string](toString, &strs)
	for range 2 {
		if _, err := strJob.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := pipeline.To[int](plusOne, &nums).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(strs.Items()); got != "[2 4 6 2 4 6]" {
		t.Errorf("two runs loaded %s, want [2 4 6 2 4 6]", got)
	}
	equalInts(t, nums.Items(), []int{3, 5, 7})
	if rep.Stages[2].Name != "transform 2" {
		t.Errorf("default name %q, want %q", rep.Stages[2].Name, "transform 2")
	}
}

func benchmarkFlow(b *testing.B, workers, buffer int) {
	inc := etl.TransformerFunc[int, int](func(_ context.Context, v int) (int, error) { return v + 1, nil })
	src := etl.ExtractorFunc[int](func(ctx context.Context, emit func(int) error) error {
		for i := range b.N {
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	})
	var sum int
	sink := etl.LoaderFunc[int](func(_ context.Context, v int) error { sum += v; return nil })
	f := pipeline.From[int](src, pipeline.Buffer(buffer))
	for range 3 {
		f = pipeline.Then(f, inc, pipeline.Workers(workers), pipeline.Buffer(buffer))
	}
	job := pipeline.To[int](f, sink)
	b.ReportAllocs()
	b.ResetTimer()
	if _, err := job.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	if want := b.N*(b.N-1)/2 + 3*b.N; sum != want {
		b.Fatalf("sum %d, want %d", sum, want)
	}
}

// BenchmarkFlow measures the per-value cost of the machinery: one op is one
// int through an extractor, three trivial transforms and a loader.
func BenchmarkFlow(b *testing.B) {
	for _, bc := range []struct{ workers, buffer int }{{1, 0}, {1, 1}, {1, 16}, {4, 1}, {4, 16}} {
		b.Run(fmt.Sprintf("workers=%d/buffer=%d", bc.workers, bc.buffer), func(b *testing.B) {
			benchmarkFlow(b, bc.workers, bc.buffer)
		})
	}
}

// orderedSetup records its Setup in a shared log and may fail it.
type orderedSetup struct {
	name string
	log  *[]string
	fail bool
}

func (s orderedSetup) Setup(context.Context) error {
	*s.log = append(*s.log, s.name)
	if s.fail {
		return errBad
	}
	return nil
}

func (s orderedSetup) Transform(_ context.Context, v int) (int, error) { return v, nil }

func TestSetupInChainOrderStopsAtFirstError(t *testing.T) {
	tests := []struct {
		failAt int // index of the transform whose Setup fails; -1: none
		want   string
	}{
		{-1, "[a b c]"},
		{1, "[a b]"},
		{0, "[a]"},
	}
	for _, tt := range tests {
		var log []string
		src := &ints{n: 4}
		out := newSink()
		f := pipeline.From[int](src)
		for i, name := range []string{"a", "b", "c"} {
			f = pipeline.Then(f, etl.Transformer[int, int](orderedSetup{name, &log, i == tt.failAt}), pipeline.Name(name))
		}
		_, err := pipeline.To[int](f, out).Run(context.Background())
		if got := fmt.Sprint(log); got != tt.want {
			t.Errorf("failAt %d: Setup calls %s, want %s", tt.failAt, got, tt.want)
		}
		if (tt.failAt >= 0) != errors.Is(err, errBad) {
			t.Errorf("failAt %d: Run error = %v", tt.failAt, err)
		}
		if tt.failAt >= 0 && (src.emitted.Load() != 0 || out.Len() != 0) {
			t.Errorf("failAt %d: values flowed after a failed Setup", tt.failAt)
		}
		if src.closes.Load() != 1 || out.closes.Load() != 1 {
			t.Errorf("failAt %d: Close calls: extractor %d, loader %d; want 1 and 1", tt.failAt, src.closes.Load(), out.closes.Load())
		}
	}
}
