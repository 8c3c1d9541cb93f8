package mlbeam

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

func init() {
	beam.RegisterCoder(reflect.TypeFor[*partialAcc](), encodePartialAcc, decodePartialAcc)
	register.Combiner3[*partialAcc, *frame.Frame, []byte](&fitFn{})
	register.DoFn4x1[context.Context, *frame.Frame, []byte, func(*frame.Frame), error](&applyFittedFn{})
	register.Function2x1[int, []byte, indexed](indexStep)
	register.Combiner3[[]indexed, indexed, []byte](&collectStepsFn{})
	register.Emitter1[[]byte]()

	for _, s := range []preprocess.Incremental{
		preprocess.ImputeSpec{}, preprocess.StandardScaleSpec{}, preprocess.OneHotSpec{},
		preprocess.MinMaxScaleSpec{}, preprocess.MaxAbsScaleSpec{}, preprocess.RobustScaleSpec{},
		preprocess.QuantileTransformSpec{}, preprocess.RangeSpec{}, preprocess.IQRSpec{},
		preprocess.ZScoreSpec{}, preprocess.WinsorizeSpec{}, preprocess.OrdinalSpec{},
		preprocess.FrequencySpec{}, preprocess.MissingIndicatorSpec{}, preprocess.DropSparseSpec{},
		preprocess.PowerTransformSpec{},
	} {
		registerSpec(reflect.TypeOf(s))
	}
}

// specTypes maps a spec type's name to the type, so that a worker can
// rebuild a spec from its JSON.
var specTypes sync.Map // string → reflect.Type

func registerSpec(t reflect.Type) {
	specTypes.Store(t.PkgPath()+"."+t.Name(), t)
}

// RegisterSpec makes specs of type S (a struct type whose JSON encoding
// holds all its parameters) usable by [Fit] and [FitSteps]. The
// Incremental specs of package preprocess are registered already. Call it
// from an init function, so that the workers of a distributed runner, which
// run the same program, know the type too.
func RegisterSpec[S preprocess.Incremental]() { registerSpec(reflect.TypeFor[S]()) }

// specJSON is a spec as it travels inside a CombineFn: its type's name
// and its JSON.
type specJSON struct {
	Type string
	JSON json.RawMessage
}

func encodeSpec(s preprocess.Incremental) (specJSON, error) {
	t := reflect.TypeOf(s)
	name := t.PkgPath() + "." + t.Name()
	if _, ok := specTypes.Load(name); !ok {
		return specJSON{}, fmt.Errorf("mlbeam: spec type %v is not registered (RegisterSpec)", t)
	}
	b, err := json.Marshal(s)
	if err != nil {
		return specJSON{}, fmt.Errorf("mlbeam: spec %v: %w", t, err)
	}
	return specJSON{Type: name, JSON: b}, nil
}

func (j specJSON) decode() (preprocess.Incremental, error) {
	v, ok := specTypes.Load(j.Type)
	if !ok {
		return nil, fmt.Errorf("mlbeam: spec type %s is not registered in this program (RegisterSpec)", j.Type)
	}
	p := reflect.New(v.(reflect.Type))
	if err := json.Unmarshal(j.JSON, p.Interface()); err != nil {
		return nil, fmt.Errorf("mlbeam: spec %s: %w", j.Type, err)
	}
	return p.Elem().Interface().(preprocess.Incremental), nil
}

// partialAcc is the accumulator of a fit: a Partial, or its encoding as it
// arrived from another worker, decoded when first used.
type partialAcc struct {
	p   preprocess.Partial
	raw []byte
}

func encodePartialAcc(a *partialAcc) ([]byte, error) {
	if a.p == nil {
		return a.raw, nil
	}
	return preprocess.MarshalPartial(a.p)
}

func decodePartialAcc(b []byte) (*partialAcc, error) {
	return &partialAcc{raw: slices.Clone(b)}, nil
}

// fitFn is the CombineFn of a fit: a Partial of the spec accumulates the
// batches, partials merge, Finish gives the fitted step, which leaves as
// its versioned JSON (preprocess.MarshalFitted).
type fitFn struct {
	Spec specJSON

	spec preprocess.Incremental
}

func (f *fitFn) Setup() error {
	s, err := f.Spec.decode()
	f.spec = s
	return err
}

func (f *fitFn) partial(a *partialAcc) (preprocess.Partial, error) {
	if a.p == nil {
		p, err := preprocess.UnmarshalPartial(f.spec, a.raw)
		if err != nil {
			return nil, fmt.Errorf("mlbeam: fit: %w", err)
		}
		a.p, a.raw = p, nil
	}
	return a.p, nil
}

func (f *fitFn) CreateAccumulator() *partialAcc { return &partialAcc{p: f.spec.Begin()} }

func (f *fitFn) AddInput(a *partialAcc, b *frame.Frame) (*partialAcc, error) {
	p, err := f.partial(a)
	if err != nil {
		return nil, err
	}
	if err := p.Add(context.Background(), b); err != nil {
		return nil, fmt.Errorf("mlbeam: fit: %w", err)
	}
	return a, nil
}

func (f *fitFn) MergeAccumulators(a, b *partialAcc) (*partialAcc, error) {
	pa, err := f.partial(a)
	if err != nil {
		return nil, err
	}
	pb, err := f.partial(b)
	if err != nil {
		return nil, err
	}
	if err := pa.Merge(pb); err != nil {
		return nil, fmt.Errorf("mlbeam: fit: %w", err)
	}
	return a, nil
}

