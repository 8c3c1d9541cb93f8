package etl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/mlpipe/mlpipe/frame"
)

// Defaults of [CSVOptions].
const (
	DefaultBatchRows = 65536
	DefaultInferRows = 1000
)

// DefaultNA lists the spellings of a missing value every source recognises
// unless told otherwise: the empty string, "NA", "?" and "null".
var DefaultNA = []string{"", "NA", "?", "null"}

// maxChunkBytes caps the bytes one parse job holds, so a batch of long rows
// still parses in pieces spread over the workers.
const maxChunkBytes = 8 << 20

// CSVOptions configures [CSV] and [OpenCSV]. The zero value reads
// comma-separated UTF-8 with a header line, double-quote quoting, the
// [DefaultNA] missing spellings, a schema inferred from the first 1,000
// records, batches of 65,536 rows, one parse worker per CPU, and the [Fail]
// policy.
//
// # Schema inference
//
// A column named in Schema gets that kind. Otherwise its kind is inferred
// from the first InferRows records, ignoring missing values:
//   - every value a number (strconv.ParseFloat syntax: "12", "-3.5",
//     "1e6", "NaN", "Inf") → [frame.Float];
//   - every value true or false, in any case → [frame.Bool];
//   - every value an ISO 8601 date ("2024-01-31"), or every value an
//     RFC 3339 time ("2024-01-31T10:00:00Z") or a zoneless date-time
//     ("2024-01-31 10:00:00", taken as UTC), one layout for the whole
//     sample → [frame.Time]; a column mixing layouts or holding other
//     spellings ("01/31/2024") stays text, for preprocess to parse;
//   - a column named in Strings, or text where more than half of at least
//     20 sampled values are distinct (identifiers, free text) →
//     [frame.String];
//   - other text, and a column with no value in the sample →
//     [frame.Categorical].
//
// A later value that does not fit its inferred kind is a [*ParseError]
// like any other (give a Schema where the sample may mislead).
type CSVOptions struct {
	// Name names the input in errors and rejected records. Default: the
	// path for OpenCSV, else "csv".
	Name string
	// Comma is the field delimiter, an ASCII character other than the quote,
	// '\r' or '\n'. Default ','; use '\t' for TSV.
	Comma rune
	// NoHeader says the first record is data, not column names.
	NoHeader bool
	// Columns names the columns. With NoHeader it gives their names (by
	// default "col1", "col2", …); with a header it replaces the header's
	// names and must have as many.
	Columns []string
	// Quote is the quote character, ASCII. Default '"'. Inside a quoted
	// field, the delimiter and newlines are literal and a doubled quote
	// stands for one; a quote may open a field only at its start. Quoted
	// content is otherwise kept verbatim, CRLF line breaks included.
	Quote rune
	// NoQuote makes quote characters ordinary text.
	NoQuote bool
	// Comment, when set, makes lines starting with it skipped. ASCII.
	Comment rune
	// NA adds spellings of a missing value to DefaultNA (or replaces them,
	// with NoDefaultNA). A value is compared after trimming; quoting does
	// not matter ("NA" and NA are both missing).
	NA []string
	// NoDefaultNA drops DefaultNA: only the NA spellings mark missing values.
	NoDefaultNA bool
	// TrimSpace removes spaces and tabs around values and before and after
	// quotes; quoted content is kept as is.
	TrimSpace bool
	// Schema fixes the kind of the named columns, skipping inference.
	// Naming a column the input lacks is an error wrapping [ErrSchema].
	Schema map[string]frame.Kind
	// Strings lists columns to keep as free text ([frame.String]) when
	// their kind is inferred.
	Strings []string
	// InferRows is how many leading records inference samples. Default 1000.
	InferRows int
	// BatchRows is the most rows one emitted frame holds. Default 65,536.
	// Frames may hold fewer: parsing works on pieces of at most 8 MiB.
	BatchRows int
	// Workers is how many goroutines parse pieces concurrently. Default
	// runtime.GOMAXPROCS(0).
	Workers int
	// Files is how many files [CSVFiles] and [GlobCSV] read at once.
	// Default 2.
	Files int
	// OnError is the policy for a record that cannot be read. Default [Fail].
	OnError Policy
	// Rejects receives each rejected record under the [Reject] policy, in
	// input order, from the goroutine that called Extract. Required with
	// [Reject]; an error from it stops the extraction.
	Rejects Loader[Rejected]
	// MaxRecordBytes bounds one record (its lines, for a quoted field
	// holding line breaks). A longer one — a quote left open, a file that
	// is not text — stops the extraction with an error wrapping
	// [ErrRecordTooLarge] under every policy, before memory grows past the
	// bound. Default [DefaultMaxRecordBytes]; negative means no bound.
	MaxRecordBytes int
	// MaxFieldBytes bounds one field: a longer one makes its record bad
	// with an error wrapping [ErrFieldTooLarge] (rejected under [Reject]).
	// Default 0: only MaxRecordBytes applies.
	MaxFieldBytes int
	// MaxInputBytes bounds the bytes read from the input, counted after
	// gzip decompression: more stops the extraction with an error wrapping
	// [ErrInputTooLarge]. It guards against a small compressed file that
	// expands without bound. Default 0: no bound.
	MaxInputBytes int64
}

