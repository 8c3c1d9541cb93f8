package pipeline

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mlpipe/mlpipe/cache"
	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
	"gonum.org/v1/gonum/mat"
)

// stepCacheVersion names the layout of the step cache's keys and entries;
// it is part of every key, so changing it orphans the old entries.
const stepCacheVersion = 1

// StepCacheKeyPrefix starts the key of every entry [ML.Cache] holds.
const StepCacheKeyPrefix = "mlpipe:step:v1:"

// stepCache fits one ML pipeline through [ML.Cache]. Each step has a key
// chained from the key before it:
//
//	key₀ = H(layout and format versions, library version, target, Fingerprint(training rows))
//	keyᵢ = H(keyᵢ₋₁, type and parameters of step i)
//	keyₘ = H(key of the last step, Features, type and parameters of the model)
//
// Steps are deterministic, so keyᵢ names the output of step i as well as
// its fitted state: only the input is hashed, once, never an intermediate
// frame. A step whose parameters cannot be recorded (a func adapter) breaks
// the chain: it and every step after it, and the model, are fitted as if
// there were no cache.
//
// A stepCache serves one Fit call; it is not shared between goroutines.
type stepCache struct {
	c     cache.Cache
	ml    ML
	keys  []string          // the key of each step; "" for a step that cannot be cached
	model string            // the model's key, "" when it cannot be cached
	found map[string][]byte // the entries read up front, by key
	held  []bool            // held[i]: step i's state is in the cache (found or stored)
}

// newStepCache returns the step cache of a fit of p on train (the training
// rows after Inputs selection, target included), having read every entry
// of the pipeline in one batch; nil when p has no Cache or nothing in p can
// be cached. A cache that fails to answer is read as empty: the steps are
// fitted, and an outage costs a fit, never an error.
func (p ML) newStepCache(ctx context.Context, train *frame.Frame) *stepCache {
	if p.Cache == nil {
		return nil
	}
	steps := make([]Param, len(p.Steps))
	for i, s := range p.Steps {
		if steps[i] = paramOf(s); !steps[i].recorded() {
			steps = steps[:i] // the chain breaks here
			break
		}
	}
	if len(steps) == 0 && len(p.Steps) > 0 {
		return nil
	}
	sc := &stepCache{c: p.Cache, ml: p, keys: make([]string, len(p.Steps)), held: make([]bool, len(p.Steps))}
	prev := chainKey("mlpipe/step-cache", stepCacheVersion, FormatVersion, LibraryVersion(), p.Target, Fingerprint(train))
	for i, s := range steps {
		prev = chainKey(prev, s.Type, []byte(s.Params))
		sc.keys[i] = StepCacheKeyPrefix + prev
	}
	if m := paramOf(p.Model); len(steps) == len(p.Steps) && m.recorded() {
		features := p.Features
		if features == nil {
			features = []string{}
		}
		sc.model = StepCacheKeyPrefix + chainKey(prev, "model", features, m.Type, []byte(m.Params))
	}
	var all []string
	for _, k := range append(sc.keys, sc.model) {
		if k != "" {
			all = append(all, k)
		}
	}
	sc.found, _ = cache.GetMany(ctx, sc.c, all) // a failed read finds nothing
	return sc
}

// chainKey hashes parts, which cache.Fingerprint always can: they are
// strings, byte slices, string slices and integers.
func chainKey(parts ...any) string {
	k, err := cache.Fingerprint(parts...)
	if err != nil {
		panic(fmt.Sprintf("pipeline: step cache key: %v", err)) // programmer error: a part of another type
	}
	return k
}

// modelEntry is what the step cache keeps of a fitted model.
type modelEntry struct {
	Features []string        `json:"features"`
	Model    json.RawMessage `json:"model"`
}

// replay fills fitted from the cache when every step and the model are
// there, and reports whether it did: the whole fit is then read, and no
// step is fitted or run. An entry that does not decode makes it report
// false, so that the pipeline is fitted and the entry overwritten.
func (sc *stepCache) replay(fitted *Fitted) bool {
	if sc == nil || sc.model == "" {
		return false
	}
	steps := make([]preprocess.Fitted, len(sc.keys))
	for i, k := range sc.keys {
		b, ok := sc.found[k]
		if !ok {
			return false
		}
		fs, err := preprocess.UnmarshalFitted(b)
		if err != nil {
			return false
		}
		steps[i] = fs
	}
	b, ok := sc.found[sc.model]
	if !ok {
		return false
	}
	features, pred, err := decodeModelEntry(b)
	if err != nil {
		return false
	}
	fitted.Steps, fitted.Features, fitted.Predictor = steps, features, pred
	return true
}

