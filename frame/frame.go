package frame

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A Series is a named column: the unit [New] builds a frame from.
type Series struct {
	Name string
	Col  Column
}

// Floats returns a float series; NaN values are missing.
func Floats(name string, v []float64) Series { return Series{name, NewFloat(v)} }

// Categories returns a categorical series encoding values; valid marks
// present values (nil: all present). See [NewCategorical].
func Categories(name string, values []string, valid []bool) Series {
	return Series{name, NewCategorical(values, valid)}
}

// Strings returns a free-text series; valid marks present values (nil: all present).
func Strings(name string, values []string, valid []bool) Series {
	return Series{name, NewString(values, valid)}
}

// Times returns a time series; see [NewTime] for how missing values are marked.
func Times(name string, t []time.Time, valid []bool) Series { return Series{name, NewTime(t, valid)} }

// Bools returns a bool series; valid marks present values (nil: all present).
func Bools(name string, v []bool, valid []bool) Series { return Series{name, NewBool(v, valid)} }

// A Frame is a table: named columns of equal length. Frames are values:
// every operation returns a new Frame that shares the columns it did not
// change, and no method modifies its receiver, so a Frame is safe for
// concurrent use. The zero Frame has no columns and no rows.
type Frame struct {
	names []string
	cols  []Column
	index map[string]int
	rows  int
}

// New returns a frame of the given series, in order. It returns an error
// wrapping [ErrDuplicate] if two series share a name, [ErrLength] if the
// columns differ in length, or an error for an empty name or nil column.
func New(series ...Series) (*Frame, error) {
	f := &Frame{index: make(map[string]int, len(series))}
	for i, s := range series {
		if s.Name == "" {
			return nil, fmt.Errorf("frame: series %d has no name", i)
		}
		if s.Col == nil {
			return nil, fmt.Errorf("frame: series %q has no column", s.Name)
		}
		if _, dup := f.index[s.Name]; dup {
			return nil, fmt.Errorf("frame: column %q: %w", s.Name, ErrDuplicate)
		}
		if i == 0 {
			f.rows = s.Col.Len()
		} else if s.Col.Len() != f.rows {
			return nil, fmt.Errorf("frame: column %q has %d rows, column %q has %d: %w",
				s.Name, s.Col.Len(), series[0].Name, f.rows, ErrLength)
		}
		f.index[s.Name] = i
		f.names = append(f.names, s.Name)
		f.cols = append(f.cols, s.Col)
	}
	return f, nil
}

func (f *Frame) lookup(name string) (int, error) {
	if f != nil {
		if i, ok := f.index[name]; ok {
			return i, nil
		}
	}
	return -1, f.noColumn(name)
}

func (f *Frame) noColumn(name string) error {
	var have []string
	if f != nil {
		have = f.names
	}
	return fmt.Errorf("column %q (have %s): %w", name, strings.Join(have, ", "), ErrNoColumn)
}

// NumRows returns the number of rows.
func (f *Frame) NumRows() int {
	if f == nil {
		return 0
	}
	return f.rows
}

// NumCols returns the number of columns.
func (f *Frame) NumCols() int {
	if f == nil {
		return 0
	}
	return len(f.cols)
}

// Names returns the column names in order, in a new slice.
func (f *Frame) Names() []string {
	if f == nil {
		return nil
	}
	return slices.Clone(f.names)
}

// Has reports whether the frame has a column called name.
func (f *Frame) Has(name string) bool {
	_, err := f.lookup(name)
	return err == nil
}

// Col returns the column called name, or an error wrapping [ErrNoColumn].
func (f *Frame) Col(name string) (Column, error) {
	i, err := f.lookup(name)
	if err != nil {
		return nil, err
	}
	return f.cols[i], nil
}

// ColAt returns the name and column at position i; it panics if i is out of range.
func (f *Frame) ColAt(i int) (string, Column) { return f.names[i], f.cols[i] }

// Float returns the values of the float column called name (shared: do not
// modify them). It returns an error wrapping [ErrNoColumn] or [ErrKind].
func (f *Frame) Float(name string) ([]float64, error) {
	c, err := f.Col(name)
	if err != nil {
		return nil, err
	}
	fc, ok := c.(*FloatColumn)
	if !ok {
		return nil, fmt.Errorf("column %q is %v, not float: %w", name, c.Kind(), ErrKind)
	}
	return fc.v, nil
}