// DefaultMaxRecordBytes is the default bound on one record of a CSV or JSON
// Lines input (see CSVOptions.MaxRecordBytes).
const DefaultMaxRecordBytes = 64 << 20

// Stats counts what a source has read. Records counts every record read
// (data records, not the header, comments or blank lines); after a run that
// returned nil, Records == Rows + Rejected.
type Stats struct {
	Records  int64 // records read
	Rows     int64 // rows emitted
	Rejected int64 // records sent to the rejects loader
	Batches  int64 // frames emitted
	Bytes    int64 // input bytes read (after decompression)
}

type statCounters struct {
	records, rows, rejected, batches, bytes atomic.Int64
}

func (s *statCounters) reset() {
	s.records.Store(0)
	s.rows.Store(0)
	s.rejected.Store(0)
	s.batches.Store(0)
	s.bytes.Store(0)
}

func (s *statCounters) snapshot() Stats {
	return Stats{Records: s.records.Load(), Rows: s.rows.Load(), Rejected: s.rejected.Load(),
		Batches: s.batches.Load(), Bytes: s.bytes.Load()}
}

// CSVExtractor reads delimited text as a stream of [*frame.Frame] batches.
// Make one with [CSV] or [OpenCSV]. Pieces of the input are parsed
// concurrently and emitted in input order; memory holds only a few batches
// at a time, whatever the input's size.
//
// Extract may be called once for a reader (the input is read once), again
// for a file from OpenCSV, never concurrently; Stats may be called
// concurrently with it.
type CSVExtractor struct {
	r      io.Reader
	closer []io.Closer
	opts   CSVOptions
	used   atomic.Bool
	path   string // set by OpenCSV: a second Extract reopens the file
	stats  statCounters

	mu     sync.Mutex
	schema []Field
}

var (
	_ Extractor[*frame.Frame] = (*CSVExtractor)(nil)
	_ io.Closer               = (*CSVExtractor)(nil)
)

// Field names a column and its kind, as a source found or was told it.
type Field struct {
	Name string
	Kind frame.Kind
}

// CSV returns an extractor reading delimited text from r. The caller keeps
// ownership of r (Close does not close it). Bad options are reported by
// Extract.
func CSV(r io.Reader, opts CSVOptions) *CSVExtractor {
	if opts.Name == "" {
		opts.Name = "csv"
		if f, ok := r.(*os.File); ok {
			opts.Name = f.Name()
		}
	}
	return &CSVExtractor{r: r, opts: opts}
}

// OpenCSV opens the file at path and returns an extractor reading it; a
// name ending in ".gz" is decompressed with gzip. A missing or unreadable
// file, a bad gzip header, or bad options are reported at once. Close the
// extractor to close the file. Unlike an extractor from [CSV], it may
// Extract again (one call at a time): the file is reopened and read anew.
func OpenCSV(path string, opts CSVOptions) (*CSVExtractor, error) {
	if opts.Name == "" {
		opts.Name = path
	}
	if _, err := opts.syntax(); err != nil {
		return nil, err
	}
	r, closers, err := openInput(path, opts.Name)
	if err != nil {
		return nil, err
	}
	return &CSVExtractor{r: r, opts: opts, closer: closers, path: path}, nil
}

// Close closes the file OpenCSV opened; for an extractor from CSV it does
// nothing. It returns the file's close error.
func (x *CSVExtractor) Close() error {
	var errs []error
	for _, c := range x.closer {
		errs = append(errs, c.Close())
	}
	x.closer = nil
	return errors.Join(errs...)
}

