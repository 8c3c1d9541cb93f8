package model

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// A Column is one column of a [ColMatrix]: either Dense values, or an
// indicator over category codes (a one-hot output kept as the codes it is
// made from): 1 in row i when Codes[i] >= 0 and Map[Codes[i]] == Level,
// 0 elsewhere. A nil Map is the identity (1 where Codes[i] == Level).
// Exactly one of Dense and Codes is set. The slices are shared, not copied:
// they must not be modified while the matrix is in use.
type Column struct {
	Dense []float64
	Codes []int32
	Map   []int32
	Level int32
}

// ColMatrix is a read-only matrix held by columns: dense columns and
// one-hot indicators, both sharing the memory they were made from. It is
// how a data frame's columns reach a model without being copied into a
// dense row-major matrix, and how a one-hot encoding reaches it as one code
// per row rather than one float64 per row and category. It implements
// mat.Matrix, so any model accepts it; [LogisticRegression] reads it
// column by column without converting it (other models copy it into a
// dense matrix first). A ColMatrix is safe for concurrent use.
type ColMatrix struct {
	rows   int
	cols   []Column
	dense  []denseCol  // the dense columns, in matrix order
	blocks []codeBlock // the indicators, grouped by codes and map
}

// denseCol is a dense column and its position in the matrix.
type denseCol struct {
	j int
	v []float64
}

// codeBlock is a group of indicator columns over one codes slice: col[c] is
// the matrix column that is 1 for code c, or -1 when none is.
type codeBlock struct {
	codes []int32
	col   []int32
}

// ErrColumn is returned by [NewColMatrix] for a column that is neither
// dense nor an indicator, or both, or does not have the matrix's rows.
var ErrColumn = errors.New("bad matrix column")

// NewColMatrix returns the rows × len(cols) matrix of the given columns. It
// returns an error wrapping [ErrEmpty] without rows or columns, and
// [ErrColumn] naming the column for a column of another length, with both
// or neither of Dense and Codes, or whose codes fall outside its Map.
// Values are not checked here: models check them for NaN and ±Inf.
func NewColMatrix(rows int, cols []Column) (*ColMatrix, error) {
	if rows <= 0 || len(cols) == 0 {
		return nil, fmt.Errorf("column matrix of %d rows and %d columns: %w", rows, len(cols), ErrEmpty)
	}
	m := &ColMatrix{rows: rows, cols: cols}
	type key struct {
		codes, mp *int32
		nmap      int
	}
	open := map[key][]int{} // the blocks over one codes slice and map
	for j, c := range cols {
		switch {
		case c.Dense != nil && c.Codes == nil:
			if len(c.Dense) != rows {
				return nil, fmt.Errorf("column %d has %d rows, want %d: %w", j, len(c.Dense), rows, ErrColumn)
			}
			m.dense = append(m.dense, denseCol{j, c.Dense})
		case c.Codes != nil && c.Dense == nil:
			if len(c.Codes) != rows {
				return nil, fmt.Errorf("column %d has %d rows, want %d: %w", j, len(c.Codes), rows, ErrColumn)
			}
			k := key{codes: &c.Codes[0], nmap: len(c.Map)}
			if len(c.Map) > 0 {
				k.mp = &c.Map[0]
			}
			b := -1
			for _, cand := range open[k] {
				if !m.blocks[cand].has(c) {
					b = cand
					break
				}
			}
			if b < 0 {
				blk, err := newCodeBlock(c)
				if err != nil {
					return nil, fmt.Errorf("column %d: %w", j, err)
				}
				b = len(m.blocks)
				m.blocks = append(m.blocks, blk)
				open[k] = append(open[k], b)
			}
			m.blocks[b].add(c, j)
		default:
			return nil, fmt.Errorf("column %d: want either dense values or codes: %w", j, ErrColumn)
		}
	}
	return m, nil
}

// newCodeBlock returns an empty block over c's codes: every code maps to
// no column. It checks that each code has a place in c's Map.
func newCodeBlock(c Column) (codeBlock, error) {
	n := len(c.Map)
	if c.Map == nil {
		hi := int32(-1)
		for _, v := range c.Codes {
			hi = max(hi, v)
		}
		n = int(hi) + 1
	} else {
		for i, v := range c.Codes {
			if int(v) >= n {
				return codeBlock{}, fmt.Errorf("row %d: code %d outside a map of %d: %w", i, v, n, ErrColumn)
			}
		}
	}
	col := make([]int32, n)
	for i := range col {
		col[i] = -1
	}
	return codeBlock{codes: c.Codes, col: col}, nil
}

