// Package evaluate judges models honestly: metrics that agree with
// scikit-learn to the last bit, seeded and stratified splits,
// cross-validation that runs folds concurrently, and readable reports.
//
// # Metrics
//
// Metrics are plain functions on []float64 (labels are numbers; a binary
// problem uses 0 and 1): [Accuracy], [F1], [ROCAUC], [R2], [MSE], [RMSE].
// Each returns the score and an error: [ErrLength] when the inputs differ in
// length, [ErrEmpty] when they are empty, [ErrUndefined] when the metric has
// no value for the data (ROC AUC with one class). They reproduce
// scikit-learn 1.2.1, including its handling of tied scores and its order of
// floating-point summation, and are checked against fixtures it generated
// (testdata/gen_fixtures.py).
//
// # Splits
//
// [TrainTestSplit] draws a seeded, optionally stratified hold-out set.
// [KFold] and [StratifiedKFold] are [Splitter]s returning [Fold]s of row
// indices. Splitting happens before any work fans out, so the same seed
// gives the same folds whatever the number of workers. Without shuffling,
// StratifiedKFold assigns rows exactly as scikit-learn does.
//
// # Cross-validation
//
// [CrossValidate] fits a [Learner] on each fold's training rows of a
// [frame.Frame] and scores the fitted [Predictor] on the held-out rows with
// one or more [Scorer]s, running folds concurrently (bounded by
// CVOptions.Workers). The Learner and Predictor interfaces are declared here,
// where they are consumed, so anything that fits on a frame and predicts —
// the pipeline package's ML pipeline, or a [LearnerFunc] — can be
// cross-validated without this package importing it.
package evaluate
