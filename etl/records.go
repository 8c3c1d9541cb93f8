package etl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unsafe"

	"github.com/mlpipe/mlpipe/frame"
)

// RecordOptions are the options shared by sources of records — JSON, JSON
// Lines, HTTP APIs — whose fields are named rather than positional. The zero
// value flattens nested objects with ".", infers the schema from the first
// 1,000 records, emits batches of 65,536 rows, and fails on a bad record.
//
// # Schema
//
// Nested objects are flattened: {"user": {"id": 7}} gives the column
// "user.id". Arrays are kept as their JSON text. A column named in Schema
// gets that kind; the others, and the set of columns itself, come from the
// first InferRows records, in order of first appearance: JSON numbers →
// [frame.Float], JSON booleans → [frame.Bool]; strings (and columns mixing
// types, as text) follow the text rules of [CSVOptions] (numeric strings →
// Float, consistent ISO dates → Time, high cardinality → String, else
// Categorical). null, a missing key, and strings spelling a missing value
// (see [DefaultNA]) are missing.
//
// A later record with a field outside the schema is an error wrapping
// [ErrSchema] (under [Reject], a rejected record), unless IgnoreUnknown is
// set, in which case such fields — not records — are dropped.
type RecordOptions struct {
	// Name names the input in errors and rejected records. Default: the
	// path, URL or "json".
	Name string
	// Separator joins the keys of nested objects. Default ".".
	Separator string
	// Records is the dotted path of the array of records inside a JSON
	// document's top-level object, as in "data" or "result.items" (keys
	// are split at the Separator). Empty means the document is the array
	// itself (or a single object, read as one record). Not used by JSON
	// Lines.
	Records string
	// Workers is how many goroutines parse JSON Lines concurrently.
	// Default runtime.GOMAXPROCS(0). A JSON document is read by one.
	Workers int
	// NA adds spellings of a missing string value to DefaultNA (or replaces
	// them, with NoDefaultNA).
	NA []string
	// NoDefaultNA drops DefaultNA.
	NoDefaultNA bool
	// Schema fixes the kind of the named (flattened) columns. Columns it
	// names that the sample lacks are added, in sorted order, after the
	// sampled ones.
	Schema map[string]frame.Kind
	// Strings lists columns to keep as free text when their kind is inferred.
	Strings []string
	// InferRows is how many leading records inference samples. Default 1000.
	InferRows int
	// BatchRows is the most rows one emitted frame holds. Default 65,536.
	BatchRows int
	// IgnoreUnknown drops fields outside the schema instead of failing the
	// record.
	IgnoreUnknown bool
	// OnError is the policy for a record that cannot be read. Default [Fail].
	OnError Policy
	// Rejects receives rejected records under [Reject], in order, from the
	// goroutine that called Extract. Required with [Reject].
	Rejects Loader[Rejected]
	// MaxRecordBytes bounds one line of JSON Lines: a longer one stops the
	// extraction with an error wrapping [ErrRecordTooLarge]. Default
	// [DefaultMaxRecordBytes]; negative means no bound. (A JSON document
	// is bounded by MaxInputBytes.)
	MaxRecordBytes int
	// MaxInputBytes bounds the bytes read from the input, counted after
	// gzip decompression: more stops the extraction with an error wrapping
	// [ErrInputTooLarge]. Default 0: no bound.
	MaxInputBytes int64
}

func (o *RecordOptions) check() error {
	if o.BatchRows < 0 || o.InferRows < 0 || o.Workers < 0 || o.MaxInputBytes < 0 {
		return fmt.Errorf("record options: negative BatchRows, InferRows, Workers or MaxInputBytes: %w", ErrOptions)
	}
	if o.OnError == Reject && o.Rejects == nil {
		return fmt.Errorf("record options: the Reject policy needs a Rejects loader: %w", ErrOptions)
	}
	if o.OnError > Reject {
		return fmt.Errorf("record options: unknown policy %v: %w", o.OnError, ErrOptions)
	}
	return nil
}

func (o *RecordOptions) batchRows() int {
	if o.BatchRows == 0 {
		return DefaultBatchRows
	}
	return o.BatchRows
}

func (o *RecordOptions) inferRows() int {
	if o.InferRows == 0 {
		return DefaultInferRows
	}
	return o.InferRows
}

func (o *RecordOptions) sep() string {
	if o.Separator == "" {
		return "."
	}
	return o.Separator
}

