package pipeline

import (
	"fmt"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
)

// The model's input is built without copying: the float columns of the
// frame the steps return stand as the matrix's columns, and trailing
// one-hot encoders are not run — their outputs reach the model as the
// categorical codes they are made of (a [model.ColMatrix]). The model
// sees the same matrix as if the encoders had run and the frame been
// copied into a dense matrix; a model without column kernels copies it
// itself.

// deferredFrom returns the position of the first of the trailing steps
// that are one-hot encoders of distinct, named columns (len when none is):
// the steps the model matrix applies itself. cols gives step i's encoded
// columns and whether it is a one-hot encoder.
func deferredFrom(n int, cols func(i int) ([]string, bool)) int {
	seen := map[string]bool{}
	i := n
	for ; i > 0; i-- {
		names, ok := cols(i - 1)
		if !ok || len(names) == 0 {
			break
		}
		clash := false
		for _, c := range names {
			clash = clash || seen[c]
			seen[c] = true
		}
		if clash {
			break
		}
	}
	return i
}

// deferredSpecs is deferredFrom for the steps of an ML.
func deferredSpecs(steps []preprocess.Step) int {
	return deferredFrom(len(steps), func(i int) ([]string, bool) {
		s, ok := steps[i].(preprocess.OneHotSpec)
		return s.Columns, ok
	})
}

// deferredFitted is deferredFrom for the steps of a Fitted.
func deferredFitted(steps []preprocess.Fitted) int {
	return deferredFrom(len(steps), func(i int) ([]string, bool) {
		e, ok := steps[i].(*preprocess.OneHotEncoder)
		if !ok {
			return nil, false
		}
		names := make([]string, len(e.Columns))
		for k, c := range e.Columns {
			names[k] = c.Name
		}
		return names, true
	})
}

// encoders returns the steps as one-hot encoders; deferredFitted vouches
// for their type.
func encoders(steps []preprocess.Fitted) []*preprocess.OneHotEncoder {
	out := make([]*preprocess.OneHotEncoder, len(steps))
	for i, s := range steps {
		out[i] = s.(*preprocess.OneHotEncoder)
	}
	return out
}

// level is a one-hot output: the encoded column and the output's index
// among its outputs.
type level struct {
	enc  *preprocess.OneHotEncoder
	name string
	at   int32
}

// outputs maps each output name of the encoders to its level.
func outputs(encs []*preprocess.OneHotEncoder) map[string]level {
	out := map[string]level{}
	for _, e := range encs {
		for _, c := range e.Columns {
			for k, n := range c.FeatureNames() {
				out[n] = level{e, c.Name, int32(k)}
			}
		}
	}
	return out
}

// featureNames returns the columns of cur after the encoders, in the order
// their Transform gives them (each encoded column replaced by its outputs
// at its place), without target.
func featureNames(cur *frame.Frame, encs []*preprocess.OneHotEncoder, target string) []string {
	encoded := map[string][]string{}
	for _, e := range encs {
		for _, c := range e.Columns {
			encoded[c.Name] = c.FeatureNames()
		}
	}
	var names []string
	for _, n := range cur.Names() {
		if outs, ok := encoded[n]; ok {
			names = append(names, outs...)
		} else if n != target {
			names = append(names, n)
		}
	}
	return names
}

// modelMatrix returns the model's input: the features of cur, the frame
// before the encoders, with the encoders' outputs as codes. It returns the
// errors of frame.Matrix (and of [preprocess.OneHotEncoder.Levels]) for a
// feature that cannot stand in a matrix.
func modelMatrix(cur *frame.Frame, encs []*preprocess.OneHotEncoder, features []string) (*model.ColMatrix, error) {
	if cur.NumRows() == 0 || len(features) == 0 {
		return nil, fmt.Errorf("matrix of %d rows and %d columns: %w", cur.NumRows(), len(features), frame.ErrEmpty)
	}
	outs := outputs(encs)
	encoded := map[string]bool{}
	for _, l := range outs {
		encoded[l.name] = true
	}
	levels := map[string][]int32{} // per encoded column
	cols := make([]model.Column, len(features))
	var dense []string
	var at []int
	for j, n := range features {
		l, ok := outs[n]
		if !ok {
			if encoded[n] {
				return nil, fmt.Errorf("matrix: column %q is one-hot encoded: %w", n, frame.ErrNoColumn)
			}
			dense, at = append(dense, n), append(at, j)
			continue
		}
		c, err := cur.Categorical(l.name)
		if err != nil {
			return nil, fmt.Errorf("one-hot transform: %w", err)
		}
		m, ok := levels[l.name]
		if !ok {
			if m, err = l.enc.Levels(l.name, c); err != nil {
				return nil, err
			}
			levels[l.name] = m
		}
		cols[j] = model.Column{Codes: c.Codes(), Map: m, Level: l.at}
	}
	if len(dense) > 0 {
		vals, _, err := cur.MatrixColumns(dense...)
		if err != nil {
			return nil, err
		}
		for k, v := range vals {
			cols[at[k]] = model.Column{Dense: v}
		}
	}
	return model.NewColMatrix(cur.NumRows(), cols)
}
