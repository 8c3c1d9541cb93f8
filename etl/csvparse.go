package etl

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/mlpipe/mlpipe/frame"
)

// naSet recognises the missing-value spellings without allocating: a field is
// looked up in the map only when its length and first byte could match.
type naSet struct {
	empty  bool
	maxLen int
	first  [256]bool
	set    map[string]struct{}
}

func newNASet(spellings []string) *naSet {
	n := &naSet{set: make(map[string]struct{}, len(spellings))}
	for _, s := range spellings {
		if s == "" {
			n.empty = true
			continue
		}
		n.set[s] = struct{}{}
		n.first[s[0]] = true
		n.maxLen = max(n.maxLen, len(s))
	}
	return n
}

func (n *naSet) is(b []byte) bool {
	if len(b) == 0 {
		return n.empty
	}
	if len(b) > n.maxLen || !n.first[b[0]] {
		return false
	}
	_, ok := n.set[string(b)]
	return ok
}

// csvPlan is everything a worker needs to parse a chunk: the syntax, the
// columns and their kinds, the missing-value spellings. It is read-only once
// built, so workers share it.
type csvPlan struct {
	syn    csvSyntax
	source string
	names  []string
	kinds  []frame.Kind
	na     *naSet
	// spellings lists the missing spellings; numericNA says one of them
	// parses as a number, so float fields must be checked against them first.
	spellings []string
	numericNA bool
	policy    Policy
	// maxField bounds a field's bytes, maxRecord a record's (0: no bound).
	maxField, maxRecord int
	// special marks the bytes that end a plain field: the delimiter, '\n'
	// and, when quoting, the quote.
	special [256]bool
	// sepWord and quoteWord repeat the delimiter and quote in every byte.
	sepWord, quoteWord uint64
}

// colBuilder accumulates one column of a chunk.
type colBuilder struct {
	kind   frame.Kind
	floats []float64
	codes  []int32
	dict   []string
	index  map[string]int32
	strs   []string
	nanos  []int64
	bools  []bool
	valid  []bool // for string, time, bool; nil while every value is valid
	n      int
	layout int // last time layout that parsed, tried first
}

func (b *colBuilder) init(kind frame.Kind, capacity int, spellings []string) {
	b.kind = kind
	switch kind {
	case frame.Float:
		b.floats = make([]float64, 0, capacity)
	case frame.Categorical:
		b.codes = make([]int32, 0, capacity)
		b.index = make(map[string]int32)
		for _, s := range spellings {
			b.index[s] = -1
		}
	case frame.String:
		b.strs = make([]string, 0, capacity)
	case frame.Time:
		b.nanos = make([]int64, 0, capacity)
	case frame.Bool:
		b.bools = make([]bool, 0, capacity)
	}
}

func (b *colBuilder) markNA() {
	if b.valid == nil {
		b.valid = make([]bool, b.n, max(b.n+1, cap(b.floats), cap(b.strs), cap(b.nanos), cap(b.bools)))
		for i := range b.valid {
			b.valid[i] = true
		}
	}
	b.valid = append(b.valid, false)
}

func (b *colBuilder) markOK() {
	if b.valid != nil {
		b.valid = append(b.valid, true)
	}
}

func (b *colBuilder) appendNA() {
	switch b.kind {
	case frame.Float:
		b.floats = append(b.floats, math.NaN())
	case frame.Categorical:
		b.codes = append(b.codes, -1)
	case frame.String:
		b.strs = append(b.strs, "")
		b.markNA()
	case frame.Time:
		b.nanos = append(b.nanos, 0)
		b.markNA()
	case frame.Bool:
		b.bools = append(b.bools, false)
		b.markNA()
	}
	b.n++
}

// truncate drops values appended after the first n (a rejected row's).
func (b *colBuilder) truncate(n int) {
	if b.n == n {
		return
	}
	switch b.kind {
	case frame.Float:
		b.floats = b.floats[:n]
	case frame.Categorical:
		b.codes = b.codes[:n]
	case frame.String:
		b.strs = b.strs[:n]
	case frame.Time:
		b.nanos = b.nanos[:n]
	case frame.Bool:
		b.bools = b.bools[:n]
	}
	if b.valid != nil {
		b.valid = b.valid[:n]
	}
	b.n = n
}

