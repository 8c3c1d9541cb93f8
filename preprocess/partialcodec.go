package preprocess

import (
	"bytes"
	"encoding/gob"
	"fmt"

	"github.com/mlpipe/mlpipe/frame"
)

// MarshalPartial returns the statistics p has accumulated, in a binary form
// that [UnmarshalPartial] reads back. It is what ships a partial fit from
// one process to another: a distributed runner fits each shard on its own
// machine, sends the partials to one place and merges them there. The form
// holds statistics only, not the spec, and is meant for a reader built from
// the same version of this package. MarshalPartial fails for a Partial that
// was not begun by one of this package's specs.
func MarshalPartial(p Partial) ([]byte, error) {
	w, ok := p.(partialWirer)
	if !ok {
		return nil, fmt.Errorf("marshal partial: a %T cannot be marshalled: %w", p, ErrParam)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(w.wire()); err != nil {
		return nil, fmt.Errorf("marshal partial %s: %w", w.wireKind(), err)
	}
	return buf.Bytes(), nil
}

// UnmarshalPartial returns a Partial of s (begun with s.Begin) holding the
// statistics in data, as written by [MarshalPartial] for a Partial of an
// equal spec; the result merges and finishes as the original would. It
// fails with an error wrapping [ErrParam] when data was written for another
// kind of step or s's Partial cannot be unmarshalled, and with the decoding
// error for corrupt data.
func UnmarshalPartial(s Incremental, data []byte) (Partial, error) {
	p := s.Begin()
	w, ok := p.(partialWirer)
	if !ok {
		return nil, fmt.Errorf("unmarshal partial: a %T cannot be unmarshalled: %w", p, ErrParam)
	}
	var pw partialWire
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&pw); err != nil {
		return nil, fmt.Errorf("unmarshal partial %s: %w", w.wireKind(), err)
	}
	if pw.Kind != w.wireKind() {
		return nil, fmt.Errorf("unmarshal partial %s: data is for %s: %w", w.wireKind(), pw.Kind, ErrParam)
	}
	if err := w.setWire(&pw); err != nil {
		return nil, err
	}
	return p, nil
}

// partialWirer is a Partial whose statistics convert to and from the wire
// form.
type partialWirer interface {
	wireKind() string
	wire() *partialWire
	setWire(*partialWire) error
}

// partialWire is the union of the statistics the Partials of this package
// hold; each fills the fields it has.
type partialWire struct {
	Kind     string
	Resolved bool // the columns are known (a batch was added or merged)
	Names    []string
	Kinds    []frame.Kind
	Rows     int64
	Moments  []Moments
	Samples  []sampleWire
	FCounts  []Counts[float64]
	CCounts  []Counts[string]
	BCounts  [][3]int64
	Missing  []int64
}

type sampleWire struct {
	Values  []float64
	Missing int64
	Limit   int
	Sketch  *sketchWire
}

type sketchWire struct {
	K      int
	N      int64
	Levels [][]float64
	Flips  []bool
}

func (cs *columnSet) toWire(w *partialWire) {
	w.Resolved, w.Names, w.Kinds, w.Rows = cs.names != nil, cs.names, cs.kinds, cs.rows
}

func (cs *columnSet) fromWire(w *partialWire) error {
	if !w.Resolved {
		if w.Rows != 0 {
			return fmt.Errorf("unmarshal partial %s: %d rows and no columns: %w", w.Kind, w.Rows, ErrParam)
		}
		return nil
	}
	if len(w.Names) == 0 || len(w.Names) != len(w.Kinds) {
		return fmt.Errorf("unmarshal partial %s: %d column names, %d kinds: %w", w.Kind, len(w.Names), len(w.Kinds), ErrParam)
	}
	cs.names, cs.kinds, cs.rows = w.Names, w.Kinds, w.Rows
	return nil
}

// checkLens reports an error unless every statistic slice present has one
// entry per column (or none, before the first batch).
func (w *partialWire) checkLens(lens ...int) error {
	n := len(w.Names)
	for _, l := range lens {
		if l != 0 && l != n {
			return fmt.Errorf("unmarshal partial %s: %d statistics for %d columns: %w", w.Kind, l, n, ErrParam)
		}
	}
	return nil
}

func samplesToWire(ss []Sample) []sampleWire {
	out := make([]sampleWire, len(ss))
	for i, s := range ss {
		out[i] = sampleWire{Values: s.Values, Missing: s.Missing, Limit: s.Limit}
		if sk := s.sketch; sk != nil {
			out[i].Sketch = &sketchWire{K: sk.k, N: sk.n, Levels: sk.levels, Flips: sk.flips}
		}
	}
	return out
}

