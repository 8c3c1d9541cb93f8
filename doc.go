// Package mlpipe is a Go library for machine-learning data pipelines: the
// whole road from raw data to a served model — extract, clean, engineer
// features, train, evaluate honestly, save, load and serve — inside a Go
// program, without a Python sidecar and without re-writing preprocessing for
// serving.
//
// This package holds only this overview; the work is done by its packages.
//
// # The packages
//
//   - [github.com/mlpipe/mlpipe/frame]: the columnar table every stage passes
//     around — float (NaN missing), dictionary-encoded categorical, string,
//     time and bool columns; immutable values sharing untouched columns.
//   - [github.com/mlpipe/mlpipe/etl]: Extractor, Transformer and Loader with
//     func adapters; sources for CSV/TSV (parallel, gzip, globs), JSON and
//     JSON Lines, Parquet, SQL (PostgreSQL, SQLite) and paginated HTTP APIs
//     (rate-limited, retried, cached); sinks for files (written atomically)
//     and SQL (one transaction, COPY, upsert); parse errors that name the
//     source, line and column, and a rejects policy.
//   - [github.com/mlpipe/mlpipe/preprocess]: cleaning and encoding as
//     fit/transform steps — missing-value spellings, numbers, booleans and
//     dates from text, imputation, outliers, scaling, encoding, column
//     selection — at scikit-learn parity, fitted on statistics that merge.
//   - [github.com/mlpipe/mlpipe/features]: date parts, cyclical encodings,
//     polynomial terms, bins, text vectorisers, feature selection.
//   - [github.com/mlpipe/mlpipe/model]: models behind one small Model
//     interface — baselines, linear, ridge, lasso, elastic net, logistic,
//     naive Bayes, k-nearest neighbours, trees and forests — saved as
//     versioned JSON.
//   - [github.com/mlpipe/mlpipe/evaluate]: splits, cross-validation run
//     concurrently, metrics matching scikit-learn, curves, overfitting
//     diagnosis, search; [github.com/mlpipe/mlpipe/evaluate/plots] draws them.
//   - [github.com/mlpipe/mlpipe/cache]: one Cache interface with memory, Redis
//     and tiered backends, and the caching strategies (typed cache-aside with
//     singleflight, read-through, write-through, write-behind, tags).
//   - [github.com/mlpipe/mlpipe/pipeline]: the generic streaming Flow (From,
//     Then, To) with bounded workers and back-pressure, and the ML pipeline:
//     steps and a model fitted as one value, run as a Training with a report,
//     saved, loaded and served.
//
// The module github.com/mlpipe/mlpipe/beam (in beam/, with its own go.mod)
// runs the same steps on Apache Beam.
//
// Dependencies point one way: frame, model (on gonum) and cache depend on
// nothing of ours; etl, preprocess and features build on frame; evaluate on
// frame and model; pipeline composes them all.
//
// # A first program
//
//	ml := pipeline.ML{
//		Steps: []preprocess.Step{
//			preprocess.Impute(preprocess.Median, "age", "tickets"),
//			preprocess.StandardScale("age", "tickets"),
//			preprocess.OneHot("plan"),
//		},
//		Model:  model.LogisticRegression{C: 1},
//		Target: "churned",
//	}
//	cv, err := evaluate.CrossValidate(ctx, ml.Learner(), data, "churned", evaluate.CVOptions{})
//	fitted, err := ml.Fit(ctx, data)
//	err = fitted.SaveFile("churn.json")         // every step and the model, versioned
//	served, err := pipeline.LoadFile("churn.json")
//	pred, err := served.Predict(ctx, newCustomers) // the training-time preprocessing, exactly
//
// The runnable version is this package's example; examples/quickstart runs
// the whole road on embedded data (go run ./examples/quickstart).
package mlpipe
