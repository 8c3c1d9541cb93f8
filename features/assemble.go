package features

import (
	"context"
	"fmt"
	"math"

	"github.com/mlpipe/mlpipe/frame"
)

// A SparseTransformer is a fitted step whose output is a sparse matrix
// with named columns: the fitted text vectorisers ([*CountVectorizer],
// [*TfidfVectorizer], [*HashingVectorizer]).
type SparseTransformer interface {
	// Sparse returns the step's output for f, one row per row of f.
	Sparse(ctx context.Context, f *frame.Frame) (*CSR, error)
	// TermNames returns the names of the matrix columns.
	TermNames() []string
}

var (
	_ SparseTransformer = (*CountVectorizer)(nil)
	_ SparseTransformer = (*TfidfVectorizer)(nil)
	_ SparseTransformer = (*HashingVectorizer)(nil)
)

// Assemble builds a model's input as one sparse matrix: the float or bool
// columns named in dense (bool as 0 and 1, zeros not stored), then the
// output of each sparse step, side by side, with the name of every
// column. It is the sparse counterpart of frame.Frame.Matrix, for inputs
// a vocabulary makes too wide to be dense; the result implements
// mat.Matrix.
//
// It returns an error wrapping frame.ErrEmpty for a frame with no rows or
// no columns asked for, frame.ErrNoColumn or frame.ErrKind for a bad dense
// column, frame.ErrMissing for a missing value in one, and the sparse
// steps' errors. It is safe for concurrent use.
func Assemble(ctx context.Context, f *frame.Frame, dense []string, sparse ...SparseTransformer) (*CSR, []string, error) {
	const step = "assemble"
	rows := f.NumRows()
	if rows == 0 || len(dense)+len(sparse) == 0 {
		return nil, nil, fmt.Errorf("%s: %d rows, %d dense columns and %d sparse steps: %w", step, rows, len(dense), len(sparse), frame.ErrEmpty)
	}
	blocks := make([]*CSR, 0, len(sparse)+1)
	var names []string
	if len(dense) > 0 {
		vals := make([][]float64, len(dense))
		for j, name := range dense {
			c, err := f.Col(name)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", step, err)
			}
			switch c := c.(type) {
			case *frame.FloatColumn:
				vals[j] = c.Values()
			case *frame.BoolColumn:
				vals[j] = make([]float64, rows)
				for i, b := range c.Values() {
					if c.IsNA(i) {
						vals[j][i] = math.NaN()
					} else if b {
						vals[j][i] = 1
					}
				}
			default:
				return nil, nil, fmt.Errorf("%s: column %q is %v; only float and bool columns go into a matrix (encode it first): %w",
					step, name, c.Kind(), frame.ErrKind)
			}
		}
		m := &CSR{rows: rows, cols: len(dense), indptr: make([]int, 1, rows+1)}
		for i := range rows {
			for j, v := range vals {
				x := v[i]
				if math.IsNaN(x) {
					return nil, nil, fmt.Errorf("%s: column %q row %d: %w (impute it first)", step, dense[j], i, frame.ErrMissing)
				}
				if x != 0 {
					m.indices = append(m.indices, int32(j))
					m.data = append(m.data, x)
				}
			}
			m.indptr = append(m.indptr, len(m.data))
		}
		blocks = append(blocks, m)
		names = append(names, dense...)
	}
	for _, s := range sparse {
		m, err := s.Sparse(ctx, f)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", step, err)
		}
		blocks = append(blocks, m)
		names = append(names, s.TermNames()...)
	}
	out, err := HStack(blocks...)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", step, err)
	}
	return out, names, nil
}

// HStack returns the matrices side by side: the columns of the first,
// then those of the second, and so on. It returns an error wrapping
// [ErrParam] when they differ in their number of rows, or when there are
// none or the result has more than 2³¹−1 columns.
func HStack(blocks ...*CSR) (*CSR, error) {
	if len(blocks) == 0 {
		return nil, fmt.Errorf("hstack: no matrices: %w", ErrParam)
	}
	rows, cols, nnz := blocks[0].rows, 0, 0
	for k, b := range blocks {
		if b.rows != rows {
			return nil, fmt.Errorf("hstack: matrix %d has %d rows, matrix 0 has %d: %w", k, b.rows, rows, ErrParam)
		}
		cols += b.cols
		nnz += len(b.data)
	}
	if cols > math.MaxInt32 {
		return nil, fmt.Errorf("hstack: %d columns: %w", cols, ErrParam)
	}
	if len(blocks) == 1 {
		return blocks[0], nil
	}
	out := &CSR{rows: rows, cols: cols, indptr: make([]int, 1, rows+1),
		indices: make([]int32, 0, nnz), data: make([]float64, 0, nnz)}
	for i := range rows {
		offset := int32(0)
		for _, b := range blocks {
			idx, v := b.Row(i)
			for _, j := range idx {
				out.indices = append(out.indices, j+offset)
			}
			out.data = append(out.data, v...)
			offset += int32(b.cols)
		}
		out.indptr = append(out.indptr, len(out.data))
	}
	return out, nil
}