// Categorical returns the categorical column called name, or an error
// wrapping [ErrNoColumn] or [ErrKind].
func (f *Frame) Categorical(name string) (*CategoricalColumn, error) {
	c, err := f.Col(name)
	if err != nil {
		return nil, err
	}
	cc, ok := c.(*CategoricalColumn)
	if !ok {
		return nil, fmt.Errorf("column %q is %v, not categorical: %w", name, c.Kind(), ErrKind)
	}
	return cc, nil
}

// Select returns a frame of the named columns, in the order given. It returns
// an error wrapping [ErrNoColumn] for an unknown name, [ErrDuplicate] for a
// name given twice.
func (f *Frame) Select(names ...string) (*Frame, error) {
	series := make([]Series, 0, len(names))
	for _, n := range names {
		c, err := f.Col(n)
		if err != nil {
			return nil, fmt.Errorf("select: %w", err)
		}
		series = append(series, Series{n, c})
	}
	out, err := New(series...)
	if err != nil {
		return nil, fmt.Errorf("select: %w", err)
	}
	out.rows = f.NumRows()
	return out, nil
}

// Drop returns the frame without the named columns. It returns an error
// wrapping [ErrNoColumn] if a name is not a column.
func (f *Frame) Drop(names ...string) (*Frame, error) {
	drop := make(map[string]bool, len(names))
	for _, n := range names {
		if !f.Has(n) {
			return nil, fmt.Errorf("drop: %w", f.noColumn(n))
		}
		drop[n] = true
	}
	out := &Frame{index: make(map[string]int, len(f.names)), rows: f.rows}
	for i, n := range f.names {
		if drop[n] {
			continue
		}
		out.index[n] = len(out.names)
		out.names = append(out.names, n)
		out.cols = append(out.cols, f.cols[i])
	}
	return out, nil
}

// Rename returns the frame with column old called new. It returns an error
// wrapping [ErrNoColumn] if old is not a column, [ErrDuplicate] if new already is.
func (f *Frame) Rename(old, new string) (*Frame, error) {
	i, err := f.lookup(old)
	if err != nil {
		return nil, fmt.Errorf("rename: %w", err)
	}
	if old == new {
		return f, nil
	}
	if new == "" {
		return nil, fmt.Errorf("rename %q: empty new name", old)
	}
	if f.Has(new) {
		return nil, fmt.Errorf("rename %q to %q: %w", old, new, ErrDuplicate)
	}
	out := f.clone()
	out.names[i] = new
	delete(out.index, old)
	out.index[new] = i
	return out, nil
}

// With returns the frame with column name set to c: replaced in place if it
// exists, appended otherwise. It returns an error wrapping [ErrLength] if c's
// length differs from the frame's (any length is taken by a frame with no columns).
func (f *Frame) With(name string, c Column) (*Frame, error) {
	if name == "" || c == nil {
		return nil, fmt.Errorf("with: need a name and a column")
	}
	if f.NumCols() > 0 && c.Len() != f.rows {
		return nil, fmt.Errorf("with column %q: %d rows, frame has %d: %w", name, c.Len(), f.rows, ErrLength)
	}
	out := f.clone()
	out.rows = c.Len()
	if i, ok := out.index[name]; ok {
		out.cols[i] = c
		return out, nil
	}
	out.index[name] = len(out.names)
	out.names = append(out.names, name)
	out.cols = append(out.cols, c)
	return out, nil
}

func (f *Frame) clone() *Frame {
	out := &Frame{index: make(map[string]int, f.NumCols()+1)}
	if f == nil {
		return out
	}
	out.rows = f.rows
	out.names = slices.Clone(f.names)
	out.cols = slices.Clone(f.cols)
	for k, v := range f.index {
		out.index[k] = v
	}
	return out
}

// Take returns a frame of the rows at idx, in that order (indices may repeat).
// It returns an error wrapping [ErrIndex] for an index out of range.
func (f *Frame) Take(idx []int) (*Frame, error) {
	for k, i := range idx {
		if i < 0 || i >= f.NumRows() {
			return nil, fmt.Errorf("take: index %d (position %d) outside %d rows: %w", i, k, f.NumRows(), ErrIndex)
		}
	}
	out := f.clone()
	out.rows = len(idx)
	for i, c := range out.cols {
		out.cols[i] = c.Take(idx)
	}
	return out, nil
}

// Slice returns rows [i, j), sharing memory with f. It returns an error
// wrapping [ErrIndex] unless 0 <= i <= j <= NumRows.
func (f *Frame) Slice(i, j int) (*Frame, error) {
	if i < 0 || j < i || j > f.NumRows() {
		return nil, fmt.Errorf("slice [%d:%d] of %d rows: %w", i, j, f.NumRows(), ErrIndex)
	}
	out := f.clone()
	out.rows = j - i
	for k, c := range out.cols {
		out.cols[k] = c.Slice(i, j)
	}
	return out, nil
}