// fitStep is [ML.fitStep] through the cache: a step found in the cache is
// read rather than fitted, and only applied to cur to give the next step
// its input; a step fitted is stored. A cross-fitted step
// ([preprocess.FitTransformer]) is always fitted here, since its training
// output is not what its fitted state's Transform gives; its state is
// stored, for a later [stepCache.replay]. Without a cache, or for a step
// that cannot be cached, it is p.fitStep.
func (sc *stepCache) fitStep(ctx context.Context, p ML, i int, s preprocess.Step, cur *frame.Frame, target frame.Column) (preprocess.Fitted, *frame.Frame, error) {
	if sc == nil || sc.keys[i] == "" {
		return p.fitStep(ctx, s, cur, target)
	}
	_, crossFitted := s.(preprocess.FitTransformer)
	if b, ok := sc.found[sc.keys[i]]; ok && !crossFitted {
		if fs, err := preprocess.UnmarshalFitted(b); err == nil {
			sc.held[i] = true
			return p.fitStep(ctx, cachedStep(s, fs), cur, target)
		}
	}
	fs, out, err := p.fitStep(ctx, s, cur, target)
	if err == nil {
		sc.storeStep(ctx, i, fs)
	}
	return fs, out, err
}

// storeStep stores the fitted state of step i. A type that was never
// registered with preprocess.Register cannot be saved, and is not cached.
func (sc *stepCache) storeStep(ctx context.Context, i int, fs preprocess.Fitted) {
	if b, err := preprocess.MarshalFitted(fs); err == nil {
		sc.store(ctx, sc.keys[i], b)
		sc.held[i] = true
	}
}

// fitModel fits m on X and y, or reads it from the cache, and stores what
// it fitted, with fitted's feature names. It also stores the steps of
// fitted that Fit fitted without [stepCache.fitStep] (those whose
// application is left to the model matrix). Without a cache it is m.Fit.
func (sc *stepCache) fitModel(ctx context.Context, m model.Model, fitted *Fitted, X mat.Matrix, y []float64) (model.Predictor, error) {
	if sc == nil {
		return m.Fit(ctx, X, y)
	}
	for i, fs := range fitted.Steps {
		if i < len(sc.keys) && sc.keys[i] != "" && !sc.held[i] {
			if _, ok := sc.found[sc.keys[i]]; !ok {
				sc.storeStep(ctx, i, fs)
			}
		}
	}
	if sc.model == "" {
		return m.Fit(ctx, X, y)
	}
	if b, ok := sc.found[sc.model]; ok {
		if _, pred, err := decodeModelEntry(b); err == nil {
			return pred, nil
		}
	}
	pred, err := m.Fit(ctx, X, y)
	if err != nil {
		return nil, err
	}
	if mb, merr := model.Marshal(pred); merr == nil {
		if b, jerr := json.Marshal(modelEntry{Features: fitted.Features, Model: mb}); jerr == nil {
			sc.store(ctx, sc.model, b)
		}
	}
	return pred, nil
}

// store writes one entry; a failure is ignored, as the value is in hand
// (a cache such as [cache.Aside] counts it).
func (sc *stepCache) store(ctx context.Context, key string, b []byte) {
	_ = sc.c.Set(ctx, key, b, sc.ml.CacheTTL)
}

func decodeModelEntry(b []byte) ([]string, model.Predictor, error) {
	var e modelEntry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, nil, err
	}
	pred, err := model.Unmarshal(e.Model)
	if err != nil {
		return nil, nil, err
	}
	return e.Features, pred, nil
}

// cachedStep returns a step whose Fit returns fs, read from the cache, and
// which asks for the target as s does, so that [ML.fitStep] applies fs to
// exactly the input s would have been fitted on.
func cachedStep(s preprocess.Step, fs preprocess.Fitted) preprocess.Step {
	if sup, ok := s.(preprocess.Supervised); ok {
		return cachedSupervised{replayedStep{fs}, sup.TargetColumn()}
	}
	return replayedStep{fs}
}

type replayedStep struct{ fs preprocess.Fitted }

func (r replayedStep) Fit(context.Context, *frame.Frame) (preprocess.Fitted, error) { return r.fs, nil }

type cachedSupervised struct {
	replayedStep
	target string
}

func (c cachedSupervised) TargetColumn() string { return c.target }
