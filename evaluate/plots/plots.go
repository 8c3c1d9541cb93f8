package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mlpipe/mlpipe/evaluate"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ErrFormat is returned (wrapped) by [Save] for a file extension it cannot
// write.
var ErrFormat = errors.New("unsupported image format")

// Scores are one model's scores for a binary problem, named for the legend:
// YTrue holds labels 0/1 (or -1/1), Score a score higher for class 1, such
// as the probability of class 1.
type Scores struct {
	Name  string
	YTrue []float64
	Score []float64
}

// ROC returns a plot of the ROC curve of each model, as computed by
// [evaluate.ROCCurve], with its area in the legend and the chance diagonal.
// It returns an error wrapping [evaluate.ErrEmpty] when no scores are
// given, and the errors of evaluate.ROCCurve (wrapped with the model's
// name).
func ROC(title string, models ...Scores) (*plot.Plot, error) {
	if len(models) == 0 {
		return nil, fmt.Errorf("roc plot: no models: %w", evaluate.ErrEmpty)
	}
	lines, err := rocLines(models)
	if err != nil {
		return nil, err
	}
	p := newPlot(title, "false positive rate", "true positive rate")
	if err := plotutil.AddLines(p, lines...); err != nil {
		return nil, fmt.Errorf("roc plot: %w", err)
	}
	chance, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, fmt.Errorf("roc plot: %w", err)
	}
	chance.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	chance.Color = color.Gray{Y: 128}
	p.Add(chance)
	p.Legend.Add("chance", chance)
	unitAxes(p)
	p.Legend.Top = false
	return p, nil
}

// rocLines returns the legend entry and curve of each model, alternating,
// as plotutil.AddLines takes them.
func rocLines(models []Scores) ([]any, error) {
	var lines []any
	for _, m := range models {
		fpr, tpr, _, err := evaluate.ROCCurve(m.YTrue, m.Score)
		if err != nil {
			return nil, fmt.Errorf("roc plot: %s: %w", m.Name, err)
		}
		auc, err := evaluate.ROCAUC(m.YTrue, m.Score)
		if err != nil {
			return nil, fmt.Errorf("roc plot: %s: %w", m.Name, err)
		}
		lines = append(lines, fmt.Sprintf("%s (AUC %.3f)", m.Name, auc), xys(fpr, tpr))
	}
	return lines, nil
}

// PrecisionRecall returns a plot of the precision-recall curve of each
// model, as computed by [evaluate.PrecisionRecallCurve], with its average
// precision in the legend. Errors are as for [ROC].
func PrecisionRecall(title string, models ...Scores) (*plot.Plot, error) {
	if len(models) == 0 {
		return nil, fmt.Errorf("precision-recall plot: no models: %w", evaluate.ErrEmpty)
	}
	lines, err := prLines(models)
	if err != nil {
		return nil, err
	}
	p := newPlot(title, "recall", "precision")
	if err := plotutil.AddLines(p, lines...); err != nil {
		return nil, fmt.Errorf("precision-recall plot: %w", err)
	}
	unitAxes(p)
	return p, nil
}

// prLines returns the legend entry and step curve of each model,
// alternating.
func prLines(models []Scores) ([]any, error) {
	var lines []any
	for _, m := range models {
		prec, rec, _, err := evaluate.PrecisionRecallCurve(m.YTrue, m.Score)
		if err != nil {
			return nil, fmt.Errorf("precision-recall plot: %s: %w", m.Name, err)
		}
		ap, err := evaluate.AveragePrecision(m.YTrue, m.Score)
		if err != nil {
			return nil, fmt.Errorf("precision-recall plot: %s: %w", m.Name, err)
		}
		lines = append(lines, fmt.Sprintf("%s (AP %.3f)", m.Name, ap), steps(rec, prec))
	}
	return lines, nil
}

// steps turns the precision-recall points into scikit-learn's step plot
// (drawstyle "steps-post" over recall decreasing).
func steps(rec, prec []float64) plotter.XYs {
	var out plotter.XYs
	for i := range rec {
		if i > 0 {
			out = append(out, plotter.XY{X: rec[i], Y: prec[i-1]})
		}
		out = append(out, plotter.XY{X: rec[i], Y: prec[i]})
	}
	return out
}