// Filter returns a frame of the rows for which keep returns true, in order.
func (f *Frame) Filter(keep func(row int) bool) *Frame {
	idx := make([]int, 0, f.NumRows())
	for i := range f.NumRows() {
		if keep(i) {
			idx = append(idx, i)
		}
	}
	out, _ := f.Take(idx) // indices are in range by construction
	return out
}

// Concat returns the rows of all frames, one after the other. The frames must
// have the same column names in the same order and the same kinds; it returns
// an error wrapping [ErrNoColumn] or [ErrKind] otherwise. Categorical
// dictionaries are merged. Concat of no frames is an empty frame.
func Concat(frames ...*Frame) (*Frame, error) {
	if len(frames) == 0 {
		return &Frame{index: map[string]int{}}, nil
	}
	first := frames[0]
	for k, g := range frames[1:] {
		if !slices.Equal(first.names, g.names) {
			return nil, fmt.Errorf("concat frame %d: columns [%s] differ from [%s]: %w",
				k+1, strings.Join(g.names, ", "), strings.Join(first.names, ", "), ErrNoColumn)
		}
		for i, c := range g.cols {
			if c.Kind() != first.cols[i].Kind() {
				return nil, fmt.Errorf("concat frame %d column %q: %v, not %v: %w",
					k+1, g.names[i], c.Kind(), first.cols[i].Kind(), ErrKind)
			}
		}
	}
	if len(frames) == 1 {
		return first, nil
	}
	out := first.clone()
	out.rows = 0
	for _, g := range frames {
		out.rows += g.rows
	}
	for i := range out.cols {
		parts := make([]Column, len(frames))
		for k, g := range frames {
			parts[k] = g.cols[i]
		}
		out.cols[i] = concatColumns(parts, out.rows)
	}
	return out, nil
}

func concatColumns(parts []Column, n int) Column {
	switch parts[0].(type) {
	case *FloatColumn:
		v := make([]float64, 0, n)
		for _, p := range parts {
			v = append(v, p.(*FloatColumn).v...)
		}
		return &FloatColumn{v: v}
	case *CategoricalColumn:
		codes := make([]int32, 0, n)
		first := parts[0].(*CategoricalColumn)
		dict := slices.Clip(first.dict)
		index := make(map[string]int32, len(dict))
		for i, s := range dict {
			index[s] = int32(i)
		}
		for _, p := range parts {
			c := p.(*CategoricalColumn)
			remap := make([]int32, len(c.dict))
			for i, s := range c.dict {
				code, ok := index[s]
				if !ok {
					code = int32(len(dict))
					index[s] = code
					dict = append(dict, s)
				}
				remap[i] = code
			}
			for _, code := range c.codes {
				if code < 0 {
					codes = append(codes, -1)
				} else {
					codes = append(codes, remap[code])
				}
			}
		}
		return &CategoricalColumn{codes: codes, dict: dict}
	case *StringColumn:
		v := make([]string, 0, n)
		var valid []bool
		for _, p := range parts {
			c := p.(*StringColumn)
			v = append(v, c.v...)
			valid = appendValid(valid, c.valid, len(v)-len(c.v), len(c.v))
		}
		return &StringColumn{v: v, valid: valid}
	case *TimeColumn:
		v := make([]int64, 0, n)
		var valid []bool
		for _, p := range parts {
			c := p.(*TimeColumn)
			v = append(v, c.ns...)
			valid = appendValid(valid, c.valid, len(v)-len(c.ns), len(c.ns))
		}
		return &TimeColumn{ns: v, valid: valid}
	case *BoolColumn:
		v := make([]bool, 0, n)
		var valid []bool
		for _, p := range parts {
			c := p.(*BoolColumn)
			v = append(v, c.v...)
			valid = appendValid(valid, c.valid, len(v)-len(c.v), len(c.v))
		}
		return &BoolColumn{v: v, valid: valid}
	}
	panic("frame: unknown column type") // unreachable: Column is sealed
}

// appendValid appends a part's mask (nil: all valid) to the mask built so
// far for before rows, keeping the result nil while everything is valid.
func appendValid(acc, part []bool, before, n int) []bool {
	if acc == nil && part == nil {
		return nil
	}
	if acc == nil {
		acc = make([]bool, before, before+n)
		for i := range acc {
			acc[i] = true
		}
	}
	if part == nil {
		for range n {
			acc = append(acc, true)
		}
		return acc
	}
	return append(acc, part...)
}
