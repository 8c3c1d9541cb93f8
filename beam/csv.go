package mlbeam

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local paths for ReadCSV's schema sample
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/textio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
)

func init() {
	register.DoFn5x1[context.Context, string, string, func(*frame.Frame), func(Reject), error](&parseCSVFn{})
	register.DoFn3x1[context.Context, *frame.Frame, func(string), error](&formatCSVFn{})
	register.Emitter1[*frame.Frame]()
	register.Emitter1[Reject]()
	register.Emitter1[string]()
}

// Counters of the rows read, the records rejected and the frames made, in
// the namespace "mlbeam"; a runner's job metrics show them under these
// names.
var (
	rowsRead     = beam.NewCounter("mlbeam", "rows")
	rowsRejected = beam.NewCounter("mlbeam", "rejected")
	batchesMade  = beam.NewCounter("mlbeam", "batches")
)

// A Reject is a record that could not be read: it leaves the pipeline
// through the dead-letter output of [ReadCSV] and [ParseCSV], whole, with
// the file it came from and the reason, and is counted in the "rejected"
// counter of the namespace "mlbeam". Beam encodes it by its exported fields.
type Reject struct {
	Source string // the file (or the name given to ParseCSV)
	Raw    string // the record's text, without its line ending
	Error  string // why it was rejected, naming the column
}

// CSVOptions configure [ReadCSV] and [ParseCSV]. The parsing fields mean
// what they mean in [etl.CSVOptions]; records that cannot be read always go
// to the dead-letter output, and Beam provides the parallelism.
type CSVOptions struct {
	// Header is the header line. Default (ReadCSV): the first line of the
	// first file matching the pattern that is neither blank nor a comment.
	Header string
	// Schema fixes the kinds of columns. ReadCSV infers the others from a
	// sample of the first file and fixes them too.
	Schema map[string]frame.Kind
	// BatchRows is the most rows one frame of the output holds. Default
	// 16,384. Frames may hold fewer: a batch ends with its bundle.
	BatchRows int

	Comma       rune     // field delimiter; default ','
	Quote       rune     // quote character; default '"'
	NoQuote     bool     // quotes are ordinary text
	Comment     rune     // lines starting with it are skipped
	NA          []string // spellings of a missing value beside etl.DefaultNA
	NoDefaultNA bool     // only NA spells a missing value
	TrimSpace   bool     // trim spaces and tabs around values
	Strings     []string // columns inferred as free text rather than categories
	InferRows   int      // records ReadCSV samples to infer kinds; default 1000
}

// etl returns the options of mlpipe's CSV parser.
func (o CSVOptions) etl() etl.CSVOptions {
	return etl.CSVOptions{Comma: o.Comma, Quote: o.Quote, NoQuote: o.NoQuote, Comment: o.Comment,
		NA: o.NA, NoDefaultNA: o.NoDefaultNA, TrimSpace: o.TrimSpace, Schema: o.Schema,
		Strings: o.Strings, InferRows: o.InferRows}
}

// ReadCSV reads the CSV files matching glob (a local path pattern, or any
// filesystem Beam knows, such as gs://) through Beam's [textio], and parses
// their lines in batches into frames. It returns the frames and the
// dead-letter output of [Reject] records.
//
// Every file must start with the same header line, which is not data. The
// kinds of the columns are fixed for all files from a sample of the first
// file (the first InferRows records, 1000 by default), unless opts.Schema
// fixes them, so that every batch has the same columns of the same kinds.
// Records are lines: a quoted field may not hold a line break.
//
// ReadCSV returns an error if no file matches or the first file has no
// header; the pipeline fails if a file cannot be read.
func ReadCSV(s beam.Scope, glob string, opts CSVOptions) (frames, rejects beam.PCollection, err error) {
	s = s.Scope("mlbeam.ReadCSV")
	if opts, err = sampleCSV(context.Background(), glob, opts); err != nil {
		return beam.PCollection{}, beam.PCollection{}, err
	}
	lines := textio.ReadWithFilename(s, glob)
	frames, rejects = ParseCSV(s, lines, opts)
	return frames, rejects, nil
}