func (b *colBuilder) column() (frame.Column, error) {
	switch b.kind {
	case frame.Float:
		return frame.NewFloat(b.floats), nil
	case frame.Categorical:
		return frame.NewCategoricalCodes(b.codes, b.dict)
	case frame.String:
		return frame.NewString(b.strs, b.valid), nil
	case frame.Time:
		return frame.NewTimeNanos(b.nanos, b.valid), nil
	case frame.Bool:
		return frame.NewBool(b.bools, b.valid), nil
	}
	return nil, fmt.Errorf("column kind %v: %w", b.kind, ErrOptions)
}

// chunkParser parses one chunk; one per worker call.
type chunkParser struct {
	p       *csvPlan
	data    []byte
	arena   []byte // the current block backing string values
	fields  [][]byte
	scratch []byte
	utf8ok  int8 // 0 unknown, 1 whole chunk valid, -1 not

	// What parsePlain found wrong.
	errCol, errFields int
	errVal            []byte
	errErr            error
}

// parse parses data, whose first byte is on line line.
func (p *csvPlan) parse(data []byte, line int, capacity int) chunkResult {
	cp := chunkParser{p: p, data: data, fields: make([][]byte, 0, len(p.names))}
	cols := make([]colBuilder, len(p.names))
	for i := range cols {
		cols[i].init(p.kinds[i], capacity, p.spellings)
	}
	res := chunkResult{}
	rows := 0
	pos := 0
	for pos < len(data) {
		recLine := line
		if p.syn.comment != 0 && data[pos] == p.syn.comment {
			nl := bytes.IndexByte(data[pos:], '\n')
			if nl < 0 {
				break
			}
			pos += nl + 1
			line++
			continue
		}
		var rec []byte
		var perr *ParseError
		end, st := cp.parsePlain(data, pos, cols, rows)
		switch st {
		case plainBlank:
			pos = end
			line++
			continue
		case plainOK, plainFieldCount, plainValue:
			rec = data[pos:end]
			pos = end
			if rec[len(rec)-1] == '\n' {
				line++
			}
			rec = trimEOL(rec)
			res.records++
			if p.maxRecord > 0 && len(rec) > p.maxRecord {
				res.err = recordTooLarge(p.source, recLine, len(rec), p.maxRecord)
				return res
			}
			if st == plainOK {
				perr = cp.checkFieldSizes(rec, recLine, false)
			} else {
				perr = cp.plainError(st, rec, recLine)
			}
		case plainQuoted:
			for i := range cols {
				cols[i].truncate(rows)
			}
			end, _ := p.syn.recordEnd(data, pos)
			if end < 0 {
				end = len(data)
			}
			rec = data[pos:end]
			pos = end
			line += bytes.Count(rec, newline)
			rec = trimEOL(rec)
			res.records++
			if p.maxRecord > 0 && len(rec) > p.maxRecord {
				res.err = recordTooLarge(p.source, recLine, len(rec), p.maxRecord)
				return res
			}
			if perr = cp.splitQuoted(rec, recLine); perr == nil {
				if perr = cp.checkFieldSizes(rec, recLine, true); perr == nil {
					perr = cp.convert(rec, recLine, cols)
				}
			}
		}
		if perr == nil {
			rows++
			continue
		}
		for i := range cols {
			cols[i].truncate(rows)
		}
		if p.policy == Fail {
			res.err = perr
			return res
		}
		res.rejects = append(res.rejects, Rejected{Source: p.source, Line: recLine, Raw: string(rec), Err: perr})
	}
	if rows == 0 {
		return res
	}
	series := make([]frame.Series, len(cols))
	for i := range cols {
		c, err := cols[i].column()
		if err != nil {
			res.err = fmt.Errorf("read %s column %s: %w", p.source, p.names[i], err)
			return res
		}
		series[i] = frame.Series{Name: p.names[i], Col: c}
	}
	f, err := frame.New(series...)
	if err != nil {
		res.err = fmt.Errorf("read %s: %w", p.source, err)
		return res
	}
	res.frame = f
	return res
}

