package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mlpipe/mlpipe/etl"
	"golang.org/x/sync/errgroup"
)

// ErrBadFlow is returned by [Job.Run] for a flow built wrongly: a nil
// extractor, transformer, loader or flow, an empty or repeated stage name, a
// worker count below 1, a negative buffer, or an option given to a stage it
// does not apply to.
var ErrBadFlow = errors.New("invalid flow")

// errEmitAfterReturn is returned by an extractor's emit function when it is
// called after Extract has returned.
var errEmitAfterReturn = errors.New("emit called after Extract returned")

// A Setupper is a stage with work to do before the run starts: open a
// connection, warm a cache, check a schema. [Job.Run] calls Setup once per
// run, on every stage that has it, in chain order, before any value flows;
// the first error stops the run.
type Setupper interface {
	Setup(ctx context.Context) error
}

// A RowCounter is a value that knows how many rows it holds, as
// *frame.Frame does. The run report counts rows for values that implement
// it, and counts 0 rows for values that do not.
type RowCounter interface {
	NumRows() int
}

// An Option configures one stage of a flow. Options are given to [From],
// [Then] and [To]; an option a stage cannot use makes [Job.Run] return
// [ErrBadFlow].
type Option func(*stageConfig)

type stageConfig struct {
	name       string
	named      bool
	workers    int
	workersSet bool
	buffer     int
	bufferSet  bool
	progress   func(ProgressInfo)
}

// Name names a stage in errors and in the [Report]. Without it the stages are
// named "extract", "transform 1", "transform 2", … and "load". Names must be
// non-empty and unique within a flow.
func Name(name string) Option {
	return func(c *stageConfig) { c.name, c.named = name, true }
}

// Workers sets how many goroutines call a [Then] stage's Transform at once
// (default 1). The stage's output keeps its input order whatever the count,
// so the Transformer must be safe for concurrent use when n > 1. It applies
// to Then stages only: an extractor and a loader are always called from one
// goroutine. n below 1 is an error.
func Workers(n int) Option {
	return func(c *stageConfig) { c.workers, c.workersSet = n, true }
}

// Buffer sets the capacity of the channel carrying a stage's output to the
// next stage (default 1). Larger buffers absorb bursts at the cost of more
// values in flight. It applies to [From] and [Then] stages; n below 0 is an
// error.
func Buffer(n int) Option {
	return func(c *stageConfig) { c.buffer, c.bufferSet = n, true }
}

// Progress has f called after each value a stage finishes with: emitted by
// an extractor, passed on by a transformer, loaded by a loader. f is called
// from one goroutine of that stage at a time, in order, while the run goes
// on, so it must return quickly; a nil f turns progress off. Given to [To],
// it reports how much of the data has reached its destination. A panic in f
// fails the run with a [*StageError] whose Op is "progress".
func Progress(f func(ProgressInfo)) Option {
	return func(c *stageConfig) { c.progress = f }
}

// ProgressInfo is what a [Progress] callback receives.
type ProgressInfo struct {
	// Stage is the name of the stage reporting.
	Stage string
	// Batches and Rows count the values the stage has finished with so far,
	// and the rows in them (see [RowCounter]).
	Batches, Rows int64
	// Elapsed is the time since the run started.
	Elapsed time.Duration
}

type stageKind uint8

const (
	kindExtract stageKind = iota
	kindTransform
	kindLoad
)

func (k stageKind) String() string {
	switch k {
	case kindExtract:
		return "extract"
	case kindTransform:
		return "transform"
	default:
		return "load"
	}
}

// node describes one stage; it is immutable once built.
type node struct {
	name     string
	kind     stageKind
	workers  int
	buffer   int
	progress func(ProgressInfo)
	setup    Setupper
	closer   io.Closer
	aborter  etl.Aborter
}

