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
// print every section of its report, with sane numbers.
func TestQuickstartReport(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(context.Background(), &out, dir); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"== 1. extract", "== 2. the data", "== 3. cross-validation", "== 4. train",
		"== 5. held-out evaluation", "== 6. save, load, predict", "[2000 rows × 10 columns]", "cache hits 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	m := regexp.MustCompile(`ROC AUC (\d\.\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no held-out ROC AUC in report:\n%s", text)
	}
	if auc, _ := strconv.ParseFloat(m[1], 64); auc < 0.6 || auc > 1 {
		t.Errorf("held-out ROC AUC %v: the model learned nothing", auc)
	}
	if _, err := os.Stat(filepath.Join(dir, "churn-pipeline.json")); err != nil {
		t.Errorf("saved pipeline: %v", err)
	}
}
