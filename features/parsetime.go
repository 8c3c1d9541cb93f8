package features

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// Pseudo-layouts accepted by [ParseTime] beside Go time layouts.
const (
	// LayoutUnix reads a number of seconds since the Unix epoch (a
	// fraction is allowed: "1700000000.5").
	LayoutUnix = "unix"
	// LayoutUnixMilli reads a whole number of milliseconds since the Unix epoch.
	LayoutUnixMilli = "unixms"
)

// DefaultTimeLayouts are the layouts [ParseTime] tries when none are
// given: RFC 3339 (with or without fractional seconds), a date-time
// without a zone with a "T" or a space, and an ISO 8601 date. A value
// without a zone is taken as UTC.
var DefaultTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// maxExamples is how many unparsed values a [TimeParser] keeps as examples.
const maxExamples = 5

// ParseTimeSpec is the specification of a time parser: a categorical or
// string column holding dates as text is replaced, under the same name, by
// a time column. Each value, trimmed of surrounding spaces, is tried
// against Layouts in order and the first that parses wins (so put the
// layout you trust first when day-month and month-day orders both occur).
// Values without a zone are taken as UTC; every instant is stored in UTC.
// A missing or empty value is missing; a value no layout parses becomes
// missing too and is counted: the fitted [TimeParser] reports how many
// training values did not parse, with examples, and
// [TimeParser.ParseColumn] counts them on any column.
//
// Build it with [ParseTime]; it is a value, safe for concurrent use.
type ParseTimeSpec struct {
	// Column is the categorical or string column to parse.
	Column string
	// Layouts are Go time layouts (see the time package), or [LayoutUnix]
	// and [LayoutUnixMilli]; empty means [DefaultTimeLayouts].
	Layouts []string
}

// ParseTime returns the specification of a step that parses the
// categorical or string column col into a time column with the given
// layouts (by default [DefaultTimeLayouts]).
func ParseTime(col string, layouts ...string) ParseTimeSpec {
	return ParseTimeSpec{Column: col, Layouts: slices.Clone(layouts)}
}

// Fit parses the training column to count the values that do not parse and
// returns a [*TimeParser]. It returns an error wrapping [ErrParam] for an
// empty column name or layout, and frame.ErrEmpty, frame.ErrNoColumn or
// frame.ErrKind for a bad frame. Unparsed values are not an error.
func (s ParseTimeSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	layouts := slices.Clone(s.Layouts)
	if len(layouts) == 0 {
		layouts = slices.Clone(DefaultTimeLayouts)
	}
	p := &TimeParser{Column: s.Column, Layouts: layouts}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	_, cols, err := selectColumns("parse time", f, []string{s.Column}, frame.Categorical, frame.String)
	if err != nil {
		return nil, err
	}
	_, rep, err := p.ParseColumn(cols[0])
	if err != nil {
		return nil, err
	}
	p.Rows, p.Unparsed, p.Examples = cols[0].Len(), rep.Unparsed, rep.Examples
	return p, nil
}

// TimeParser is a fitted [ParseTimeSpec]: the layouts, and what parsing the
// training column found. Its fields are its saved state. It is immutable
// and safe for concurrent use.
type TimeParser struct {
	Column  string   `json:"column"`
	Layouts []string `json:"layouts"`
	// Rows is the number of training rows; Unparsed how many of them held
	// a value no layout parsed (made missing); Examples up to five of
	// those values.
	Rows     int      `json:"rows"`
	Unparsed int      `json:"unparsed"`
	Examples []string `json:"examples,omitempty"`
}

// ParseReport counts what [TimeParser.ParseColumn] could not parse.
type ParseReport struct {
	// Unparsed is the number of present, non-empty values no layout parsed.
	Unparsed int
	// Examples holds up to five distinct unparsed values.
	Examples []string
}

// ParseColumn parses a categorical or string column into a time column and
// reports the values that did not parse (they are missing in the result).
// It returns an error wrapping frame.ErrKind for a column of another kind.
func (p *TimeParser) ParseColumn(c frame.Column) (*frame.TimeColumn, ParseReport, error) {
	var rep ParseReport
	n := c.Len()
	ns := make([]int64, n)
	valid := make([]bool, n)
	note := func(s string) {
		rep.Unparsed++
		if len(rep.Examples) < maxExamples && !slices.Contains(rep.Examples, s) {
			rep.Examples = append(rep.Examples, s)
		}
	}
	switch c := c.(type) {
	case *frame.CategoricalColumn:
		// Parse each category once.
		dict := c.Dict()
		dns := make([]int64, len(dict))
		dok := make([]bool, len(dict))
		for k, s := range dict {
			dns[k], dok[k] = p.parse(s)
		}
		for i, code := range c.Codes() {
			if code < 0 || strings.TrimSpace(dict[code]) == "" {
				continue
			}
			if dok[code] {
				ns[i], valid[i] = dns[code], true
			} else {
				note(dict[code])
			}
		}
	case *frame.StringColumn:
		for i, s := range c.Values() {
			if c.IsNA(i) || strings.TrimSpace(s) == "" {
				continue
			}
			if ns[i], valid[i] = p.parse(s); !valid[i] {
				note(s)
			}
		}
	default:
		return nil, rep, fmt.Errorf("parse time: column %q is %v, want categorical or string: %w", p.Column, c.Kind(), frame.ErrKind)
	}
	return frame.NewTimeNanos(ns, valid), rep, nil
}

// parse tries each layout in order on s.
func (p *TimeParser) parse(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for _, l := range p.Layouts {
		switch l {
		case LayoutUnix:
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(x) || math.Abs(x) > 9.2e9 {
				continue
			}
			sec, frac := math.Modf(x)
			return int64(sec)*1e9 + int64(math.Round(frac*1e9)), true
		case LayoutUnixMilli:
			x, err := strconv.ParseInt(s, 10, 64)
			if err != nil || x > math.MaxInt64/1_000_000 || x < math.MinInt64/1_000_000 {
				continue
			}
			return x * 1e6, true
		default:
			t, err := time.Parse(l, s)
			if err != nil {
				continue
			}
			return t.UTC().UnixNano(), true
		}
	}
	return 0, false
}

// Transform returns f with the column replaced by its parsed time column;
// values no layout parses are missing. It returns an error wrapping
// frame.ErrNoColumn or frame.ErrKind when f lacks a categorical or string
// column of that name.
func (p *TimeParser) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := f.Col(p.Column)
	if err != nil {
		return nil, fmt.Errorf("parse time: %w", err)
	}
	tc, _, err := p.ParseColumn(c)
	if err != nil {
		return nil, err
	}
	return f.With(p.Column, tc)
}

// FeatureNamesOut returns in unchanged: the column keeps its name. It
// returns an error wrapping frame.ErrNoColumn when in lacks the column.
func (p *TimeParser) FeatureNamesOut(in []string) ([]string, error) {
	return replaceNames("parse time", in, map[string][]string{p.Column: nil}, nil)
}

// Validate reports whether the state is usable: a named column and at
// least one non-empty layout. It returns an error wrapping [ErrState] otherwise.
func (p *TimeParser) Validate() error {
	if p.Column == "" {
		return fmt.Errorf("parse time: no column: %w", ErrState)
	}
	if len(p.Layouts) == 0 {
		return fmt.Errorf("parse time %q: no layouts: %w", p.Column, ErrState)
	}
	for i, l := range p.Layouts {
		if l == "" {
			return fmt.Errorf("parse time %q: layout %d is empty: %w", p.Column, i, ErrState)
		}
	}
	return nil
}