func newNode(kind stageKind, defaultName string, stage any, opts []Option) (*node, error) {
	var c stageConfig
	for _, o := range opts {
		if o == nil {
			continue
		}
		o(&c)
	}
	n := &node{name: defaultName, kind: kind, workers: 1, buffer: 1, progress: c.progress}
	if c.named {
		if c.name == "" {
			return n, fmt.Errorf("%w: %s stage %q: empty name given with Name", ErrBadFlow, kind, defaultName)
		}
		n.name = c.name
	}
	if stage == nil {
		return n, fmt.Errorf("%w: stage %s: nil %s stage", ErrBadFlow, n.name, kind)
	}
	if c.workersSet {
		if kind != kindTransform {
			return n, fmt.Errorf("%w: stage %s: Workers applies to Then stages only, not to %s", ErrBadFlow, n.name, kind)
		}
		if c.workers < 1 {
			return n, fmt.Errorf("%w: stage %s: Workers(%d): need at least 1", ErrBadFlow, n.name, c.workers)
		}
		n.workers = c.workers
	}
	if c.bufferSet {
		if kind == kindLoad {
			return n, fmt.Errorf("%w: stage %s: Buffer applies to From and Then stages, not to load", ErrBadFlow, n.name)
		}
		if c.buffer < 0 {
			return n, fmt.Errorf("%w: stage %s: Buffer(%d): need 0 or more", ErrBadFlow, n.name, c.buffer)
		}
		n.buffer = c.buffer
	}
	if s, ok := stage.(Setupper); ok {
		n.setup = s
	}
	if kind != kindTransform {
		// Transformers are not closed: one may be shared with other flows
		// (a fitted pipeline serving requests, say) and is the caller's to
		// close.
		if cl, ok := stage.(io.Closer); ok {
			n.closer = cl
		}
		if ab, ok := stage.(etl.Aborter); ok && kind == kindLoad {
			n.aborter = ab
		}
	}
	return n, nil
}

// A Flow is the description of a chain of stages producing values of type T:
// an extractor followed by zero or more transformers. It is built with
// [From] and [Then] and finished with [To]; nothing runs until [Job.Run].
// A Flow is immutable, so one Flow may be extended in several ways, from
// several goroutines at once. Building errors (a nil stage, a bad option)
// are kept and returned by Run. The zero Flow is not usable: make one with
// From.
type Flow[T any] struct {
	nodes []*node
	err   error
	build func(r *runner) <-chan T
}

// From starts a flow with an extractor. The extractor's emit function sends
// each value on to the next stage, blocking while that stage is busy
// (back-pressure); it returns an error once the run is failing or cancelled,
// and Extract should then return. emit must not be called concurrently or
// after Extract has returned. If src implements [io.Closer], its Close is
// called once at the end of each run, whether the run succeeded or not; if it
// implements [Setupper], Setup is called before the run. Options: [Name],
// [Buffer], [Progress].
func From[T any](src etl.Extractor[T], opts ...Option) *Flow[T] {
	var stage any
	if src != nil {
		stage = src
	}
	nd, err := newNode(kindExtract, "extract", stage, opts)
	f := &Flow[T]{nodes: []*node{nd}, err: err}
	if err != nil {
		return f
	}
	f.build = func(r *runner) <-chan T { return runExtract(r, 0, src) }
	return f
}

// Then adds a stage that turns each value of p into a value of type Out,
// with [Workers] goroutines (default 1) calling t.Transform at once. Output
// order is input order whatever the worker count. If t implements
// [Setupper], Setup is called before the run; transformers are never closed
// by the flow. p is left unchanged. Options: [Name], [Workers], [Buffer],
// [Progress].
func Then[In, Out any](p *Flow[In], t etl.Transformer[In, Out], opts ...Option) *Flow[Out] {
	if p == nil || (p.build == nil && p.err == nil) {
		return &Flow[Out]{err: fmt.Errorf("%w: Then on a flow not made by From", ErrBadFlow)}
	}
	var stage any
	if t != nil {
		stage = t
	}
	nd, err := newNode(kindTransform, fmt.Sprintf("transform %d", len(p.nodes)), stage, opts)
	f := &Flow[Out]{nodes: append(slices.Clip(p.nodes), nd), err: p.err}
	if f.err == nil {
		f.err = err
	}
	if f.err != nil {
		return f
	}
	idx := len(f.nodes) - 1
	upstream := p.build
	f.build = func(r *runner) <-chan Out {
		in := upstream(r)
		if nd.workers == 1 {
			return runTransform(r, idx, in, t)
		}
		return runParallel(r, idx, in, t)
	}
	return f
}

