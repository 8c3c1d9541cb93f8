package preprocess

import "errors"

// Errors returned (wrapped, with the step and column involved) by the steps
// of this package. Test for them with errors.Is. Steps also return errors
// wrapping frame.ErrNoColumn (an unknown column), frame.ErrKind (a column of
// the wrong kind) and frame.ErrEmpty (fitting on a frame with no rows).
var (
	// ErrAllMissing: a column has no present value to learn from.
	ErrAllMissing = errors.New("column has only missing values")
	// ErrNotFinite: a float column holds +Inf or -Inf where a finite
	// number or NaN (missing) is needed.
	ErrNotFinite = errors.New("infinite value")
	// ErrUnknownCategory: a category not seen in fitting, under a policy
	// that rejects it.
	ErrUnknownCategory = errors.New("unknown category")
	// ErrParam: a step's parameters are invalid (no such strategy, a
	// column named twice, a negative threshold, …).
	ErrParam = errors.New("invalid step parameter")
	// ErrState: a fitted step's state is corrupt (read from a damaged or
	// hand-edited file): lengths disagree, a scale is zero, a category is
	// listed twice.
	ErrState = errors.New("corrupt fitted state")
	// ErrTooManyCategories: a column has more categories than a step
	// accepts (see OneHotSpec.MaxCardinality), as a column of identifiers
	// does.
	ErrTooManyCategories = errors.New("too many categories")
)
