package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/mlpipe/mlpipe/model"
	"github.com/mlpipe/mlpipe/preprocess"
)

// TestLoadCraftedArtifacts edits a saved pipeline the way a damaged or
// hostile file would: each edit is refused by Load with ErrArtifact, or
// loads to a pipeline whose Predict returns an error — never a panic, and
// never predictions from the wrong inputs.
func TestLoadCraftedArtifacts(t *testing.T) {
	ctx := context.Background()
	train := fuzzTrain(t)
	p, err := ML{Steps: []preprocess.Step{preprocess.StandardScale("age", "income"), preprocess.OneHot("city")},
		Model: model.LogisticRegression{}, Target: "y"}.Fit(ctx, train)
	if err != nil {
		t.Fatal(err)
	}
	var saved bytes.Buffer
	if err := p.Save(&saved); err != nil {
		t.Fatal(err)
	}
	edit := func(f func(map[string]any)) []byte {
		var d map[string]any
		if err := json.Unmarshal(saved.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		f(d)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	refused := map[string][]byte{
		"repeated feature":  edit(func(d map[string]any) { d["features"] = []any{"age", "age", "age", "age", "age"} }),
		"empty feature":     edit(func(d map[string]any) { d["features"] = []any{"age", "", "city=Bergen", "city=Oslo", "city=Tromsø"} }),
		"target as feature": edit(func(d map[string]any) { d["features"] = []any{"y", "income"} }),
		"repeated column": edit(func(d map[string]any) {
			d["schema"] = []any{map[string]any{"name": "age", "kind": 1}, map[string]any{"name": "age", "kind": 1}}
		}),
		"unknown kind":  edit(func(d map[string]any) { d["schema"] = []any{map[string]any{"name": "age", "kind": 99}} }),
		"newer version": edit(func(d map[string]any) { d["version"] = 99 }),
		"other format":  edit(func(d map[string]any) { d["format"] = "something.else" }),
		"no model":      edit(func(d map[string]any) { delete(d, "model") }),
		"unknown step": edit(func(d map[string]any) {
			d["steps"] = []any{map[string]any{"kind": "evil.step", "version": 1, "state": map[string]any{}}}
		}),
		"hash bomb": edit(func(d map[string]any) {
			d["steps"] = []any{map[string]any{"kind": "preprocess.hash", "version": 1,
				"state": map[string]any{"columns": []any{"city"}, "kinds": []any{2}, "features": 1 << 40, "prefix": "h"}}}
		}),
		"deep nesting": []byte(`{"format":"mlpipe.pipeline","version":1,"features":["a"],"model":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`),
		"truncated":    saved.Bytes()[:saved.Len()/2],
		"not json":     []byte("\x00\xff garbage"),
	}
	for name, b := range refused {
		if _, err := Load(bytes.NewReader(b)); !errors.Is(err, ErrArtifact) {
			t.Errorf("%s: Load returned %v, want ErrArtifact", name, err)
		}
	}
	// Edits that keep the artifact well-formed but break the pipeline's
	// contract are caught when predicting.
	for name, b := range map[string][]byte{
		"feature the steps do not make": edit(func(d map[string]any) { d["features"] = []any{"age", "income", "city=Oslo", "extra", "more"} }),
		"fewer features than the model": edit(func(d map[string]any) { d["features"] = []any{"age"} }),
		"no steps":                      edit(func(d map[string]any) { d["steps"] = []any{} }),
	} {
		q, err := Load(bytes.NewReader(b))
		if err != nil {
			continue
		}
		if _, err := q.Predict(ctx, train); err == nil {
			t.Errorf("%s: Predict succeeded", name)
		}
	}
}
