package etl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync/atomic"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/mlpipe/mlpipe/frame"
)

// parquetColumnsKey is the key-value metadata entry in which ParquetWriter
// records the frame's column order and kinds, so a read gives back the very
// frame: Parquet orders a group's fields by name and has no categorical type.
const parquetColumnsKey = "mlpipe.columns"

type parquetColumn struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// ParquetWriterOptions configures [NewParquetWriter] and [CreateParquet].
type ParquetWriterOptions struct {
	// Name names the output in errors. Default: the path, else "parquet".
	Name string
}

// ParquetWriter writes frames as a Parquet file through
// github.com/parquet-go/parquet-go: a [Loader] of [*frame.Frame]. Each
// Load is one row group, so memory holds one batch. Floats are DOUBLE,
// categorical and string columns UTF-8 strings, times TIMESTAMP
// (nanoseconds, UTC), booleans BOOLEAN, every column optional (missing is
// null); the frame's column order and kinds are kept in the file's
// metadata, so [OpenParquet] gives back the same frame. The first frame
// fixes the columns. The file is complete only after Close.
//
// Load, Close and Abort serialise on a lock.
type ParquetWriter struct {
	out   *output
	pw    *parquet.GenericWriter[any]
	names []string
	kinds []frame.Kind
	leaf  []int // frame column → parquet column index
	rows  []parquet.Row
}

var (
	_ Loader[*frame.Frame] = (*ParquetWriter)(nil)
	_ io.Closer            = (*ParquetWriter)(nil)
)

// NewParquetWriter returns a writer of a Parquet file to w. Close writes the
// footer; it does not close w.
func NewParquetWriter(w io.Writer, opts ParquetWriterOptions) *ParquetWriter {
	if opts.Name == "" {
		opts.Name = "parquet"
	}
	return &ParquetWriter{out: newOutput(w, opts.Name)}
}

// CreateParquet returns a writer to a new Parquet file at path, with the
// atomic contract of [CreateCSV]: a temporary file renamed into place by a
// successful Close, removed by Abort, a failed Load or a failed run (see
// [CreateCSV]).
// (Parquet compresses its pages itself: a ".gz" suffix is not special.)
func CreateParquet(path string, opts ParquetWriterOptions) (*ParquetWriter, error) {
	if opts.Name == "" {
		opts.Name = path
	}
	af, err := createAtomic(path)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", opts.Name, err)
	}
	o := newOutput(af.f, opts.Name)
	o.file = af
	return &ParquetWriter{out: o}, nil
}

func parquetNode(k frame.Kind) parquet.Node {
	switch k {
	case frame.Float:
		return parquet.Optional(parquet.Leaf(parquet.DoubleType))
	case frame.Time:
		return parquet.Optional(parquet.Timestamp(parquet.Nanosecond))
	case frame.Bool:
		return parquet.Optional(parquet.Leaf(parquet.BooleanType))
	}
	return parquet.Optional(parquet.String())
}

func (w *ParquetWriter) start(f *frame.Frame) error {
	w.names = f.Names()
	w.kinds = make([]frame.Kind, len(w.names))
	group := parquet.Group{}
	meta := make([]parquetColumn, len(w.names))
	for i, n := range w.names {
		_, c := f.ColAt(i)
		w.kinds[i] = c.Kind()
		group[n] = parquetNode(c.Kind())
		meta[i] = parquetColumn{n, c.Kind().String()}
	}
	schema := parquet.NewSchema("frame", group)
	leafIndex := make(map[string]int)
	for i, path := range schema.Columns() {
		leafIndex[path[0]] = i
	}
	w.leaf = make([]int, len(w.names))
	for i, n := range w.names {
		w.leaf[i] = leafIndex[n]
	}
	mj, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	cfg, err := parquet.NewWriterConfig(schema, parquet.KeyValueMetadata(parquetColumnsKey, string(mj)), parquet.Compression(&parquet.Snappy))
	if err != nil {
		return err
	}
	w.pw = parquet.NewGenericWriter[any](w.out.bw, cfg)
	return nil
}

