package etl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/mlpipe/mlpipe/frame"
)

// CSVFilesExtractor reads several delimited files as one stream of
// [*frame.Frame] batches: the files in the order given, each file's batches
// in order. Up to [CSVOptions].Files files are read at once, each by its own
// [CSVExtractor], so reading and parsing the next files overlaps with
// handing over the current one's batches; memory holds at most a few
// batches per open file. Make one with [CSVFiles] or [GlobCSV].
//
// All files share one schema: the options' Schema, completed from the
// header and sample of the first file, so every batch has the same columns
// and kinds; a later file whose header names other columns fails with
// [ErrSchema], and its values that do not fit are [*ParseError]s naming that
// file. Rejected records of different files may reach the rejects loader
// interleaved (each file's in order; calls are serialised).
//
// Extract may be called once; Stats may be called concurrently with it.
type CSVFilesExtractor struct {
	paths []string
	opts  CSVOptions
	used  atomic.Bool

	mu    sync.Mutex
	parts []*CSVExtractor
}

var _ Extractor[*frame.Frame] = (*CSVFilesExtractor)(nil)

// CSVFiles returns an extractor of the files at paths (gzip-decompressed
// where a name ends in ".gz"). It returns an error if paths is empty, a
// file does not exist or cannot be opened, or the options are bad.
func CSVFiles(paths []string, opts CSVOptions) (*CSVFilesExtractor, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("read csv files: no paths: %w", ErrOptions)
	}
	if _, err := opts.syntax(); err != nil {
		return nil, err
	}
	if opts.Files < 0 {
		return nil, fmt.Errorf("csv options: negative Files: %w", ErrOptions)
	}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		f.Close()
	}
	return &CSVFilesExtractor{paths: append([]string(nil), paths...), opts: opts}, nil
}

// GlobCSV returns an extractor of the files matching pattern (see
// filepath.Match), in lexical order. It returns an error wrapping
// os.ErrNotExist if nothing matches, or filepath.ErrBadPattern.
func GlobCSV(pattern string, opts CSVOptions) (*CSVFilesExtractor, error) {
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", pattern, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("read %s: no file matches: %w", pattern, os.ErrNotExist)
	}
	return CSVFiles(paths, opts)
}

// Paths returns the files read, in order.
func (x *CSVFilesExtractor) Paths() []string { return append([]string(nil), x.paths...) }

// Stats returns the counts so far, summed over the files.
func (x *CSVFilesExtractor) Stats() Stats {
	x.mu.Lock()
	defer x.mu.Unlock()
	var s Stats
	for _, p := range x.parts {
		if p == nil {
			continue
		}
		t := p.Stats()
		s.Records += t.Records
		s.Rows += t.Rows
		s.Rejected += t.Rejected
		s.Batches += t.Batches
		s.Bytes += t.Bytes
	}
	return s
}

var errProbeDone = errors.New("probe done")

// Extract reads the files and calls emit with each batch, files in order.
// It returns nil after the last file, or the first error in stream order
// (a file's batches before its error are emitted), emit's error, or
// ctx.Err(). A second call returns [ErrConsumed].
func (x *CSVFilesExtractor) Extract(ctx context.Context, emit func(*frame.Frame) error) error {
	if !x.used.CompareAndSwap(false, true) {
		return fmt.Errorf("read %s: %w", x.paths[0], ErrConsumed)
	}
	o := x.opts
	o.Name = ""
	if o.Rejects != nil {
		var mu sync.Mutex
		inner := o.Rejects
		o.Rejects = LoaderFunc[Rejected](func(ctx context.Context, r Rejected) error {
			mu.Lock()
			defer mu.Unlock()
			return inner.Load(ctx, r)
		})
	}
	// Settle the schema on the first file's header and sample.
	probeOpts := o
	probeOpts.BatchRows = max(1, o.InferRows)
	if o.InferRows == 0 {
		probeOpts.BatchRows = DefaultInferRows
	}
	probeOpts.OnError, probeOpts.Rejects = Reject, LoaderFunc[Rejected](func(context.Context, Rejected) error { return nil })
	probe, err := OpenCSV(x.paths[0], probeOpts)
	if err != nil {
		return err
	}
	err = probe.Extract(ctx, func(*frame.Frame) error { return errProbeDone })
	probe.Close()
	if err != nil && !errors.Is(err, errProbeDone) {
		return err
	}
	err = nil
	schema := probe.Schema()
	var names []string
	if len(schema) > 0 {
		o.Schema = make(map[string]frame.Kind, len(schema))
		for _, f := range schema {
			o.Schema[f.Name] = f.Kind
			names = append(names, f.Name)
		}
	}
	files := o.Files
	if files == 0 {
		files = 2
	}

	x.mu.Lock()
	x.parts = make([]*CSVExtractor, len(x.paths))
	x.mu.Unlock()
	ctx2, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx2)
	outs := make([]chan *frame.Frame, len(x.paths))
	errs := make([]error, len(x.paths))
	for i := range outs {
		outs[i] = make(chan *frame.Frame, 1)
	}
	sem := make(chan struct{}, files)
	g.Go(func() error {
		for i, path := range x.paths {
			select {
			case sem <- struct{}{}:
			case <-gctx.Done():
				for _, ch := range outs[i:] {
					close(ch)
				}
				return nil
			}
			g.Go(func() error {
				defer close(outs[i])
				fo := o
				fo.Name = path
				src, err := OpenCSV(path, fo)
				if err != nil {
					errs[i] = err
					return nil
				}
				defer src.Close()
				x.mu.Lock()
				x.parts[i] = src
				x.mu.Unlock()
				errs[i] = src.Extract(gctx, func(f *frame.Frame) error {
					if names != nil && !equalNames(f.Names(), names) {
						return fmt.Errorf("read %s: columns %v, the first file has %v: %w", path, f.Names(), names, ErrSchema)
					}
					select {
					case outs[i] <- f:
						return nil
					case <-gctx.Done():
						return gctx.Err()
					}
				})
				return nil
			})
		}
		return nil
	})
	for i := range x.paths {
		for f := range outs[i] {
			if err == nil {
				if err = ctx.Err(); err == nil {
					err = emit(f)
				}
				if err != nil {
					cancel()
				}
			}
		}
		if err == nil && errs[i] != nil {
			err = errs[i]
			cancel()
		}
		if err != nil {
			break
		}
		<-sem
	}
	cancel()
	// Drain what producers already queued so none blocks, then wait.
	for _, ch := range outs {
		for range ch {
		}
	}
	g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}
