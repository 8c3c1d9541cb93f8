package preprocess

import (
	"context"
	"fmt"
	"math"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
)

// chunkRows is the number of rows each fitting task summarises. It is fixed,
// not derived from the number of workers, and partial summaries are merged
// in chunk order, so a fitted state is the same bit for bit whatever
// GOMAXPROCS is. (A variable only so that tests can make chunks small.)
var chunkRows = 1 << 16

// chunkBounds returns the [lo, hi) row ranges of n rows cut into chunks of
// chunkRows.
func chunkBounds(n int) [][2]int { return parallel.Chunks(n, chunkRows) }

// floatMoments summarises each float column in parallel over fixed chunks
// and merges the chunk summaries in order.
func floatMoments(ctx context.Context, cols [][]float64) ([]Moments, error) {
	type task struct{ col, lo, hi int }
	var tasks []task
	for c, v := range cols {
		for _, b := range chunkBounds(len(v)) {
			tasks = append(tasks, task{c, b[0], b[1]})
		}
	}
	// Each column's chunks are summarised about a common shift, its first
	// present value (see batchMoments), which is added back at the end.
	shifts := make([]float64, len(cols))
	for c, v := range cols {
		for _, x := range v {
			if x == x && !math.IsInf(x, 0) {
				shifts[c] = x
				break
			}
		}
	}
	parts := make([]Moments, len(tasks))
	err := parallel.For(ctx, len(tasks), 0, func(_ context.Context, i int) error {
		t := tasks[i]
		parts[i] = batchMoments(cols[t.col][t.lo:t.hi], shifts[t.col])
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Moments, len(cols))
	for i, t := range tasks {
		out[t.col] = out[t.col].Merge(parts[i])
	}
	for c := range out {
		if out[c].N > 0 {
			out[c].Mean += shifts[c]
		}
	}
	return out, nil
}

// categoryCounts counts each code of each categorical column in parallel
// over fixed chunks, returning per column a count per dictionary code and the
// number of missing values.
func categoryCounts(ctx context.Context, cols []*frame.CategoricalColumn) ([][]int64, []int64, error) {
	type task struct{ col, lo, hi int }
	var tasks []task
	for c, v := range cols {
		for _, b := range chunkBounds(v.Len()) {
			tasks = append(tasks, task{c, b[0], b[1]})
		}
	}
	parts := make([][]int64, len(tasks))
	missing := make([]int64, len(tasks))
	err := parallel.For(ctx, len(tasks), 0, func(_ context.Context, i int) error {
		t := tasks[i]
		cc := cols[t.col]
		counts := make([]int64, len(cc.Dict()))
		for _, code := range cc.Codes()[t.lo:t.hi] {
			if code < 0 {
				missing[i]++
				continue
			}
			counts[code]++
		}
		parts[i] = counts
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	out := make([][]int64, len(cols))
	miss := make([]int64, len(cols))
	for c, cc := range cols {
		out[c] = make([]int64, len(cc.Dict()))
	}
	for i, t := range tasks {
		for k, n := range parts[i] {
			out[t.col][k] += n
		}
		miss[t.col] += missing[i]
	}
	return out, miss, nil
}

func kindList(kinds []frame.Kind) string {
	s := ""
	for i, k := range kinds {
		if i > 0 {
			s += " or "
		}
		s += k.String()
	}
	return s
}

// inputColumn returns the column name of f for a fitted step's transform,
// checking its kind.
func inputColumn(step string, f *frame.Frame, name string, kind frame.Kind) (frame.Column, error) {
	c, err := f.Col(name)
	if err != nil {
		return nil, fmt.Errorf("%s transform: %w", step, err)
	}
	if c.Kind() != kind {
		return nil, fmt.Errorf("%s transform: column %q is %v, was %v in fitting: %w", step, name, c.Kind(), kind, frame.ErrKind)
	}
	return c, nil
}

// checkFinite returns an error wrapping ErrNotFinite naming the first
// infinite value of v, or nil.
func checkFinite(step, name string, v []float64) error {
	for i, x := range v {
		if math.IsInf(x, 0) {
			return infError(step, name, i, x)
		}
	}
	return nil
}

func infError(step, name string, row int, x float64) error {
	return fmt.Errorf("%s: column %q row %d is %v (use NaN for missing, or clip it first): %w", step, name, row, x, ErrNotFinite)
}

// applyColumns runs fn for each of n columns in parallel and then sets the
// returned columns on f in order.
func applyColumns(ctx context.Context, f *frame.Frame, names []string, fn func(ctx context.Context, i int) (frame.Column, error)) (*frame.Frame, error) {
	out := make([]frame.Column, len(names))
	err := parallel.For(ctx, len(names), 0, func(ctx context.Context, i int) error {
		c, err := fn(ctx, i)
		out[i] = c
		return err
	})
	if err != nil {
		return nil, err
	}
	for i, n := range names {
		if f, err = f.With(n, out[i]); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// checkNames validates the column names of a fitted state: present and
// unique.
func checkNames(step string, names []string) error {
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		if n == "" {
			return fmt.Errorf("%s: column %d has no name: %w", step, i, ErrState)
		}
		if seen[n] {
			return fmt.Errorf("%s: column %q listed twice: %w", step, n, ErrState)
		}
		seen[n] = true
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
