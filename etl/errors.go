package etl

import (
	"errors"
	"fmt"
	"strconv"
)

// Errors that sources and sinks return, wrapped with the source, line and
// column involved. Test for them with errors.Is.
var (
	// ErrFieldCount: a record has more or fewer fields than the header.
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrQuote: a quote where none may be, or a quoted field left open.
	ErrQuote = errors.New("malformed quoting")
	// ErrNotNumber: a value of a float column is not a number.
	ErrNotNumber = errors.New("not a number")
	// ErrNotBool: a value of a bool column is not true, false, 1 or 0.
	ErrNotBool = errors.New("not a boolean")
	// ErrNotTime: a value of a time column is not a date or RFC 3339 time.
	ErrNotTime = errors.New("not a time")
	// ErrUTF8: a text value is not valid UTF-8.
	ErrUTF8 = errors.New("invalid UTF-8")
	// ErrNoHeader: the input is empty where a header line was expected.
	ErrNoHeader = errors.New("no header line")
	// ErrSchema: a schema names a column the input lacks, or frames given to
	// a sink disagree on their columns.
	ErrSchema = errors.New("schema mismatch")
	// ErrOptions: options that contradict each other or are out of range.
	ErrOptions = errors.New("invalid options")
	// ErrConsumed: Extract was called a second time on a source that can be
	// read only once (an io.Reader).
	ErrConsumed = errors.New("source already read")
	// ErrClosed: a sink was used after Close or Abort.
	ErrClosed = errors.New("sink closed")
	// ErrJSON: a record is not well-formed JSON, or not an object.
	ErrJSON = errors.New("malformed JSON record")
	// ErrKind: a value's type does not fit its column's kind (a JSON
	// object where a number is expected, a number for a time column).
	ErrKind = errors.New("value does not fit the column's kind")
	// ErrRecordTooLarge: a record (a line, or the lines of a quoted field)
	// is longer than the source's MaxRecordBytes: a quote left open, or
	// input that is not text. It stops the extraction under every policy,
	// since the record's end cannot be found within the bound.
	ErrRecordTooLarge = errors.New("record too large")
	// ErrFieldTooLarge: a field is longer than CSVOptions.MaxFieldBytes.
	// The record is bad like any other (rejected under [Reject]).
	ErrFieldTooLarge = errors.New("field too large")
	// ErrInputTooLarge: an input yields more bytes than the source's
	// MaxInputBytes, counted after gzip decompression (a small compressed
	// file that expands without bound).
	ErrInputTooLarge = errors.New("input too large")
)

// ParseError reports a value or record that could not be read. Line is the
// 1-based line of the input where the record starts, or 0 for inputs without
// lines, where Record is the 1-based record index instead; Column is the
// 1-based field index, or 0 when the fault is the record as a whole (a wrong
// number of fields, broken quoting); ColumnName names the column when known;
// Raw is the offending text (the field, or the whole record when Column is
// 0). Err is the reason, one of the package's sentinel errors possibly
// wrapped with detail.
//
// Find it with errors.As:
//
//	var pe *etl.ParseError
//	if errors.As(err, &pe) { log.Print(pe.Line) }
type ParseError struct {
	Source     string
	Line       int
	Record     int
	Column     int
	ColumnName string
	Raw        string
	Err        error
}

// Error formats the error as
// `read churn.csv line 1042 column age: "abc": not a number`.
func (e *ParseError) Error() string {
	b := make([]byte, 0, 64+len(e.Raw))
	b = append(b, "read "...)
	b = append(b, e.Source...)
	if e.Line == 0 && e.Record > 0 {
		b = append(b, " record "...)
		b = strconv.AppendInt(b, int64(e.Record), 10)
	} else {
		b = append(b, " line "...)
		b = strconv.AppendInt(b, int64(e.Line), 10)
	}
	switch {
	case e.ColumnName != "":
		b = append(b, " column "...)
		b = append(b, e.ColumnName...)
	case e.Column > 0:
		b = append(b, " column "...)
		b = strconv.AppendInt(b, int64(e.Column), 10)
	}
	b = append(b, ": "...)
	if e.Column > 0 || e.ColumnName != "" {
		b = strconv.AppendQuote(b, clipRaw(e.Raw))
		b = append(b, ": "...)
	}
	b = append(b, e.Err.Error()...)
	return string(b)
}

// Unwrap returns the reason, so errors.Is(err, etl.ErrNotNumber) works.
func (e *ParseError) Unwrap() error { return e.Err }

func clipRaw(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// Policy says what a source does with a record it cannot read.
type Policy uint8

const (
	// Fail stops the extraction at the first bad record and returns its
	// [*ParseError]. It is the default.
	Fail Policy = iota
	// Reject sends each bad record, with its line and reason, to the
	// options' Rejects loader, counts it, and goes on.
	Reject
)

// String returns "fail" or "reject".
func (p Policy) String() string {
	switch p {
	case Fail:
		return "fail"
	case Reject:
		return "reject"
	}
	return fmt.Sprintf("Policy(%d)", uint8(p))
}

// A Rejected record is one a source could not read under the [Reject]
// policy: its original text, where it was, and why it was refused.
type Rejected struct {
	// Source names the input (a file path or the options' Name).
	Source string
	// Line is the 1-based line where the record starts, for line-based
	// inputs (CSV, JSON Lines); 0 otherwise.
	Line int
	// Record is the 1-based index of the record, for inputs without lines
	// (a JSON array, a query's rows, an API's records); 0 otherwise.
	Record int
	// Raw is the record's original text, without its line ending.
	Raw string
	// Err is the reason, usually a [*ParseError].
	Err error
}

// String formats the rejected record as "source line N: reason" (or
// "record N").
func (r Rejected) String() string {
	if r.Line == 0 && r.Record > 0 {
		return fmt.Sprintf("%s record %d: %v", r.Source, r.Record, r.Err)
	}
	return fmt.Sprintf("%s line %d: %v", r.Source, r.Line, r.Err)
}
