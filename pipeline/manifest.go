package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/mlpipe/mlpipe/frame"
)

// ManifestVersion is the version of the manifest format written by
// [WriteManifestFile]; [ReadManifestFile] reads this version and older ones.
const ManifestVersion = 1

const manifestFormat = "mlpipe.manifest"

// modulePath is the module whose version [LibraryVersion] reports.
const modulePath = "github.com/mlpipe/mlpipe"

// ErrManifest is returned for a manifest that is not one, is corrupt, comes
// from a newer format version, or does not match the artifact beside it.
var ErrManifest = errors.New("invalid pipeline manifest")

// Manifest records how a saved pipeline was made: a fingerprint of the
// training data, every parameter of the steps, the model and the evaluation,
// the library and Go versions, and the evaluation's metrics. It is written
// beside the artifact (see [ManifestPath]) and holds no time stamp, so the
// same run on the same data writes the same bytes.
type Manifest struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Library is the mlpipe module version (see [LibraryVersion]); Go is
	// the Go version that built the program.
	Library string `json:"library"`
	Go      string `json:"go"`
	// Artifact identifies the saved pipeline: its SHA-256 and size.
	Artifact ArtifactInfo `json:"artifact"`
	// Data fingerprints the data the pipeline was trained and evaluated on.
	Data DataInfo `json:"data"`
	// Params are the parameters of every step, the model and the evaluation.
	Params Params `json:"params"`
	// Metrics are the evaluation's results by name: "test_<scorer>" on the
	// hold-out rows, "cv_<scorer>_mean" and "cv_<scorer>_std" across folds.
	Metrics map[string]float64 `json:"metrics"`
}

// ArtifactInfo identifies an artifact by the SHA-256 of its bytes.
type ArtifactInfo struct {
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// DataInfo fingerprints the data of a run: [Fingerprint] of all the
// extracted rows, their schema, and how they were split.
type DataInfo struct {
	SHA256    string         `json:"sha256"`
	Rows      int            `json:"rows"`
	Columns   []ColumnSchema `json:"columns"`
	TrainRows int            `json:"train_rows"`
	TestRows  int            `json:"test_rows"`
}

// Params are the parameters of an ML pipeline and its evaluation. Each step
// and the model are recorded by Go type and JSON encoding (a value JSON
// cannot encode, by its Go syntax as a JSON string); a value holding a func
// (a func adapter) has null Params and makes [Params.Complete] false. A
// field named Workers is recorded as 0: worker counts never change results,
// so runs that differ only in them record the same parameters.
type Params struct {
	Target     string          `json:"target"`
	Inputs     []string        `json:"inputs"`
	Features   []string        `json:"features"`
	Steps      []Param         `json:"steps"`
	Model      Param           `json:"model"`
	Evaluation json.RawMessage `json:"evaluation,omitempty"`
}

// Param is one recorded value: its Go type and its JSON encoding.
type Param struct {
	Type   string          `json:"type"`
	Params json.RawMessage `json:"params"`
}

// Complete reports whether every step and the model were recorded with
// their parameters, so that the same Params mean the same pipeline.
func (p Params) Complete() bool {
	if !p.Model.recorded() {
		return false
	}
	for _, s := range p.Steps {
		if !s.recorded() {
			return false
		}
	}
	return true
}

func (p Param) recorded() bool { return len(p.Params) > 0 && string(p.Params) != "null" }

// paramOf records v by type and JSON encoding. A top-level field named
// Workers is recorded as 0: it bounds concurrency, which by the library's
// rule never changes a result, so runs with different worker counts record
// the same parameters (and share cached fits). A value JSON cannot encode
// (a map with float keys) is recorded as a JSON string of its Go syntax
// (%#v, which prints maps sorted); a value holding a func or a channel,
// whose behaviour no text captures, has null Params.
func paramOf(v any) Param {
	p := Param{Type: fmt.Sprintf("%T", v)}
	if v == nil || holdsFunc(reflect.ValueOf(v), 0) {
		return p
	}
	v = withoutWorkers(v)
	if b, err := json.Marshal(v); err == nil && string(b) != "null" {
		p.Params = b
	} else if b, err := json.Marshal(fmt.Sprintf("%#v", v)); err == nil {
		p.Params = b
	}
	return p
}

// withoutWorkers returns v, or a copy of the struct v with its int field
// Workers set to 0.
func withoutWorkers(v any) any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct {
		return v
	}
	f, ok := rv.Type().FieldByName("Workers")
	if !ok || !f.IsExported() || len(f.Index) != 1 || f.Type.Kind() != reflect.Int {
		return v
	}
	cp := reflect.New(rv.Type()).Elem()
	cp.Set(rv)
	cp.Field(f.Index[0]).SetInt(0)
	return cp.Interface()
}

