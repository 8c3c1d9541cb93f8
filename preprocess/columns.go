package preprocess

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
)

// A Selector chooses columns of a frame, by name, kind or pattern, for a
// [ColumnTransformSpec] part. Selectors are immutable and safe for
// concurrent use.
type Selector interface {
	// Select returns the chosen column names, in frame order unless the
	// selector names them, or an error (an unknown name, a bad pattern).
	Select(f *frame.Frame) ([]string, error)
}

// SelectorFunc adapts a function to the [Selector] interface.
type SelectorFunc func(f *frame.Frame) ([]string, error)

// Select calls s(f).
func (s SelectorFunc) Select(f *frame.Frame) ([]string, error) { return s(f) }

// ByName selects the named columns, in the order given; Select returns an
// error wrapping frame.ErrNoColumn for a name the frame lacks.
func ByName(names ...string) Selector {
	names = slices.Clone(names)
	return SelectorFunc(func(f *frame.Frame) ([]string, error) {
		for _, n := range names {
			if !f.Has(n) {
				_, err := f.Col(n)
				return nil, fmt.Errorf("select by name: %w", err)
			}
		}
		return slices.Clone(names), nil
	})
}

// ByKind selects every column of one of the kinds, in frame order.
func ByKind(kinds ...frame.Kind) Selector {
	kinds = slices.Clone(kinds)
	return SelectorFunc(func(f *frame.Frame) ([]string, error) {
		var out []string
		for i := range f.NumCols() {
			if n, c := f.ColAt(i); slices.Contains(kinds, c.Kind()) {
				out = append(out, n)
			}
		}
		return out, nil
	})
}

// ByPattern selects every column whose name matches the regular expression
// (Go syntax; use ^ and $ to anchor), in frame order. Select returns an
// error wrapping [ErrParam] for an invalid expression.
func ByPattern(expr string) Selector {
	re, err := regexp.Compile(expr)
	return SelectorFunc(func(f *frame.Frame) ([]string, error) {
		if err != nil {
			return nil, fmt.Errorf("select by pattern %q: %w: %w", expr, err, ErrParam)
		}
		var out []string
		for _, n := range f.Names() {
			if re.MatchString(n) {
				out = append(out, n)
			}
		}
		return out, nil
	})
}

// Except selects the columns sel does not, in frame order.
func Except(sel Selector) Selector {
	return SelectorFunc(func(f *frame.Frame) ([]string, error) {
		not, err := sel.Select(f)
		if err != nil {
			return nil, err
		}
		var out []string
		for _, n := range f.Names() {
			if !slices.Contains(not, n) {
				out = append(out, n)
			}
		}
		return out, nil
	})
}

// A ColumnPart is one part of a [ColumnTransformSpec]: the columns a
// selector chooses, and the step made for them.
type ColumnPart struct {
	Select Selector
	Step   func(cols ...string) Step
}

// Part returns the part applying the step that step builds to the columns sel
// chooses. Constructors of this package fit make directly:
//
//	preprocess.Part(preprocess.ByKind(frame.Float), preprocess.StandardScale)
func Part[S Step](sel Selector, step func(cols ...string) S) ColumnPart {
	return ColumnPart{Select: sel, Step: func(cols ...string) Step { return step(cols...) }}
}

// ColumnTransformSpec applies steps to column subsets chosen by name, kind
// or pattern, like scikit-learn's ColumnTransformer: at Fit, each part's
// selector chooses columns of the input frame, the part's step is made for
// them and fitted (parts in parallel), and the columns no part chose are
// passed through or, with DropRest, dropped. A part whose selector chooses
// nothing is skipped; a column chosen by two parts is an error. Build it
// with [ColumnTransform]; it is an immutable value, safe for concurrent use.
type ColumnTransformSpec struct {
	Parts []ColumnPart
	// DropRest drops the columns no part chose (scikit-learn's
	// remainder="drop"); by default they pass through.
	DropRest bool
}

// ColumnTransform returns the specification applying each part to its
// columns, passing the rest through.
func ColumnTransform(parts ...ColumnPart) ColumnTransformSpec {
	return ColumnTransformSpec{Parts: slices.Clone(parts)}
}

// WithDropRest returns a copy of s that drops the columns no part chose.
func (s ColumnTransformSpec) WithDropRest() ColumnTransformSpec {
	s.DropRest = true
	return s
}