// Stats returns the counts so far. It is safe to call during Extract.
func (x *CSVExtractor) Stats() Stats { return x.stats.snapshot() }

// Schema returns the columns and kinds of the frames Extract emits, known
// once Extract has read the header and sample (nil before).
func (x *CSVExtractor) Schema() []Field {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]Field(nil), x.schema...)
}

func asciiOpt(name string, r rune) (byte, error) {
	if r < 0 || r >= utf8.RuneSelf || r == '\r' || r == '\n' {
		return 0, fmt.Errorf("csv option %s %q must be an ASCII character other than CR and LF: %w", name, r, ErrOptions)
	}
	return byte(r), nil
}

func (o *CSVOptions) syntax() (csvSyntax, error) {
	s := csvSyntax{sep: ',', quote: '"', quoting: !o.NoQuote, trim: o.TrimSpace}
	var err error
	if o.Comma != 0 {
		if s.sep, err = asciiOpt("Comma", o.Comma); err != nil {
			return s, err
		}
	}
	if o.Quote != 0 {
		if s.quote, err = asciiOpt("Quote", o.Quote); err != nil {
			return s, err
		}
	}
	if o.Comment != 0 {
		if s.comment, err = asciiOpt("Comment", o.Comment); err != nil {
			return s, err
		}
	}
	if s.quoting && s.quote == s.sep || s.comment != 0 && (s.comment == s.sep || s.quoting && s.comment == s.quote) {
		return s, fmt.Errorf("csv options: delimiter, quote and comment must differ: %w", ErrOptions)
	}
	if o.BatchRows < 0 || o.InferRows < 0 || o.Workers < 0 || o.MaxFieldBytes < 0 || o.MaxInputBytes < 0 {
		return s, fmt.Errorf("csv options: negative BatchRows, InferRows, Workers, MaxFieldBytes or MaxInputBytes: %w", ErrOptions)
	}
	if o.OnError == Reject && o.Rejects == nil {
		return s, fmt.Errorf("csv options: the Reject policy needs a Rejects loader: %w", ErrOptions)
	}
	if o.OnError > Reject {
		return s, fmt.Errorf("csv options: unknown policy %v: %w", o.OnError, ErrOptions)
	}
	return s, nil
}

// Extract reads the input and calls emit with each batch of at most
// BatchRows rows, in input order. It returns nil at the end of the input,
// the first [*ParseError] under the [Fail] policy (after emitting the batches
// before it), emit's or the rejects loader's error, a read error, or
// ctx.Err() when ctx is cancelled. Input with a header but no records emits
// nothing and returns nil; empty input where a header was expected returns
// an error wrapping [ErrNoHeader]. A second call returns [ErrConsumed] for
// a reader; a file from OpenCSV is reopened.
func (x *CSVExtractor) Extract(ctx context.Context, emit func(*frame.Frame) error) error {
	o := x.opts
	syn, err := o.syntax()
	if err != nil {
		return err
	}
	if !x.used.CompareAndSwap(false, true) {
		if x.path == "" {
			return fmt.Errorf("read %s: %w", o.Name, ErrConsumed)
		}
		// A file can be read again: reopen it.
		x.Close()
		r, closers, err := openInput(x.path, o.Name)
		if err != nil {
			return err
		}
		x.r, x.closer = r, closers
		x.stats.reset()
	}
	batchRows := o.BatchRows
	if batchRows == 0 {
		batchRows = DefaultBatchRows
	}
	inferRows := o.InferRows
	if inferRows == 0 {
		inferRows = DefaultInferRows
	}
	workers := o.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ck := &chunker{syn: &syn, r: boundInput(x.r, o.MaxInputBytes), line: 1, maxRecs: batchRows, maxBytes: maxChunkBytes,
		maxRecord: maxRecordBytes(o.MaxRecordBytes), free: make(chan []byte, workers+2)}
	defer func() { x.stats.bytes.Store(ck.bytes) }()

	// Read the header and enough chunks to sample inferRows records.
	var pending []*chunkJob
	var header [][]byte
	var sample [][]string
	var readErr error
	for len(sample) < inferRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, line, err := ck.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		x.stats.bytes.Store(ck.bytes)
		if header == nil && !o.NoHeader {
			h, rest, restLine, herr := headerRecord(&syn, o.Name, data, line)
			if herr != nil {
				return herr
			}
			if h == nil {
				continue // only blank or comment lines so far
			}
			header, data, line = h, rest, restLine
		}
		sample = appendSample(&syn, sample, data, inferRows)
		pending = append(pending, &chunkJob{data: data, line: line})
	}
	if readErr != nil && len(pending) == 0 && header == nil {
		return fmt.Errorf("read %s: %w", o.Name, readErr)
	}
	if header == nil && !o.NoHeader {
		return fmt.Errorf("read %s: %w", o.Name, ErrNoHeader)
	}
	plan, err := x.buildPlan(syn, header, sample)
	if err != nil {
		return err
	}
	if plan == nil {
		return nil // no header, no data
	}
	x.mu.Lock()
	x.schema = make([]Field, len(plan.names))
	for i := range plan.names {
		x.schema[i] = Field{plan.names[i], plan.kinds[i]}
	}
	x.mu.Unlock()

	out := &sink{name: o.Name, rejects: o.Rejects, stats: &x.stats, emit: emit}
	parse := func(data []byte, line int) chunkResult {
		capacity := bytes.Count(data, newline) + 1
		res := plan.parse(data, line, min(capacity, batchRows))
		ck.release(data)
		return res
	}
	return runChunks(ctx, pending, readErr, ck, workers, parse, out, &x.stats)
}

