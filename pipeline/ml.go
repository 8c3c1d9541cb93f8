package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
	"gonum.org/v1/gonum/mat"
)

// ErrTarget is returned when the target column is missing, of a kind that
// cannot be read as numbers, or holds missing values.
var ErrTarget = errors.New("bad target column")

// ErrRowsChanged is returned by [ML.Fit] when a step returns another
// number of rows than it was given: predictions must stay one per input row.
var ErrRowsChanged = errors.New("step changed the number of rows")

// ErrSchema is returned when a frame given to a fitted pipeline lacks a
// training column or has it with another kind.
var ErrSchema = errors.New("input does not match the training schema")

// ML is the specification of a machine-learning pipeline: preprocessing and
// feature steps applied in order, then a model fitted on the resulting
// matrix to predict the Target column. It holds no learned state: [ML.Fit]
// returns a new [*Fitted] and leaves the ML unchanged, so one ML may be fitted
// many times concurrently (cross-validation does).
type ML struct {
	// Steps are fitted in order, each on the output of the one before.
	Steps []preprocess.Step
	// Model is fitted on the matrix of Features and the Target column.
	Model model.Model
	// Target names the column to predict: float, or bool (read as 0 and 1).
	Target string
	// Inputs names the input columns the pipeline reads; empty means every
	// column of the training frame. Other columns (identifiers, free-text
	// notes) are dropped before the first step, and the fitted pipeline's
	// schema — what serving requires of its input — lists only these.
	Inputs []string
	// Features names the matrix columns, after the steps have run. Empty
	// means every column but Target; each must then be float or bool, so a
	// categorical column left unencoded is an error, not silently dropped.
	Features []string
	// Profile, when set, makes Fit record the training statistics of the
	// input columns in [Fitted.Profile], for drift checks at serving time
	// (see [Fitted.Drift]). It costs a pass and a sort per numeric column.
	// [ML.Learner] never profiles: folds need no drift statistics.
	Profile bool
	// Cache, when set, keeps each fitted step and the fitted model, so that
	// fitting the same pipeline on the same rows again — a re-run, a grid
	// search, repeated cross-validation — reads them instead of fitting
	// (see "Caching fitted steps" in the package documentation). Nil
	// caches nothing.
	Cache cache.Cache
	// CacheTTL is the time to live of the entries Fit stores in Cache; 0
	// means no expiry.
	CacheTTL time.Duration
}

// Learner returns p as an [evaluate.Learner], so that cross-validation,
// learning curves and search fit the whole pipeline — every step and the
// model — inside each fold, and nothing learned from a test fold leaks into
// its training.
func (p ML) Learner() evaluate.Learner {
	p.Profile = false
	return evaluate.LearnerFunc(func(ctx context.Context, train *frame.Frame) (evaluate.Predictor, error) {
		f, err := p.Fit(ctx, train)
		if err != nil {
			return nil, err
		}
		return f, nil
	})
}

// Fit fits every step in order on train, then the model, and returns the
// fitted pipeline.
//
// The steps do not see the Target column, so a step over "every float
// column" leaves the label alone; only a [preprocess.Supervised] step whose
// TargetColumn is Target (target encoding, feature selection) is shown it,
// and it is removed from that step's output. A [preprocess.FitTransformer]
// step transforms its training rows with FitTransform (target encoding's
// cross-fitting), so the label does not leak into the features. Steps must
// keep every row: filtering rows (deduplication, dropping incomplete rows)
// belongs before the pipeline, in the flow that extracts the data, and a
// step that changes the row count is an error wrapping [ErrRowsChanged]. It returns an error naming the step (by position and
// type) or the column when one fails; errors wrapping [ErrTarget] for a bad
// target column; and ctx.Err() when ctx is cancelled.
func (p ML) Fit(ctx context.Context, train *frame.Frame) (*Fitted, error) {
	return p.fit(ctx, train, nil)
}

// fitStep fits one step on cur and returns it with cur transformed. It shows
// the target column to a Supervised step that asks for it and removes it
// from the output, and uses FitTransform where the step has it.
func (p ML) fitStep(ctx context.Context, s preprocess.Step, cur *frame.Frame, target frame.Column) (preprocess.Fitted, *frame.Frame, error) {
	in, shown := cur, false
	if sup, ok := s.(preprocess.Supervised); ok && sup.TargetColumn() == p.Target {
		var err error
		if in, err = cur.With(p.Target, target); err != nil {
			return nil, nil, err
		}
		shown = true
	}
	var (
		fs  preprocess.Fitted
		out *frame.Frame
		err error
	)
	if ft, ok := s.(preprocess.FitTransformer); ok {
		if fs, out, err = ft.FitTransform(ctx, in); err != nil {
			return nil, nil, fmt.Errorf("fit: %w", err)
		}
	} else {
		if fs, err = s.Fit(ctx, in); err != nil {
			return nil, nil, fmt.Errorf("fit: %w", err)
		}
		if out, err = fs.Transform(ctx, in); err != nil {
			return nil, nil, fmt.Errorf("transform: %w", err)
		}
	}
	if shown && out.Has(p.Target) {
		if out, err = out.Drop(p.Target); err != nil {
			return nil, nil, err
		}
	}
	return fs, out, nil
}

