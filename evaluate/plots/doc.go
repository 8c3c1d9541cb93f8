// Package plots draws evaluation results with gonum/plot: ROC,
// precision-recall and calibration curves (several models on one chart), a
// confusion-matrix heatmap and a learning curve. Each function returns a *plot.Plot that the
// caller can adjust; [Save] writes it as PNG, SVG or PDF by the file's
// extension.
//
// The package is separate from evaluate so that programs that only compute
// metrics do not link the plotting and font libraries.
package plots
