package etl

import (
	"context"
	"fmt"
	"io"

	"golang.org/x/sync/errgroup"

	"github.com/mlpipe/mlpipe/frame"
)

// chunkJob is one piece of input on its way through the parse workers.
type chunkJob struct {
	data []byte
	line int
	done chan chunkResult
}

// chunkResult is what parsing one piece yields.
type chunkResult struct {
	frame   *frame.Frame // nil when no row was kept
	records int          // records read, kept or rejected
	rejects []Rejected
	err     error // under Fail, the first bad record's error
}

// sink receives parsed pieces in input order on the goroutine that called
// Extract: it passes rejects on, counts, and emits frames.
type sink struct {
	name    string
	rejects Loader[Rejected]
	stats   *statCounters
	emit    func(*frame.Frame) error
}

func (s *sink) handle(ctx context.Context, r chunkResult) error {
	s.stats.records.Add(int64(r.records))
	for _, rej := range r.rejects {
		if err := s.rejects.Load(ctx, rej); err != nil {
			return fmt.Errorf("read %s: rejects loader: %w", s.name, err)
		}
		s.stats.rejected.Add(1)
	}
	if r.err != nil {
		return r.err
	}
	if r.frame == nil {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.emit(r.frame); err != nil {
		return err
	}
	s.stats.rows.Add(int64(r.frame.NumRows()))
	s.stats.batches.Add(1)
	return nil
}

// runChunks parses the pending pieces, then the rest of ck's input, with
// workers goroutines, and hands the results to out in input order. A read
// error (readErr, or one from ck) is returned after the pieces before it are
// handled. Every goroutine has stopped when runChunks returns.
func runChunks(ctx context.Context, pending []*chunkJob, readErr error, ck *chunker, workers int,
	parse func(data []byte, line int) chunkResult, out *sink, stats *statCounters) error {
	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx2)
	jobs := make(chan *chunkJob)
	order := make(chan *chunkJob, workers)
	send := func(j *chunkJob) bool {
		select {
		case order <- j:
		case <-gctx.Done():
			return false
		}
		if j.data == nil {
			return true // an error, already done
		}
		select {
		case jobs <- j:
			return true
		case <-gctx.Done():
			return false
		}
	}
	g.Go(func() error {
		defer close(order)
		defer close(jobs)
		for _, j := range pending {
			j.done = make(chan chunkResult, 1)
			if !send(j) {
				return nil
			}
		}
		err := readErr
		for err == nil {
			var data []byte
			var line int
			data, line, err = ck.next()
			stats.bytes.Store(ck.bytes)
			if err == nil && !send(&chunkJob{data: data, line: line, done: make(chan chunkResult, 1)}) {
				return nil
			}
		}
		if err != io.EOF {
			j := &chunkJob{done: make(chan chunkResult, 1)}
			j.done <- chunkResult{err: fmt.Errorf("read %s: %w", out.name, err)}
			send(j)
		}
		return nil
	})
	for range workers {
		g.Go(func() error {
			for j := range jobs {
				j.done <- parse(j.data, j.line)
			}
			return nil
		})
	}
	var err error
	for j := range order {
		var r chunkResult
		select {
		case r = <-j.done:
		case <-gctx.Done():
		}
		if gctx.Err() != nil {
			err = ctx.Err()
			break
		}
		if err = out.handle(ctx, r); err != nil {
			break
		}
	}
	cancel()
	g.Wait() // the goroutines return nil; err holds what went wrong
	if err == nil {
		err = ctx.Err()
	}
	return err
}