// sampleCSV fills in the header and the schema from the first file.
func sampleCSV(ctx context.Context, glob string, opts CSVOptions) (CSVOptions, error) {
	fs, err := filesystem.New(ctx, glob)
	if err != nil {
		return opts, fmt.Errorf("read csv %s: %w", glob, err)
	}
	defer fs.Close()
	files, err := fs.List(ctx, glob)
	if err != nil {
		return opts, fmt.Errorf("read csv %s: %w", glob, err)
	}
	if len(files) == 0 {
		return opts, fmt.Errorf("read csv %s: no file matches", glob)
	}
	first := files[0]
	for _, f := range files[1:] {
		first = min(first, f)
	}
	r, err := fs.OpenRead(ctx, first)
	if err != nil {
		return opts, fmt.Errorf("read csv %s: %w", first, err)
	}
	defer r.Close()
	infer := opts.InferRows
	if infer <= 0 {
		infer = 1000
	}
	sample := opts.etl()
	sample.Name = first
	sample.OnError, sample.Rejects = etl.Reject, etl.LoaderFunc[etl.Rejected](func(context.Context, etl.Rejected) error { return nil })
	sample.BatchRows, sample.Workers = infer, 1
	x := etl.CSV(r, sample)
	errStop := errors.New("sampled")
	var head *frame.Frame
	err = x.Extract(ctx, func(f *frame.Frame) error {
		head = f
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return opts, fmt.Errorf("read csv %s: %w", first, err)
	}
	if head == nil {
		return opts, fmt.Errorf("read csv %s: no data rows to learn the columns from", first)
	}
	if opts.Header == "" {
		// The header is the first line that is neither blank nor a comment.
		h, err := firstLine(ctx, fs, first, opts.Comment)
		if err != nil {
			return opts, err
		}
		opts.Header = h
	}
	schema := maps.Clone(opts.Schema)
	if schema == nil {
		schema = make(map[string]frame.Kind)
	}
	for _, f := range x.Schema() {
		if _, ok := schema[f.Name]; !ok {
			schema[f.Name] = f.Kind
		}
	}
	opts.Schema = schema
	return opts, nil
}

// firstLine returns the header line of a file.
func firstLine(ctx context.Context, fs filesystem.Interface, path string, comment rune) (string, error) {
	r, err := fs.OpenRead(ctx, path)
	if err != nil {
		return "", fmt.Errorf("read csv %s: %w", path, err)
	}
	defer r.Close()
	var line []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		line = append(line, buf[:n]...)
		for {
			i := bytes.IndexByte(line, '\n')
			if i < 0 {
				break
			}
			l := strings.TrimSuffix(string(line[:i]), "\r")
			line = line[i+1:]
			if strings.TrimSpace(l) == "" || (comment != 0 && strings.HasPrefix(l, string(comment))) {
				continue
			}
			return l, nil
		}
		if err == io.EOF {
			if l := strings.TrimSuffix(string(line), "\r"); strings.TrimSpace(l) != "" {
				return l, nil
			}
			return "", fmt.Errorf("read csv %s: no header line", path)
		}
		if err != nil {
			return "", fmt.Errorf("read csv %s: %w", path, err)
		}
	}
}

// ParseCSV parses CSV lines into frames of up to opts.BatchRows rows. Its
// input is a PCollection of KV<string, string>: the file each line comes
// from and the line, as [textio.ReadWithFilename] gives them. Lines equal
// to opts.Header (each file's header) are skipped; records that cannot be
// read go to the second output, the dead letter of [Reject] records, and
// are counted. Give opts.Schema for every column, or batches may differ in
// their columns' kinds (ReadCSV does this for you).
func ParseCSV(s beam.Scope, lines beam.PCollection, opts CSVOptions) (frames, rejects beam.PCollection) {
	s = s.Scope("mlbeam.ParseCSV")
	return beam.ParDo2(s, &parseCSVFn{Options: opts}, lines)
}

// parseCSVFn gathers the lines of a bundle into batches and parses them.
type parseCSVFn struct {
	Options CSVOptions

	lines   []string
	sources []string
}

func (f *parseCSVFn) batchRows() int {
	if f.Options.BatchRows > 0 {
		return f.Options.BatchRows
	}
	return 16384
}

func (f *parseCSVFn) StartBundle(_ context.Context, _ func(*frame.Frame), _ func(Reject)) {
	f.lines, f.sources = f.lines[:0], f.sources[:0]
}

func (f *parseCSVFn) ProcessElement(ctx context.Context, source, line string, emit func(*frame.Frame), dead func(Reject)) error {
	line = strings.TrimSuffix(line, "\r")
	if line == f.Options.Header {
		return nil
	}
	if f.openQuote(line) {
		// A line whose quote is not closed would swallow the lines after
		// it in a batch: it is parsed alone (and most likely rejected).
		return f.parse(ctx, []string{line}, []string{source}, emit, dead)
	}
	f.lines = append(f.lines, line)
	f.sources = append(f.sources, source)
	if len(f.lines) >= f.batchRows() {
		return f.flush(ctx, emit, dead)
	}
	return nil
}

