package features

import "errors"

// Errors returned (wrapped, with the step and column involved) by the steps
// of this package. Test for them with errors.Is. Steps also return errors
// wrapping frame.ErrNoColumn (an unknown column), frame.ErrKind (a column of
// the wrong kind), frame.ErrEmpty (fitting on a frame with no rows) and
// frame.ErrDuplicate (an output column whose name is already taken).
var (
	// ErrParam: a step's parameters are invalid (an unknown date part, a
	// degree of zero, a negative threshold, a column named twice, …).
	ErrParam = errors.New("invalid step parameter")
	// ErrState: a fitted step's state is corrupt (read from a damaged or
	// hand-edited file): lengths disagree, edges are not increasing, a
	// term is listed twice.
	ErrState = errors.New("corrupt fitted state")
	// ErrAllMissing: a column has no present value to learn from.
	ErrAllMissing = errors.New("column has only missing values")
	// ErrNotFinite: a float column holds +Inf or -Inf where a finite
	// number or NaN (missing) is needed.
	ErrNotFinite = errors.New("infinite value")
	// ErrTooWide: a transform would make more dense columns than the
	// step allows; use the step's sparse output instead.
	ErrTooWide = errors.New("too many dense columns")
	// ErrUnknownFunc: a function step names a function that is not
	// registered in this program (see [RegisterFunc]).
	ErrUnknownFunc = errors.New("unknown function")
	// ErrTarget: the target column of a supervised selection step is
	// missing, of the wrong kind, or holds missing values.
	ErrTarget = errors.New("bad target column")
)