// Load writes the rows of f as one row group. It returns an error wrapping
// [ErrSchema] if f's columns differ from the first frame's, [ErrClosed]
// after Close or Abort, ctx.Err(), or the write error; after ErrSchema or a
// write error every call returns it and Close discards the output.
func (w *ParquetWriter) Load(ctx context.Context, f *frame.Frame) error {
	defer w.out.mu.Unlock()
	if err := w.out.begin(ctx); err != nil {
		return err
	}
	if w.pw == nil {
		if err := w.start(f); err != nil {
			w.out.err = fmt.Errorf("write %s: %w", w.out.name, err)
			return w.out.err
		}
	} else if !equalNames(f.Names(), w.names) {
		w.out.err = fmt.Errorf("write %s: frame has columns %v, the first had %v: %w", w.out.name, f.Names(), w.names, ErrSchema)
		return w.out.err
	}
	cols := make([]frame.Column, len(w.names))
	for i := range cols {
		_, cols[i] = f.ColAt(i)
		if cols[i].Kind() != w.kinds[i] {
			w.out.err = fmt.Errorf("write %s: column %s is %v, was %v: %w", w.out.name, w.names[i], cols[i].Kind(), w.kinds[i], ErrSchema)
			return w.out.err
		}
	}
	const chunk = 4096
	n := f.NumRows()
	for start := 0; start < n; start += chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(n, start+chunk)
		w.rows = w.rows[:0]
		for r := start; r < end; r++ {
			row := make(parquet.Row, len(cols))
			for i, c := range cols {
				row[w.leaf[i]] = parquetValue(c, r).Level(0, defLevel(c, r), w.leaf[i])
			}
			w.rows = append(w.rows, row)
		}
		if _, err := w.pw.WriteRows(w.rows); err != nil {
			w.out.err = fmt.Errorf("write %s: %w", w.out.name, err)
			return w.out.err
		}
	}
	if err := w.pw.Flush(); err != nil {
		w.out.err = fmt.Errorf("write %s: %w", w.out.name, err)
		return w.out.err
	}
	return nil
}

func defLevel(c frame.Column, r int) int {
	if c.IsNA(r) {
		return 0
	}
	return 1
}

func parquetValue(c frame.Column, r int) parquet.Value {
	if c.IsNA(r) {
		return parquet.NullValue()
	}
	switch c := c.(type) {
	case *frame.FloatColumn:
		return parquet.DoubleValue(c.Values()[r])
	case *frame.CategoricalColumn:
		s, _ := c.Label(r)
		return parquet.ByteArrayValue([]byte(s))
	case *frame.StringColumn:
		return parquet.ByteArrayValue([]byte(c.Values()[r]))
	case *frame.TimeColumn:
		return parquet.Int64Value(c.Nanos()[r])
	case *frame.BoolColumn:
		return parquet.BooleanValue(c.Values()[r])
	}
	return parquet.NullValue()
}

// Close writes the Parquet footer and, for a writer from CreateParquet,
// renames the finished file into place — or removes it after a failed Load
// or a failed run (see [CreateCSV]), returning the error. Closing twice returns nil.
func (w *ParquetWriter) Close() error {
	w.out.mu.Lock()
	if w.pw != nil && w.out.err == nil && !w.out.closed {
		if err := w.pw.Close(); err != nil {
			w.out.err = fmt.Errorf("write %s: %w", w.out.name, err)
		}
	}
	w.out.mu.Unlock()
	return w.out.close()
}

// Abort discards the output; for a writer from CreateParquet the final path
// is left untouched. Later Loads return [ErrClosed].
func (w *ParquetWriter) Abort() error { return w.out.abort() }

// ParquetOptions configures [OpenParquet].
type ParquetOptions struct {
	// Name names the input in errors. Default: the path.
	Name string
	// BatchRows is the most rows one emitted frame holds. Default 65,536.
	BatchRows int
	// Columns, when set, reads only these columns, in this order.
	Columns []string
}