// A Job is a complete flow, from extractor to loader, ready to [Job.Run].
// It is immutable; see Run for running it more than once. The zero Job is
// not usable: make one with To.
type Job struct {
	nodes []*node
	err   error
	run   func(r *runner)
}

// To finishes a flow with a loader, which receives every value in order from
// one goroutine. If sink implements [io.Closer], its Close is called once at
// the end of each run after the last Load; but when the run failed or was
// cancelled and sink also implements [etl.Aborter] (the etl file and SQL
// writers do), Abort is called instead, so a failed run never commits a
// partial output. If sink implements [Setupper], Setup is called before the
// run.
// Options: [Name], [Progress].
func To[T any](p *Flow[T], sink etl.Loader[T], opts ...Option) *Job {
	if p == nil || (p.build == nil && p.err == nil) {
		return &Job{err: fmt.Errorf("%w: To on a flow not made by From", ErrBadFlow)}
	}
	var stage any
	if sink != nil {
		stage = sink
	}
	nd, err := newNode(kindLoad, "load", stage, opts)
	j := &Job{nodes: append(slices.Clip(p.nodes), nd), err: p.err}
	if j.err == nil {
		j.err = err
	}
	if j.err == nil {
		seen := make(map[string]bool, len(j.nodes))
		for _, n := range j.nodes {
			if seen[n.name] {
				j.err = fmt.Errorf("%w: two stages named %q", ErrBadFlow, n.name)
				break
			}
			seen[n.name] = true
		}
	}
	if j.err != nil {
		return j
	}
	idx := len(j.nodes) - 1
	upstream := p.build
	j.run = func(r *runner) { runLoad(r, idx, upstream(r), sink) }
	return j
}

// Run runs the job: Setup on every stage that has it, then all stages
// concurrently, each in its own goroutines, connected by bounded channels;
// then Close on the extractor and loader if they have it — or, when the run
// failed or was cancelled, Abort on a loader that has it (see [To]). It
// returns when every goroutine it started has exited.
//
// The first error anywhere — from a stage, a Setup, a panic in a stage, or
// ctx — cancels every stage, and Run returns it as a [*StageError] naming the
// stage (and the batch, counting from 0), joined with any Close errors.
// When ctx is cancelled, the error wraps ctx's error, and Run returns as soon
// as the stages return from the calls they are in. A panic in a stage is
// recovered and returned as a [*PanicError] inside the StageError.
// On a badly built flow Run returns an error wrapping [ErrBadFlow] and a
// nil Report; otherwise the Report is non-nil, with the counts so far even
// when the run failed.
//
// Run may be called again after it returns; each run calls Setup and Close
// again, so whether that works depends on the stages. Concurrent runs of one
// Job are safe only if its stages are.
func (j *Job) Run(ctx context.Context) (*Report, error) {
	if j == nil || (j.run == nil && j.err == nil) {
		return nil, fmt.Errorf("%w: Run on a job not made by To", ErrBadFlow)
	}
	if j.err != nil {
		return nil, j.err
	}
	start := time.Now()
	r := &runner{start: start, nodes: j.nodes, stats: make([]stageStats, len(j.nodes))}
	var err error
	for _, n := range j.nodes {
		if n.setup == nil {
			continue
		}
		if err = callSetup(ctx, n); err != nil {
			break
		}
	}
	if err == nil {
		g, gctx := errgroup.WithContext(ctx)
		r.ctx, r.g = gctx, g
		j.run(r)
		err = g.Wait()
	}
	if err != nil && ctx.Err() != nil {
		// Cancelled by the caller: make sure the error says so, whatever
		// the stages made of the cancellation.
		var se *StageError
		switch {
		case !errors.Is(err, ctx.Err()):
			err = fmt.Errorf("pipeline cancelled: %w; %w", ctx.Err(), err)
		case !errors.As(err, &se):
			err = fmt.Errorf("pipeline cancelled: %w", err)
		}
	}
	var closeErrs []error
	for _, n := range j.nodes {
		var cerr error
		switch {
		case err != nil && n.aborter != nil:
			cerr = callFinish(n, "abort", n.aborter.Abort)
		case n.closer != nil:
			cerr = callFinish(n, "close", n.closer.Close)
		}
		if cerr != nil {
			closeErrs = append(closeErrs, cerr)
		}
	}
	if len(closeErrs) > 0 {
		err = errors.Join(append([]error{err}, closeErrs...)...)
	}
	return r.report(time.Since(start)), err
}

