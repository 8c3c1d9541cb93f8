package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"

	// Feature steps register their saved forms in package features' init:
	// importing it here lets every program that loads a pipeline read
	// artifacts holding them, whether or not it imports features itself.
	_ "github.com/mlpipe/mlpipe/features"
)

// FormatVersion is the version of the saved pipeline format written by
// [Fitted.Save]. [Load] reads this version and older ones.
const FormatVersion = 1

// formatName marks a saved pipeline, so that another JSON file is refused.
const formatName = "mlpipe.pipeline"

// MaxArtifactBytes bounds how much [Load] reads, so a crafted or wrong file
// cannot make it allocate without bound.
const MaxArtifactBytes = 1 << 30

// ErrArtifact is returned by [Load] for input that is not a saved pipeline,
// is corrupt, or was written by a newer format version.
var ErrArtifact = errors.New("invalid pipeline artifact")

type artifact struct {
	Format   string            `json:"format"`
	Version  int               `json:"version"`
	Target   string            `json:"target"`
	Features []string          `json:"features"`
	Schema   []ColumnSchema    `json:"schema"`
	Steps    []json.RawMessage `json:"steps"`
	Model    json.RawMessage   `json:"model"`
	// Profile is optional: artifacts written without one (or before it
	// existed) load with a nil Profile.
	Profile *Profile `json:"profile,omitempty"`
}

// validate checks what the steps and the model do not: feature and schema
// names are non-empty and unique (a crafted list repeating one column would
// make the model read the wrong inputs without an error), schema kinds are
// known, and the target is not an input.
func (a *artifact) validate() error {
	seen := make(map[string]bool, len(a.Features))
	for _, f := range a.Features {
		if f == "" || seen[f] {
			return fmt.Errorf("feature %q empty or listed twice", f)
		}
		seen[f] = true
	}
	if a.Target != "" && seen[a.Target] {
		return fmt.Errorf("target %q is also a feature", a.Target)
	}
	cols := make(map[string]bool, len(a.Schema))
	for _, c := range a.Schema {
		if c.Name == "" || cols[c.Name] || c.Name == a.Target {
			return fmt.Errorf("schema column %q empty, listed twice or the target", c.Name)
		}
		if c.Kind < frame.Float || c.Kind > frame.Bool {
			return fmt.Errorf("schema column %q of unknown kind %d", c.Name, c.Kind)
		}
		cols[c.Name] = true
	}
	return nil
}

// MarshalJSON returns the saved form of the fitted pipeline: a versioned
// JSON document holding every fitted step and the model. The same fitted
// pipeline always gives the same bytes.
func (p *Fitted) MarshalJSON() ([]byte, error) {
	a := artifact{Format: formatName, Version: FormatVersion, Target: p.Target,
		Features: p.Features, Schema: p.Schema, Steps: []json.RawMessage{}, Profile: p.Profile}
	for i, s := range p.Steps {
		b, err := preprocess.MarshalFitted(s)
		if err != nil {
			return nil, fmt.Errorf("save pipeline step %d: %w", i, err)
		}
		a.Steps = append(a.Steps, b)
	}
	b, err := model.Marshal(p.Predictor)
	if err != nil {
		return nil, fmt.Errorf("save pipeline model: %w", err)
	}
	a.Model = b
	return json.Marshal(a)
}

// UnmarshalJSON reads a saved pipeline written by MarshalJSON, replacing p.
// It returns an error wrapping [ErrArtifact] for input that is not a saved
// pipeline, is corrupt or incomplete (feature or schema names empty or
// repeated, an unknown column kind, a step or model whose state does not
// validate), or comes from a newer format version.
func (p *Fitted) UnmarshalJSON(data []byte) error {
	var a artifact
	if err := json.Unmarshal(data, &a); err != nil {
		return fmt.Errorf("%w: %w", ErrArtifact, err)
	}
	if a.Format != formatName {
		return fmt.Errorf("%w: format %q, want %q", ErrArtifact, a.Format, formatName)
	}
	if a.Version < 1 || a.Version > FormatVersion {
		return fmt.Errorf("%w: format version %d, this build reads 1 to %d (upgrade mlpipe)", ErrArtifact, a.Version, FormatVersion)
	}
	if len(a.Model) == 0 || len(a.Features) == 0 {
		return fmt.Errorf("%w: no model or no features", ErrArtifact)
	}
	if err := a.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrArtifact, err)
	}
	if a.Profile != nil {
		if err := a.Profile.validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrArtifact, err)
		}
	}
	out := Fitted{Target: a.Target, Features: a.Features, Schema: a.Schema, Profile: a.Profile}
	for i, raw := range a.Steps {
		s, err := preprocess.UnmarshalFitted(raw)
		if err != nil {
			return fmt.Errorf("%w: step %d: %w", ErrArtifact, i, err)
		}
		out.Steps = append(out.Steps, s)
	}
	m, err := model.Unmarshal(a.Model)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrArtifact, err)
	}
	out.Predictor = m
	*p = out
	return nil
}

// Save writes the fitted pipeline to w in its saved form (see MarshalJSON).
func (p *Fitted) Save(w io.Writer) error {
	b, err := p.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// SaveFile writes the fitted pipeline to path: to a temporary file in the
// same directory first, renamed to path once complete, so a failed save never
// leaves a half-written file under the final name.
func (p *Fitted) SaveFile(path string) error {
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		return err
	}
	return writeFileAtomic(path, buf.Bytes())
}

// writeFileAtomic writes b to a temporary file beside path, syncs it and
// renames it to path, readable by all (mode 0644, as os.WriteFile with
// the usual umask); on failure it removes the temporary file.
func writeFileAtomic(path string, b []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if _, err = tmp.Write(b); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// Load reads a fitted pipeline saved by [Fitted.Save], reading at most
// [MaxArtifactBytes]. It returns an error wrapping [ErrArtifact] for input
// that is not a saved pipeline, is corrupt, too large, or of a newer format.
func Load(r io.Reader) (*Fitted, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxArtifactBytes+1))
	if err != nil {
		return nil, fmt.Errorf("load pipeline: %w", err)
	}
	if len(data) > MaxArtifactBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrArtifact, MaxArtifactBytes)
	}
	var p Fitted
	if err := p.UnmarshalJSON(data); err != nil {
		return nil, err
	}
	return &p, nil
}

// LoadFile reads a fitted pipeline from the file at path, as [Load] does.
func LoadFile(path string) (*Fitted, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load pipeline: %w", err)
	}
	defer f.Close()
	p, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("load pipeline %s: %w", path, err)
	}
	return p, nil
}
