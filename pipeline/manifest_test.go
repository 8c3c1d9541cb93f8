package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
)

func TestFingerprint(t *testing.T) {
	base, err := frame.New(
		frame.Floats("x", []float64{1, math.NaN(), 3, 4}),
		frame.Categories("c", []string{"b", "a", "", "b"}, []bool{true, true, false, true}),
		frame.Strings("s", []string{"p", "q", "r", "s"}, nil),
		frame.Bools("b", []bool{true, false, true, false}, []bool{true, true, false, true}),
		frame.Times("t", []time.Time{time.Unix(0, 5), time.Unix(9, 0), {}, time.Unix(7, 7)}, []bool{true, true, false, true}),
	)
	if err != nil {
		t.Fatal(err)
	}
	fp := Fingerprint(base)
	if len(fp) != 64 {
		t.Fatalf("fingerprint %q", fp)
	}
	// The same contents built otherwise: two batches, another dictionary
	// order, another NaN payload.
	top, _ := base.Slice(0, 2)
	bottom, _ := base.Slice(2, 4)
	joined, _ := frame.Concat(top, bottom)
	recoded, _ := frame.NewCategoricalCodes([]int32{0, 1, -1, 0}, []string{"b", "a"})
	reordered, _ := base.With("c", recoded)
	otherNaN, _ := base.With("x", frame.NewFloat([]float64{1, math.Float64frombits(0x7ff8000000000abc), 3, 4}))
	for name, f := range map[string]*frame.Frame{"joined": joined, "reordered": reordered, "other NaN": otherNaN} {
		if got := Fingerprint(f); got != fp {
			t.Errorf("%s: fingerprint %s, want %s", name, got, fp)
		}
	}
	// An empty string and a missing one differ.
	present, _ := frame.New(frame.Strings("s", []string{""}, nil))
	absent, _ := frame.New(frame.Strings("s", []string{""}, []bool{false}))
	if Fingerprint(present) == Fingerprint(absent) {
		t.Error("empty and missing strings hash alike")
	}
	// Any change of contents changes it.
	changedValue, _ := base.With("x", frame.NewFloat([]float64{1, math.NaN(), 3, 5}))
	renamed, _ := base.Rename("x", "y")
	fewer, _ := base.Slice(0, 3)
	missingBool, _ := base.With("b", frame.NewBool([]bool{true, false, true, false}, nil))
	otherString, _ := base.With("s", frame.NewString([]string{"p", "q", "r", "t"}, nil))
	emptyString, _ := base.With("s", frame.NewString([]string{"p", "q", "r", ""}, []bool{true, true, true, false}))
	otherTime, _ := base.With("t", frame.NewTime([]time.Time{time.Unix(0, 5), time.Unix(9, 0), {}, time.Unix(7, 8)}, []bool{true, true, false, true}))
	for name, f := range map[string]*frame.Frame{"value": changedValue, "name": renamed, "rows": fewer, "validity": missingBool,
		"string": otherString, "missing string": emptyString, "time": otherTime} {
		if Fingerprint(f) == fp {
			t.Errorf("%s changed, fingerprint did not", name)
		}
	}
}

func TestParamsOf(t *testing.T) {
	spec := ML{Steps: []preprocess.Step{preprocess.StandardScale("x")},
		Model: model.LogisticRegression{C: 2, Workers: 3, ClassWeight: map[float64]float64{1: 2}}, Target: "y"}
	p := ParamsOf(spec)
	if !p.Complete() || p.Steps[0].Type != "preprocess.StandardScaleSpec" || !strings.Contains(string(p.Steps[0].Params), `"x"`) {
		t.Errorf("params %+v", p)
	}
	// A map JSON cannot encode is recorded as Go syntax; Workers as 0.
	var model string
	if err := json.Unmarshal(p.Model.Params, &model); err != nil || !strings.Contains(model, "C:2") ||
		!strings.Contains(model, "map[float64]float64{1:2}") || !strings.Contains(model, "Workers:0") {
		t.Errorf("model params %s (%v)", p.Model.Params, err)
	}
	spec.Model = model2Workers()
	if q := ParamsOf(spec); string(q.Model.Params) != string(ParamsOf(ML{Model: model2Workers0()}).Model.Params) {
		t.Errorf("workers recorded: %s", q.Model.Params)
	}
	spec.Steps = append(spec.Steps, preprocess.StepFunc(func(context.Context, *frame.Frame) (preprocess.Fitted, error) { return nil, nil }))
	if q := ParamsOf(spec); q.Complete() || q.Steps[1].Params != nil {
		t.Errorf("a func step is recorded: %+v", q.Steps[1])
	}
	if ParamsOf(ML{}).Complete() {
		t.Error("no model, complete")
	}
	if v := LibraryVersion(); v == "" {
		t.Error("no library version")
	}
}

func model2Workers() model.Model  { return model.LogisticRegression{Workers: 2} }
func model2Workers0() model.Model { return model.LogisticRegression{} }

