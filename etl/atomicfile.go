package etl

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// atomicFile is a temporary file that becomes path on commit and vanishes
// on abort, so path never holds a partial write.
type atomicFile struct {
	f    *os.File
	path string
}

func createAtomic(path string) (*atomicFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &atomicFile{f: f, path: path}, nil
}

// commit syncs, closes and renames the file to its final path; on failure it
// removes the temporary file.
func (a *atomicFile) commit() error {
	err := a.f.Sync()
	if e := a.f.Close(); err == nil {
		err = e
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
	}
	return err
}

// abort closes and removes the temporary file.
func (a *atomicFile) abort() error {
	cerr := a.f.Close()
	rerr := os.Remove(a.f.Name())
	if errors.Is(cerr, os.ErrClosed) {
		cerr = nil
	}
	return errors.Join(cerr, rerr)
}

// runFailed returns an error if ctx, the context of a sink's last Load,
// says the run failed: cancelled with a cause other than context.Canceled,
// as errgroup cancels its context with the first error of a failing run
// (and with context.Canceled when a successful run ends, which must not
// discard the output), or past its deadline. A plain cancellation is not
// taken as failure: the runner should call Abort for that.
func runFailed(ctx context.Context, what string) error {
	if ctx == nil || ctx.Err() == nil {
		return nil
	}
	cause := context.Cause(ctx)
	if cause == context.Canceled {
		return nil
	}
	return fmt.Errorf("%s: run failed: %w", what, cause)
}

// output is the buffered, optionally gzip-compressed, optionally atomic
// destination shared by the file sinks. Its lock serialises Load, Close and
// Abort.
type output struct {
	mu     sync.Mutex
	name   string
	bw     *bufio.Writer
	zw     *gzip.Writer
	file   *atomicFile
	err    error // sticky: the first write error
	closed bool
	ctx    context.Context // the last Load's, checked by Close
}

func newOutput(w io.Writer, name string) *output {
	return &output{name: name, bw: bufio.NewWriterSize(w, 256<<10)}
}

// createOutput opens an atomic file at path, through gzip for ".gz".
func createOutput(path, name string) (*output, error) {
	af, err := createAtomic(path)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	var w io.Writer = af.f
	var zw *gzip.Writer
	if strings.HasSuffix(path, ".gz") {
		zw = gzip.NewWriter(af.f)
		w = zw
	}
	o := newOutput(w, name)
	o.file, o.zw = af, zw
	return o, nil
}

// begin starts a Load: it takes the lock (the caller unlocks) and reports
// whether the output can be written.
func (o *output) begin(ctx context.Context) error {
	o.mu.Lock()
	o.ctx = ctx
	if o.closed {
		return fmt.Errorf("write %s: %w", o.name, ErrClosed)
	}
	if o.err != nil {
		return o.err
	}
	return ctx.Err()
}

func (o *output) write(b []byte) error {
	if _, err := o.bw.Write(b); err != nil {
		o.err = fmt.Errorf("write %s: %w", o.name, err)
		return o.err
	}
	return nil
}

// close flushes and commits, or discards after an error or a failed run.
func (o *output) close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil
	}
	o.closed = true
	err := o.err
	if err == nil {
		err = runFailed(o.ctx, "write "+o.name)
	}
	if err == nil {
		if e := o.bw.Flush(); e != nil {
			err = fmt.Errorf("write %s: %w", o.name, e)
		}
	}
	if err == nil && o.zw != nil {
		if e := o.zw.Close(); e != nil {
			err = fmt.Errorf("write %s: %w", o.name, e)
		}
	}
	if o.file == nil {
		return err
	}
	if err != nil {
		o.file.abort()
		return err
	}
	if o.ctx == nil {
		// No Load: the run produced nothing, or failed before its first
		// batch. Leave path as it was rather than replace it with nothing.
		return o.file.abort()
	}
	if e := o.file.commit(); e != nil {
		return fmt.Errorf("write %s: %w", o.name, e)
	}
	return nil
}

// abort discards the output.
func (o *output) abort() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return nil
	}
	o.closed = true
	if o.file != nil {
		return o.file.abort()
	}
	return nil
}
