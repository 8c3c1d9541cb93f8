package preprocess

import (
	"context"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/registry"
)

// A Step is the specification of a preprocessing or feature step: its
// parameters and no learned state. Fit learns the step's state from a frame
// (means, scales, category lists) and returns it as a new [Fitted] value; the
// Step is not changed, so one Step may be fitted many times concurrently, as
// cross-validation does.
//
// Fit returns an error, never panics, on bad input: an unknown column, a
// column of the wrong kind, a frame with no rows.
type Step interface {
	Fit(ctx context.Context, f *frame.Frame) (Fitted, error)
}

// StepFunc adapts an ordinary function to the [Step] interface.
type StepFunc func(ctx context.Context, f *frame.Frame) (Fitted, error)

// Fit calls s(ctx, f).
func (s StepFunc) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) { return s(ctx, f) }

// A Fitted step holds learned state and applies it: Transform returns a new
// frame with the step's columns replaced or added; the input is not changed.
// Fitted values are immutable and safe for concurrent use, so training and
// serving run the very same value. A fitted value saved with [MarshalFitted]
// and read back with [UnmarshalFitted] transforms identically.
type Fitted interface {
	Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error)
}

var fittedSteps = registry.New[Fitted]("fitted step")

// Errors of saved steps; the same values as package model's, so one
// errors.Is test serves both.
var (
	// ErrUnknownKind: a saved step names a kind no registered type has (a step
	// from a newer mlpipe, or a package such as features not linked in).
	ErrUnknownKind = registry.ErrUnknownKind
	// ErrVersion: a saved step's format version is newer than this build reads.
	ErrVersion = registry.ErrVersion
)

// Register records that fitted steps of type T (a pointer type implementing
// [Fitted] whose JSON encoding holds its whole state) are saved under kind at
// format version. A type with a Validate() error method has it called after
// loading. Register panics if kind or T is already registered; call it from an
// init function. Packages with steps of their own (features) register them too.
func Register[T Fitted](kind string, version int) {
	registry.Register[Fitted, T](fittedSteps, kind, version)
}

// MarshalFitted returns the versioned JSON form of a fitted step,
// {"kind": ..., "version": ..., "state": ...}. It fails for a type that was
// never registered.
func MarshalFitted(f Fitted) ([]byte, error) { return fittedSteps.Marshal(f) }

// UnmarshalFitted reads a fitted step written by [MarshalFitted]. It fails
// with an error wrapping [ErrUnknownKind] or [ErrVersion] for an unknown kind
// or a newer format version, and with the decoding or validation
// error for corrupt input.
func UnmarshalFitted(data []byte) (Fitted, error) { return fittedSteps.Unmarshal(data) }