func samplesFromWire(ws []sampleWire) []Sample {
	if ws == nil {
		return nil
	}
	out := make([]Sample, len(ws))
	for i, w := range ws {
		out[i] = Sample{Values: w.Values, Missing: w.Missing, Limit: w.Limit}
		if sk := w.Sketch; sk != nil {
			levels := sk.Levels
			for len(levels) < len(sk.Flips) {
				levels = append(levels, nil) // a sketch has one flip per level
			}
			out[i].sketch = &Sketch{k: max(sk.K, 8), n: sk.N, levels: levels, flips: sk.Flips}
		}
	}
	return out
}

func (p *scalePartial) wireKind() string { return scaleStep }
func (p *scalePartial) wire() *partialWire {
	w := &partialWire{Kind: p.wireKind(), Moments: p.moments}
	p.cols.toWire(w)
	return w
}
func (p *scalePartial) setWire(w *partialWire) error {
	if err := w.checkLens(len(w.Moments)); err != nil {
		return err
	}
	p.moments = w.Moments
	return p.cols.fromWire(w)
}

func (p *floatPartial) wireKind() string { return p.step }
func (p *floatPartial) wire() *partialWire {
	w := &partialWire{Kind: p.wireKind(), Moments: p.moments, Samples: samplesToWire(p.samples)}
	p.cols.toWire(w)
	return w
}
func (p *floatPartial) setWire(w *partialWire) error {
	if err := w.checkLens(len(w.Moments), len(w.Samples)); err != nil {
		return err
	}
	p.moments, p.samples = w.Moments, samplesFromWire(w.Samples)
	if p.moments != nil && p.samples == nil {
		p.samples = p.newSamples(len(p.moments))
	}
	return p.cols.fromWire(w)
}

func (p *categoryPartial) wireKind() string { return p.step }
func (p *categoryPartial) wire() *partialWire {
	w := &partialWire{Kind: p.wireKind(), CCounts: p.counts}
	p.cols.toWire(w)
	return w
}
func (p *categoryPartial) setWire(w *partialWire) error {
	if err := w.checkLens(len(w.CCounts)); err != nil {
		return err
	}
	p.counts = w.CCounts
	return p.cols.fromWire(w)
}

func (p *oneHotPartial) wireKind() string { return oneHotStep }
func (p *oneHotPartial) wire() *partialWire {
	w := &partialWire{Kind: p.wireKind(), CCounts: p.counts}
	p.cols.toWire(w)
	return w
}
func (p *oneHotPartial) setWire(w *partialWire) error {
	if err := w.checkLens(len(w.CCounts)); err != nil {
		return err
	}
	p.counts = w.CCounts
	return p.cols.fromWire(w)
}

func (p *indicatorPartial) wireKind() string { return "missing indicator" }
func (p *indicatorPartial) wire() *partialWire {
	w := &partialWire{Kind: p.wireKind(), Missing: p.missing}
	p.cols.toWire(w)
	return w
}
func (p *indicatorPartial) setWire(w *partialWire) error {
	if err := w.checkLens(len(w.Missing)); err != nil {
		return err
	}
	p.missing = w.Missing
	return p.cols.fromWire(w)
}

func (p *sparsePartial) wireKind() string { return "drop sparse" }
func (p *sparsePartial) wire() *partialWire {
	w := p.indicatorPartial.wire()
	w.Kind = p.wireKind()
	return w
}

func (p *imputePartial) wireKind() string { return p.step() }
func (p *imputePartial) wire() *partialWire {
	p.settle()
	w := &partialWire{Kind: p.wireKind(), Moments: p.moments, Samples: samplesToWire(p.samples),
		FCounts: p.fcounts, CCounts: p.ccounts, BCounts: p.bcounts, Missing: p.missing}
	p.cols.toWire(w)
	return w
}
func (p *imputePartial) setWire(w *partialWire) error {
	if err := w.checkLens(len(w.Moments), len(w.Samples), len(w.FCounts), len(w.CCounts), len(w.BCounts), len(w.Missing)); err != nil {
		return err
	}
	if w.Resolved {
		// Every statistic slice has one entry per column once the columns
		// are known; gob leaves out empty ones.
		n := len(w.Names)
		p.moments = fill(w.Moments, n)
		p.samples = samplesFromWire(fill(w.Samples, n))
		for i := range p.samples {
			p.samples[i].Limit = p.spec.MaxValues
		}
		p.fcounts, p.ccounts = fill(w.FCounts, n), fill(w.CCounts, n)
		p.bcounts, p.missing = fill(w.BCounts, n), fill(w.Missing, n)
	}
	return p.cols.fromWire(w)
}

// fill returns s, or n zero values when s is empty.
func fill[T any](s []T, n int) []T {
	if len(s) == 0 {
		return make([]T, n)
	}
	return s
}