func trimEOL(rec []byte) []byte {
	if n := len(rec); n > 0 && rec[n-1] == '\n' {
		rec = rec[:n-1]
		if n := len(rec); n > 0 && rec[n-1] == '\r' {
			rec = rec[:n-1]
		}
	}
	return rec
}

const (
	lows   = 0x0101010101010101
	highs  = 0x8080808080808080
	nlWord = lows * '\n'
)

// zeroBytes has the high bit set in the lowest byte of x that is zero (and
// perhaps in higher bytes: only the lowest set bit is exact).
func zeroBytes(x uint64) uint64 { return (x - lows) &^ x & highs }

// Outcomes of parsePlain.
const (
	plainOK         = iota // a record converted into the columns
	plainBlank             // an empty line
	plainQuoted            // the record holds a quote: split it with splitQuoted
	plainFieldCount        // too few or too many fields
	plainValue             // a value did not convert (cp.errCol, cp.errVal, cp.errErr)
)

// parsePlain converts the record starting at data[pos] straight into cols,
// field by field as it finds them, with no intermediate slice of fields. It
// returns the index after the record (past its '\n', or len(data)) and the
// outcome. On any outcome but plainOK and plainBlank, cols may hold part of
// the record: the caller truncates them.
func (cp *chunkParser) parsePlain(data []byte, pos int, cols []colBuilder, rows int) (int, int) {
	p := cp.p
	sep := p.syn.sep
	trim := p.syn.trim
	ncols := len(cols)
	k := 0 // fields seen
	start := pos
	i := pos
	status := plainOK
	for {
		for i+8 <= len(data) {
			x := binary.LittleEndian.Uint64(data[i:])
			m := zeroBytes(x^p.sepWord) | zeroBytes(x^nlWord)
			if p.syn.quoting {
				m |= zeroBytes(x ^ p.quoteWord)
			}
			if m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for ; i < len(data) && !p.special[data[i]]; i++ {
		}
		last := i >= len(data) || data[i] == '\n'
		if !last && data[i] != sep {
			return i, plainQuoted
		}
		f := data[start:i]
		if last {
			if n := len(f); n > 0 && f[n-1] == '\r' {
				f = f[:n-1]
			}
			if k == 0 && len(f) == 0 {
				return min(i+1, len(data)), plainBlank
			}
		}
		if status == plainOK {
			if k >= ncols {
				status = plainFieldCount
			} else {
				if trim {
					f = trimBlank(f, sep)
				}
				if err := cp.value(&cols[k], f); err != nil {
					status = plainValue
					cp.errCol, cp.errVal, cp.errErr = k, f, err
				}
			}
		}
		k++
		if last {
			if status == plainOK && k != ncols {
				status = plainFieldCount
			}
			if status == plainFieldCount {
				cp.errFields = k
			}
			return min(i+1, len(data)), status
		}
		i++
		start = i
	}
}

// recordTooLarge is the error for a record longer than the bound: it stops
// the read under every policy, as the chunker's does for a record whose end
// is not within the bound.
func recordTooLarge(source string, line, n, bound int) *ParseError {
	return &ParseError{Source: source, Line: line, Err: fmt.Errorf("%w: %d bytes, more than %d", ErrRecordTooLarge, n, bound)}
}

// checkFieldSizes returns an error wrapping [ErrFieldTooLarge] for the
// first field of rec longer than the plan's maxField, nil when there is
// none. It costs a comparison unless rec itself is longer than the bound.
// With split, cp.fields already holds rec's fields.
func (cp *chunkParser) checkFieldSizes(rec []byte, line int, split bool) *ParseError {
	p := cp.p
	if p.maxField <= 0 || len(rec) <= p.maxField {
		return nil
	}
	if !split {
		cp.splitPlain(rec)
	}
	for i, f := range cp.fields {
		if len(f) > p.maxField {
			pe := &ParseError{Source: p.source, Line: line, Column: i + 1, Raw: string(f[:min(len(f), 80)]),
				Err: fmt.Errorf("%w: %d bytes, more than %d", ErrFieldTooLarge, len(f), p.maxField)}
			if i < len(p.names) {
				pe.ColumnName = p.names[i]
			}
			return pe
		}
	}
	return nil
}

// plainError builds the error parsePlain reported.
func (cp *chunkParser) plainError(st int, rec []byte, line int) *ParseError {
	p := cp.p
	if st == plainFieldCount {
		return &ParseError{Source: p.source, Line: line, Raw: string(rec),
			Err: fmt.Errorf("%w: %d, want %d", ErrFieldCount, cp.errFields, len(p.names))}
	}
	return &ParseError{Source: p.source, Line: line, Column: cp.errCol + 1, ColumnName: p.names[cp.errCol], Raw: string(cp.errVal), Err: cp.errErr}
}

// convert appends the record's fields, split into cp.fields, to cols. On
// error, cols may hold part of the record: the caller truncates them.
func (cp *chunkParser) convert(rec []byte, line int, cols []colBuilder) *ParseError {
	p := cp.p
	if len(cp.fields) != len(cols) {
		return &ParseError{Source: p.source, Line: line, Raw: string(rec),
			Err: fmt.Errorf("%w: %d, want %d", ErrFieldCount, len(cp.fields), len(cols))}
	}
	for i, f := range cp.fields {
		if e := cp.value(&cols[i], f); e != nil {
			return &ParseError{Source: p.source, Line: line, Column: i + 1, ColumnName: p.names[i], Raw: string(f), Err: e}
		}
	}
	return nil
}

func (cp *chunkParser) splitPlain(rec []byte) {
	sep := cp.p.syn.sep
	trim := cp.p.syn.trim
	cp.fields = cp.fields[:0]
	for {
		k := bytes.IndexByte(rec, sep)
		if k < 0 {
			if trim {
				rec = trimBlank(rec, sep)
			}
			cp.fields = append(cp.fields, rec)
			return
		}
		f := rec[:k]
		if trim {
			f = trimBlank(f, sep)
		}
		cp.fields = append(cp.fields, f)
		rec = rec[k+1:]
	}
}

func trimBlank(b []byte, sep byte) []byte {
	for len(b) > 0 && isBlank(b[0], sep) {
		b = b[1:]
	}
	for len(b) > 0 && isBlank(b[len(b)-1], sep) {
		b = b[:len(b)-1]
	}
	return b
}

// splitQuoted splits a record holding quote bytes, unescaping doubled
// quotes. Quoted content is otherwise kept verbatim, CRLF included (unlike
// encoding/csv, which turns it into LF), so what CSVWriter writes reads back
// unchanged.
func (cp *chunkParser) splitQuoted(rec []byte, line int) *ParseError {
	syn := &cp.p.syn
	cp.fields = cp.fields[:0]
	cp.scratch = cp.scratch[:0]
	i := 0
	for {
		col := len(cp.fields) + 1
		start := i
		if syn.trim {
			for i < len(rec) && isBlank(rec[i], syn.sep) {
				i++
			}
		}
		if i < len(rec) && rec[i] == syn.quote {
			// Quoted field: find the closing quote.
			i++
			begin := i
			plain := true
			for {
				q := bytes.IndexByte(rec[i:], syn.quote)
				if q < 0 {
					return cp.quoteErr(rec, line, col, `quoted field has no closing "`)
				}
				i += q + 1
				if i < len(rec) && rec[i] == syn.quote {
					plain = false
					i++
					continue
				}
				break
			}
			content := rec[begin : i-1]
			if !plain {
				from := len(cp.scratch)
				for j := 0; j < len(content); j++ {
					c := content[j]
					if c == syn.quote {
						j++ // doubled quote
					}
					cp.scratch = append(cp.scratch, c)
				}
				content = cp.scratch[from:len(cp.scratch):len(cp.scratch)]
			}
			if syn.trim {
				for i < len(rec) && isBlank(rec[i], syn.sep) {
					i++
				}
			}
			if i < len(rec) && rec[i] != syn.sep {
				return cp.quoteErr(rec, line, col, `text after closing "`)
			}
			cp.fields = append(cp.fields, content)
			if i == len(rec) {
				return nil
			}
			i++
			continue
		}
		k := bytes.IndexByte(rec[i:], syn.sep)
		end := len(rec)
		if k >= 0 {
			end = i + k
		}
		f := rec[start:end]
		if bytes.IndexByte(f, syn.quote) >= 0 {
			return cp.quoteErr(rec, line, col, `bare " in unquoted field`)
		}
		if syn.trim {
			f = trimBlank(f, syn.sep)
		}
		cp.fields = append(cp.fields, f)
		if k < 0 {
			return nil
		}
		i = end + 1
	}
}

func (cp *chunkParser) quoteErr(rec []byte, line, col int, why string) *ParseError {
	e := &ParseError{Source: cp.p.source, Line: line, Raw: string(rec), Err: fmt.Errorf("%w: field %d: %s", ErrQuote, col, why)}
	return e
}

// value converts one field and appends it to b.
func (cp *chunkParser) value(b *colBuilder, f []byte) error {
	switch b.kind {
	case frame.Float:
		// Parse first: a number is not a missing spelling unless one of
		// the spellings is numeric.
		if !cp.p.numericNA {
			if v, ok := parseFloat(f); ok {
				b.floats = append(b.floats, v)
				b.n++
				return nil
			}
		}
		if cp.p.na.is(f) {
			b.appendNA()
			return nil
		}
		v, ok := parseFloat(f)
		if !ok {
			return ErrNotNumber
		}
		b.floats = append(b.floats, v)
		b.n++
		return nil
	case frame.Categorical:
		// A small dictionary is scanned (cheaper than hashing); the index
		// also maps the missing spellings to -1.
		if len(b.dict) <= 8 {
			for k, d := range b.dict {
				if d == string(f) {
					b.codes = append(b.codes, int32(k))
					b.n++
					return nil
				}
			}
		}
		code, ok := b.index[string(f)]
		if !ok {
			if cp.p.na.is(f) {
				b.appendNA()
				return nil
			}
			if !utf8.Valid(f) {
				return ErrUTF8
			}
			code = int32(len(b.dict))
			s := string(f)
			b.dict = append(b.dict, s)
			b.index[s] = code
		}
		b.codes = append(b.codes, code)
		b.n++
		return nil
	}
	if cp.p.na.is(f) {
		b.appendNA()
		return nil
	}
	switch b.kind {
	case frame.String:
		if !cp.validUTF8(f) {
			return ErrUTF8
		}
		b.strs = append(b.strs, cp.str(f))
		b.markOK()
	case frame.Time:
		ns, layout, ok := parseTime(f, b.layout)
		if !ok {
			return ErrNotTime
		}
		b.layout = layout
		b.nanos = append(b.nanos, ns)
		b.markOK()
	case frame.Bool:
		v, ok := parseBool(f)
		if !ok {
			return ErrNotBool
		}
		b.bools = append(b.bools, v)
		b.markOK()
	}
	b.n++
	return nil
}

func (cp *chunkParser) validUTF8(f []byte) bool {
	if cp.utf8ok == 0 {
		cp.utf8ok = -1
		if utf8.Valid(cp.data) {
			cp.utf8ok = 1
		}
	}
	if cp.utf8ok == 1 && cp.inData(f) {
		return true
	}
	return utf8.Valid(f)
}

func (cp *chunkParser) inData(f []byte) bool {
	if len(f) == 0 || len(cp.data) == 0 {
		return false
	}
	off := uintptr(unsafe.Pointer(unsafe.SliceData(f))) - uintptr(unsafe.Pointer(unsafe.SliceData(cp.data)))
	return off < uintptr(len(cp.data))
}

// str returns f as a string without allocating each: the bytes are copied
// into arena blocks of 64 KiB that the strings share, so a string column
// holds its own text (not the input chunk, which is recycled).
func (cp *chunkParser) str(f []byte) string {
	if len(f) == 0 {
		return ""
	}
	if len(f) > cap(cp.arena)-len(cp.arena) {
		cp.arena = make([]byte, 0, max(64<<10, len(f)))
	}
	off := len(cp.arena)
	cp.arena = append(cp.arena, f...)
	// Bytes once appended are never written again, so the string may
	// share them.
	return unsafe.String(&cp.arena[off], len(f))
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseFloat parses a decimal number. Plain decimals of up to 15 significant
// digits and 22 fraction digits take an exact fast path (both the mantissa
// and the power of ten are exact float64 values, so one IEEE division rounds
// correctly); anything else goes to strconv.ParseFloat, which also accepts
// exponents, "Inf" and "NaN". A value out of range parses as ±Inf. Spaces and
// tabs around the number are ignored.
func parseFloat(b []byte) (float64, bool) {
	i := 0
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i++
	}
	var mant uint64
	digits, frac := 0, 0
	dot := false
	for ; i < len(b); i++ {
		c := b[i]
		if c >= '0' && c <= '9' {
			mant = mant*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
			continue
		}
		if c == '.' && !dot {
			dot = true
			continue
		}
		return parseFloatSlow(b)
	}
	if digits == 0 || digits > 15 || frac > 22 {
		return parseFloatSlow(b)
	}
	f := float64(mant)
	if frac > 0 {
		f /= pow10[frac]
	}
	if neg {
		f = -f
	}
	return f, true
}

func parseFloatSlow(b []byte) (float64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	if isBlank(b[0], 0) || isBlank(b[len(b)-1], 0) {
		// Blanks around a number do not make it text.
		if t := trimBlank(b, 0); len(t) > 0 && len(t) < len(b) {
			return parseFloat(t)
		}
		return 0, false
	}
	// Words: only NaN, Inf and Infinity (any case, Inf signed) are numbers.
	// Deciding here keeps strconv from allocating an error for every "NA".
	body := b
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if len(body) == 0 {
		return 0, false
	}
	if c := body[0] | 0x20; c >= 'a' && c <= 'z' {
		switch {
		case len(body) == len(b) && bytes.EqualFold(body, []byte("nan")):
			return math.NaN(), true
		case bytes.EqualFold(body, []byte("inf")) || bytes.EqualFold(body, []byte("infinity")):
			if b[0] == '-' {
				return math.Inf(-1), true
			}
			return math.Inf(1), true
		}
		return 0, false
	}
	if c := body[0]; (c < '0' || c > '9') && c != '.' {
		return 0, false
	}
	// The string shares b's memory; strconv keeps it only in its error,
	// which is dropped here.
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(b), len(b)), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, true
		}
		return 0, false
	}
	return v, true
}

