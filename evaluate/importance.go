package evaluate

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mlpipe/mlpipe/frame"
	"golang.org/x/sync/errgroup"
)

// ImportanceOptions configures [PermutationImportance]. The zero value
// works.
type ImportanceOptions struct {
	// Scorer scores the predictor. Default: [ScoreAccuracy] for a target of
	// class labels, [ScoreR2] otherwise (as for [CrossValidate]).
	Scorer Scorer
	// Columns are the features to permute. Default: every column but the
	// target.
	Columns []string
	// Repeats is the number of permutations per column. Default: 5.
	Repeats int
	// Seed seeds the permutations; column i's come from a generator seeded
	// with (Seed, i), so they do not depend on the workers.
	Seed uint64
	// Workers bounds the columns permuted at once. Default: GOMAXPROCS.
	Workers int
}

// Importance is one feature's permutation importance: how much the score
// drops when the column's values are shuffled, over the repeats.
type Importance struct {
	Feature string
	Mean    float64   // mean drop in score
	Std     float64   // its standard deviation over the repeats (np.std)
	Drops   []float64 // the drop for each repeat
}

// Importances is the result of [PermutationImportance], in column order.
type Importances []Importance

// Sorted returns a copy ordered from the most to the least important.
func (im Importances) Sorted() Importances {
	out := slices.Clone(im)
	slices.SortStableFunc(out, func(a, b Importance) int { return cmp.Compare(b.Mean, a.Mean) })
	return out
}

// String renders the importances, most important first, as a table.
func (im Importances) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "feature\timportance\t±")
	for _, x := range im.Sorted() {
		fmt.Fprintf(w, "%s\t%.4f\t%.4f\n", x.Feature, x.Mean, x.Std)
	}
	w.Flush()
	return b.String()
}

// PermutationImportance measures how much a fitted predictor relies on each
// feature, as scikit-learn's permutation_importance: it scores p on data,
// then, for each column and repeat, shuffles that column's values, scores
// again, and records the drop. Use held-out data, or the importances
// measure memorisation. Columns run concurrently, bounded by
// opts.Workers; the result does not depend on the number of workers.
//
// It returns an error wrapping frame.ErrEmpty for a frame without rows,
// frame.ErrNoColumn for an unknown column, [ErrValue] for negative
// Repeats, the errors of [Target], and the scorer's errors.
func PermutationImportance(ctx context.Context, p Predictor, data *frame.Frame, target string, opts ImportanceOptions) (Importances, error) {
	if p == nil {
		return nil, fmt.Errorf("permutation importance: nil predictor")
	}
	if data == nil || data.NumRows() == 0 {
		return nil, fmt.Errorf("permutation importance: no rows: %w", frame.ErrEmpty)
	}
	y, err := Target(data, target)
	if err != nil {
		return nil, fmt.Errorf("permutation importance: %w", err)
	}
	x, err := data.Drop(target)
	if err != nil {
		return nil, fmt.Errorf("permutation importance: %w", err)
	}
	scorer := opts.Scorer
	if scorer.Score == nil {
		scorer = ScoreR2
		if isClassTarget(y) {
			scorer = ScoreAccuracy
		}
	}
	cols := opts.Columns
	if len(cols) == 0 {
		cols = x.Names()
	}
	for _, c := range cols {
		if !x.Has(c) {
			return nil, fmt.Errorf("permutation importance: column %q: %w", c, frame.ErrNoColumn)
		}
	}
	repeats := opts.Repeats
	if repeats < 0 {
		return nil, fmt.Errorf("permutation importance: %d repeats: %w", repeats, ErrValue)
	}
	if repeats == 0 {
		repeats = 5
	}
	base, err := scorer.Score(ctx, p, x, y)
	if err != nil {
		return nil, fmt.Errorf("permutation importance: baseline score: %w", err)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make(Importances, len(cols))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, name := range cols {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			col, err := x.Col(name)
			if err != nil {
				return err
			}
			r := rand.New(rand.NewPCG(opts.Seed, uint64(i)))
			imp := Importance{Feature: name, Drops: make([]float64, repeats)}
			for k := range repeats {
				if err := gctx.Err(); err != nil {
					return err
				}
				shuffled, err := x.With(name, col.Take(r.Perm(x.NumRows())))
				if err != nil {
					return err
				}
				s, err := scorer.Score(gctx, p, shuffled, y)
				if err != nil {
					return fmt.Errorf("column %q: %w", name, err)
				}
				imp.Drops[k] = base - s
			}
			imp.Mean, imp.Std = meanOrNaN(imp.Drops), stdOrNaN(imp.Drops)
			out[i] = imp
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("permutation importance: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("permutation importance: %w", err)
	}
	return out, nil
}