// Fit selects each part's columns, fits the parts in parallel on f, and
// returns a [*ColumnTransformer]. It returns the error of a selector or of
// a part's Fit (naming the part), an error wrapping [ErrParam] for a part
// without selector or step or a column chosen twice, frame.ErrEmpty, and
// ctx.Err() when ctx is cancelled.
func (s ColumnTransformSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.NumRows() == 0 {
		return nil, fmt.Errorf("column transform fit: %w", frame.ErrEmpty)
	}
	owner := map[string]int{}
	var steps []Step
	var chosen [][]string
	for i, p := range s.Parts {
		if p.Select == nil || p.Step == nil {
			return nil, fmt.Errorf("column transform part %d: no selector or step: %w", i, ErrParam)
		}
		cols, err := p.Select.Select(f)
		if err != nil {
			return nil, fmt.Errorf("column transform part %d: %w", i, err)
		}
		if len(cols) == 0 {
			continue
		}
		for _, c := range cols {
			if j, dup := owner[c]; dup {
				return nil, fmt.Errorf("column transform: column %q chosen by parts %d and %d: %w", c, j, i, ErrParam)
			}
			owner[c] = i
		}
		steps = append(steps, p.Step(cols...))
		chosen = append(chosen, cols)
	}
	out := &ColumnTransformer{Columns: chosen, Parts: make([]Fitted, len(steps)), Dropped: []string{}}
	err := parallel.For(ctx, len(steps), 0, func(ctx context.Context, i int) error {
		fitted, err := steps[i].Fit(ctx, f)
		if err != nil {
			return fmt.Errorf("column transform part on %q (%T): %w", chosen[i], steps[i], err)
		}
		out.Parts[i] = fitted
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.DropRest {
		for _, n := range f.Names() {
			if _, ok := owner[n]; !ok {
				out.Dropped = append(out.Dropped, n)
			}
		}
	}
	return out, nil
}

// ColumnTransformer is a fitted [ColumnTransformSpec]: the fitted step of
// each part with the columns it was made for, and the columns dropped. It
// is saved with each part in its own envelope, so parts of any registered
// kind (from this package or features) round-trip. It is immutable and safe
// for concurrent use.
type ColumnTransformer struct {
	Parts   []Fitted
	Columns [][]string
	Dropped []string
}

type columnTransformerJSON struct {
	Parts   []json.RawMessage `json:"parts"`
	Columns [][]string        `json:"columns"`
	Dropped []string          `json:"dropped"`
}

// MarshalJSON writes the parts as saved-step envelopes.
func (c *ColumnTransformer) MarshalJSON() ([]byte, error) {
	j := columnTransformerJSON{Columns: c.Columns, Dropped: c.Dropped, Parts: make([]json.RawMessage, len(c.Parts))}
	for i, p := range c.Parts {
		b, err := MarshalFitted(p)
		if err != nil {
			return nil, fmt.Errorf("column transformer part %d: %w", i, err)
		}
		j.Parts[i] = b
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *ColumnTransformer) UnmarshalJSON(b []byte) error {
	var j columnTransformerJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	c.Columns, c.Dropped, c.Parts = j.Columns, j.Dropped, make([]Fitted, len(j.Parts))
	for i, raw := range j.Parts {
		p, err := UnmarshalFitted(raw)
		if err != nil {
			return fmt.Errorf("column transformer part %d: %w", i, err)
		}
		c.Parts[i] = p
	}
	return nil
}

// Transform applies each part in turn, then drops the dropped columns. It
// returns the error of a part (naming it), an error wrapping
// frame.ErrNoColumn for a dropped column f lacks, and ctx.Err() when ctx is
// cancelled.
func (c *ColumnTransformer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	out := f
	for i, p := range c.Parts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var err error
		if out, err = p.Transform(ctx, out); err != nil {
			return nil, fmt.Errorf("column transform part on %q: %w", c.Columns[i], err)
		}
	}
	if len(c.Dropped) == 0 {
		return out, nil
	}
	out, err := out.Drop(c.Dropped...)
	if err != nil {
		return nil, fmt.Errorf("column transform: %w", err)
	}
	return out, nil
}

// Validate reports whether the state is usable: a column list per part, no
// nil part. It returns an error wrapping [ErrState] otherwise.
func (c *ColumnTransformer) Validate() error {
	if len(c.Columns) != len(c.Parts) {
		return fmt.Errorf("column transformer: %d parts, %d column lists: %w", len(c.Parts), len(c.Columns), ErrState)
	}
	for i, p := range c.Parts {
		if p == nil || len(c.Columns[i]) == 0 {
			return fmt.Errorf("column transformer: part %d empty: %w", i, ErrState)
		}
	}
	return nil
}

func init() {
	Register[*ColumnTransformer]("preprocess.column_transform", 1)
}