// parseBool accepts true and false in any case, and 1 and 0.
func parseBool(b []byte) (bool, bool) {
	switch len(b) {
	case 1:
		switch b[0] {
		case '1':
			return true, true
		case '0':
			return false, true
		}
	case 4:
		if (b[0]|0x20) == 't' && (b[1]|0x20) == 'r' && (b[2]|0x20) == 'u' && (b[3]|0x20) == 'e' {
			return true, true
		}
	case 5:
		if (b[0]|0x20) == 'f' && (b[1]|0x20) == 'a' && (b[2]|0x20) == 'l' && (b[3]|0x20) == 's' && (b[4]|0x20) == 'e' {
			return false, true
		}
	}
	return false, false
}

// isBoolWord reports whether b is true or false in any case (inference does
// not take 1 and 0 as booleans: they are numbers).
func isBoolWord(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	_, ok := parseBool(b)
	return ok
}

// The time layouts a time column accepts, tried from the one that last
// worked: an ISO 8601 date, RFC 3339 with or without fractional seconds, and
// date-times without a zone (taken as UTC), all with optional fractional
// seconds.
var timeLayouts = [...]string{
	"2006-01-02",
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
}

// parseTime parses b with the layout at index first, then the others. It
// returns UTC nanoseconds and the index of the layout that worked.
func parseTime(b []byte, first int) (int64, int, bool) {
	if ns, ok := parseDate(b); ok {
		return ns, 0, true
	}
	s := unsafe.String(unsafe.SliceData(b), len(b))
	if first > 0 {
		if t, err := time.Parse(timeLayouts[first], s); err == nil {
			return t.UnixNano(), first, true
		}
	}
	for k := 1; k < len(timeLayouts); k++ {
		if k == first {
			continue
		}
		if t, err := time.Parse(timeLayouts[k], s); err == nil {
			return t.UnixNano(), k, true
		}
	}
	return 0, 0, false
}

// parseDate parses YYYY-MM-DD quickly, checking the day against the month.
func parseDate(b []byte) (int64, bool) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return 0, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	m, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).UnixNano(), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
