// Package mlbeam runs mlpipe on Apache Beam, so that data larger than one
// machine is read, cleaned, fitted on, scored and evaluated by an existing
// distributed engine: the same Go program runs in-process on Beam's Prism
// runner and on Flink, Spark or Google Dataflow through Beam's portable
// runners. It is a module of its own (github.com/mlpipe/mlpipe/beam), so
// that mlpipe itself keeps its small set of dependencies. Import it as
//
//	import mlbeam "github.com/mlpipe/mlpipe/beam"
//
// # How rows travel
//
// Rows travel in batches: a PCollection of *frame.Frame, each frame a few
// thousand rows, columnar, as everywhere in mlpipe. Beam sends a frame
// between stages (or machines) with the coder [EncodeFrame] and
// [DecodeFrame] registered for *frame.Frame: names, kinds and values of
// each column, categories as a dictionary and codes. A frame is not
// encoded between steps that Beam fuses into one stage. Per-row elements
// would cost Beam's per-element overhead a million times over, and every
// mlpipe step works on frames anyway.
//
// Sources and sinks are Beam's own IO. [ReadCSV] reads files through
// textio (any filesystem Beam knows: local, gs://, s3://) and [ParseCSV]
// turns the lines of each bundle into frames with mlpipe's CSV parser,
// under a schema fixed for all files; records that cannot be read leave
// through a second output, the dead letter of [Reject] values, and are
// counted in the Beam counter mlbeam/rejected, never dropped. [FormatCSV]
// formats frames as lines for textio.Write. Structured sources (Beam's
// parquetio and databaseio, which read rows into a Go struct type) become
// frames with [FromRecords], and frames become such structs again with
// [ToRecords], for parquetio.Write or databaseio.Write.
//
// # Stages as DoFns
//
// An mlpipe [Transformer] (an etl.Transformer of frames) runs as a DoFn
// with [Transform]; it is registered by name ([RegisterTransformer]),
// because a Beam pipeline is a description sent to workers that run the
// same program. A fitted pipeline (pipeline.Fitted) scores a PCollection
// with [Score]; it travels inside the DoFn as its saved JSON form.
//
// # Distributed fit
//
// Every Incremental preprocessing spec fits through a preprocess.Partial:
// add batches, merge partials, finish. [Fit] makes that a Beam CombineFn
// whose accumulator is the Partial, sent between workers with
// preprocess.MarshalPartial, so fitting on a PCollection gives the fitted
// step that spec.Fit gives on the same rows on one machine: exactly for
// counts (categories, most frequent values, missing counts), to rounding
// for moments (means, variances: the merge order differs), and within the
// sketch's stated rank error for the quantiles of a step given a MaxValues
// bound (exact medians and quantiles, without a bound, send every value to
// one worker, as an exact median must). [FitSteps] fits an ML pipeline's
// steps in order, each on the output of the ones before.
//
// # Distributed evaluation
//
// Metrics that merge are combines over a scored PCollection:
// [ConfusionCounts] (accuracy, precision, recall, F1), [Regression] (MAE,
// MSE, RMSE, R²) and [ROCAUC], a histogram of scores by label whose area
// is within a stated bound of the exact ROC AUC.
//
// # Runners
//
// Tests and examples run on Prism, in-process (beam.Init, then
// prism.Execute or beamx.Run with --runner=prism). The same program runs
// on Flink, Spark or Dataflow with Beam's flags: see the module's README.
package mlbeam