// recordPlan is the settled schema of a record source; read-only once built.
type recordPlan struct {
	text          *csvPlan // missing spellings and text conversion
	source        string
	sep           string
	names         []string
	index         map[string]int
	kinds         []frame.Kind
	ignoreUnknown bool
}

// sampleRecord is a record kept for inference, its fields flattened in order.
type sampleRecord struct {
	keys   []string
	values []any
}

// flattenOrdered returns the flattened fields of one JSON object in document
// order, decoding numbers as float64 like encoding/json does.
func flattenOrdered(raw []byte, sep string) (sampleRecord, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var rec sampleRecord
	t, err := dec.Token()
	if err != nil {
		return rec, err
	}
	if t != json.Delim('{') {
		return rec, fmt.Errorf("%w: not an object", ErrJSON)
	}
	err = flattenTokens(dec, "", sep, &rec)
	return rec, err
}

// flattenTokens reads the members of an object whose '{' is consumed.
func flattenTokens(dec *json.Decoder, prefix, sep string, rec *sampleRecord) error {
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		key := kt.(string)
		if prefix != "" {
			key = prefix + sep + key
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if len(raw) > 0 && raw[0] == '{' {
			inner := json.NewDecoder(bytes.NewReader(raw))
			inner.Token()
			if err := flattenTokens(inner, key, sep, rec); err != nil {
				return err
			}
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		rec.keys = append(rec.keys, key)
		rec.values = append(rec.values, v)
	}
	_, err := dec.Token() // '}'
	return err
}

// newRecordPlan settles columns and kinds from the options and a sample.
func newRecordPlan(o *RecordOptions, sample []sampleRecord) (*recordPlan, error) {
	spell := append([]string(nil), o.NA...)
	if !o.NoDefaultNA {
		spell = append(spell, DefaultNA...)
	}
	text := &csvPlan{source: o.Name, na: newNASet(spell), spellings: spell}
	for _, sp := range spell {
		if _, ok := parseFloat([]byte(sp)); ok {
			text.numericNA = true
		}
	}
	p := &recordPlan{text: text, source: o.Name, sep: o.sep(), index: make(map[string]int), ignoreUnknown: o.IgnoreUnknown}
	values := make(map[string][]any)
	for _, r := range sample {
		for i, k := range r.keys {
			if _, ok := p.index[k]; !ok {
				p.index[k] = len(p.names)
				p.names = append(p.names, k)
			}
			values[k] = append(values[k], r.values[i])
		}
	}
	var extra []string
	for k := range o.Schema {
		if _, ok := p.index[k]; !ok {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		p.index[k] = len(p.names)
		p.names = append(p.names, k)
	}
	strs := make(map[string]bool)
	for _, s := range o.Strings {
		strs[s] = true
	}
	for i, n := range p.names {
		if n == "" {
			p.names[i] = "col" + strconv.Itoa(i+1) // a frame column needs a name; the index keeps ""
		}
	}
	p.kinds = make([]frame.Kind, len(p.names))
	for i, n := range p.names {
		if k, ok := o.Schema[n]; ok {
			if k < frame.Float || k > frame.Bool {
				return nil, fmt.Errorf("read %s: schema gives column %q unknown kind %v: %w", o.Name, n, k, ErrOptions)
			}
			p.kinds[i] = k
			continue
		}
		key := n
		if _, ok := p.index[n]; !ok {
			key = "" // renamed above
		}
		p.kinds[i] = inferValues(text.na, values[key], strs[n])
	}
	return p, nil
}

// inferValues infers a column's kind from its sampled JSON values.
func inferValues(na *naSet, vals []any, str bool) frame.Kind {
	if str {
		return frame.String
	}
	nums, bools, n := 0, 0, 0
	var texts [][]string
	for _, v := range vals {
		if v == nil {
			continue
		}
		n++
		switch v.(type) {
		case float64:
			nums++
		case bool:
			bools++
		}
		texts = append(texts, []string{jsonText(v)})
	}
	switch {
	case n == 0:
		return frame.Categorical
	case nums == n:
		return frame.Float
	case bools == n:
		return frame.Bool
	}
	return inferKind(na, texts, 0, 1, false)
}

// jsonText renders a decoded JSON value as text: numbers in the shortest
// exact form, booleans as true and false, arrays and objects as JSON.
func jsonText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return string(appendFloat(nil, v))
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// recordBatch accumulates records into the columns of one frame.
type recordBatch struct {
	p     *recordPlan
	cols  []colBuilder
	stamp []int // gen when the column got a value in the current record
	gen   int   // counts add calls
	rows  int
	cp    chunkParser
}

func newRecordBatch(p *recordPlan, capacity int) *recordBatch {
	b := &recordBatch{p: p, cols: make([]colBuilder, len(p.names)), stamp: make([]int, len(p.names))}
	for i := range b.cols {
		b.cols[i].init(p.kinds[i], capacity, p.text.spellings)
	}
	b.cp = chunkParser{p: p.text}
	return b
}

// add appends one decoded record (a JSON object). On error the batch is
// left as before the call.
func (b *recordBatch) add(rec map[string]any) *ParseError {
	b.gen++
	if perr := b.put("", rec); perr != nil {
		for i := range b.cols {
			b.cols[i].truncate(b.rows)
		}
		return perr
	}
	for i := range b.cols {
		if b.stamp[i] != b.gen {
			b.cols[i].appendNA()
		}
	}
	b.rows++
	return nil
}

func (b *recordBatch) put(prefix string, m map[string]any) *ParseError {
	for k, v := range m {
		if prefix != "" {
			k = prefix + b.p.sep + k
		}
		if inner, ok := v.(map[string]any); ok {
			if perr := b.put(k, inner); perr != nil {
				return perr
			}
			continue
		}
		i, ok := b.p.index[k]
		if !ok {
			if b.p.ignoreUnknown {
				continue
			}
			return &ParseError{Source: b.p.source, ColumnName: k, Raw: jsonText(v),
				Err: fmt.Errorf("%w: field %q is not in the schema", ErrSchema, k)}
		}
		if b.stamp[i] == b.gen {
			return &ParseError{Source: b.p.source, Column: i + 1, ColumnName: k, Raw: jsonText(v),
				Err: fmt.Errorf("%w: field %q given twice (after flattening)", ErrSchema, k)}
		}
		b.stamp[i] = b.gen
		if err := b.value(&b.cols[i], v); err != nil {
			return &ParseError{Source: b.p.source, Column: i + 1, ColumnName: k, Raw: jsonText(v), Err: err}
		}
	}
	return nil
}

// value appends one decoded JSON value to c, converting it to c's kind.
func (b *recordBatch) value(c *colBuilder, v any) error {
	switch v := v.(type) {
	case nil:
		c.appendNA()
		return nil
	case string:
		return b.cp.value(c, unsafe.Slice(unsafe.StringData(v), len(v)))
	case float64:
		switch c.kind {
		case frame.Float:
			c.floats = append(c.floats, v)
			c.n++
			return nil
		case frame.Categorical, frame.String:
			return b.cp.value(c, appendFloat(nil, v))
		}
	case bool:
		switch c.kind {
		case frame.Bool:
			c.bools = append(c.bools, v)
			c.markOK()
			c.n++
			return nil
		case frame.Categorical, frame.String:
			return b.cp.value(c, strconv.AppendBool(nil, v))
		}
	default:
		if c.kind == frame.Categorical || c.kind == frame.String {
			return b.cp.value(c, []byte(jsonText(v)))
		}
	}
	return fmt.Errorf("%w: %s value for a %v column", ErrKind, jsonType(v), c.kind)
}

func jsonType(v any) string {
	switch v.(type) {
	case float64:
		return "number"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// frame returns the batch as a frame and starts a new one, or nil when empty.
func (b *recordBatch) frame(capacity int) (*frame.Frame, error) {
	if b.rows == 0 {
		return nil, nil
	}
	if len(b.cols) == 0 {
		// A frame without columns has no rows: the records would be
		// counted as read and vanish.
		return nil, fmt.Errorf("read %s: %d records, and no column (the sampled records have no fields; give a Schema): %w", b.p.source, b.rows, ErrSchema)
	}
	series := make([]frame.Series, len(b.cols))
	for i := range b.cols {
		c, err := b.cols[i].column()
		if err != nil {
			return nil, fmt.Errorf("read %s column %s: %w", b.p.source, b.p.names[i], err)
		}
		series[i] = frame.Series{Name: b.p.names[i], Col: c}
	}
	f, err := frame.New(series...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", b.p.source, err)
	}
	*b = *newRecordBatch(b.p, capacity)
	return f, nil
}