// has reports whether a column of the block already stands for one of the
// codes that c's level stands for.
func (b *codeBlock) has(c Column) bool {
	for code, j := range b.col {
		if j >= 0 && level(c, code) == c.Level {
			return true
		}
	}
	return false
}

func (b *codeBlock) add(c Column, j int) {
	for code := range b.col {
		if level(c, code) == c.Level {
			b.col[code] = int32(j)
		}
	}
}

// level returns the level code stands for in c.
func level(c Column, code int) int32 {
	if c.Map == nil {
		return int32(code)
	}
	return c.Map[code]
}

// Dims returns the number of rows and columns.
func (m *ColMatrix) Dims() (r, c int) {
	if m == nil {
		return 0, 0
	}
	return m.rows, len(m.cols)
}

// At returns the value at row i, column j. It panics if either is out of
// range.
func (m *ColMatrix) At(i, j int) float64 {
	c := m.cols[j]
	if c.Dense != nil {
		return c.Dense[i]
	}
	code := c.Codes[i]
	if code >= 0 && level(c, int(code)) == c.Level {
		return 1
	}
	return 0
}

// T returns the transpose, as mat.Matrix requires.
func (m *ColMatrix) T() mat.Matrix { return mat.Transpose{Matrix: m} }

// Column returns column j as it was given. It panics if j is out of range.
func (m *ColMatrix) Column(j int) Column { return m.cols[j] }

// Dense returns m copied into a dense matrix.
func (m *ColMatrix) Dense() *mat.Dense {
	rm := m.rowMajor()
	return mat.NewDense(rm.r, rm.c, rm.data)
}

// rowMajor copies m into a row-major matrix, for the models that read rows.
func (m *ColMatrix) rowMajor() rowMajor {
	c := len(m.cols)
	d := make([]float64, m.rows*c)
	for _, dc := range m.dense {
		for i, v := range dc.v {
			d[i*c+dc.j] = v
		}
	}
	for _, b := range m.blocks {
		for i, code := range b.codes {
			if code >= 0 {
				if j := b.col[code]; j >= 0 {
					d[i*c+int(j)] = 1
				}
			}
		}
	}
	return rowMajor{data: d, r: m.rows, c: c, stride: c}
}

// check returns an error wrapping [ErrNotFinite] naming the first NaN or
// ±Inf of a dense column (indicators are always finite).
func (m *ColMatrix) check(what string) error {
	for _, dc := range m.dense {
		for i, v := range dc.v {
			if !finite(v) {
				return fmt.Errorf("%s: X row %d column %d is %v: %w", what, i, dc.j, v, ErrNotFinite)
			}
		}
	}
	return nil
}

// addScores adds X[lo+i]·w to z[i] for each i, column by column.
func (m *ColMatrix) addScores(z []float64, lo int, w []float64) {
	hi := lo + len(z)
	for _, dc := range m.dense {
		if c := w[dc.j]; c != 0 {
			axpy(c, dc.v[lo:hi], z)
		}
	}
	for _, b := range m.blocks {
		for ii, code := range b.codes[lo:hi] {
			if code >= 0 {
				if j := b.col[code]; j >= 0 {
					z[ii] += w[j]
				}
			}
		}
	}
}

// sample returns the rows 0, step, 2·step, … of m, copied.
func (m *ColMatrix) sample(step int) *ColMatrix {
	n := (m.rows + step - 1) / step
	out := &ColMatrix{rows: n, cols: make([]Column, len(m.cols))}
	for _, dc := range m.dense {
		v := make([]float64, n)
		for i := range v {
			v[i] = dc.v[i*step]
		}
		out.dense = append(out.dense, denseCol{dc.j, v})
		out.cols[dc.j] = Column{Dense: v}
	}
	for _, b := range m.blocks {
		codes := make([]int32, n)
		for i := range codes {
			codes[i] = b.codes[i*step]
		}
		out.blocks = append(out.blocks, codeBlock{codes: codes, col: b.col})
		for _, j := range b.col {
			if j >= 0 {
				out.cols[j] = Column{Codes: codes, Map: b.col, Level: j}
			}
		}
	}
	return out
}
