// Package pipeline composes the other packages into two kinds of pipeline:
// a streaming Flow, which moves batches of data from a source through
// transforming stages to a destination, concurrently and in bounded memory;
// and an ML pipeline — preprocessing steps and a model — fitted as one value,
// saved, loaded and served.
//
// # Streaming flows
//
// A flow is built from the stage interfaces of package etl with three
// generic functions (Go methods cannot take type parameters, so the chain is
// not built with methods): [From] starts it with an [etl.Extractor], [Then]
// adds an [etl.Transformer] that may change the type of the values, and [To]
// ends it with an [etl.Loader], giving a [Job]. Nothing runs until
// [Job.Run], which returns a [Report]:
//
//	flow := pipeline.From(csvSource, pipeline.Name("read"))
//	clean := pipeline.Then(flow, cleaner, pipeline.Name("clean"), pipeline.Workers(4))
//	rows := pipeline.Then(clean, featurize, pipeline.Name("features"))
//	report, err := pipeline.To(rows, sink, pipeline.Name("save")).Run(ctx)
//	if err != nil {
//		return err // "pipeline stage clean batch 12: …"
//	}
//	fmt.Print(report) // a table: batches, rows in and out, time per stage
//
// The type parameters are inferred from the stages; values keep their types
// all the way through (there is no chan any inside).
//
// Every stage runs in its own goroutines: one for the extractor, [Workers]
// (default 1) for each Then stage, one for the loader. Stages are connected
// by channels of capacity [Buffer] (default 1), so a slow stage holds back
// the ones before it. The values between the extractor and the loader are at
// most the sum of the buffers, plus one per worker of each Then stage, plus
// the one the loader holds; a file larger than memory therefore flows
// through in constant memory.
//
// Order: every stage passes values on in the order it received them, however
// many workers it has (results that finish early wait, in a buffer bounded
// by the worker count, for the ones before them), and the loader is called
// from one goroutine, in order.
//
// Errors and cancellation: the first error anywhere — a stage's error, a
// panic in a stage (recovered and returned as a [*PanicError]), a failed
// Setup, or the cancellation of the run's context — cancels every stage, and
// Run returns it as a [*StageError] naming the stage and the batch. Run
// returns only when every goroutine it started has exited. Optional
// abilities are detected, as io.Copy detects io.WriterTo: a stage with
// Setup(ctx) error ([Setupper]) is set up before the run; an extractor or
// loader that is an io.Closer is closed once at the end of every run,
// whether it succeeded or not, and a Close error is part of Run's error.
//
// Observation: the [Report] counts batches and rows in and out of each
// stage (rows for values that are a [RowCounter], as *frame.Frame is), and
// the time each stage was busy; it prints as a text table and marshals to
// JSON. [Progress] calls a function as data moves through a stage.
//
// # ML pipelines
//
// [ML] is the specification of a machine-learning pipeline: preprocessing
// and feature steps, then a model, fitted on a frame as one value by
// [ML.Fit]. The [*Fitted] result applies exactly the same steps at
// prediction time, checks that its input has the training schema, and saves
// to and loads from a versioned JSON artifact ([Fitted.Save], [Load]), so
// training and serving run the very same code.
//
// [Training] runs the six steps of an ML pipeline as one value, in order,
// the same way every time: get the data from an [etl.Extractor], clean and
// engineer features and train (the [ML] spec), evaluate on held-out rows and
// by cross-validation ([Evaluation]), and deploy the artifact with its
// [Manifest] to a destination ([DeployFile], [DeployCache], or any
// [etl.Loader] of [*Deployment]). Run returns a [RunReport]: the data's
// rows, columns and missing rates, each step's rows and time, cache hits,
// metrics and where the artifact went, as a text table or JSON. A progress
// callback and a [log/slog] logger (silent by default) follow long runs.
//
// The manifest records a SHA-256 [Fingerprint] of the training data, every
// parameter ([ParamsOf]), the library version and the metrics. Results do
// not depend on worker counts, so the same data and seeds give
// byte-identical artifacts and manifests.
//
// [ML.Inputs] keeps identifiers and free text out of the pipeline: the
// fitted schema — what serving requires — lists the inputs only. A program
// that fits without a Training saves an artifact with its manifest by
// [Fitted.SaveFileWithManifest].
//
// A fitted pipeline predicts from a frame, from records
// ([Fitted.PredictRecords]: maps or JSON objects, checked against the
// training schema, JSON null read as missing), and over a stream of batches
// ([PredictStream]). Its training [Profile] lets [Fitted.Drift] compare a
// batch of serving inputs with the training data — missing rates, means,
// category shares and the population stability index per column — and flag
// drift. [Handler] serves predictions and drift checks over HTTP, with a
// cache in front.
//
// # Caching fitted steps
//
// With [ML.Cache] set, Fit keeps each fitted step and the fitted model in a
// [cache.Cache] (memory, Redis, tiered), so that fitting the same pipeline
// on the same rows again — a re-run, a grid search over the model's
// parameters, repeated cross-validation — reads them instead of fitting.
// Keys are chained, so the input is hashed once and no intermediate frame
// is: the first hashes the training rows ([Fingerprint]), the target, and
// the library and format versions; step i's hashes step i-1's key with the
// type and parameters of step i (as [ParamsOf] records them); the model's
// hashes the last step's key with Features and the model's parameters.
// Steps are deterministic, so a key names a step's output as well as its
// state. Changing one parameter refits that step, the steps after it and
// the model, and reads the steps before it (applying them to give the
// changed step its input); when every step and the model are found, nothing
// is fitted or applied. Every entry is read in one batch (one MGET on
// Redis). A step made with a func adapter has no recorded parameters: it and
// the steps after it are fitted every time. A cache that fails, or an entry
// that does not decode, costs a fit, never an error; wrap the cache with
// [cache.NewAside] to count hits, misses and errors. A build from a
// checkout reports the library version "(devel)": use a new
// [cache.Namespace] version after changing a step's code.
//
// It pays when fitting costs more than hashing the input, about 35 ms per
// million rows of seven float columns here (BenchmarkStepCache): a quantile
// transform of four columns, a robust scaler of two and a ridge regression
// on 1,000,000 rows fit in about 1 s and are read back in under 40 ms, and
// with only the model's parameter changed the fit takes half the time; a
// standard scaler and a ridge regression fit in 45 ms, barely more than the
// hash, so caching them saves memory, not time. [Training.Cache] caches
// whole fitted pipelines on top of this.
package pipeline
