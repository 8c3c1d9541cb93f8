package frame

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Kind is the type of a column's values.
type Kind uint8

// The column kinds.
const (
	Float       Kind = iota + 1 // float64 values, NaN missing
	Categorical                 // dictionary-encoded strings, code -1 missing
	String                      // free text with a validity mask
	Time                        // instants (UTC nanoseconds) with a validity mask
	Bool                        // booleans with a validity mask
)

var kindNames = [...]string{"invalid", "float", "categorical", "string", "time", "bool"}

// String returns the kind's name: "float", "categorical", "string", "time" or "bool".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// A Column is one column of a [Frame]: a sequence of values of one [Kind],
// some of which may be missing. The concrete types are [*FloatColumn],
// [*CategoricalColumn], [*StringColumn], [*TimeColumn] and [*BoolColumn];
// the interface is sealed so that every Column is one of them.
//
// Columns are immutable: Take and Slice return new columns, and the slices
// a column hands out are shared and must not be modified. Columns are safe
// for concurrent use.
type Column interface {
	// Kind reports the type of the column's values.
	Kind() Kind
	// Len returns the number of values.
	Len() int
	// IsNA reports whether value i is missing. It panics if i is out of range,
	// as indexing a slice does.
	IsNA(i int) bool
	// Value returns value i as a float64, string, time.Time or bool, or nil
	// when it is missing.
	Value(i int) any
	// Take returns a new column holding the values at the given row indices,
	// in that order. Indices must be in range (Frame.Take checks them).
	Take(idx []int) Column
	// Slice returns the values in rows [i, j), sharing memory with the column.
	Slice(i, j int) Column

	sealed()
}

// FloatColumn holds float64 values; NaN marks a missing value.
type FloatColumn struct{ v []float64 }

// NewFloat returns a float column holding v (not copied: v must not be
// modified afterwards). NaN values are missing.
func NewFloat(v []float64) *FloatColumn { return &FloatColumn{v: v} }

// Values returns the column's values, NaN for missing. The slice is shared:
// do not modify it.
func (c *FloatColumn) Values() []float64 { return c.v }

// Kind returns [Float].
func (c *FloatColumn) Kind() Kind { return Float }

// Len returns the number of values.
func (c *FloatColumn) Len() int { return len(c.v) }

// IsNA reports whether value i is NaN.
func (c *FloatColumn) IsNA(i int) bool { return math.IsNaN(c.v[i]) }

// Value returns value i as a float64, or nil when it is NaN.
func (c *FloatColumn) Value(i int) any {
	if math.IsNaN(c.v[i]) {
		return nil
	}
	return c.v[i]
}

// Take returns the values at rows idx.
func (c *FloatColumn) Take(idx []int) Column {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = c.v[i]
	}
	return &FloatColumn{v: out}
}

// Slice returns rows [i, j), sharing memory.
func (c *FloatColumn) Slice(i, j int) Column { return &FloatColumn{v: c.v[i:j:j]} }

func (*FloatColumn) sealed() {}

// CategoricalColumn holds strings from a small set, dictionary-encoded: each
// row is a code into the dictionary, -1 for missing.
type CategoricalColumn struct {
	codes []int32
	dict  []string
}

// NewCategorical encodes values as a categorical column. The dictionary lists
// the distinct valid values in order of first appearance. valid marks which
// values are present; a nil valid means all are.
// It panics if valid is non-nil and of a different length than values.
func NewCategorical(values []string, valid []bool) *CategoricalColumn {
	checkValid(len(values), valid)
	codes := make([]int32, len(values))
	index := make(map[string]int32)
	var dict []string
	for i, s := range values {
		if valid != nil && !valid[i] {
			codes[i] = -1
			continue
		}
		code, ok := index[s]
		if !ok {
			code = int32(len(dict))
			index[s] = code
			dict = append(dict, s)
		}
		codes[i] = code
	}
	return &CategoricalColumn{codes: codes, dict: dict}
}

// NewCategoricalCodes returns a categorical column from codes into dict
// (neither copied: do not modify them afterwards). A code of -1 is missing.
// It returns an error wrapping [ErrCode] if a code is out of range, or if dict
// holds a value twice.
func NewCategoricalCodes(codes []int32, dict []string) (*CategoricalColumn, error) {
	seen := make(map[string]struct{}, len(dict))
	for _, s := range dict {
		if _, dup := seen[s]; dup {
			return nil, fmt.Errorf("categorical dictionary holds %q twice: %w", s, ErrCode)
		}
		seen[s] = struct{}{}
	}
	for i, c := range codes {
		if c < -1 || int(c) >= len(dict) {
			return nil, fmt.Errorf("categorical row %d: code %d outside dictionary of %d: %w", i, c, len(dict), ErrCode)
		}
	}
	return &CategoricalColumn{codes: codes, dict: dict}, nil
}

