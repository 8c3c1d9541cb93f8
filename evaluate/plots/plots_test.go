package plots

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlpipe/mlpipe/evaluate"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

func scores() Scores {
	y := make([]float64, 60)
	s := make([]float64, 60)
	for i := range y {
		y[i] = float64(i % 2)
		s[i] = math.Round((0.4*y[i]+math.Abs(math.Sin(float64(i))))*10) / 10 // ties on purpose
	}
	return Scores{Name: "model", YTrue: y, Score: s}
}

func saveAll(t *testing.T, p *plot.Plot, name string) {
	t.Helper()
	dir := t.TempDir()
	for ext, magic := range map[string][]byte{".png": []byte("\x89PNG"), ".svg": []byte("<?xml"), ".pdf": []byte("%PDF")} {
		path := filepath.Join(dir, name+ext)
		if err := Save(p, path, 0, 0); err != nil {
			t.Fatalf("save %s: %v", ext, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, magic) || len(b) < 500 {
			t.Errorf("%s: %d bytes starting %q", path, len(b), b[:min(len(b), 8)])
		}
	}
}

func TestROC(t *testing.T) {
	m := scores()
	base := Scores{Name: "baseline", YTrue: m.YTrue, Score: make([]float64, len(m.YTrue))}
	p, err := ROC("ROC", m, base)
	if err != nil {
		t.Fatal(err)
	}
	// The legend names each model with its AUC; the line is the ROC curve.
	lines, err := rocLines([]Scores{m, base})
	if err != nil {
		t.Fatal(err)
	}
	fpr, tpr, _, _ := evaluate.ROCCurve(m.YTrue, m.Score)
	auc, _ := evaluate.ROCAUC(m.YTrue, m.Score)
	if want := fmt.Sprintf("model (AUC %.3f)", auc); lines[0] != want || lines[2] != "baseline (AUC 0.500)" {
		t.Errorf("legend %q, %q; want %q, baseline (AUC 0.500)", lines[0], lines[2], want)
	}
	if pts := lines[1].(plotter.XYs); len(pts) != len(fpr) || pts[1].X != fpr[1] || pts[1].Y != tpr[1] {
		t.Errorf("roc points %v, curve %v %v", pts, fpr, tpr)
	}
	saveAll(t, p, "roc")
	if _, err := ROC("ROC"); !errors.Is(err, evaluate.ErrEmpty) {
		t.Errorf("no models: %v", err)
	}
	bad := Scores{Name: "one class", YTrue: []float64{1, 1}, Score: []float64{0.1, 0.2}}
	if _, err := ROC("ROC", bad); !errors.Is(err, evaluate.ErrUndefined) {
		t.Errorf("one class: %v", err)
	}
}

func TestPrecisionRecall(t *testing.T) {
	m := scores()
	p, err := PrecisionRecall("PR", m)
	if err != nil {
		t.Fatal(err)
	}
	saveAll(t, p, "pr")
	lines, _ := prLines([]Scores{m})
	ap, _ := evaluate.AveragePrecision(m.YTrue, m.Score)
	prec, rec, _, _ := evaluate.PrecisionRecallCurve(m.YTrue, m.Score)
	if lines[0] != fmt.Sprintf("model (AP %.3f)", ap) || len(lines[1].(plotter.XYs)) != 2*len(rec)-1 {
		t.Errorf("legend %q, %d points for %d curve points", lines[0], len(lines[1].(plotter.XYs)), len(prec))
	}
	if _, err := PrecisionRecall("PR", Scores{YTrue: []float64{0, 0}, Score: []float64{1, 2}}); !errors.Is(err, evaluate.ErrUndefined) {
		t.Errorf("no positives: %v", err)
	}
}

func TestCalibration(t *testing.T) {
	m := scores()
	for i, v := range m.Score {
		m.Score[i] = v / 2 // into [0, 1]
	}
	p, err := Calibration("calibration", 5, false, m)
	if err != nil {
		t.Fatal(err)
	}
	saveAll(t, p, "calibration")
	if _, err := Calibration("c", 5, false); !errors.Is(err, evaluate.ErrEmpty) {
		t.Errorf("no models: %v", err)
	}
	if _, err := Calibration("c", 0, false, m); !errors.Is(err, evaluate.ErrValue) {
		t.Errorf("0 bins: %v", err)
	}
	over := Scores{Name: "over", YTrue: []float64{0, 1}, Score: []float64{0.5, 1.5}}
	if _, err := Calibration("c", 5, true, over); !errors.Is(err, evaluate.ErrValue) {
		t.Errorf("probability 1.5: %v", err)
	}
}

func TestSteps(t *testing.T) {
	got := steps([]float64{1, 0.5, 0}, []float64{0.5, 0.8, 1})
	want := plotter.XYs{{X: 1, Y: 0.5}, {X: 0.5, Y: 0.5}, {X: 0.5, Y: 0.8}, {X: 0, Y: 0.8}, {X: 0, Y: 1}}
	if len(got) != len(want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("steps %v, want %v", got, want)
			break
		}
	}
}

