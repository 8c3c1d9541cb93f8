package mlbeam

import (
	"context"
	"fmt"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/mlpipe/mlpipe/etl"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/pipeline"
)

func init() {
	register.DoFn3x1[context.Context, *frame.Frame, func(*frame.Frame), error](&transformFn{})
	register.DoFn3x1[context.Context, *frame.Frame, func(*frame.Frame), error](&scoreFn{})
}

// A Transformer turns a batch of rows into another, as a stage of an mlpipe
// ETL pipeline does.
type Transformer = etl.Transformer[*frame.Frame, *frame.Frame]

var transformers sync.Map // name → Transformer

// RegisterTransformer records t under name for [Transform]. A Beam pipeline
// is a program's description sent to workers that run the same program, so
// a transformer, which may be any Go value (a func, a struct holding a
// fitted step), travels by name: register it from an init function, so
// that every worker has it. RegisterTransformer panics if name is taken, as
// registering twice is a programming error.
func RegisterTransformer(name string, t Transformer) {
	if _, dup := transformers.LoadOrStore(name, t); dup {
		panic(fmt.Sprintf("mlbeam: transformer %q registered twice", name))
	}
}

// Transform applies the transformer registered under name to each frame,
// as a Beam DoFn. Transform returns an error if no transformer has that
// name; the pipeline fails on the transformer's first error, wrapped with
// its name.
func Transform(s beam.Scope, name string, frames beam.PCollection) (beam.PCollection, error) {
	if _, ok := transformers.Load(name); !ok {
		return beam.PCollection{}, fmt.Errorf("mlbeam: no transformer %q (RegisterTransformer)", name)
	}
	s = s.Scope("mlbeam.Transform/" + name)
	return beam.ParDo(s, &transformFn{Name: name}, frames), nil
}

type transformFn struct {
	Name string

	t Transformer
}

func (f *transformFn) Setup() error {
	t, ok := transformers.Load(f.Name)
	if !ok {
		return fmt.Errorf("mlbeam: no transformer %q in this program (RegisterTransformer from an init function)", f.Name)
	}
	f.t = t.(Transformer)
	return nil
}

func (f *transformFn) ProcessElement(ctx context.Context, b *frame.Frame, emit func(*frame.Frame)) error {
	out, err := f.t.Transform(ctx, b)
	if err != nil {
		return fmt.Errorf("mlbeam: transformer %q: %w", f.Name, err)
	}
	emit(out)
	return nil
}

// ScoreOptions configure [Score].
type ScoreOptions struct {
	// Keep lists input columns copied beside the score: a key, the label.
	Keep []string
	// Column names the score column. Default "score".
	Column string
	// Predict scores with the predicted value even when the model gives
	// probabilities. By default a classifier's score is the probability
	// of its last class (the positive class of a binary one).
	Predict bool
}

// Score applies a fitted mlpipe pipeline to each frame of a PCollection,
// as batch scoring: the pipeline, saved as its JSON artifact inside the
// DoFn, is loaded once per worker ([pipeline.Fitted.UnmarshalJSON]), and
// each frame becomes a frame of the Keep columns and the score. Score
// returns an error if the pipeline does not marshal; the pipeline fails if
// a frame lacks a column the pipeline needs or one that Keep names.
func Score(s beam.Scope, p *pipeline.Fitted, frames beam.PCollection, opts ScoreOptions) (beam.PCollection, error) {
	b, err := p.MarshalJSON()
	if err != nil {
		return beam.PCollection{}, fmt.Errorf("mlbeam: score: %w", err)
	}
	if opts.Column == "" {
		opts.Column = "score"
	}
	s = s.Scope("mlbeam.Score")
	return beam.ParDo(s, &scoreFn{Pipeline: b, Options: opts}, frames), nil
}

type scoreFn struct {
	Pipeline []byte
	Options  ScoreOptions

	p *pipeline.Fitted
}

func (f *scoreFn) Setup() error {
	f.p = new(pipeline.Fitted)
	if err := f.p.UnmarshalJSON(f.Pipeline); err != nil {
		return fmt.Errorf("mlbeam: score: %w", err)
	}
	return nil
}

func (f *scoreFn) ProcessElement(ctx context.Context, b *frame.Frame, emit func(*frame.Frame)) error {
	out, err := ScoreFrame(ctx, f.p, b, f.Options)
	if err != nil {
		return err
	}
	emit(out)
	return nil
}

// ScoreFrame scores one frame as [Score] does each: the Keep columns and
// the score (opts.Column, "score" by default). It is what the DoFn runs,
// and what a single-machine run calls to get the same numbers.
func ScoreFrame(ctx context.Context, p *pipeline.Fitted, b *frame.Frame, opts ScoreOptions) (*frame.Frame, error) {
	if opts.Column == "" {
		opts.Column = "score"
	}
	kept, err := b.Select(opts.Keep...)
	if err != nil {
		return nil, fmt.Errorf("mlbeam: score: %w", err)
	}
	var score []float64
	if _, proba := p.Predictor.(model.ProbaPredictor); proba && !opts.Predict {
		m, err := p.PredictProba(ctx, b)
		if err != nil {
			return nil, fmt.Errorf("mlbeam: score: %w", err)
		}
		rows, cols := m.Dims()
		score = make([]float64, rows)
		for i := range score {
			score[i] = m.At(i, cols-1)
		}
	} else if score, err = p.Predict(ctx, b); err != nil {
		return nil, fmt.Errorf("mlbeam: score: %w", err)
	}
	out, err := kept.With(opts.Column, frame.NewFloat(score))
	if err != nil {
		return nil, fmt.Errorf("mlbeam: score: %w", err)
	}
	return out, nil
}