// ParquetExtractor reads a Parquet file as a stream of [*frame.Frame]
// batches, row groups in order. A file written by [ParquetWriter] comes back
// with its column order and kinds; for other files, DOUBLE, FLOAT and
// integer columns become [frame.Float], BOOLEAN [frame.Bool], TIMESTAMP and
// DATE [frame.Time], and byte arrays [frame.Categorical]. Nested and
// repeated columns are not supported (an error wrapping [ErrKind]).
//
// Extract may be called again (the file is read again), not concurrently.
type ParquetExtractor struct {
	f     *os.File
	pf    *parquet.File
	opts  ParquetOptions
	names []string
	kinds []frame.Kind
	leaf  []int
	scale []int64 // time columns: nanoseconds per stored unit
	busy  atomic.Bool
	stats statCounters
}

var (
	_ Extractor[*frame.Frame] = (*ParquetExtractor)(nil)
	_ io.Closer               = (*ParquetExtractor)(nil)
)

// OpenParquet opens the Parquet file at path and reads its schema. It
// returns an error for a missing file, a file that is not Parquet, a
// requested column the file lacks, or a nested column.
func OpenParquet(path string, opts ParquetOptions) (*ParquetExtractor, error) {
	if opts.Name == "" {
		opts.Name = path
	}
	if opts.BatchRows < 0 {
		return nil, fmt.Errorf("parquet options: negative BatchRows: %w", ErrOptions)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", opts.Name, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", opts.Name, err)
	}
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", opts.Name, err)
	}
	x := &ParquetExtractor{f: f, pf: pf, opts: opts}
	if err := x.settle(); err != nil {
		f.Close()
		return nil, err
	}
	return x, nil
}

func (x *ParquetExtractor) settle() error {
	schema := x.pf.Schema()
	leafIndex := make(map[string]int)
	for i, path := range schema.Columns() {
		if len(path) != 1 {
			return fmt.Errorf("read %s: nested column %v: %w", x.opts.Name, path, ErrKind)
		}
		leafIndex[path[0]] = i
	}
	fields := make(map[string]parquet.Field)
	var order []string
	for _, fld := range schema.Fields() {
		fields[fld.Name()] = fld
		order = append(order, fld.Name())
	}
	known := make(map[string]frame.Kind)
	if meta, ok := x.pf.Lookup(parquetColumnsKey); ok {
		var cols []parquetColumn
		if json.Unmarshal([]byte(meta), &cols) == nil {
			order = order[:0]
			for _, c := range cols {
				order = append(order, c.Name)
				for k := frame.Float; k <= frame.Bool; k++ {
					if k.String() == c.Kind {
						known[c.Name] = k
					}
				}
			}
		}
	}
	if len(x.opts.Columns) > 0 {
		order = x.opts.Columns
	}
	for _, name := range order {
		fld, ok := fields[name]
		if !ok {
			return fmt.Errorf("read %s: no column %q: %w", x.opts.Name, name, frame.ErrNoColumn)
		}
		if fld.Repeated() || !fld.Leaf() {
			return fmt.Errorf("read %s: column %q is nested or repeated: %w", x.opts.Name, name, ErrKind)
		}
		kind, scale := parquetKind(fld.Type())
		if k, ok := known[name]; ok {
			kind = k
		}
		if kind == 0 {
			return fmt.Errorf("read %s: column %q has unsupported type %v: %w", x.opts.Name, name, fld.Type(), ErrKind)
		}
		x.names = append(x.names, name)
		x.kinds = append(x.kinds, kind)
		x.leaf = append(x.leaf, leafIndex[name])
		x.scale = append(x.scale, scale)
	}
	return nil
}

func parquetKind(t parquet.Type) (frame.Kind, int64) {
	if lt := t.LogicalType(); lt != nil {
		switch v := lt.Value.(type) {
		case *format.TimestampType:
			if v.Unit.Value != nil {
				return frame.Time, int64(v.Unit.Value.Duration())
			}
		case *format.DateType:
			return frame.Time, int64(24 * time.Hour)
		}
	}
	switch t.Kind() {
	case parquet.Boolean:
		return frame.Bool, 1
	case parquet.Int32, parquet.Int64, parquet.Float, parquet.Double:
		return frame.Float, 1
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return frame.Categorical, 1
	}
	return 0, 0
}