func (f *fitFn) ExtractOutput(a *partialAcc) ([]byte, error) {
	p, err := f.partial(a)
	if err != nil {
		return nil, err
	}
	fitted, err := p.Finish()
	if err != nil {
		return nil, fmt.Errorf("mlbeam: fit: %w", err)
	}
	return preprocess.MarshalFitted(fitted)
}

// Fit fits spec on all the frames of a PCollection, as a Beam combine whose
// accumulator is the spec's [preprocess.Partial]: each worker adds its
// batches, partials travel between workers through
// [preprocess.MarshalPartial], merge, and the last one finishes. The
// fitted step is the one spec.Fit gives on all the rows at once — to
// rounding for floats (moments merge in another order), exactly for counts,
// and within the sketch's stated rank error for quantiles of a step with a
// MaxValues bound. The output holds one element: the fitted step's JSON, as
// [preprocess.MarshalFitted] writes it ([preprocess.UnmarshalFitted] reads
// it).
//
// Fit returns an error if the spec's type is not registered ([RegisterSpec])
// or does not encode as JSON. The pipeline fails if a frame lacks one of the
// spec's columns, has it of another kind, or if there are no rows.
func Fit(s beam.Scope, spec preprocess.Incremental, frames beam.PCollection) (beam.PCollection, error) {
	j, err := encodeSpec(spec)
	if err != nil {
		return beam.PCollection{}, err
	}
	s = s.Scope("mlbeam.Fit")
	return beam.Combine(s, &fitFn{Spec: j}, frames), nil
}

// Apply transforms each frame with a fitted step, given as the
// one-element output of [Fit] (read as a side input).
func Apply(s beam.Scope, fitted, frames beam.PCollection) beam.PCollection {
	s = s.Scope("mlbeam.Apply")
	return beam.ParDo(s, &applyFittedFn{}, frames, beam.SideInput{Input: fitted})
}

// applyFittedFn transforms frames with a fitted step from a side input,
// decoding it once per worker.
type applyFittedFn struct {
	raw  []byte
	step preprocess.Fitted
}

func (f *applyFittedFn) ProcessElement(ctx context.Context, b *frame.Frame, fitted []byte, emit func(*frame.Frame)) error {
	if f.step == nil || !bytes.Equal(f.raw, fitted) {
		step, err := preprocess.UnmarshalFitted(fitted)
		if err != nil {
			return fmt.Errorf("mlbeam: apply: %w", err)
		}
		f.raw, f.step = slices.Clone(fitted), step
	}
	out, err := f.step.Transform(ctx, b)
	if err != nil {
		return fmt.Errorf("mlbeam: apply: %w", err)
	}
	emit(out)
	return nil
}

// FitSteps fits specs in order on a PCollection of frames, as an ML
// pipeline fits its steps: spec i is fitted ([Fit]) on the frames
// transformed by the fitted steps before it ([Apply]). It returns one
// element holding the fitted steps as a JSON array of their
// [preprocess.MarshalFitted] forms ([DecodeSteps] reads it), and the frames
// transformed by all the fitted steps. It returns an error as [Fit] does.
func FitSteps(s beam.Scope, specs []preprocess.Incremental, frames beam.PCollection) (steps, transformed beam.PCollection, err error) {
	if len(specs) == 0 {
		return beam.PCollection{}, beam.PCollection{}, fmt.Errorf("mlbeam: fit steps: no steps")
	}
	s = s.Scope("mlbeam.FitSteps")
	cur := frames
	var each []beam.PCollection
	for i, spec := range specs {
		fitted, err := Fit(s, spec, cur)
		if err != nil {
			return beam.PCollection{}, beam.PCollection{}, fmt.Errorf("step %d: %w", i, err)
		}
		each = append(each, beam.ParDo(s, indexStep, beam.Create(s, i), beam.SideInput{Input: fitted}))
		cur = Apply(s, fitted, cur)
	}
	all := beam.Flatten(s, each...)
	return beam.Combine(s, &collectStepsFn{N: len(specs)}, all), cur, nil
}

// indexed is a fitted step and its place in the pipeline.
type indexed struct {
	I     int
	State []byte
}

func indexStep(i int, state []byte) indexed { return indexed{I: i, State: state} }

// collectStepsFn gathers the fitted steps into one JSON array, in order.
type collectStepsFn struct {
	N int
}

func (c *collectStepsFn) CreateAccumulator() []indexed { return nil }

func (c *collectStepsFn) AddInput(a []indexed, x indexed) []indexed { return append(a, x) }

func (c *collectStepsFn) MergeAccumulators(a, b []indexed) []indexed { return append(a, b...) }

func (c *collectStepsFn) ExtractOutput(a []indexed) ([]byte, error) {
	if len(a) != c.N {
		return nil, fmt.Errorf("mlbeam: fit steps: %d of %d steps fitted", len(a), c.N)
	}
	slices.SortFunc(a, func(x, y indexed) int { return x.I - y.I })
	raw := make([]json.RawMessage, len(a))
	for i, x := range a {
		raw[i] = x.State
	}
	return json.Marshal(raw)
}

// DecodeSteps reads the fitted steps [FitSteps] outputs. It returns the
// error of [preprocess.UnmarshalFitted] for a step it cannot read, naming
// the step.
func DecodeSteps(data []byte) ([]preprocess.Fitted, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("mlbeam: decode steps: %w", err)
	}
	out := make([]preprocess.Fitted, len(raw))
	for i, r := range raw {
		f, err := preprocess.UnmarshalFitted(r)
		if err != nil {
			return nil, fmt.Errorf("mlbeam: decode step %d: %w", i, err)
		}
		out[i] = f
	}
	return out, nil
}
