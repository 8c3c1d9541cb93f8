// Package model holds the estimators of mlpipe behind one small interface,
// [Model], whose Fit returns an immutable fitted [Predictor].
//
// Models take the model input as a [gonum.org/v1/gonum/mat.Matrix] and the
// targets as a []float64 (class labels are float64 values such as 0 and 1).
// Fitted models serialise to a versioned JSON envelope with [Marshal] and are
// read back with [Unmarshal], so a model trained in one process predicts
// identically in another.
package model