// StageError is the error [Job.Run] returns for a failure in one stage. It
// wraps the stage's own error, so errors.Is and errors.As see through it.
type StageError struct {
	// Stage is the stage's name.
	Stage string
	// Op is "setup", "close", "abort", "extract", "progress" (a panic in the
	// Progress function), or "" for a failure on one batch.
	Op string
	// Batch is the index of the batch the stage failed on, counting from 0
	// in the order the stage received them, or -1 when Op is not "".
	Batch int64
	// Err is the stage's error.
	Err error
}

// Error reads "pipeline stage clean batch 12: …" or "pipeline stage load close: …".
func (e *StageError) Error() string {
	if e.Op == "" {
		return fmt.Sprintf("pipeline stage %s batch %d: %v", e.Stage, e.Batch, e.Err)
	}
	return fmt.Sprintf("pipeline stage %s %s: %v", e.Stage, e.Op, e.Err)
}

// Unwrap returns e.Err.
func (e *StageError) Unwrap() error { return e.Err }

// PanicError is a panic recovered in a stage, turned into an error so the
// process does not crash and the other stages are cancelled cleanly.
type PanicError struct {
	// Value is what the stage panicked with.
	Value any
	// Stack is the panicking goroutine's stack trace.
	Stack []byte
}

// Error reads "panic: " and the panic value.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value if it is an error, so errors.Is sees a
// panic(err) as err.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

func stageErr(stage, op string, batch int64, err error) error {
	return &StageError{Stage: stage, Op: op, Batch: batch, Err: err}
}

func recovered(p any) error {
	return &PanicError{Value: p, Stack: debug.Stack()}
}

func callSetup(ctx context.Context, n *node) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = recovered(p)
		}
		if err != nil {
			err = stageErr(n.name, "setup", -1, err)
		}
	}()
	return n.setup.Setup(ctx)
}

// callFinish calls a loader's or extractor's Close or Abort, turning a
// panic into an error and naming the stage and op in the error.
func callFinish(n *node, op string, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = recovered(p)
		}
		if err != nil {
			err = stageErr(n.name, op, -1, err)
		}
	}()
	return f()
}

func callExtract[T any](ctx context.Context, src etl.Extractor[T], emit func(T) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = recovered(p)
		}
	}()
	return src.Extract(ctx, emit)
}

func callTransform[In, Out any](ctx context.Context, t etl.Transformer[In, Out], v In) (o Out, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = recovered(p)
		}
	}()
	return t.Transform(ctx, v)
}

func callLoad[T any](ctx context.Context, l etl.Loader[T], v T) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = recovered(p)
		}
	}()
	return l.Load(ctx, v)
}

// runner is the state of one run.
type runner struct {
	ctx   context.Context
	g     *errgroup.Group
	start time.Time
	nodes []*node
	stats []stageStats
}

// stageStats counts one stage's work. batchesIn, rowsIn and first are
// written by the one goroutine receiving the stage's input; batchesOut,
// rowsOut and end by the one goroutine sending its output (or, for the
// loader, the same receiving goroutine); busy by every worker. The report
// reads them after the errgroup's Wait.
type stageStats struct {
	batchesIn, batchesOut int64
	rowsIn, rowsOut       int64
	busy                  atomic.Int64
	first, end            time.Duration // since the run's start; first < 0 until set
	started               bool
}

func (r *runner) begin(st *stageStats) {
	if !st.started {
		st.started = true
		st.first = time.Since(r.start)
	}
}

func (r *runner) finish(st *stageStats) { st.end = time.Since(r.start) }

// progress calls the stage's Progress function, turning a panic in it into
// an error naming the stage.
func (r *runner) progress(n *node, batches, rows int64) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = stageErr(n.name, "progress", -1, recovered(p))
		}
	}()
	n.progress(ProgressInfo{Stage: n.name, Batches: batches, Rows: rows, Elapsed: time.Since(r.start)})
	return nil
}

var rowCounterType = reflect.TypeFor[RowCounter]()

