package etl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/mlpipe/mlpipe/frame"
)

// JSONLinesWriterOptions configures [NewJSONLinesWriter] and
// [CreateJSONLines]. The zero value writes missing values as null and times
// in RFC 3339 with nanoseconds.
type JSONLinesWriterOptions struct {
	// Name names the output in errors. Default: the path, else "jsonl".
	Name string
	// OmitMissing leaves missing values out of their object instead of
	// writing null.
	OmitMissing bool
	// TimeLayout formats time values (in UTC). Default time.RFC3339Nano.
	TimeLayout string
}

// JSONLinesWriter writes each row of the frames it is given as one JSON
// object per line, keyed by column name: a [Loader] of [*frame.Frame].
// Floats are JSON numbers (NaN, being missing, is null; ±Inf, which JSON
// cannot hold, is an error), categorical and string values JSON strings,
// booleans JSON booleans, times strings. Column names are written as they
// are: a flattened "user.id" stays one key.
//
// Load, Close and Abort serialise on a lock.
type JSONLinesWriter struct {
	out  *output
	opts JSONLinesWriterOptions
	row  []byte
}

var (
	_ Loader[*frame.Frame] = (*JSONLinesWriter)(nil)
	_ io.Closer            = (*JSONLinesWriter)(nil)
)

// NewJSONLinesWriter returns a writer of frames to w. Close flushes its
// buffer; it does not close w.
func NewJSONLinesWriter(w io.Writer, opts JSONLinesWriterOptions) *JSONLinesWriter {
	if opts.Name == "" {
		opts.Name = "jsonl"
	}
	return newJSONLinesWriter(newOutput(w, opts.Name), opts)
}

func newJSONLinesWriter(out *output, opts JSONLinesWriterOptions) *JSONLinesWriter {
	if opts.TimeLayout == "" {
		opts.TimeLayout = time.RFC3339Nano
	}
	return &JSONLinesWriter{out: out, opts: opts}
}

// CreateJSONLines returns a writer to a new file at path, gzip-compressed
// when path ends in ".gz", with the same atomic contract as [CreateCSV]: a
// temporary file renamed into place by a successful Close, removed by
// Abort, a failed Load or a failed run.
func CreateJSONLines(path string, opts JSONLinesWriterOptions) (*JSONLinesWriter, error) {
	if opts.Name == "" {
		opts.Name = path
	}
	out, err := createOutput(path, opts.Name)
	if err != nil {
		return nil, err
	}
	return newJSONLinesWriter(out, opts), nil
}

// Load writes the rows of f. It returns an error for an infinite float,
// [ErrClosed] after Close or Abort, ctx.Err() if ctx is done, or the write
// error (after which every call returns it and Close discards the output).
func (w *JSONLinesWriter) Load(ctx context.Context, f *frame.Frame) error {
	defer w.out.mu.Unlock()
	if err := w.out.begin(ctx); err != nil {
		return err
	}
	names := f.Names()
	keys := make([][]byte, len(names))
	cols := make([]frame.Column, len(names))
	for i, n := range names {
		k, _ := json.Marshal(n)
		keys[i] = append(k, ':')
		_, cols[i] = f.ColAt(i)
	}
	for r := range f.NumRows() {
		if r%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		w.row = append(w.row[:0], '{')
		first := true
		for i, c := range cols {
			na := c.IsNA(r)
			if na && w.opts.OmitMissing {
				continue
			}
			if !first {
				w.row = append(w.row, ',')
			}
			first = false
			w.row = append(w.row, keys[i]...)
			if na {
				w.row = append(w.row, "null"...)
				continue
			}
			switch c := c.(type) {
			case *frame.FloatColumn:
				v := c.Values()[r]
				if math.IsInf(v, 0) {
					return fmt.Errorf("write %s row %d column %s: %v has no JSON form: %w", w.out.name, r, names[i], v, ErrKind)
				}
				w.row = appendFloat(w.row, v)
			case *frame.CategoricalColumn:
				w.row = appendJSONString(w.row, c.Dict()[c.Codes()[r]])
			case *frame.StringColumn:
				w.row = appendJSONString(w.row, c.Values()[r])
			case *frame.TimeColumn:
				t, _ := c.At(r)
				w.row = appendJSONString(w.row, t.Format(w.opts.TimeLayout))
			case *frame.BoolColumn:
				w.row = strconv.AppendBool(w.row, c.Values()[r])
			}
		}
		w.row = append(w.row, '}', '\n')
		if err := w.out.write(w.row); err != nil {
			return err
		}
	}
	return nil
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// Close flushes the output and, for a writer from CreateJSONLines, renames
// the finished file into place — or removes it after a failed Load or a
// failed run (see [CreateCSV]), returning the error. Closing twice returns nil.
func (w *JSONLinesWriter) Close() error { return w.out.close() }

// Abort discards the output; for a writer from CreateJSONLines the final
// path is left untouched. Later Loads return [ErrClosed].
func (w *JSONLinesWriter) Abort() error { return w.out.abort() }