// Codes returns each row's code into Dict, -1 for missing. The slice is
// shared: do not modify it.
func (c *CategoricalColumn) Codes() []int32 { return c.codes }

// Dict returns the dictionary: the categories the codes refer to. It may
// hold categories that no row uses (after Take or Filter). The slice is
// shared: do not modify it.
func (c *CategoricalColumn) Dict() []string { return c.dict }

// Label returns the category of row i and true, or "" and false when it is missing.
func (c *CategoricalColumn) Label(i int) (string, bool) {
	if c.codes[i] < 0 {
		return "", false
	}
	return c.dict[c.codes[i]], true
}

// Kind returns [Categorical].
func (c *CategoricalColumn) Kind() Kind { return Categorical }

// Len returns the number of values.
func (c *CategoricalColumn) Len() int { return len(c.codes) }

// IsNA reports whether row i is missing.
func (c *CategoricalColumn) IsNA(i int) bool { return c.codes[i] < 0 }

// Value returns the category of row i as a string, or nil when it is missing.
func (c *CategoricalColumn) Value(i int) any {
	if c.codes[i] < 0 {
		return nil
	}
	return c.dict[c.codes[i]]
}

// Take returns the rows idx; the dictionary is shared.
func (c *CategoricalColumn) Take(idx []int) Column {
	out := make([]int32, len(idx))
	for k, i := range idx {
		out[k] = c.codes[i]
	}
	return &CategoricalColumn{codes: out, dict: c.dict}
}

// Slice returns rows [i, j), sharing memory.
func (c *CategoricalColumn) Slice(i, j int) Column {
	return &CategoricalColumn{codes: c.codes[i:j:j], dict: c.dict}
}

func (*CategoricalColumn) sealed() {}

// StringColumn holds free text with a validity mask.
type StringColumn struct {
	v     []string
	valid []bool // nil: all valid
}

// NewString returns a string column holding values (not copied). valid marks
// which values are present; nil means all are. It panics if valid is non-nil
// and of a different length than values.
func NewString(values []string, valid []bool) *StringColumn {
	checkValid(len(values), valid)
	return &StringColumn{v: values, valid: valid}
}

// Values returns the column's strings ("" where missing: check IsNA). The
// slice is shared: do not modify it.
func (c *StringColumn) Values() []string { return c.v }

// Kind returns [String].
func (c *StringColumn) Kind() Kind { return String }

// Len returns the number of values.
func (c *StringColumn) Len() int { return len(c.v) }

// IsNA reports whether value i is missing.
func (c *StringColumn) IsNA(i int) bool { return c.valid != nil && !c.valid[i] }

// Value returns value i as a string, or nil when it is missing.
func (c *StringColumn) Value(i int) any {
	if c.IsNA(i) {
		return nil
	}
	return c.v[i]
}

// Take returns the rows idx.
func (c *StringColumn) Take(idx []int) Column {
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = c.v[i]
	}
	return &StringColumn{v: out, valid: takeValid(c.valid, idx)}
}

// Slice returns rows [i, j), sharing memory.
func (c *StringColumn) Slice(i, j int) Column {
	return &StringColumn{v: c.v[i:j:j], valid: sliceValid(c.valid, i, j)}
}

func (*StringColumn) sealed() {}

// TimeColumn holds instants as UTC nanoseconds since the Unix epoch, with a
// validity mask.
type TimeColumn struct {
	ns    []int64
	valid []bool
}

// NewTime returns a time column holding t converted to UTC nanoseconds.
// valid marks which values are present; nil means all are, except that zero
// time.Time values are then taken as missing. It panics if valid is non-nil
// and of a different length than t.
func NewTime(t []time.Time, valid []bool) *TimeColumn {
	checkValid(len(t), valid)
	ns := make([]int64, len(t))
	var mask []bool
	if valid != nil {
		mask = valid
	}
	for i, v := range t {
		if valid == nil && v.IsZero() {
			if mask == nil {
				mask = make([]bool, len(t))
				for k := range mask {
					mask[k] = true
				}
			}
			mask[i] = false
			continue
		}
		ns[i] = v.UnixNano()
	}
	return &TimeColumn{ns: ns, valid: mask}
}