// headerRecord finds the first record of data that is not blank or a
// comment and splits it into names. It returns nil names when data holds
// none, and the data and line after the header.
func headerRecord(syn *csvSyntax, source string, data []byte, line int) ([][]byte, []byte, int, error) {
	pos := 0
	for pos < len(data) {
		end, quoted := syn.recordEnd(data, pos)
		if end < 0 {
			end = len(data)
			quoted = syn.quoting && bytes.IndexByte(data[pos:], syn.quote) >= 0
		}
		rec := trimEOL(data[pos:end])
		recLine := line
		line += bytes.Count(data[pos:end], []byte{'\n'})
		pos = end
		if len(rec) == 0 || (syn.comment != 0 && rec[0] == syn.comment) {
			continue
		}
		cp := chunkParser{p: &csvPlan{syn: *syn, source: source}, data: data}
		if quoted {
			if perr := cp.splitQuoted(rec, recLine); perr != nil {
				return nil, nil, 0, perr
			}
		} else {
			cp.splitPlain(rec)
		}
		names := make([][]byte, len(cp.fields))
		for i, f := range cp.fields {
			names[i] = bytes.Clone(f)
		}
		return names, data[pos:], line, nil
	}
	return nil, nil, line, nil
}

// appendSample appends the fields of data's records, as strings, to sample
// until it holds n records. Records that do not split are skipped: parsing
// reports them.
func appendSample(syn *csvSyntax, sample [][]string, data []byte, n int) [][]string {
	cp := chunkParser{p: &csvPlan{syn: *syn}, data: data}
	pos := 0
	for pos < len(data) && len(sample) < n {
		end, quoted := syn.recordEnd(data, pos)
		if end < 0 {
			end = len(data)
			quoted = syn.quoting && bytes.IndexByte(data[pos:], syn.quote) >= 0
		}
		rec := trimEOL(data[pos:end])
		pos = end
		if len(rec) == 0 || (syn.comment != 0 && rec[0] == syn.comment) {
			continue
		}
		if quoted {
			if cp.splitQuoted(rec, 0) != nil {
				continue
			}
		} else {
			cp.splitPlain(rec)
		}
		row := make([]string, len(cp.fields))
		for i, f := range cp.fields {
			row[i] = string(f)
		}
		sample = append(sample, row)
	}
	return sample
}

