// Package evaluate judges models honestly: metrics that agree with
// scikit-learn, seeded and stratified splits, cross-validation that runs
// folds concurrently, learning and validation curves with a diagnosis in
// words, parameter search, permutation importance, and text reports.
// Plots live in the subpackage evaluate/plots.
//
// # Metrics
//
// Metrics are plain functions on []float64; labels are numbers (a binary
// problem uses 0 and 1, and 1 is the positive class). Each returns the
// score and an error: [ErrLength] when the inputs differ in length,
// [ErrEmpty] when they are empty, [ErrValue] for NaN, [ErrLabel] for labels
// the metric cannot take, [ErrUndefined] when the metric has no value for
// the data (ROC AUC with one class).
//
//   - classification: [Accuracy], [BalancedAccuracy], [Precision],
//     [Recall], [F1], [F1Avg], [FBeta] (with [Binary], [Macro], [Micro] or
//     [Weighted] averages), [PerClass], [MatthewsCorrCoef], [CohenKappa],
//     [WeightedKappa], [ConfusionMatrix], [ClassificationReport];
//   - scores and probabilities: [ROCAUC], [ROCAUCOvR], [AveragePrecision],
//     [LogLoss], [BrierScore], and the curves [ROCCurve],
//     [PrecisionRecallCurve], [CalibrationCurve];
//   - regression: [R2], [ExplainedVariance], [MAE], [MSE], [RMSE], [MAPE],
//     [MedianAE], [MaxError].
//
// They reproduce scikit-learn 1.2.1 — its handling of tied scores, its
// zero-division rules, even numpy's order of floating-point summation — and
// are checked against fixtures it generated (testdata/gen_fixtures.py): all
// agree to 1e-12, and all but log loss (whose logarithm differs from
// numpy's in the last bit) bit for bit.
//
// # Splits
//
// A [Splitter] turns a target into [Fold]s of row indices: [KFold],
// [StratifiedKFold], [GroupKFold], [TimeSeriesSplit],
// [RepeatedStratifiedKFold], [RepeatedKFold], [ShuffleSplit], and the
// single hold-out [TrainTestSplit]. Without shuffling, StratifiedKFold,
// KFold, GroupKFold and TimeSeriesSplit assign rows exactly as
// scikit-learn does; shuffled splits use Go's PCG generator, so they match
// scikit-learn in sizes and class proportions, not in rows. A class with
// fewer members than folds is an error ([ErrTooFewMembers]), not a fold
// silently missing the class.
//
// # Cross-validation
//
// [CrossValidate] fits a [Learner] on each fold's training rows of a
// [frame.Frame] and scores the fitted [Predictor] on the held-out rows with
// one or more [Scorer]s (see [ScorerByName] for scikit-learn's names).
// Because every fold fits afresh on its own training rows, whatever a
// Learner learns in preprocessing — means, scales, categories — never sees
// the test rows. The Learner and Predictor interfaces are declared here,
// where they are consumed, so anything that fits on a frame and predicts —
// the pipeline package's ML pipeline, a [LearnerFunc], or a model.Model
// wrapped by [ModelLearner] — can be evaluated without this package
// importing it.
//
// [CrossValPredict] returns out-of-fold predictions and probabilities for
// curves and reports over the whole data set. [LearningCurve],
// [ValidationCurve], [GridSearch], [RandomSearch] and
// [PermutationImportance] build on the same machinery.
//
// # Concurrency and determinism
//
// Every fan-out — folds, sizes × folds, candidates × folds, permuted
// columns — runs in one errgroup bounded by a Workers option (default
// GOMAXPROCS). Folds and seeds are fixed before the work starts and each
// result has its own slot, so the same inputs give the same numbers
// whatever the number of workers. The first error, or the context's
// cancellation, stops the rest; no goroutine outlives the call.
//
// # Diagnosis
//
// [Diagnose] and [DiagnoseCurve] compare training and validation scores
// (and a baseline, such as a majority-class model's score) and say in
// words whether the model under- or over-fits, with the numbers and the
// tolerance behind the verdict.
package evaluate