// NewTimeNanos returns a time column from UTC nanoseconds since the Unix epoch
// (not copied). valid marks which values are present; nil means all are.
// It panics if valid is non-nil and of a different length than ns.
func NewTimeNanos(ns []int64, valid []bool) *TimeColumn {
	checkValid(len(ns), valid)
	return &TimeColumn{ns: ns, valid: valid}
}

// Nanos returns the instants as UTC nanoseconds since the Unix epoch (0 where
// missing: check IsNA). The slice is shared: do not modify it.
func (c *TimeColumn) Nanos() []int64 { return c.ns }

// At returns row i as a UTC time and true, or the zero time and false when it
// is missing.
func (c *TimeColumn) At(i int) (time.Time, bool) {
	if c.IsNA(i) {
		return time.Time{}, false
	}
	return time.Unix(0, c.ns[i]).UTC(), true
}

// Kind returns [Time].
func (c *TimeColumn) Kind() Kind { return Time }

// Len returns the number of values.
func (c *TimeColumn) Len() int { return len(c.ns) }

// IsNA reports whether value i is missing.
func (c *TimeColumn) IsNA(i int) bool { return c.valid != nil && !c.valid[i] }

// Value returns row i as a UTC time.Time, or nil when it is missing.
func (c *TimeColumn) Value(i int) any {
	t, ok := c.At(i)
	if !ok {
		return nil
	}
	return t
}

// Take returns the rows idx.
func (c *TimeColumn) Take(idx []int) Column {
	out := make([]int64, len(idx))
	for k, i := range idx {
		out[k] = c.ns[i]
	}
	return &TimeColumn{ns: out, valid: takeValid(c.valid, idx)}
}

// Slice returns rows [i, j), sharing memory.
func (c *TimeColumn) Slice(i, j int) Column {
	return &TimeColumn{ns: c.ns[i:j:j], valid: sliceValid(c.valid, i, j)}
}

func (*TimeColumn) sealed() {}

// BoolColumn holds booleans with a validity mask.
type BoolColumn struct {
	v     []bool
	valid []bool
}

// NewBool returns a bool column holding v (not copied). valid marks which
// values are present; nil means all are. It panics if valid is non-nil and of
// a different length than v.
func NewBool(v []bool, valid []bool) *BoolColumn {
	checkValid(len(v), valid)
	return &BoolColumn{v: v, valid: valid}
}

// Values returns the booleans (false where missing: check IsNA). The slice is
// shared: do not modify it.
func (c *BoolColumn) Values() []bool { return c.v }

// Kind returns [Bool].
func (c *BoolColumn) Kind() Kind { return Bool }

// Len returns the number of values.
func (c *BoolColumn) Len() int { return len(c.v) }

// IsNA reports whether value i is missing.
func (c *BoolColumn) IsNA(i int) bool { return c.valid != nil && !c.valid[i] }

// Value returns value i as a bool, or nil when it is missing.
func (c *BoolColumn) Value(i int) any {
	if c.IsNA(i) {
		return nil
	}
	return c.v[i]
}

// Take returns the rows idx.
func (c *BoolColumn) Take(idx []int) Column {
	out := make([]bool, len(idx))
	for k, i := range idx {
		out[k] = c.v[i]
	}
	return &BoolColumn{v: out, valid: takeValid(c.valid, idx)}
}

// Slice returns rows [i, j), sharing memory.
func (c *BoolColumn) Slice(i, j int) Column {
	return &BoolColumn{v: c.v[i:j:j], valid: sliceValid(c.valid, i, j)}
}

func (*BoolColumn) sealed() {}

func checkValid(n int, valid []bool) {
	if valid != nil && len(valid) != n {
		panic(fmt.Sprintf("frame: validity mask of length %d for %d values", len(valid), n))
	}
}

func takeValid(valid []bool, idx []int) []bool {
	if valid == nil {
		return nil
	}
	out := make([]bool, len(idx))
	for k, i := range idx {
		out[k] = valid[i]
	}
	return out
}

func sliceValid(valid []bool, i, j int) []bool {
	if valid == nil {
		return nil
	}
	return valid[i:j:j]
}

// Missing returns the number of missing values in c.
func Missing(c Column) int {
	n := 0
	switch c := c.(type) {
	case *FloatColumn:
		for _, v := range c.v {
			if v != v {
				n++
			}
		}
	case *CategoricalColumn:
		for _, code := range c.codes {
			if code < 0 {
				n++
			}
		}
	default:
		for i := range c.Len() {
			if c.IsNA(i) {
				n++
			}
		}
	}
	return n
}