func TestConfusion(t *testing.T) {
	c, err := evaluate.ConfusionMatrix([]float64{0, 1, 2, 2, 2, 1}, []float64{0, 0, 2, 2, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Confusion("confusion", c, []string{"low", "mid", "high"})
	if err != nil {
		t.Fatal(err)
	}
	g := grid{c: c}
	if cols, rows := g.Dims(); cols != 3 || rows != 3 || g.Z(2, 2) != 2 || g.Z(0, 1) != 1 || g.Y(0) != 2 {
		t.Errorf("grid: dims %d×%d, Z(2,2)=%v Z(0,1)=%v Y(0)=%v", cols, rows, g.Z(2, 2), g.Z(0, 1), g.Y(0))
	}
	saveAll(t, p, "confusion")
	if _, err := Confusion("c", c, []string{"a"}); !errors.Is(err, evaluate.ErrLength) {
		t.Errorf("wrong names: %v", err)
	}
	if _, err := Confusion("c", &evaluate.Confusion{}, nil); !errors.Is(err, evaluate.ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	if _, err := Confusion("c", c, nil); err != nil {
		t.Errorf("numeric names: %v", err)
	}
}

func TestLearningCurve(t *testing.T) {
	lc := &evaluate.LearningCurveResult{
		Scorer: "accuracy",
		Sizes:  []int{10, 50, 100},
		Train:  [][]float64{{1, 1}, {0.95, 0.97}, {0.93, 0.92}},
		Test:   [][]float64{{0.6, 0.7}, {0.8, 0.82}, {0.88, 0.9}},
	}
	p, err := LearningCurve("learning curve", lc)
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Label.Text != "accuracy" || p.X.Label.Text != "training rows" {
		t.Errorf("labels %q, %q", p.X.Label.Text, p.Y.Label.Text)
	}
	pts, errs := curvePoints(lc.Sizes, lc.Test)
	if pts[1].X != 50 || math.Abs(pts[1].Y-0.81) > 1e-15 || math.Abs(errs[1].High-0.01) > 1e-15 || errs[1].Low != errs[1].High {
		t.Errorf("validation point %v ± %v, want (50, 0.81) ± 0.01", pts[1], errs[1])
	}
	saveAll(t, p, "learning")
	if _, err := LearningCurve("x", &evaluate.LearningCurveResult{}); !errors.Is(err, evaluate.ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
}

func TestSaveFormat(t *testing.T) {
	p, _ := PrecisionRecall("PR", scores())
	if err := Save(p, filepath.Join(t.TempDir(), "x.gif"), 0, 0); !errors.Is(err, ErrFormat) {
		t.Errorf("gif: %v", err)
	}
	if err := Save(p, filepath.Join(t.TempDir(), "missing", "x.png"), 0, 0); err == nil {
		t.Error("no error writing into a missing directory")
	}
}

func TestMeanStd(t *testing.T) {
	m, s := meanStd([]float64{1, 3})
	if m != 2 || s != 1 {
		t.Errorf("meanStd = %v, %v; want 2, 1", m, s)
	}
}