// stepTrace is what fit tells its observer after each step and the model.
type stepTrace struct {
	name            string
	rowsIn, rowsOut int
	took            time.Duration
}

// fit is Fit with an observer called after each step and after the model.
func (p ML) fit(ctx context.Context, train *frame.Frame, trace func(stepTrace)) (*Fitted, error) {
	if p.Model == nil {
		return nil, errors.New("ml pipeline: no model")
	}
	if train.NumRows() == 0 {
		return nil, fmt.Errorf("ml pipeline fit: %w", frame.ErrEmpty)
	}
	if trace == nil {
		trace = func(stepTrace) {}
	}
	y, err := targetValues(train, p.Target)
	if err != nil {
		return nil, err
	}
	if len(p.Inputs) > 0 {
		cols := slices.Clone(p.Inputs)
		if !slices.Contains(cols, p.Target) {
			cols = append(cols, p.Target)
		}
		if train, err = train.Select(cols...); err != nil {
			return nil, fmt.Errorf("ml pipeline inputs: %w", err)
		}
	}
	fitted := &Fitted{Target: p.Target, Schema: schemaOf(train, p.Target)}
	if p.Profile {
		start := time.Now()
		if fitted.Profile, err = NewProfile(ctx, train, schemaNames(fitted.Schema)...); err != nil {
			return nil, fmt.Errorf("ml pipeline profile: %w", err)
		}
		trace(stepTrace{"profile", train.NumRows(), train.NumRows(), time.Since(start)})
	}
	// The steps never see the target, except a Supervised step that asks
	// for it: "scale every float column" must not scale the label, and
	// serving has no label to give.
	targetCol, err := train.Col(p.Target)
	if err != nil {
		return nil, fmt.Errorf("ml pipeline target: %w: %w", ErrTarget, err)
	}
	cur, err := train.Drop(p.Target)
	if err != nil {
		return nil, fmt.Errorf("ml pipeline target: %w: %w", ErrTarget, err)
	}
	t0 := time.Now()
	sc := p.newStepCache(ctx, train) // nil without p.Cache
	if sc.replay(fitted) {
		trace(stepTrace{"steps and model from the cache", train.NumRows(), train.NumRows(), time.Since(t0)})
		return fitted, nil
	}
	lazy := deferredSpecs(p.Steps)
	for i, s := range p.Steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start, rowsIn := time.Now(), cur.NumRows()
		if i >= lazy {
			// A trailing one-hot encoder: fitted here, applied by the model
			// matrix (see modelMatrix).
			fs, err := s.Fit(ctx, cur)
			if err != nil {
				return nil, fmt.Errorf("ml pipeline step %d (%T): fit: %w", i, s, err)
			}
			fitted.Steps = append(fitted.Steps, fs)
			trace(stepTrace{fmt.Sprintf("step %d %T", i, s), rowsIn, rowsIn, time.Since(start)})
			continue
		}
		fs, out, err := sc.fitStep(ctx, p, i, s, cur, targetCol)
		if err != nil {
			return nil, fmt.Errorf("ml pipeline step %d (%T): %w", i, s, err)
		}
		if out.NumRows() != rowsIn {
			return nil, fmt.Errorf("ml pipeline step %d (%T): %d rows in, %d out: %w", i, s, rowsIn, out.NumRows(), ErrRowsChanged)
		}
		cur = out
		fitted.Steps = append(fitted.Steps, fs)
		trace(stepTrace{fmt.Sprintf("step %d %T", i, s), rowsIn, cur.NumRows(), time.Since(start)})
	}
	encs := encoders(fitted.Steps[lazy:])
	fitted.Features = slices.Clone(p.Features)
	if len(fitted.Features) == 0 {
		fitted.Features = featureNames(cur, encs, p.Target)
	}
	start := time.Now()
	X, err := modelMatrix(cur, encs, fitted.Features)
	if err != nil {
		return nil, fmt.Errorf("ml pipeline features: %w", err)
	}
	if fitted.Predictor, err = sc.fitModel(ctx, p.Model, fitted, X, y); err != nil {
		return nil, fmt.Errorf("ml pipeline model %T: %w", p.Model, err)
	}
	trace(stepTrace{fmt.Sprintf("model %T", p.Model), len(y), len(y), time.Since(start)})
	return fitted, nil
}

func schemaNames(s []ColumnSchema) []string {
	out := make([]string, len(s))
	for i, c := range s {
		out[i] = c.Name
	}
	return out
}

