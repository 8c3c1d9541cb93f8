package etl

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/mlpipe/mlpipe/frame"
)

// JSONExtractor reads JSON records — one object per line (JSON Lines) or an
// array of objects in a document — as a stream of [*frame.Frame] batches,
// nested objects flattened to dotted column names (see [RecordOptions]).
// Make one with [JSON], [JSONLines], [OpenJSON] or [OpenJSONLines].
//
// JSON Lines are cut into pieces parsed concurrently and emitted in input
// order; each bad line is a record to fail on or reject. A JSON document is
// streamed by one goroutine, a record at a time; a syntax error in it ends
// the stream (under [Reject], the unreadable rest becomes one rejected
// record).
//
// Extract may be called once for a reader, again for a file from an Open
// function (the file is reopened), never concurrently; Stats and Schema may
// be called concurrently with it.
type JSONExtractor struct {
	r      io.Reader
	closer []io.Closer
	opts   RecordOptions
	lines  bool
	used   atomic.Bool
	path   string // set by the Open functions: a second Extract reopens the file
	stats  statCounters

	mu     sync.Mutex
	schema []Field
}

var (
	_ Extractor[*frame.Frame] = (*JSONExtractor)(nil)
	_ io.Closer               = (*JSONExtractor)(nil)
)

// JSON returns an extractor of the records of the JSON document read from
// r: an array of objects, or the array at opts.Records inside the top-level
// object. The caller keeps ownership of r. Bad options are reported by
// Extract.
func JSON(r io.Reader, opts RecordOptions) *JSONExtractor {
	if opts.Name == "" {
		opts.Name = "json"
	}
	return &JSONExtractor{r: r, opts: opts}
}

// JSONLines returns an extractor of the JSON Lines read from r: one object
// per line, blank lines skipped. The caller keeps ownership of r. Bad
// options are reported by Extract.
func JSONLines(r io.Reader, opts RecordOptions) *JSONExtractor {
	if opts.Name == "" {
		opts.Name = "jsonl"
	}
	return &JSONExtractor{r: r, opts: opts, lines: true}
}

// OpenJSON opens the JSON document at path (gzip-decompressed when path
// ends in ".gz") and returns an extractor of its records. A missing file or
// bad options are reported at once. Close the extractor to close the file.
func OpenJSON(path string, opts RecordOptions) (*JSONExtractor, error) {
	return openJSON(path, opts, false)
}

// OpenJSONLines opens the JSON Lines file at path (gzip-decompressed when
// path ends in ".gz") and returns an extractor of its records. A missing
// file or bad options are reported at once. Close the extractor to close
// the file.
func OpenJSONLines(path string, opts RecordOptions) (*JSONExtractor, error) {
	return openJSON(path, opts, true)
}

func openJSON(path string, opts RecordOptions, lines bool) (*JSONExtractor, error) {
	if opts.Name == "" {
		opts.Name = path
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	r, closers, err := openInput(path, opts.Name)
	if err != nil {
		return nil, err
	}
	return &JSONExtractor{r: r, closer: closers, opts: opts, lines: lines, path: path}, nil
}

// openInput opens path for reading, through gzip when it ends in ".gz".
func openInput(path, name string) (io.Reader, []io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", name, err)
	}
	if !strings.HasSuffix(path, ".gz") {
		return f, []io.Closer{f}, nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("read %s: gzip: %w", name, err)
	}
	return zr, []io.Closer{zr, f}, nil
}

// Close closes the file an Open function opened; otherwise it does nothing.
func (x *JSONExtractor) Close() error {
	var errs []error
	for _, c := range x.closer {
		errs = append(errs, c.Close())
	}
	x.closer = nil
	return errors.Join(errs...)
}

// Stats returns the counts so far. It is safe to call during Extract.
func (x *JSONExtractor) Stats() Stats { return x.stats.snapshot() }

// Schema returns the columns and kinds of the frames Extract emits, known
// once Extract has read its sample (nil before).
func (x *JSONExtractor) Schema() []Field {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]Field(nil), x.schema...)
}

func (x *JSONExtractor) setSchema(p *recordPlan) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.schema = make([]Field, len(p.names))
	for i := range p.names {
		x.schema[i] = Field{p.names[i], p.kinds[i]}
	}
}

