package frame

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Matrix assembles the named columns (all columns when none are named) into
// a rows × columns dense matrix, the input of a model, and returns it with the
// feature names, one per matrix column. Float columns are copied as they are;
// bool columns become 0 and 1.
//
// It returns an error wrapping [ErrEmpty] for a frame with no rows or no
// columns, [ErrNoColumn] for an unknown name, [ErrKind] for a column of another
// kind (encode categories first, for example with preprocess.OneHot), and
// [ErrMissing], naming the column and row, for a missing value (impute first).
func (f *Frame) Matrix(cols ...string) (*mat.Dense, []string, error) {
	vals, names, err := f.MatrixColumns(cols...)
	if err != nil {
		return nil, nil, err
	}
	r, c := f.NumRows(), len(vals)
	data := make([]float64, r*c)
	for j, v := range vals {
		for i, x := range v {
			data[i*c+j] = x
		}
	}
	return mat.NewDense(r, c, data), names, nil
}

// MatrixColumns is [Frame.Matrix] without the matrix: it returns the values
// of each named column (all columns when none are named) as they would
// stand in the matrix's columns, and their names. A float column's values
// are shared, not copied (do not modify them); a bool column's are a new
// slice of 0 and 1. A model that reads its input by columns takes these
// without the copy into a row-major matrix. It returns the errors of
// [Frame.Matrix].
func (f *Frame) MatrixColumns(cols ...string) ([][]float64, []string, error) {
	if len(cols) == 0 {
		cols = f.Names()
	}
	if f.NumRows() == 0 || len(cols) == 0 {
		return nil, nil, fmt.Errorf("matrix of %d rows and %d columns: %w", f.NumRows(), len(cols), ErrEmpty)
	}
	out := make([][]float64, len(cols))
	for j, name := range cols {
		col, err := f.Col(name)
		if err != nil {
			return nil, nil, fmt.Errorf("matrix: %w", err)
		}
		switch col := col.(type) {
		case *FloatColumn:
			for i, v := range col.v {
				if v != v {
					return nil, nil, fmt.Errorf("matrix column %q row %d: %w (impute it first)", name, i, ErrMissing)
				}
			}
			out[j] = col.v
		case *BoolColumn:
			v := make([]float64, len(col.v))
			for i, b := range col.v {
				if col.IsNA(i) {
					return nil, nil, fmt.Errorf("matrix column %q row %d: %w (impute it first)", name, i, ErrMissing)
				}
				if b {
					v[i] = 1
				}
			}
			out[j] = v
		default:
			return nil, nil, fmt.Errorf("matrix column %q is %v; only float and bool columns go into a matrix (encode it first): %w",
				name, col.Kind(), ErrKind)
		}
	}
	return out, append([]string(nil), cols...), nil
}
