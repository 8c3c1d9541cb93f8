package etl

import (
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mlpipe/mlpipe/frame"
)

// CSVWriterOptions configures [NewCSVWriter] and [CreateCSV]. The zero value
// writes comma-separated text with a header line, missing values as empty
// fields, times in RFC 3339 with nanoseconds, and "\n" line endings.
type CSVWriterOptions struct {
	// Name names the output in errors. Default: the path for CreateCSV,
	// else "csv".
	Name string
	// Comma is the field delimiter, ASCII, not '"', '\r' or '\n'. Default ','.
	Comma rune
	// NoHeader leaves out the header line.
	NoHeader bool
	// NA is written for a missing value. Default "" (an empty field).
	NA string
	// TimeLayout formats time values (in UTC). Default time.RFC3339Nano.
	TimeLayout string
	// CRLF ends lines with "\r\n" instead of "\n".
	CRLF bool
}

// CSVWriter writes frames as delimited text: a [Loader] of [*frame.Frame].
// The first frame fixes the columns; every later frame must have the same
// names in the same order. Fields holding the delimiter, a quote, a line
// break or leading or trailing blanks are quoted, with quotes doubled.
// Floats are written in the shortest form that reads back exactly; a
// string equal to a missing-value spelling (such as "NA") reads back as
// missing.
//
// Load, Close and Abort may be called from different goroutines but not at
// once for the same writer's data: they serialise on a lock.
type CSVWriter struct {
	out     *output
	name    string
	opts    CSVWriterOptions
	sep     byte
	names   []string
	started bool
	row     []byte
	bufs    [][]byte // formatted parts of a frame, reused
}

var (
	_ Loader[*frame.Frame] = (*CSVWriter)(nil)
	_ io.Closer            = (*CSVWriter)(nil)
)

// NewCSVWriter returns a writer of frames to w. Close flushes its buffer; it
// does not close w. Bad options are reported by the first Load.
func NewCSVWriter(w io.Writer, opts CSVWriterOptions) *CSVWriter {
	if opts.Name == "" {
		opts.Name = "csv"
	}
	return newCSVWriter(newOutput(w, opts.Name), opts)
}

func newCSVWriter(out *output, opts CSVWriterOptions) *CSVWriter {
	cw := &CSVWriter{name: opts.Name, opts: opts, out: out, sep: ','}
	if opts.TimeLayout == "" {
		cw.opts.TimeLayout = time.RFC3339Nano
	}
	if opts.Comma != 0 {
		b, err := asciiOpt("Comma", opts.Comma)
		if err == nil && b == '"' {
			err = fmt.Errorf("csv writer: delimiter must not be the quote: %w", ErrOptions)
		}
		cw.sep, cw.out.err = b, err
	}
	return cw
}

// CreateCSV returns a writer to a new file at path, gzip-compressed when path
// ends in ".gz". The writer writes to a temporary file in the same directory
// and renames it to path only when Close succeeds, so path never holds a
// half-written file: Abort, a failed Load, or a failed run (the last Load's
// context cancelled with a cause other than context.Canceled, as errgroup
// records a failing run's first error, or past its deadline) removes the
// temporary file instead, and an existing file at path is left untouched.
// A plain cancellation does not discard the output, because errgroup
// cancels its context with context.Canceled when a successful run ends: a
// runner that knows its run failed or was cancelled calls Abort, not Close.
// A writer closed without any Load leaves path as it was (a run that failed
// before its first batch must not replace a good file with an empty one).
// It returns an error if the temporary file cannot be created.
func CreateCSV(path string, opts CSVWriterOptions) (*CSVWriter, error) {
	if opts.Name == "" {
		opts.Name = path
	}
	out, err := createOutput(path, opts.Name)
	if err != nil {
		return nil, err
	}
	return newCSVWriter(out, opts), nil
}