// openQuote reports whether line holds an odd number of quote characters.
func (f *parseCSVFn) openQuote(line string) bool {
	if f.Options.NoQuote {
		return false
	}
	q := f.Options.Quote
	if q == 0 {
		q = '"'
	}
	return strings.Count(line, string(q))%2 == 1
}

func (f *parseCSVFn) FinishBundle(ctx context.Context, emit func(*frame.Frame), dead func(Reject)) error {
	return f.flush(ctx, emit, dead)
}

// flush parses the lines held.
func (f *parseCSVFn) flush(ctx context.Context, emit func(*frame.Frame), dead func(Reject)) error {
	err := f.parse(ctx, f.lines, f.sources, emit, dead)
	f.lines, f.sources = f.lines[:0], f.sources[:0]
	return err
}

// parse parses lines, emits their frames and their rejects.
func (f *parseCSVFn) parse(ctx context.Context, lines, sources []string, emit func(*frame.Frame), dead func(Reject)) error {
	if len(lines) == 0 {
		return nil
	}
	var text strings.Builder
	text.WriteString(f.Options.Header)
	for _, l := range lines {
		text.WriteByte('\n')
		text.WriteString(l)
	}
	opts := f.Options.etl()
	opts.Name = "batch"
	// The schema is fixed (ReadCSV fixes every column); inference samples
	// only columns it does not name, at the options' InferRows.
	opts.Workers, opts.BatchRows = 1, len(lines)
	opts.OnError = etl.Reject
	var rejected int64
	opts.Rejects = etl.LoaderFunc[etl.Rejected](func(ctx context.Context, r etl.Rejected) error {
		// Line 1 is the header; line k+2 is lines[k].
		src, raw := "", r.Raw
		if k := r.Line - 2; k >= 0 && k < len(sources) {
			src, raw = sources[k], lines[k]
		}
		dead(Reject{Source: src, Raw: raw, Error: rejectReason(r.Err)})
		rejected++
		return nil
	})
	var rows, batches int64
	err := etl.CSV(strings.NewReader(text.String()), opts).Extract(ctx, func(b *frame.Frame) error {
		rows += int64(b.NumRows())
		batches++
		emit(b)
		return nil
	})
	rowsRead.Inc(ctx, rows)
	rowsRejected.Inc(ctx, rejected)
	batchesMade.Inc(ctx, batches)
	if err != nil {
		return fmt.Errorf("mlbeam: parse csv: %w", err)
	}
	return nil
}

// rejectReason states why a record was rejected without the line number
// of the batch, which means nothing to the reader of the file.
func rejectReason(err error) string {
	var pe *etl.ParseError
	if errors.As(err, &pe) {
		if pe.ColumnName != "" {
			return fmt.Sprintf("column %s: %v", pe.ColumnName, pe.Err)
		}
		return pe.Err.Error()
	}
	if err == nil {
		return "rejected"
	}
	return err.Error()
}

// FormatCSV formats frames as CSV text without a header, for
// [textio.Write]: one string per frame holding its rows' lines (without the
// last line ending), fields in the frames' column order, formatted as
// [etl.CSVWriter] does with opts (opts.NoHeader is implied). Frames come
// out in no particular order; a key column kept beside the values says
// which record each line is.
func FormatCSV(s beam.Scope, frames beam.PCollection, opts etl.CSVWriterOptions) beam.PCollection {
	s = s.Scope("mlbeam.FormatCSV")
	return beam.ParDo(s, &formatCSVFn{Options: opts}, frames)
}

type formatCSVFn struct {
	Options etl.CSVWriterOptions
}

func (f *formatCSVFn) ProcessElement(ctx context.Context, b *frame.Frame, emit func(string)) error {
	var buf bytes.Buffer
	opts := f.Options
	opts.NoHeader = true
	w := etl.NewCSVWriter(&buf, opts)
	if err := w.Load(ctx, b); err != nil {
		return fmt.Errorf("mlbeam: format csv: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mlbeam: format csv: %w", err)
	}
	text := strings.TrimSuffix(buf.String(), "\n")
	if opts.CRLF {
		text = strings.TrimSuffix(text, "\r")
	}
	if text != "" {
		emit(text)
	}
	return nil
}

// Counter returns the value of a counter of the namespace "mlbeam" in a
// finished pipeline's metrics, summed over the steps that count it: "rows"
// (rows read into frames), "rejected" (records sent to a dead letter) or
// "batches" (frames made).
// It returns 0 for a counter that never counted, or a runner that does not
// report metrics.
func Counter(r beam.PipelineResult, name string) int64 {
	if r == nil {
		return 0
	}
	var n int64
	for _, c := range r.Metrics().AllMetrics().Counters() {
		if c.Namespace() == "mlbeam" && c.Name() == name {
			n += c.Result()
		}
	}
	return n
}
