package preprocess

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/mlpipe/mlpipe/frame"
)

// A Partial is a step being fitted batch by batch: Add folds a batch of rows
// into its statistics, Merge folds in the statistics of another Partial of
// the same spec (fitted on other rows: another chunk, another shard, another
// machine), and Finish turns them into the fitted step. The fitted step is
// the same, to rounding for floats and exactly for counts, however the rows
// were cut into batches and merged; fitting a frame in one call is one Add
// and a Finish.
//
// A Partial is not safe for concurrent use: give each goroutine its own
// (from the same spec's Begin) and Merge them.
type Partial interface {
	// Add accumulates the rows of batch (a batch of no rows is allowed).
	// It returns an error for an unknown column or one of the wrong kind,
	// for an infinite value, and ctx.Err() when ctx is cancelled; the
	// Partial is then unusable.
	Add(ctx context.Context, batch *frame.Frame) error
	// Merge adds other's statistics to the receiver. It returns an error
	// wrapping [ErrParam] if other comes from another spec or saw other
	// columns.
	Merge(other Partial) error
	// Finish returns the fitted step. It returns an error wrapping
	// frame.ErrEmpty if no rows were added, and the step's own errors
	// (such as [ErrAllMissing]).
	Finish() (Fitted, error)
}

// An Incremental step can be fitted batch by batch through a [Partial].
// The specs of this package that learn statistics are Incremental.
type Incremental interface {
	Step
	// Begin returns an empty Partial for this spec.
	Begin() Partial
}

// A FitTransformer is a step whose output on its own training rows differs
// from what its fitted value's Transform gives them: [TargetEncodeSpec]
// encodes each training row with statistics from the other folds
// (cross-fitting), so that the target does not leak into the features.
// Whoever fits a step and then transforms the training frame with it (an ML
// pipeline) should call FitTransform instead when the step has it.
type FitTransformer interface {
	Step
	// FitTransform returns the fitted step and the training frame
	// transformed as the step intends for its training rows.
	FitTransform(ctx context.Context, f *frame.Frame) (Fitted, *frame.Frame, error)
}

var _ FitTransformer = TargetEncodeSpec{}

// A Supervised step reads a target column while it fits: target encoding,
// feature selection scored against the label. An ML pipeline hides its
// target column from the steps it fits, so that a step meant for "every
// float column" cannot scale or impute the label; it shows the target only
// to a Supervised step whose TargetColumn names it, and removes it again
// from that step's output.
type Supervised interface {
	Step
	// TargetColumn returns the name of the column the step fits against.
	TargetColumn() string
}

var _ Supervised = TargetEncodeSpec{}

// TargetColumn returns s.Target.
func (s TargetEncodeSpec) TargetColumn() string { return s.Target }

// The specs that learn mergeable statistics.
var (
	_ Incremental = ImputeSpec{}
	_ Incremental = StandardScaleSpec{}
	_ Incremental = OneHotSpec{}
	_ Incremental = MinMaxScaleSpec{}
	_ Incremental = MaxAbsScaleSpec{}
	_ Incremental = RobustScaleSpec{}
	_ Incremental = QuantileTransformSpec{}
	_ Incremental = RangeSpec{}
	_ Incremental = IQRSpec{}
	_ Incremental = ZScoreSpec{}
	_ Incremental = WinsorizeSpec{}
	_ Incremental = OrdinalSpec{}
	_ Incremental = FrequencySpec{}
	_ Incremental = MissingIndicatorSpec{}
	_ Incremental = DropSparseSpec{}
	_ Incremental = PowerTransformSpec{}
)

// FitStream fits s over the batches of a stream, in constant memory for
// steps whose statistics are bounded (moments, counts); a median is exact
// and so holds the column's present values. It stops at the first error of
// the stream or of a batch, and returns ctx.Err() when ctx is cancelled.
func FitStream(ctx context.Context, s Incremental, batches iter.Seq2[*frame.Frame, error]) (Fitted, error) {
	p := s.Begin()
	for batch, err := range batches {
		if err != nil {
			return nil, err
		}
		if err := p.Add(ctx, batch); err != nil {
			return nil, err
		}
	}
	return p.Finish()
}

// fitOnce fits a whole frame through a Partial.
func fitOnce(ctx context.Context, s Incremental, f *frame.Frame) (Fitted, error) {
	p := s.Begin()
	if err := p.Add(ctx, f); err != nil {
		return nil, err
	}
	return p.Finish()
}

// columnSet is the columns a Partial works on, fixed by its first batch.
type columnSet struct {
	names []string
	kinds []frame.Kind
	rows  int64
}

// resolve finds the columns of batch the step works on: the named ones,
// or with none named, every column of one of kinds the first time and the
// same columns afterwards. It checks names and kinds.
func (cs *columnSet) resolve(step string, batch *frame.Frame, named []string, kinds ...frame.Kind) ([]frame.Column, error) {
	if cs.names == nil {
		if len(named) == 0 {
			for i := range batch.NumCols() {
				n, c := batch.ColAt(i)
				if slices.Contains(kinds, c.Kind()) {
					named = append(named, n)
				}
			}
			if len(named) == 0 {
				return nil, fmt.Errorf("%s: no %s column to work on (have %v): %w", step, kindList(kinds), batch.Names(), frame.ErrNoColumn)
			}
		}
		seen := make(map[string]bool, len(named))
		cols := make([]frame.Column, len(named))
		ks := make([]frame.Kind, len(named))
		for i, n := range named {
			if seen[n] {
				return nil, fmt.Errorf("%s: column %q named twice: %w", step, n, ErrParam)
			}
			seen[n] = true
			c, err := batch.Col(n)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", step, err)
			}
			if !slices.Contains(kinds, c.Kind()) {
				return nil, fmt.Errorf("%s: column %q is %v, need %s: %w", step, n, c.Kind(), kindList(kinds), frame.ErrKind)
			}
			cols[i], ks[i] = c, c.Kind()
		}
		cs.names, cs.kinds = slices.Clone(named), ks
		cs.rows += int64(batch.NumRows())
		return cols, nil
	}
	cols := make([]frame.Column, len(cs.names))
	for i, n := range cs.names {
		c, err := batch.Col(n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", step, err)
		}
		if c.Kind() != cs.kinds[i] {
			return nil, fmt.Errorf("%s: column %q is %v, was %v in earlier batches: %w", step, n, c.Kind(), cs.kinds[i], frame.ErrKind)
		}
		cols[i] = c
	}
	cs.rows += int64(batch.NumRows())
	return cols, nil
}

// merge checks that two partials saw the same columns and adds the row
// counts; it reports whether other has anything to merge.
func (cs *columnSet) merge(step string, other *columnSet) (bool, error) {
	if other.names == nil {
		return false, nil
	}
	if cs.names == nil {
		cs.names, cs.kinds = slices.Clone(other.names), slices.Clone(other.kinds)
	} else if !slices.Equal(cs.names, other.names) || !slices.Equal(cs.kinds, other.kinds) {
		return false, fmt.Errorf("%s merge: columns %v and %v differ: %w", step, cs.names, other.names, ErrParam)
	}
	cs.rows += other.rows
	return true, nil
}

// finish checks that rows were added.
func (cs *columnSet) finish(step string) error {
	if cs.rows == 0 {
		return fmt.Errorf("%s fit: %w", step, frame.ErrEmpty)
	}
	return nil
}

func mergeError(step string, other Partial) error {
	return fmt.Errorf("%s merge: a %T is not from the same kind of step: %w", step, other, ErrParam)
}
