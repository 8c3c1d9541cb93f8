package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The quickstart is the README's first command: it must run end to end and
// print every section of its report, with sane numbers, and write the
// artifact and the plots.
func TestQuickstartReport(t *testing.T) {
	dir := t.TempDir()
	var out, bar bytes.Buffer
	if err := run(context.Background(), &out, options{outDir: dir, progress: newProgress("on", &bar)}); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"== the data, as read", "[2000 rows × 12 columns]",
		"== the six steps", "extract", "fit: step 0 preprocess.RangeSpec", "cross-validate (5 folds)", "deploy",
		"held out                   roc_auc",
		"== the same run again", "second run", "(cache hits 1, misses 0); same artifact: true",
		"baseline (class prior)", "verdict: fits well", "learning curve:",
		"== plots", "roc.png", "confusion.png", "learning-curve.png",
		"the loaded artifact predicts exactly as the pipeline in memory",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	m := regexp.MustCompile(`held out +roc_auc +(\d\.\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no held-out ROC AUC in report:\n%s", text)
	}
	if auc, _ := strconv.ParseFloat(m[1], 64); auc < 0.7 || auc > 1 {
		t.Errorf("held-out ROC AUC %v: the model learned too little", auc)
	}
	for _, name := range []string{"churn-pipeline.json", "churn-pipeline.manifest.json", "roc.png", "confusion.png", "learning-curve.png"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, step := range []string{"extract", "fit", "cross-validate", "deploy"} {
		if !strings.Contains(bar.String(), step) {
			t.Errorf("progress bar never showed %q: %q", step, bar.String())
		}
	}
}
