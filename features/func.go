package features

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// TransformFunc is a user's frame transformation, run by a [Func] step. It
// must not keep or modify state between calls, must be safe for concurrent
// use, and should return an error, not panic, on bad input.
type TransformFunc func(ctx context.Context, f *frame.Frame) (*frame.Frame, error)

var funcs = struct {
	sync.RWMutex
	m map[string]TransformFunc
}{m: map[string]TransformFunc{}}

// RegisterFunc records fn under name, so that a saved pipeline holding a
// [Func] step of that name finds the function again when it is loaded. A
// program that loads pipelines with function steps registers the same
// functions first (in an init function, say) — [Func] does it for the
// program that builds the pipeline.
//
// It returns an error wrapping [ErrParam] for an empty name, a nil fn, or
// a name already registered to another function (registering the same
// function again is allowed). It is safe for concurrent use.
func RegisterFunc(name string, fn TransformFunc) error {
	if name == "" || fn == nil {
		return fmt.Errorf("register function %q: need a name and a function: %w", name, ErrParam)
	}
	funcs.Lock()
	defer funcs.Unlock()
	if old, ok := funcs.m[name]; ok {
		if sameFunc(old, fn) {
			return nil
		}
		return fmt.Errorf("register function %q: the name is taken by another function: %w", name, ErrParam)
	}
	funcs.m[name] = fn
	return nil
}

// sameFunc reports whether a and b are the same function (the same code:
// two closures of one function literal count as the same).
func sameFunc(a, b TransformFunc) bool {
	return reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer()
}

func registeredFunc(name string) (TransformFunc, bool) {
	funcs.RLock()
	defer funcs.RUnlock()
	fn, ok := funcs.m[name]
	return fn, ok
}

// FuncSpec is the specification of a step running a user's function: the
// way to put custom logic (a ratio of two columns, a domain rule) inside a
// pipeline so that it is fitted, saved and served with the rest. The
// function is saved by name; see [RegisterFunc]. It learns nothing, but
// Fit runs it once on the training frame, to check it and to record the
// column names it makes.
//
// Build it with [Func]; it is a value, safe for concurrent use.
type FuncSpec struct {
	// Name identifies the function in saved pipelines.
	Name string
	err  error
}

// Func returns the specification of a step running fn, registered under
// name (see [RegisterFunc]); a registration error is returned by Fit.
func Func(name string, fn TransformFunc) FuncSpec {
	return FuncSpec{Name: name, err: RegisterFunc(name, fn)}
}

// Fit runs the function on f and returns a [*FuncStep]. It returns an
// error wrapping [ErrParam] when the function could not be registered,
// [ErrUnknownFunc] when no function has the name, and the function's own
// error, naming the step.
func (s FuncSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	if s.err != nil {
		return nil, s.err
	}
	step := &FuncStep{Name: s.Name, In: f.Names()}
	out, err := step.Transform(ctx, f)
	if err != nil {
		return nil, err
	}
	step.Out = out.Names()
	return step, nil
}

// FuncStep is a fitted [FuncSpec]: the function's name and the columns it
// turned the training frame's columns into. Its fields are its saved
// state. It is immutable and safe for concurrent use.
type FuncStep struct {
	Name string   `json:"name"`
	In   []string `json:"in"`
	Out  []string `json:"out"`
}

// Transform runs the registered function on f. It returns an error
// wrapping [ErrUnknownFunc] when the name is not registered in this
// program, and the function's error, naming the step.
func (s *FuncStep) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fn, ok := registeredFunc(s.Name)
	if !ok {
		return nil, fmt.Errorf("function step %q: %w (register it with features.RegisterFunc before use)", s.Name, ErrUnknownFunc)
	}
	out, err := fn(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("function step %q: %w", s.Name, err)
	}
	if out == nil {
		return nil, fmt.Errorf("function step %q returned no frame: %w", s.Name, ErrParam)
	}
	return out, nil
}

// FeatureNamesOut returns the output columns recorded in fitting, for the
// training input columns. A function's output for other inputs is not
// known without running it: for those it returns an error wrapping [ErrParam].
func (s *FuncStep) FeatureNamesOut(in []string) ([]string, error) {
	if !slices.Equal(in, s.In) {
		return nil, fmt.Errorf("function step %q: output names known only for the training columns %v, not %v: %w", s.Name, s.In, in, ErrParam)
	}
	return slices.Clone(s.Out), nil
}

// Validate reports whether the state is usable: a name registered in this
// program. It returns an error wrapping [ErrUnknownFunc] otherwise, so that
// loading a pipeline fails early, naming the missing function.
func (s *FuncStep) Validate() error {
	if _, ok := registeredFunc(s.Name); !ok {
		return fmt.Errorf("function step %q: %w (register it with features.RegisterFunc before loading)", s.Name, ErrUnknownFunc)
	}
	return nil
}

func init() {
	preprocess.Register[*FuncStep]("features.func", 1)
}