// Load writes the rows of f. It returns an error wrapping [ErrSchema] if f's
// columns differ from the first frame's, [ErrClosed] after Close or Abort,
// ctx.Err() if ctx is done, or the write error. After ErrSchema or a write
// error every call returns it and Close discards the output.
func (w *CSVWriter) Load(ctx context.Context, f *frame.Frame) error {
	defer w.out.mu.Unlock()
	if err := w.out.begin(ctx); err != nil {
		return err
	}
	names := f.Names()
	if !w.started {
		w.started = true
		w.names = names
		if !w.opts.NoHeader {
			w.row = w.row[:0]
			for i, n := range names {
				if i > 0 {
					w.row = append(w.row, w.sep)
				}
				w.row = w.appendField(w.row, n)
			}
			w.row = w.eol(w.row)
			if err := w.out.write(w.row); err != nil {
				return err
			}
		}
	} else if !equalNames(names, w.names) {
		w.out.err = fmt.Errorf("write %s: frame has columns %v, the first had %v: %w", w.name, names, w.names, ErrSchema)
		return w.out.err
	}
	cols := make([]frame.Column, len(names))
	dicts := make([][][]byte, len(names))
	for i := range names {
		_, cols[i] = f.ColAt(i)
		if c, ok := cols[i].(*frame.CategoricalColumn); ok {
			d := make([][]byte, len(c.Dict()))
			for k, s := range c.Dict() {
				d[k] = w.appendField(nil, s)
			}
			dicts[i] = d
		}
	}
	na := w.appendField(nil, w.opts.NA)
	n := f.NumRows()
	// Large frames are formatted in parts concurrently, then written in
	// order: formatting, not writing, is what costs.
	parts := 1
	if n >= 2*minPart {
		parts = max(1, min(runtime.GOMAXPROCS(0), n/minPart))
	}
	for len(w.bufs) < parts {
		w.bufs = append(w.bufs, nil)
	}
	g, gctx := errgroup.WithContext(ctx)
	for p := range parts {
		from, to := p*n/parts, (p+1)*n/parts
		g.Go(func() error {
			var err error
			w.bufs[p], err = w.format(gctx, w.bufs[p][:0], cols, dicts, na, from, to)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for p := range parts {
		if err := w.out.write(w.bufs[p]); err != nil {
			return err
		}
		if cap(w.bufs[p]) > 64<<20 {
			w.bufs[p] = nil // do not keep an outsized buffer
		}
	}
	return nil
}

// minPart is the fewest rows worth formatting on a goroutine of their own.
const minPart = 8192

// format appends rows [from, to) as delimited text to b.
func (w *CSVWriter) format(ctx context.Context, b []byte, cols []frame.Column, dicts [][][]byte, na []byte, from, to int) ([]byte, error) {
	for r := from; r < to; r++ {
		if (r-from)%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return b, err
			}
		}
		start := len(b)
		for i, c := range cols {
			if i > 0 {
				b = append(b, w.sep)
			}
			if c.IsNA(r) {
				b = append(b, na...)
				continue
			}
			switch c := c.(type) {
			case *frame.FloatColumn:
				b = appendFloat(b, c.Values()[r])
			case *frame.CategoricalColumn:
				b = append(b, dicts[i][c.Codes()[r]]...)
			case *frame.StringColumn:
				b = w.appendField(b, c.Values()[r])
			case *frame.TimeColumn:
				t, _ := c.At(r)
				b = w.appendField(b, t.Format(w.opts.TimeLayout))
			case *frame.BoolColumn:
				b = strconv.AppendBool(b, c.Values()[r])
			}
		}
		if len(b) == start {
			// A lone empty field would make a blank line, which readers skip.
			b = append(b, '"', '"')
		}
		b = w.eol(b)
	}
	return b, nil
}

func (w *CSVWriter) eol(b []byte) []byte {
	if w.opts.CRLF {
		return append(b, '\r', '\n')
	}
	return append(b, '\n')
}

func equalNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// appendFloat writes integers without a fraction or exponent (up to 1e15)
// and other values in the shortest form that parses back to the same float.
func appendFloat(b []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		if v == 0 && math.Signbit(v) {
			return append(b, "-0"...)
		}
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendField appends s, quoted if it must be.
func (w *CSVWriter) appendField(b []byte, s string) []byte {
	if !w.needsQuote(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		k := strings.IndexByte(s, '"')
		if k < 0 {
			break
		}
		b = append(b, s[:k+1]...)
		b = append(b, '"')
		s = s[k+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

func (w *CSVWriter) needsQuote(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[0] == '\t' || s[len(s)-1] == ' ' || s[len(s)-1] == '\t' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\r', '\n':
			return true
		default:
			if c == w.sep {
				return true
			}
		}
	}
	return false
}

// Close flushes the output. For a writer from CreateCSV it then syncs and
// renames the temporary file to its final path — unless a Load failed or
// the run failed (see [CreateCSV]), in which case it removes the temporary
// file and returns the error. Closing twice returns nil.
func (w *CSVWriter) Close() error { return w.out.close() }

// Abort discards the output: for a writer from CreateCSV it removes the
// temporary file, leaving the final path untouched. Later calls to Load
// return [ErrClosed] and Close does nothing. It returns the error removing
// the file, if any.
func (w *CSVWriter) Abort() error { return w.out.abort() }