func TestManifestFiles(t *testing.T) {
	for in, want := range map[string]string{"a/model.json": "a/model.manifest.json", "model": "model.manifest.json"} {
		if got := ManifestPath(in); got != want {
			t.Errorf("ManifestPath(%q) = %q, want %q", in, got, want)
		}
	}
	dir := t.TempDir()
	fitted, err := ML{Model: slope{}, Target: "y"}.Fit(context.Background(), trainFrame(t))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "m.json")
	if err := fitted.SaveFile(path); err != nil {
		t.Fatal(err)
	}
	m := NewManifest()
	m.Metrics["test_r2"] = 0.5
	m.Data.Columns = Schema(trainFrame(t))
	if err := fitted.SaveFileWithManifest(path, m); err != nil {
		t.Fatal(err)
	}
	art, _ := os.ReadFile(path)
	if m.Artifact.SHA256 != sha(art) || m.Artifact.Bytes != len(art) || len(m.Data.Columns) != 2 || m.Data.Columns[1].Name != "y" {
		t.Errorf("manifest %+v", m)
	}
	f, back, err := LoadFileWithManifest(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Metrics["test_r2"] != 0.5 || back.Library != LibraryVersion() || len(f.Features) != 1 {
		t.Errorf("read back %+v", back)
	}
	// A changed artifact no longer matches its manifest.
	os.WriteFile(path, append(art[:len(art)-1:len(art)-1], ' ', '\n'), 0o644)
	if _, _, err := LoadFileWithManifest(path); !errors.Is(err, ErrManifest) {
		t.Errorf("tampered artifact: %v", err)
	}
	os.WriteFile(path, art, 0o644)
	good, _ := os.ReadFile(ManifestPath(path))
	for name, text := range map[string]string{
		"corrupt":        "{",
		"other format":   `{"format":"x","version":1}`,
		"future version": strings.Replace(string(good), `"version": 1`, `"version": 2`, 1),
	} {
		os.WriteFile(ManifestPath(path), []byte(text), 0o644)
		if _, _, err := LoadFileWithManifest(path); !errors.Is(err, ErrManifest) {
			t.Errorf("%s manifest: %v", name, err)
		}
	}
	os.Remove(ManifestPath(path))
	if _, _, err := LoadFileWithManifest(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no manifest: %v", err)
	}
}

func TestArtifactProfile(t *testing.T) {
	ctx := context.Background()
	fitted, err := ML{Model: slope{}, Target: "y", Profile: true}.Fit(ctx, trainFrame(t))
	if err != nil {
		t.Fatal(err)
	}
	if fitted.Profile == nil || fitted.Profile.Columns[0].Name != "x" || fitted.Profile.Columns[0].Mean != 3 {
		t.Fatalf("profile %+v", fitted.Profile)
	}
	b, _ := json.Marshal(fitted)
	back, err := Load(strings.NewReader(string(b)))
	if err != nil || back.Profile == nil || back.Profile.Columns[0].Edges[0] != fitted.Profile.Columns[0].Edges[0] {
		t.Fatalf("round trip: %v %+v", err, back)
	}
	// A corrupt profile is refused; an artifact without one still loads.
	bad := strings.Replace(string(b), `"missing":0`, `"missing":2`, 1)
	if _, err := Load(strings.NewReader(bad)); !errors.Is(err, ErrArtifact) {
		t.Errorf("corrupt profile: %v", err)
	}
	plain, _ := ML{Model: slope{}, Target: "y"}.Fit(ctx, trainFrame(t))
	pb, _ := json.Marshal(plain)
	if strings.Contains(string(pb), "profile") {
		t.Errorf("a pipeline without profile saves one: %s", pb)
	}
	if got, err := Load(strings.NewReader(string(pb))); err != nil || got.Profile != nil {
		t.Errorf("load without profile: %v", err)
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// benchFrame is n rows of a float column with missing values and a
// categorical column of 25 labels.
func benchFrame(n int) *frame.Frame {
	x := make([]float64, n)
	c := make([]string, n)
	labels := []string{"US", "DE", "FR", "GB", "IN", "BR", "JP", "CA", "AU", "ES", "IT", "NL", "SE",
		"PL", "MX", "KR", "CN", "ZA", "NG", "AR", "TR", "ID", "EG", "NO", "FI"}
	for i := range x {
		x[i] = float64(i%1000) * 1.5
		if i%20 == 0 {
			x[i] = math.NaN()
		}
		c[i] = labels[(i*7)%len(labels)]
	}
	f, _ := frame.New(frame.Floats("x", x), frame.Categories("c", c, nil))
	return f
}

func BenchmarkFingerprint(b *testing.B) {
	f := benchFrame(1_000_000)
	b.SetBytes(int64(f.NumRows()) * 12)
	for b.Loop() {
		Fingerprint(f)
	}
}