// Calibration returns a reliability diagram: for each model, the fraction
// of positives against the mean predicted probability in each of bins
// equal-width bins, as computed by [evaluate.CalibrationCurve] (with
// quantile bins if quantile), beside the diagonal of perfect calibration.
// Here Scores.Score must be a probability in [0, 1]. It returns an error
// wrapping [evaluate.ErrEmpty] when no scores are given, and the errors of
// evaluate.CalibrationCurve wrapped with the model's name.
func Calibration(title string, bins int, quantile bool, models ...Scores) (*plot.Plot, error) {
	if len(models) == 0 {
		return nil, fmt.Errorf("calibration plot: no models: %w", evaluate.ErrEmpty)
	}
	var lines []any
	for _, m := range models {
		frac, prob, err := evaluate.CalibrationCurve(m.YTrue, m.Score, bins, quantile)
		if err != nil {
			return nil, fmt.Errorf("calibration plot: %s: %w", m.Name, err)
		}
		brier, err := evaluate.BrierScore(m.YTrue, m.Score)
		if err != nil {
			return nil, fmt.Errorf("calibration plot: %s: %w", m.Name, err)
		}
		lines = append(lines, fmt.Sprintf("%s (Brier %.3f)", m.Name, brier), xys(prob, frac))
	}
	p := newPlot(title, "mean predicted probability", "fraction of positives")
	if err := plotutil.AddLinePoints(p, lines...); err != nil {
		return nil, fmt.Errorf("calibration plot: %w", err)
	}
	ideal, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, fmt.Errorf("calibration plot: %w", err)
	}
	ideal.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	ideal.Color = color.Gray{Y: 128}
	p.Add(ideal)
	p.Legend.Add("perfectly calibrated", ideal)
	p.Legend.Top = true
	p.Legend.Left = true
	unitAxes(p)
	return p, nil
}

// Confusion returns a heatmap of a confusion matrix: true labels down the
// side (the first at the top), predicted labels across, each cell labelled
// with its count. names, if not nil, replaces the numeric labels. It
// returns an error wrapping [evaluate.ErrEmpty] for an empty matrix and
// [evaluate.ErrLength] for the wrong number of names.
func Confusion(title string, c *evaluate.Confusion, names []string) (*plot.Plot, error) {
	if c == nil || len(c.Labels) == 0 {
		return nil, fmt.Errorf("confusion plot: empty matrix: %w", evaluate.ErrEmpty)
	}
	k := len(c.Labels)
	if names == nil {
		for _, l := range c.Labels {
			names = append(names, strconv.FormatFloat(l, 'g', -1, 64))
		}
	}
	if len(names) != k {
		return nil, fmt.Errorf("confusion plot: %d names for %d labels: %w", len(names), k, evaluate.ErrLength)
	}
	g := grid{c: c}
	maxCount := 0.0
	for _, row := range c.Counts {
		for _, n := range row {
			maxCount = math.Max(maxCount, float64(n))
		}
	}
	h := plotter.NewHeatMap(g, blues(256))
	h.Min, h.Max = 0, math.Max(maxCount, 1)

	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text, p.Y.Label.Text = "predicted", "true"
	p.Add(h)
	var lab plotter.XYLabels
	var styles []bool
	for r := range k {
		for col := range k {
			n := c.Counts[r][col]
			lab.XYs = append(lab.XYs, plotter.XY{X: float64(col), Y: g.Y(r)})
			lab.Labels = append(lab.Labels, strconv.Itoa(n))
			styles = append(styles, float64(n) > 0.6*maxCount)
		}
	}
	labels, err := plotter.NewLabels(lab)
	if err != nil {
		return nil, fmt.Errorf("confusion plot: %w", err)
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].XAlign = draw.XCenter
		labels.TextStyle[i].YAlign = draw.YCenter
		if styles[i] {
			labels.TextStyle[i].Color = color.White
		}
	}
	p.Add(labels)
	var xt, yt plot.ConstantTicks
	for i, n := range names {
		xt = append(xt, plot.Tick{Value: float64(i), Label: n})
		yt = append(yt, plot.Tick{Value: g.Y(i), Label: n})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = xt, yt
	p.X.Min, p.X.Max = -0.5, float64(k)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(k)-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	return p, nil
}

