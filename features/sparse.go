package features

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// CSR is a sparse matrix in compressed sparse row form, the output of the
// text vectorisers: a 1,000,000 × 100,000 document-term matrix with ten
// terms a document holds ten million values, not 10¹¹.
//
// With the arrays of [CSR.Raw], row i's stored values are
// data[indptr[i]:indptr[i+1]], in the columns indices[indptr[i]:indptr[i+1]],
// which are strictly increasing. A value not stored is zero.
//
// CSR implements [mat.Matrix], so it can be given to anything that takes
// one (At costs a binary search in the row), and [mat.NonZeroDoer] and
// [mat.RowNonZeroDoer] for visiting only the stored values. It is
// immutable once built and safe for concurrent use.
type CSR struct {
	rows, cols int
	indptr     []int
	indices    []int32
	data       []float64
}

var (
	_ mat.Matrix         = (*CSR)(nil)
	_ mat.NonZeroDoer    = (*CSR)(nil)
	_ mat.RowNonZeroDoer = (*CSR)(nil)
)

// NewCSR returns a rows × cols CSR matrix over the given arrays (not
// copied: do not modify them afterwards). It returns an error wrapping
// [ErrParam] unless len(indptr) == rows+1, indptr starts at 0, does not
// decrease and ends at len(indices) == len(data), and each row's indices
// are strictly increasing and in [0, cols).
func NewCSR(rows, cols int, indptr []int, indices []int32, data []float64) (*CSR, error) {
	if rows < 0 || cols < 0 {
		return nil, fmt.Errorf("csr: negative shape %d×%d: %w", rows, cols, ErrParam)
	}
	if len(indptr) != rows+1 || indptr[0] != 0 || indptr[rows] != len(indices) || len(indices) != len(data) {
		return nil, fmt.Errorf("csr %d×%d: indptr of length %d (want %d, from 0 to the number of values) for %d indices and %d values: %w",
			rows, cols, len(indptr), rows+1, len(indices), len(data), ErrParam)
	}
	for i := range rows {
		lo, hi := indptr[i], indptr[i+1]
		if hi < lo {
			return nil, fmt.Errorf("csr: indptr decreases at row %d: %w", i, ErrParam)
		}
		for k := lo; k < hi; k++ {
			j := indices[k]
			if j < 0 || int(j) >= cols || (k > lo && j <= indices[k-1]) {
				return nil, fmt.Errorf("csr: row %d column index %d out of range [0, %d) or not increasing: %w", i, j, cols, ErrParam)
			}
		}
	}
	return &CSR{rows: rows, cols: cols, indptr: indptr, indices: indices, data: data}, nil
}

// Dims returns the number of rows and columns.
func (m *CSR) Dims() (r, c int) { return m.rows, m.cols }

// At returns the value at row i, column j. It panics if i or j is out of
// range, as mat.Dense does.
func (m *CSR) At(i, j int) float64 {
	if uint(i) >= uint(m.rows) {
		panic(mat.ErrRowAccess)
	}
	if uint(j) >= uint(m.cols) {
		panic(mat.ErrColAccess)
	}
	idx := m.indices[m.indptr[i]:m.indptr[i+1]]
	if k, ok := slices.BinarySearch(idx, int32(j)); ok {
		return m.data[m.indptr[i]+k]
	}
	return 0
}

// T returns the transpose, as an implicit view.
func (m *CSR) T() mat.Matrix { return mat.Transpose{Matrix: m} }

// NNZ returns the number of stored values.
func (m *CSR) NNZ() int { return len(m.data) }

// Row returns the column indices and values stored in row i (shared: do not
// modify them). It panics if i is out of range.
func (m *CSR) Row(i int) ([]int32, []float64) {
	lo, hi := m.indptr[i], m.indptr[i+1]
	return m.indices[lo:hi:hi], m.data[lo:hi:hi]
}

// Raw returns the CSR arrays (shared: do not modify them).
func (m *CSR) Raw() (indptr []int, indices []int32, data []float64) {
	return m.indptr, m.indices, m.data
}

// DoNonZero calls fn for each stored value, row by row, columns in increasing order.
func (m *CSR) DoNonZero(fn func(i, j int, v float64)) {
	for i := range m.rows {
		m.DoRowNonZero(i, fn)
	}
}

// DoRowNonZero calls fn for each stored value of row i, columns in
// increasing order.
func (m *CSR) DoRowNonZero(i int, fn func(i, j int, v float64)) {
	for k := m.indptr[i]; k < m.indptr[i+1]; k++ {
		fn(i, int(m.indices[k]), m.data[k])
	}
}

// Dense returns the matrix as a new dense matrix. It is for small matrices:
// the result holds rows × cols values. It returns an error wrapping
// [ErrTooWide] when that exceeds maxValues (no limit when maxValues <= 0).
func (m *CSR) Dense(maxValues int) (*mat.Dense, error) {
	if maxValues > 0 && m.rows*m.cols > maxValues {
		return nil, fmt.Errorf("csr %d×%d to dense: more than %d values: %w", m.rows, m.cols, maxValues, ErrTooWide)
	}
	if m.rows == 0 || m.cols == 0 {
		return &mat.Dense{}, nil
	}
	d := mat.NewDense(m.rows, m.cols, nil)
	m.DoNonZero(func(i, j int, v float64) { d.Set(i, j, v) })
	return d, nil
}

// vstackCSR joins row blocks with the same column count.
func vstackCSR(cols int, parts []*CSR) *CSR {
	rows, nnz := 0, 0
	for _, p := range parts {
		rows += p.rows
		nnz += len(p.data)
	}
	out := &CSR{rows: rows, cols: cols, indptr: make([]int, 1, rows+1),
		indices: make([]int32, 0, nnz), data: make([]float64, 0, nnz)}
	for _, p := range parts {
		base := len(out.data)
		for _, ptr := range p.indptr[1:] {
			out.indptr = append(out.indptr, base+ptr)
		}
		out.indices = append(out.indices, p.indices...)
		out.data = append(out.data, p.data...)
	}
	return out
}