// holdsFunc reports whether v is or holds a non-nil func or channel.
func holdsFunc(v reflect.Value, depth int) bool {
	if !v.IsValid() || depth > 8 {
		return false
	}
	switch v.Kind() {
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return !v.IsNil()
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && holdsFunc(v.Elem(), depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if holdsFunc(v.Field(i), depth+1) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if holdsFunc(v.Index(i), depth+1) {
				return true
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			if holdsFunc(it.Value(), depth+1) {
				return true
			}
		}
	}
	return false
}

// ParamsOf returns the recorded parameters of the ML pipeline m: its target,
// inputs, feature list and each step's and the model's type and JSON
// encoding (see [Param]). It is safe for concurrent use.
func ParamsOf(m ML) Params {
	p := Params{Target: m.Target, Inputs: m.Inputs, Features: m.Features, Steps: []Param{}}
	if p.Features == nil {
		p.Features = []string{}
	}
	if p.Inputs == nil {
		p.Inputs = []string{}
	}
	for _, s := range m.Steps {
		p.Steps = append(p.Steps, paramOf(s))
	}
	p.Model = paramOf(m.Model)
	return p
}

// LibraryVersion returns the version of the mlpipe module in the running
// program's build information, "(devel)" when it is built from a checkout,
// or "(unknown)" when the program carries no build information.
func LibraryVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	if bi.Main.Path == modulePath {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == modulePath {
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return "(devel)"
}

func newManifest() *Manifest { return NewManifest() }

// NewManifest returns a manifest with its format, version, library and Go
// versions set and no metrics yet, for a program that fits a pipeline
// without a [Training] to fill in and save with
// [Fitted.SaveFileWithManifest].
func NewManifest() *Manifest {
	return &Manifest{Format: manifestFormat, Version: ManifestVersion,
		Library: LibraryVersion(), Go: runtime.Version(), Metrics: map[string]float64{}}
}

// Schema returns the names and kinds of the columns of f, in order.
func Schema(f *frame.Frame) []ColumnSchema { return schemaOf(f, "") }

// SaveFileWithManifest saves the fitted pipeline to path, as
// [Fitted.SaveFile] does, and m, with its Artifact set to the saved
// bytes' SHA-256 and size, to [ManifestPath](path). Both writes are atomic.
// It modifies m.Artifact.
func (p *Fitted) SaveFileWithManifest(path string, m *Manifest) error {
	var buf bytes.Buffer
	if err := p.Save(&buf); err != nil {
		return err
	}
	sum := sha256.Sum256(buf.Bytes())
	m.Artifact = ArtifactInfo{SHA256: hex.EncodeToString(sum[:]), Bytes: buf.Len()}
	if err := writeFileAtomic(path, buf.Bytes()); err != nil {
		return err
	}
	return WriteManifestFile(ManifestPath(path), m)
}

// Fingerprint returns the hex SHA-256 of the contents of f: its column
// names, kinds and values in row order. It depends only on what the frame
// holds, not on how it was built: the same rows read in batches of any size,
// or categories encoded with dictionaries in another order, give the same
// fingerprint. Every NaN hashes alike. It is safe for concurrent use.
func Fingerprint(f *frame.Frame) string {
	h := sha256.New()
	var num [8]byte
	writeInt := func(v uint64) {
		binary.LittleEndian.PutUint64(num[:], v)
		h.Write(num[:])
	}
	writeString := func(s string) {
		writeInt(uint64(len(s)))
		io.WriteString(h, s)
	}
	writeInt(uint64(f.NumRows()))
	writeInt(uint64(f.NumCols()))
	buf := make([]byte, 0, 1<<16)
	flush := func() {
		h.Write(buf)
		buf = buf[:0]
	}
	for i := range f.NumCols() {
		name, c := f.ColAt(i)
		writeString(name)
		writeInt(uint64(c.Kind()))
		switch c := c.(type) {
		case *frame.FloatColumn:
			for _, v := range c.Values() {
				bits := math.Float64bits(v)
				if v != v {
					bits = 0x7ff8000000000001
				}
				buf = binary.LittleEndian.AppendUint64(buf, bits)
				if len(buf) >= cap(buf)-8 {
					flush()
				}
			}
		case *frame.CategoricalColumn:
			dict := c.Dict()
			for _, code := range c.Codes() {
				if code < 0 {
					buf = append(buf, 0)
				} else {
					buf = append(buf, 1)
					buf = binary.LittleEndian.AppendUint32(buf, uint32(len(dict[code])))
					buf = append(buf, dict[code]...)
				}
				if len(buf) >= cap(buf)/2 {
					flush()
				}
			}
		case *frame.StringColumn:
			for r, v := range c.Values() {
				if c.IsNA(r) {
					buf = append(buf, 0)
				} else {
					buf = append(buf, 1)
					buf = binary.LittleEndian.AppendUint32(buf, uint32(len(v)))
					buf = append(buf, v...)
				}
				if len(buf) >= cap(buf)/2 {
					flush()
				}
			}
		case *frame.TimeColumn:
			for r, ns := range c.Nanos() {
				if c.IsNA(r) {
					buf = append(buf, 0)
				} else {
					buf = append(buf, 1)
					buf = binary.LittleEndian.AppendUint64(buf, uint64(ns))
				}
				if len(buf) >= cap(buf)-9 {
					flush()
				}
			}
		case *frame.BoolColumn:
			for r, v := range c.Values() {
				switch {
				case c.IsNA(r):
					buf = append(buf, 0)
				case v:
					buf = append(buf, 2)
				default:
					buf = append(buf, 1)
				}
				if len(buf) >= cap(buf)-1 {
					flush()
				}
			}
		default:
			// A kind added to package frame later: its values' text.
			for r := range c.Len() {
				if c.IsNA(r) {
					buf = append(buf, 0)
				} else {
					s := fmt.Sprint(c.Value(r))
					buf = append(buf, 1)
					buf = binary.LittleEndian.AppendUint32(buf, uint32(len(s)))
					buf = append(buf, s...)
				}
				if len(buf) >= cap(buf)/2 {
					flush()
				}
			}
		}
		flush()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ManifestPath returns where the manifest of the artifact at path is kept:
// beside it, with ".manifest.json" in place of a ".json" extension
// ("model.json" → "model.manifest.json"; "model" → "model.manifest.json").
func ManifestPath(path string) string {
	return strings.TrimSuffix(path, ".json") + ".manifest.json"
}

// MarshalIndent returns the manifest as indented JSON ending in a newline:
// the form [WriteManifestFile] writes. The same manifest gives the same bytes.
func (m *Manifest) MarshalIndent() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return append(b, '\n'), nil
}

// WriteManifestFile writes m as indented JSON to path, atomically (a
// temporary file renamed into place).
func WriteManifestFile(path string, m *Manifest) error {
	b, err := m.MarshalIndent()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, b)
}

// ReadManifestFile reads the manifest at path. It returns an error wrapping
// [ErrManifest] for a file that is not a manifest, is corrupt, or comes from
// a newer format version.
func ReadManifestFile(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("read manifest %s: %w: %w", path, ErrManifest, err)
	}
	if m.Format != manifestFormat {
		return nil, fmt.Errorf("read manifest %s: %w: format %q, want %q", path, ErrManifest, m.Format, manifestFormat)
	}
	if m.Version < 1 || m.Version > ManifestVersion {
		return nil, fmt.Errorf("read manifest %s: %w: version %d, this build reads 1 to %d", path, ErrManifest, m.Version, ManifestVersion)
	}
	return &m, nil
}

// Verify reports whether artifact — the bytes of a saved pipeline — is the
// one the manifest describes. It returns an error wrapping [ErrManifest]
// when the SHA-256 or the size differ. It is safe for concurrent use.
func (m *Manifest) Verify(artifact []byte) error {
	sum := sha256.Sum256(artifact)
	if got := hex.EncodeToString(sum[:]); got != m.Artifact.SHA256 || len(artifact) != m.Artifact.Bytes {
		return fmt.Errorf("%w: artifact has SHA-256 %s (%d bytes), the manifest records %s (%d bytes)",
			ErrManifest, got, len(artifact), m.Artifact.SHA256, m.Artifact.Bytes)
	}
	return nil
}

// LoadFileWithManifest reads the fitted pipeline at path and the manifest
// beside it (see [ManifestPath]), and checks that the manifest describes
// this very artifact. It returns errors wrapping [ErrArtifact] for a bad
// artifact and [ErrManifest] for a bad or mismatched manifest.
func LoadFileWithManifest(path string) (*Fitted, *Manifest, error) {
	m, err := ReadManifestFile(ManifestPath(path))
	if err != nil {
		return nil, nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("load pipeline: %w", err)
	}
	if err := m.Verify(b); err != nil {
		return nil, nil, fmt.Errorf("load pipeline %s: %w", path, err)
	}
	p, err := Load(bytes.NewReader(b))
	if err != nil {
		return nil, nil, fmt.Errorf("load pipeline %s: %w", path, err)
	}
	return p, m, nil
}