// buildPlan settles the column names and kinds. It returns nil when there is
// neither a header nor a record (empty input without a header).
func (x *CSVExtractor) buildPlan(syn csvSyntax, header [][]byte, sample [][]string) (*csvPlan, error) {
	o := &x.opts
	var names []string
	switch {
	case len(o.Columns) > 0:
		if header != nil && len(header) != len(o.Columns) {
			return nil, fmt.Errorf("read %s: options name %d columns, header has %d: %w", o.Name, len(o.Columns), len(header), ErrSchema)
		}
		names = append(names, o.Columns...)
	case header != nil:
		for i, h := range header {
			name := string(h)
			if name == "" {
				name = "col" + strconv.Itoa(i+1)
			}
			names = append(names, name)
		}
	case len(sample) > 0:
		for i := range sample[0] {
			names = append(names, "col"+strconv.Itoa(i+1))
		}
	default:
		return nil, nil
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return nil, fmt.Errorf("read %s: column %q appears twice: %w", o.Name, n, frame.ErrDuplicate)
		}
		seen[n] = true
	}
	for n := range o.Schema {
		if !seen[n] {
			return nil, fmt.Errorf("read %s: schema names column %q, which the input lacks: %w", o.Name, n, ErrSchema)
		}
	}
	strs := make(map[string]bool, len(o.Strings))
	for _, n := range o.Strings {
		if !seen[n] {
			return nil, fmt.Errorf("read %s: Strings names column %q, which the input lacks: %w", o.Name, n, ErrSchema)
		}
		strs[n] = true
	}
	spell := append([]string(nil), o.NA...)
	if !o.NoDefaultNA {
		spell = append(spell, DefaultNA...)
	}
	plan := &csvPlan{syn: syn, source: o.Name, names: names, kinds: make([]frame.Kind, len(names)),
		na: newNASet(spell), spellings: spell, policy: o.OnError, maxField: o.MaxFieldBytes,
		maxRecord: maxRecordBytes(o.MaxRecordBytes)}
	for _, sp := range spell {
		if _, ok := parseFloat([]byte(sp)); ok {
			plan.numericNA = true
		}
	}
	plan.sepWord = lows * uint64(syn.sep)
	plan.quoteWord = lows * uint64(syn.quote)
	plan.special[syn.sep] = true
	plan.special['\n'] = true
	if syn.quoting {
		plan.special[syn.quote] = true
	}
	for i, n := range names {
		if k, ok := o.Schema[n]; ok {
			if k < frame.Float || k > frame.Bool {
				return nil, fmt.Errorf("read %s: schema gives column %q unknown kind %v: %w", o.Name, n, k, ErrOptions)
			}
			plan.kinds[i] = k
			continue
		}
		plan.kinds[i] = inferKind(plan.na, sample, i, len(names), strs[n])
	}
	return plan, nil
}

// inferKind applies the rules documented on CSVOptions to column i of the
// sample, skipping records of the wrong width.
func inferKind(na *naSet, sample [][]string, i, width int, str bool) frame.Kind {
	num, boolean, tm := true, true, true
	layout := -1
	n := 0
	distinct := make(map[string]struct{})
	for _, row := range sample {
		if len(row) != width {
			continue
		}
		v := []byte(row[i])
		if na.is(v) {
			continue
		}
		n++
		distinct[row[i]] = struct{}{}
		if num {
			_, num = parseFloat(v)
		}
		if boolean {
			boolean = isBoolWord(v)
		}
		if tm {
			_, l, ok := parseTime(v, max(layout, 0))
			tm = ok && (layout < 0 || l == layout)
			layout = l
		}
	}
	switch {
	case str:
		return frame.String
	case n == 0:
		return frame.Categorical
	case num:
		return frame.Float
	case boolean:
		return frame.Bool
	case tm:
		return frame.Time
	case n >= 20 && 2*len(distinct) > n:
		return frame.String
	}
	return frame.Categorical
}

// maxRecordBytes resolves a MaxRecordBytes option: 0 is the default,
// negative no bound (0 for the chunker).
func maxRecordBytes(n int) int {
	switch {
	case n == 0:
		return DefaultMaxRecordBytes
	case n < 0:
		return 0
	}
	return n
}

// boundInput returns r, or r limited to n bytes (n > 0): reading past them
// fails with an error wrapping [ErrInputTooLarge].
func boundInput(r io.Reader, n int64) io.Reader {
	if n <= 0 {
		return r
	}
	return &boundedReader{r: r, left: n, limit: n}
}

type boundedReader struct {
	r           io.Reader
	left, limit int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// At the bound: the input is too large if anything follows.
		var one [1]byte
		for {
			n, err := b.r.Read(one[:])
			if n > 0 {
				return 0, fmt.Errorf("more than %d bytes: %w", b.limit, ErrInputTooLarge)
			}
			if err != nil {
				return 0, err
			}
		}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