// blues is a sequential palette from near-white to dark blue, so larger
// counts are darker.
type blues int

func (n blues) Colors() []color.Color {
	lo, hi := [3]float64{247, 251, 255}, [3]float64{8, 48, 107}
	out := make([]color.Color, n)
	for i := range out {
		t := float64(i) / float64(max(int(n)-1, 1))
		var c [3]uint8
		for j := range c {
			c[j] = uint8(math.Round(lo[j] + t*(hi[j]-lo[j])))
		}
		out[i] = color.RGBA{R: c[0], G: c[1], B: c[2], A: 255}
	}
	return out
}

// grid presents a confusion matrix as a heatmap grid, row 0 at the top.
type grid struct{ c *evaluate.Confusion }

func (g grid) Dims() (int, int)   { return len(g.c.Labels), len(g.c.Labels) }
func (g grid) Z(c, r int) float64 { return float64(g.c.Counts[r][c]) }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(len(g.c.Labels) - 1 - r) }

// LearningCurve returns a plot of training and validation scores against
// the number of training rows, each with error bars of one standard
// deviation over the folds. It returns an error wrapping
// [evaluate.ErrEmpty] for a curve without points.
func LearningCurve(title string, lc *evaluate.LearningCurveResult) (*plot.Plot, error) {
	if lc == nil || len(lc.Sizes) == 0 {
		return nil, fmt.Errorf("learning curve plot: no points: %w", evaluate.ErrEmpty)
	}
	p := newPlot(title, "training rows", lc.Scorer)
	for i, series := range []struct {
		name   string
		scores [][]float64
	}{{"training", lc.Train}, {"validation", lc.Test}} {
		pts, errs := curvePoints(lc.Sizes, series.scores)
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, fmt.Errorf("learning curve plot: %w", err)
		}
		line.Color = plotutil.Color(i)
		points.Color = plotutil.Color(i)
		points.Shape = plotutil.Shape(i)
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{pts, errs})
		if err != nil {
			return nil, fmt.Errorf("learning curve plot: %w", err)
		}
		bars.Color = plotutil.Color(i)
		p.Add(line, points, bars)
		p.Legend.Add(series.name, line, points)
	}
	p.Legend.Top = false
	p.Legend.Left = false
	return p, nil
}

// curvePoints returns the mean score at each size and its ± one standard
// deviation.
func curvePoints(sizes []int, scores [][]float64) (plotter.XYs, plotter.YErrors) {
	pts := make(plotter.XYs, len(sizes))
	errs := make(plotter.YErrors, len(sizes))
	for j, n := range sizes {
		m, s := meanStd(scores[j])
		pts[j] = plotter.XY{X: float64(n), Y: m}
		errs[j].Low, errs[j].High = s, s
	}
	return pts, errs
}

func meanStd(v []float64) (float64, float64) {
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	var s float64
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / float64(len(v)))
}

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	return p
}

func unitAxes(p *plot.Plot) {
	p.X.Min, p.X.Max = 0, 1
	p.Y.Min, p.Y.Max = 0, 1.02
}

func xys(x, y []float64) plotter.XYs {
	out := make(plotter.XYs, len(x))
	for i := range x {
		out[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return out
}

// Save writes p to path as PNG, SVG or PDF, chosen by the extension (.png,
// .svg, .pdf), at width × height inches (both 0: 5 × 4). It returns an
// error wrapping [ErrFormat] for another extension, and the file system's
// error if the file cannot be written.
func Save(p *plot.Plot, path string, width, height float64) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".svg", ".pdf":
	default:
		return fmt.Errorf("save plot %s: %w (use .png, .svg or .pdf)", path, ErrFormat)
	}
	if width == 0 && height == 0 {
		width, height = 5, 4
	}
	if err := p.Save(vg.Length(width)*vg.Inch, vg.Length(height)*vg.Inch, path); err != nil {
		return fmt.Errorf("save plot %s: %w", path, err)
	}
	return nil
}
