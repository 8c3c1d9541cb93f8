package preprocess

import (
	"context"
	"fmt"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
)

// textStepInput returns the text columns (string or categorical) named by a
// stateless cleaning step, checking names and kinds. With no names it takes
// every string and categorical column. It rejects a frame with no rows when
// fitting (fit true).
func textColumns(step string, f *frame.Frame, named []string, fit bool) ([]string, error) {
	if fit && f.NumRows() == 0 {
		return nil, fmt.Errorf("%s fit: %w", step, frame.ErrEmpty)
	}
	var cs columnSet
	if _, err := cs.resolve(step, f, named, frame.String, frame.Categorical); err != nil {
		return nil, err
	}
	return cs.names, nil
}

// mapText applies fn to every present value of a string or categorical
// column: once per dictionary entry for a categorical column, once per row
// for a string column. It returns per row the result and whether fn
// accepted the value (false: fn rejected it, the row is counted as bad);
// missing rows are neither present nor bad.
func mapText[T any](c frame.Column, fn func(string) (T, bool)) (vals []T, present []bool, bad int64) {
	n := c.Len()
	vals = make([]T, n)
	present = make([]bool, n)
	switch c := c.(type) {
	case *frame.CategoricalColumn:
		dict := c.Dict()
		dv := make([]T, len(dict))
		dok := make([]bool, len(dict))
		for k, s := range dict {
			dv[k], dok[k] = fn(s)
		}
		for i, code := range c.Codes() {
			if code < 0 {
				continue
			}
			if dok[code] {
				vals[i], present[i] = dv[code], true
			} else {
				bad++
			}
		}
	case *frame.StringColumn:
		for i, s := range c.Values() {
			if c.IsNA(i) {
				continue
			}
			var ok bool
			if vals[i], ok = fn(s); ok {
				present[i] = true
			} else {
				bad++
			}
		}
	}
	return vals, present, bad
}

// badExamples returns up to max distinct values of c that fn rejects, in
// order of first appearance, for error reports.
func badExamples[T any](c frame.Column, fn func(string) (T, bool), max int) []string {
	var out []string
	for i := range c.Len() {
		v, ok := c.Value(i).(string)
		if !ok {
			continue
		}
		if _, good := fn(v); !good && !slices.Contains(out, v) {
			out = append(out, v)
			if len(out) == max {
				break
			}
		}
	}
	return out
}

// ParseReport counts, per column, the present values a cleaning step could
// not read in the frame it was fitted on (they became missing), with a few
// examples of them.
type ParseReport struct {
	Column   string   `json:"column"`
	Rows     int64    `json:"rows"`     // rows seen
	Parsed   int64    `json:"parsed"`   // present values read
	Unparsed int64    `json:"unparsed"` // present values not read, now missing
	Missing  int64    `json:"missing"`  // values missing already
	Examples []string `json:"examples,omitempty"`
}

// textParser is the shared body of the parsing steps: per column, a parse
// function from text to a value, and a builder of the output column.
type textParser[T any] struct {
	step  string
	parse func(string) (T, bool)
	build func(vals []T, present []bool) frame.Column
}

// run parses the named columns of f in parallel and returns the new frame
// and a report per column.
func (p textParser[T]) run(ctx context.Context, f *frame.Frame, names []string, examples bool) (*frame.Frame, []ParseReport, error) {
	reports := make([]ParseReport, len(names))
	out, err := applyColumns(ctx, f, names, func(_ context.Context, i int) (frame.Column, error) {
		c, err := f.Col(names[i])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.step, err)
		}
		if k := c.Kind(); k != frame.String && k != frame.Categorical {
			return nil, fmt.Errorf("%s: column %q is %v, need string or categorical: %w", p.step, names[i], k, frame.ErrKind)
		}
		vals, present, bad := mapText(c, p.parse)
		r := ParseReport{Column: names[i], Rows: int64(c.Len()), Unparsed: bad}
		for _, ok := range present {
			if ok {
				r.Parsed++
			}
		}
		r.Missing = r.Rows - r.Parsed - r.Unparsed
		if examples && bad > 0 {
			r.Examples = badExamples(c, p.parse, 5)
		}
		reports[i] = r
		return p.build(vals, present), nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, reports, nil
}