func targetValues(f *frame.Frame, target string) ([]float64, error) {
	if target == "" {
		return nil, fmt.Errorf("ml pipeline: no target column named: %w", ErrTarget)
	}
	y, err := evaluate.Target(f, target)
	if err != nil {
		return nil, fmt.Errorf("ml pipeline target: %w: %w", ErrTarget, err)
	}
	return y, nil
}

// ColumnSchema is the name and kind of one input column seen in training.
type ColumnSchema struct {
	Name string     `json:"name"`
	Kind frame.Kind `json:"kind"`
}

func schemaOf(f *frame.Frame, target string) []ColumnSchema {
	var s []ColumnSchema
	for i := range f.NumCols() {
		name, c := f.ColAt(i)
		if name != target {
			s = append(s, ColumnSchema{name, c.Kind()})
		}
	}
	return s
}

// Fitted is a fitted ML pipeline: the fitted steps and model, the feature
// names of the model's matrix, and the schema of the training input. It is
// immutable and safe for concurrent use; saved with [Fitted.Save] and read
// back with [Load], it predicts identically.
type Fitted struct {
	Steps     []preprocess.Fitted
	Predictor model.Predictor
	Target    string
	Features  []string
	Schema    []ColumnSchema
	// Profile holds the training statistics of the input columns, for
	// [Fitted.Drift]; nil unless the pipeline was fitted with [ML.Profile]
	// (or by a [Training] run).
	Profile *Profile
}

var _ evaluate.ProbaPredictor = (*Fitted)(nil)

// CheckSchema reports whether f holds every training input column (the
// target excepted) with its training kind. Extra columns are allowed. It
// returns an error wrapping [ErrSchema] naming the first mismatch.
func (p *Fitted) CheckSchema(f *frame.Frame) error {
	for _, s := range p.Schema {
		c, err := f.Col(s.Name)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrSchema, err)
		}
		if c.Kind() != s.Kind {
			return fmt.Errorf("column %q is %v, was %v in training: %w", s.Name, c.Kind(), s.Kind, ErrSchema)
		}
	}
	return nil
}

// Transform checks f against the training schema, keeps the schema's
// columns (others are dropped), runs the fitted steps, and returns the
// model's input matrix and its feature names.
func (p *Fitted) Transform(ctx context.Context, f *frame.Frame) (*mat.Dense, []string, error) {
	X, err := p.matrix(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	return X.Dense(), slices.Clone(p.Features), nil
}

// matrix is Transform without the copy into a dense matrix: the model's
// input as a [model.ColMatrix] sharing the columns of the transformed frame,
// with trailing one-hot encoders left to the matrix.
func (p *Fitted) matrix(ctx context.Context, f *frame.Frame) (*model.ColMatrix, error) {
	if err := p.CheckSchema(f); err != nil {
		return nil, err
	}
	cur := f
	if len(p.Schema) > 0 {
		var err error
		if cur, err = f.Select(schemaNames(p.Schema)...); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSchema, err)
		}
	}
	lazy := deferredFitted(p.Steps)
	for i, s := range p.Steps[:lazy] {
		var err error
		if cur, err = s.Transform(ctx, cur); err != nil {
			return nil, fmt.Errorf("ml pipeline step %d (%T): %w", i, s, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	X, err := modelMatrix(cur, encoders(p.Steps[lazy:]), p.Features)
	if err != nil {
		return nil, fmt.Errorf("ml pipeline features: %w", err)
	}
	return X, nil
}

// Predict returns the model's prediction for each row of f: a value for a
// regressor, a class label for a classifier. f needs the training columns
// (see [Fitted.CheckSchema]), not the target.
func (p *Fitted) Predict(ctx context.Context, f *frame.Frame) ([]float64, error) {
	X, err := p.matrix(ctx, f)
	if err != nil {
		return nil, err
	}
	return p.Predictor.Predict(ctx, X)
}

// ErrNoProba is returned by PredictProba when the model gives no probabilities.
var ErrNoProba = errors.New("model gives no class probabilities")

// PredictProba returns, for each row of f, the probability of each class in
// [Fitted.Classes] order. It returns an error wrapping [ErrNoProba] when the
// model is not a classifier with probabilities.
func (p *Fitted) PredictProba(ctx context.Context, f *frame.Frame) (*mat.Dense, error) {
	pp, ok := p.Predictor.(model.ProbaPredictor)
	if !ok {
		return nil, fmt.Errorf("ml pipeline %T: %w", p.Predictor, ErrNoProba)
	}
	X, err := p.matrix(ctx, f)
	if err != nil {
		return nil, err
	}
	return pp.PredictProba(ctx, X)
}

// Classes returns the model's classes, sorted, or nil for a model without
// class probabilities.
func (p *Fitted) Classes() []float64 {
	if pp, ok := p.Predictor.(model.ProbaPredictor); ok {
		return pp.Classes()
	}
	return nil
}