// Schema returns the columns and kinds of the frames Extract emits.
func (x *ParquetExtractor) Schema() []Field {
	out := make([]Field, len(x.names))
	for i := range x.names {
		out[i] = Field{x.names[i], x.kinds[i]}
	}
	return out
}

// Stats returns the counts of the current or last run.
func (x *ParquetExtractor) Stats() Stats { return x.stats.snapshot() }

// Close closes the file.
func (x *ParquetExtractor) Close() error { return x.f.Close() }

// Extract reads the file and calls emit with each batch of at most
// BatchRows rows, in file order. It returns nil at the end, the read error,
// emit's error or ctx.Err().
func (x *ParquetExtractor) Extract(ctx context.Context, emit func(*frame.Frame) error) error {
	if !x.busy.CompareAndSwap(false, true) {
		return fmt.Errorf("read %s: Extract already running", x.opts.Name)
	}
	defer x.busy.Store(false)
	x.stats.reset()
	batchRows := x.opts.BatchRows
	if batchRows == 0 {
		batchRows = DefaultBatchRows
	}
	r := parquet.NewGenericReader[any](x.f, x.pf.Schema())
	defer r.Close()
	text := &csvPlan{na: newNASet(nil)}
	cp := chunkParser{p: text}
	rows := make([]parquet.Row, min(batchRows, 1024))
	for {
		cols := make([]colBuilder, len(x.names))
		for i := range cols {
			cols[i].init(x.kinds[i], min(batchRows, 1024), nil)
		}
		n := 0
		var readErr error
		for n < batchRows {
			if err := ctx.Err(); err != nil {
				return err
			}
			k, err := r.ReadRows(rows[:min(len(rows), batchRows-n)])
			for _, row := range rows[:k] {
				for i, leaf := range x.leaf {
					if err := x.value(&cp, &cols[i], row[leaf], x.scale[i]); err != nil {
						return fmt.Errorf("read %s row %d column %s: %w", x.opts.Name, x.stats.rows.Load()+int64(n)+1, x.names[i], err)
					}
				}
				n++
			}
			if err != nil {
				readErr = err
				break
			}
		}
		if n > 0 {
			series := make([]frame.Series, len(cols))
			for i := range cols {
				c, err := cols[i].column()
				if err != nil {
					return fmt.Errorf("read %s column %s: %w", x.opts.Name, x.names[i], err)
				}
				series[i] = frame.Series{Name: x.names[i], Col: c}
			}
			f, err := frame.New(series...)
			if err != nil {
				return fmt.Errorf("read %s: %w", x.opts.Name, err)
			}
			if err := emit(f); err != nil {
				return err
			}
			x.stats.records.Add(int64(n))
			x.stats.rows.Add(int64(n))
			x.stats.batches.Add(1)
		}
		if readErr != nil {
			if errors.Is(readErr, io.EOF) {
				return nil
			}
			return fmt.Errorf("read %s: %w", x.opts.Name, readErr)
		}
	}
}

func (x *ParquetExtractor) value(cp *chunkParser, c *colBuilder, v parquet.Value, scale int64) error {
	if v.IsNull() {
		c.appendNA()
		return nil
	}
	switch c.kind {
	case frame.Float:
		var f float64
		switch v.Kind() {
		case parquet.Double:
			f = v.Double()
		case parquet.Float:
			f = float64(v.Float())
		case parquet.Int32:
			f = float64(v.Int32())
		case parquet.Int64:
			f = float64(v.Int64())
		default:
			return fmt.Errorf("%w: %v value for a float column", ErrKind, v.Kind())
		}
		c.floats = append(c.floats, f)
	case frame.Bool:
		c.bools = append(c.bools, v.Boolean())
		c.markOK()
	case frame.Time:
		var units int64
		if v.Kind() == parquet.Int32 {
			units = int64(v.Int32())
		} else {
			units = v.Int64()
		}
		if scale > 1 && (units > math.MaxInt64/scale || units < math.MinInt64/scale) {
			return fmt.Errorf("%w: time out of range", ErrKind)
		}
		c.nanos = append(c.nanos, units*scale)
		c.markOK()
	default:
		return cp.value(c, v.ByteArray())
	}
	c.n++
	return nil
}