// rowsOf returns a function counting the rows of a T, or nil when no T can
// have rows: the check by reflection is done once per stage, not per value.
func rowsOf[T any]() func(T) int64 {
	typ := reflect.TypeFor[T]()
	if typ.Kind() != reflect.Interface && !typ.Implements(rowCounterType) {
		return nil
	}
	return func(v T) (n int64) {
		rc, ok := any(v).(RowCounter)
		if !ok {
			return 0
		}
		defer func() {
			if recover() != nil {
				n = 0 // a nil pointer whose NumRows cannot cope: count no rows
			}
		}()
		return int64(rc.NumRows())
	}
}

// recv receives the next value from in. When ctx is done it returns
// ctx.Err(), even if a value was ready too: once the run is failing, no
// stage starts work on another value.
func recv[T any](ctx context.Context, in <-chan T) (v T, ok bool, err error) {
	select {
	case v, ok = <-in:
		select {
		case <-ctx.Done():
			var zero T
			return zero, false, ctx.Err()
		default:
			return v, ok, nil
		}
	case <-ctx.Done():
		return v, false, ctx.Err()
	}
}

func send[T any](ctx context.Context, out chan<- T, v T) error {
	select {
	case out <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func runExtract[T any](r *runner, idx int, src etl.Extractor[T]) <-chan T {
	n, st := r.nodes[idx], &r.stats[idx]
	out := make(chan T, n.buffer)
	rows := rowsOf[T]()
	ctx := r.ctx
	r.g.Go(func() error {
		defer r.finish(st)
		r.begin(st)
		var (
			returned    atomic.Bool
			emitErr     error // the last error emit returned
			progressErr error // a panic in the Progress function
			resumed     = time.Now()
		)
		emit := func(v T) error {
			if returned.Load() {
				return errEmitAfterReturn
			}
			if emitErr != nil {
				return emitErr
			}
			now := time.Now()
			st.busy.Add(int64(now.Sub(resumed)))
			err := send(ctx, out, v)
			resumed = time.Now()
			if err != nil {
				emitErr = err
				return err
			}
			st.batchesOut++
			if rows != nil {
				st.rowsOut += rows(v)
			}
			if n.progress != nil {
				if err := r.progress(n, st.batchesOut, st.rowsOut); err != nil {
					emitErr, progressErr = err, err
					return err
				}
			}
			return nil
		}
		err := callExtract(ctx, src, emit)
		returned.Store(true)
		st.busy.Add(int64(time.Since(resumed)))
		if err == nil {
			// An extractor that swallowed emit's error must not make a
			// failed run look finished.
			err = emitErr
		}
		if progressErr != nil {
			return progressErr
		}
		if err != nil {
			return stageErr(n.name, "extract", -1, err)
		}
		close(out)
		return nil
	})
	return out
}

func runTransform[In, Out any](r *runner, idx int, in <-chan In, t etl.Transformer[In, Out]) <-chan Out {
	n, st := r.nodes[idx], &r.stats[idx]
	out := make(chan Out, n.buffer)
	rowsIn, rowsOut := rowsOf[In](), rowsOf[Out]()
	ctx := r.ctx
	r.g.Go(func() error {
		defer r.finish(st)
		for {
			v, ok, err := recv(ctx, in)
			if err != nil {
				return err
			}
			if !ok {
				close(out)
				return nil
			}
			r.begin(st)
			batch := st.batchesIn
			st.batchesIn++
			if rowsIn != nil {
				st.rowsIn += rowsIn(v)
			}
			t0 := time.Now()
			o, err := callTransform(ctx, t, v)
			st.busy.Add(int64(time.Since(t0)))
			if err != nil {
				return stageErr(n.name, "", batch, err)
			}
			if err := send(ctx, out, o); err != nil {
				return err
			}
			st.batchesOut++
			if rowsOut != nil {
				st.rowsOut += rowsOut(o)
			}
			if n.progress != nil {
				if err := r.progress(n, st.batchesOut, st.rowsOut); err != nil {
					return err
				}
			}
		}
	})
	return out
}

// runParallel runs a transform stage with n.workers > 1 workers and keeps
// its output in input order.
//
// Each worker takes a token, then, holding a lock so that numbering follows
// arrival, receives the next value and numbers it. A collector puts the
// results back in order in a ring of n.workers slots, sends them on, and
// gives each one's token back once it is sent. The tokens bound the values
// inside the stage to n.workers, so a slow value holds back at most
// n.workers-1 finished ones and the ring never overflows.
func runParallel[In, Out any](r *runner, idx int, in <-chan In, t etl.Transformer[In, Out]) <-chan Out {
	n, st := r.nodes[idx], &r.stats[idx]
	workers := n.workers
	out := make(chan Out, n.buffer)
	rowsIn, rowsOut := rowsOf[In](), rowsOf[Out]()
	ctx := r.ctx

	type result struct {
		seq int64
		v   Out
	}
	results := make(chan result, workers)
	tokens := make(chan struct{}, workers)

	var (
		mu      sync.Mutex // serialises receiving and numbering
		nextSeq int64
	)
	take := func() (v In, seq int64, ok bool, err error) {
		mu.Lock()
		defer mu.Unlock()
		v, ok, err = recv(ctx, in)
		if !ok || err != nil {
			return v, 0, ok, err
		}
		seq = nextSeq
		nextSeq++
		r.begin(st)
		st.batchesIn++
		if rowsIn != nil {
			st.rowsIn += rowsIn(v)
		}
		return v, seq, true, nil
	}

	// The workers close results when the last of them returns; the
	// collector then tells a clean end (every worker saw the input end)
	// from a failure by failed.
	var live atomic.Int32
	var failed atomic.Bool
	live.Store(int32(workers))
	for range workers {
		r.g.Go(func() (err error) {
			defer func() {
				if err != nil {
					failed.Store(true)
				}
				if live.Add(-1) == 0 {
					close(results)
				}
			}()
			for {
				if err := send(ctx, tokens, struct{}{}); err != nil {
					return err
				}
				v, seq, ok, err := take()
				if err != nil {
					return err
				}
				if !ok {
					<-tokens
					return nil
				}
				t0 := time.Now()
				o, err := callTransform(ctx, t, v)
				st.busy.Add(int64(time.Since(t0)))
				if err != nil {
					return stageErr(n.name, "", seq, err)
				}
				if err := send(ctx, results, result{seq, o}); err != nil {
					return err
				}
			}
		})
	}

	// Collector.
	r.g.Go(func() error {
		defer r.finish(st)
		slots := make([]Out, workers)
		ready := make([]bool, workers)
		var next int64
		for {
			res, ok, err := recv(ctx, results)
			if err != nil {
				return err
			}
			if !ok {
				if failed.Load() {
					// A worker's error is on its way to the errgroup;
					// let it be the one reported.
					<-ctx.Done()
					return ctx.Err()
				}
				close(out)
				return nil
			}
			k := int(res.seq % int64(workers))
			slots[k], ready[k] = res.v, true
			for k := int(next % int64(workers)); ready[k]; k = int(next % int64(workers)) {
				o := slots[k]
				var zero Out
				slots[k], ready[k] = zero, false
				if err := send(ctx, out, o); err != nil {
					return err
				}
				<-tokens
				next++
				st.batchesOut++
				if rowsOut != nil {
					st.rowsOut += rowsOut(o)
				}
				if n.progress != nil {
					if err := r.progress(n, st.batchesOut, st.rowsOut); err != nil {
						return err
					}
				}
			}
		}
	})
	return out
}

func runLoad[T any](r *runner, idx int, in <-chan T, sink etl.Loader[T]) {
	n, st := r.nodes[idx], &r.stats[idx]
	rows := rowsOf[T]()
	ctx := r.ctx
	r.g.Go(func() error {
		defer r.finish(st)
		for {
			v, ok, err := recv(ctx, in)
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			r.begin(st)
			batch := st.batchesIn
			st.batchesIn++
			var nr int64
			if rows != nil {
				nr = rows(v)
				st.rowsIn += nr
			}
			t0 := time.Now()
			err = callLoad(ctx, sink, v)
			st.busy.Add(int64(time.Since(t0)))
			if err != nil {
				return stageErr(n.name, "", batch, err)
			}
			if n.progress != nil {
				if err := r.progress(n, st.batchesIn, st.rowsIn); err != nil {
					return err
				}
			}
		}
	})
}