// Extract reads the records and calls emit with each batch of at most
// BatchRows rows, in input order. It returns nil at the end of the input,
// the first [*ParseError] under [Fail] (after emitting the batches before
// it), emit's or the rejects loader's error, a read error, or ctx.Err(). An
// input without records emits nothing and returns nil. A second call
// returns [ErrConsumed] for a reader; a file is reopened.
func (x *JSONExtractor) Extract(ctx context.Context, emit func(*frame.Frame) error) error {
	if err := x.opts.check(); err != nil {
		return err
	}
	if !x.used.CompareAndSwap(false, true) {
		if x.path == "" {
			return fmt.Errorf("read %s: %w", x.opts.Name, ErrConsumed)
		}
		x.Close()
		r, closers, err := openInput(x.path, x.opts.Name)
		if err != nil {
			return err
		}
		x.r, x.closer = r, closers
		x.stats.reset()
	}
	out := &sink{name: x.opts.Name, rejects: x.opts.Rejects, stats: &x.stats, emit: emit}
	if x.lines {
		return x.extractLines(ctx, out)
	}
	return x.extractDocument(ctx, out)
}

// longLine returns the index (from 0) of the first line of data longer
// than bound, its line ending aside, and its length; -1 when there is none.
func longLine(data []byte, bound int) (int, int) {
	for i := 0; len(data) > 0; i++ {
		l := data
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
			l, data = data[:nl+1], data[nl+1:]
		} else {
			data = nil
		}
		if n := len(trimEOL(l)); n > bound {
			return i, n
		}
	}
	return -1, 0
}

// eachLine calls f with each non-blank line of data and its line number.
func eachLine(data []byte, line int, f func(l []byte, line int) bool) {
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		var l []byte
		if nl < 0 {
			l, data = data, nil
		} else {
			l, data = data[:nl], data[nl+1:]
		}
		if l = bytes.TrimSpace(l); len(l) > 0 {
			if !f(l, line) {
				return
			}
		}
		line++
	}
}

func (x *JSONExtractor) extractLines(ctx context.Context, out *sink) error {
	o := &x.opts
	batchRows, inferRows := o.batchRows(), o.inferRows()
	workers := o.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ck := &chunker{syn: &csvSyntax{}, r: boundInput(x.r, o.MaxInputBytes), line: 1, maxRecs: batchRows, maxBytes: maxChunkBytes,
		maxRecord: maxRecordBytes(o.MaxRecordBytes)}
	var pending []*chunkJob
	var sample []sampleRecord
	var readErr error
	for len(sample) < inferRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		data, line, err := ck.next()
		x.stats.bytes.Store(ck.bytes)
		if err == io.EOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		eachLine(data, line, func(l []byte, _ int) bool {
			if rec, err := flattenOrdered(l, o.sep()); err == nil && utf8.Valid(l) {
				sample = append(sample, rec)
			}
			return len(sample) < inferRows
		})
		pending = append(pending, &chunkJob{data: data, line: line})
	}
	if readErr != nil && len(pending) == 0 {
		return fmt.Errorf("read %s: %w", o.Name, readErr)
	}
	plan, err := newRecordPlan(o, sample)
	if err != nil {
		return err
	}
	x.setSchema(plan)
	maxRecord := maxRecordBytes(o.MaxRecordBytes)
	parse := func(data []byte, line int) chunkResult {
		var res chunkResult
		if maxRecord > 0 && len(data) > maxRecord {
			// Only a piece longer than the bound can hold a line longer
			// than it.
			if at, n := longLine(data, maxRecord); at >= 0 {
				res.err = recordTooLarge(o.Name, line+at, n, maxRecord)
				return res
			}
		}
		b := newRecordBatch(plan, min(bytes.Count(data, newline)+1, batchRows))
		eachLine(data, line, func(l []byte, line int) bool {
			res.records++
			perr := parseJSONRecord(b, l)
			if perr == nil {
				return true
			}
			perr.Line = line
			if o.OnError == Fail {
				res.err = perr
				return false
			}
			res.rejects = append(res.rejects, Rejected{Source: o.Name, Line: line, Raw: string(l), Err: perr})
			return true
		})
		if res.err != nil {
			return res
		}
		res.frame, res.err = b.frame(0)
		return res
	}
	return runChunks(ctx, pending, readErr, ck, workers, parse, out, &x.stats)
}

// parseJSONRecord decodes one JSON object and adds it to b.
func parseJSONRecord(b *recordBatch, raw []byte) *ParseError {
	if !utf8.Valid(raw) {
		return &ParseError{Source: b.p.source, Raw: string(raw), Err: ErrUTF8}
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		if err == nil {
			err = errors.New("null is not an object")
		}
		return &ParseError{Source: b.p.source, Raw: string(raw), Err: fmt.Errorf("%w: %v", ErrJSON, err)}
	}
	if len(b.cols) == 0 {
		// No column to hold it (the sample had no field): a frame without
		// columns has no rows, so the record would vanish.
		return &ParseError{Source: b.p.source, Raw: string(raw),
			Err: fmt.Errorf("%w: no column to hold the record (the sampled records have no fields; give a Schema)", ErrSchema)}
	}
	return b.add(m)
}

// seekRecords moves dec to the value at path inside nested objects.
func seekRecords(dec *json.Decoder, path []string) error {
	for depth, key := range path {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if t != json.Delim('{') {
			return fmt.Errorf("%s is not an object", strings.Join(path[:depth], "."))
		}
		found := false
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			if kt == key {
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
		if !found {
			return fmt.Errorf("no key %q", strings.Join(path[:depth+1], "."))
		}
	}
	return nil
}

func (x *JSONExtractor) extractDocument(ctx context.Context, out *sink) (err error) {
	o := &x.opts
	batchRows, inferRows := o.batchRows(), o.inferRows()
	cr := &countingReader{r: boundInput(x.r, o.MaxInputBytes)}
	defer func() {
		x.stats.bytes.Store(cr.n)
		// The decoder reports a read error as text: keep it testable.
		if err != nil && cr.err != nil && !errors.Is(err, cr.err) {
			err = fmt.Errorf("read %s: %w", o.Name, cr.err)
		}
	}()
	dec := json.NewDecoder(cr)
	if o.Records != "" {
		if err := seekRecords(dec, strings.Split(o.Records, o.sep())); err != nil {
			return fmt.Errorf("read %s: records at %q: %w: %v", o.Name, o.Records, ErrJSON, err)
		}
	}
	// Peek: an array of records, or one object.
	var raws []json.RawMessage
	single := false
	t, err := dec.Token()
	switch {
	case err == io.EOF && o.Records == "":
		return nil
	case err != nil:
		return fmt.Errorf("read %s: %w: %v", o.Name, ErrJSON, err)
	case t == json.Delim('{'):
		// One object: read it whole by re-decoding from its start is not
		// possible, so gather its members as a record.
		rec, err := readObjectRest(dec)
		if err != nil {
			return fmt.Errorf("read %s: %w: %v", o.Name, ErrJSON, err)
		}
		raws, single = append(raws, rec), true
	case t != json.Delim('['):
		return fmt.Errorf("read %s: %w: want an array of objects, found %v", o.Name, ErrJSON, t)
	}
	index := 0
	var tailErr error
	next := func() (json.RawMessage, bool) {
		if single || tailErr != nil || !dec.More() {
			return nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			tailErr = err
			return nil, false
		}
		return raw, true
	}
	for len(raws) < inferRows {
		raw, ok := next()
		if !ok {
			break
		}
		raws = append(raws, raw)
	}
	var sample []sampleRecord
	for _, raw := range raws {
		if rec, err := flattenOrdered(raw, o.sep()); err == nil {
			sample = append(sample, rec)
		}
	}
	plan, err := newRecordPlan(o, sample)
	if err != nil {
		return err
	}
	x.setSchema(plan)
	b := newRecordBatch(plan, min(batchRows, 1024))
	var res chunkResult
	flush := func() error {
		f, err := b.frame(min(batchRows, 1024))
		if err == nil {
			res.frame = f
			err = out.handle(ctx, res)
		}
		res = chunkResult{}
		return err
	}
	add := func(raw json.RawMessage) error {
		index++
		res.records++
		perr := parseJSONRecord(b, raw)
		if perr != nil {
			perr.Record = index
			if o.OnError == Fail {
				res.err = perr
				return out.handle(ctx, res)
			}
			res.rejects = append(res.rejects, Rejected{Source: o.Name, Record: index, Raw: string(raw), Err: perr})
		}
		if b.rows >= batchRows {
			return flush()
		}
		return ctx.Err()
	}
	for _, raw := range raws {
		if err := add(raw); err != nil {
			return err
		}
	}
	for {
		raw, ok := next()
		if !ok {
			break
		}
		if err := add(raw); err != nil {
			return err
		}
	}
	if tailErr == nil && !single {
		if _, err := dec.Token(); err != nil { // the closing ']'
			tailErr = err
		}
	}
	if tailErr != nil {
		index++
		perr := &ParseError{Source: o.Name, Record: index, Err: fmt.Errorf("%w: %v", ErrJSON, tailErr)}
		if o.OnError == Fail {
			if err := flush(); err != nil {
				return err
			}
			return perr
		}
		rest, _ := io.ReadAll(io.LimitReader(io.MultiReader(dec.Buffered(), cr), 1<<20))
		perr.Raw = string(rest)
		res.records++
		res.rejects = append(res.rejects, Rejected{Source: o.Name, Record: index, Raw: string(rest), Err: perr})
	}
	return flush()
}

// readObjectRest reads the members of an object whose '{' dec has consumed
// and returns the object as JSON.
func readObjectRest(dec *json.Decoder) (json.RawMessage, error) {
	m := make(map[string]json.RawMessage)
	var keys []string
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		k := kt.(string)
		keys = append(keys, k)
		m[k] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(m[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

type countingReader struct {
	r   io.Reader
	n   int64
	err error // the first read error other than io.EOF
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}
