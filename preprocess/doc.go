// Package preprocess cleans data for machine learning: it fills missing
// values, scales numbers and encodes categories, giving the numbers
// scikit-learn gives.
//
// # Specs and fitted steps
//
// Every step comes in two parts. A spec, such as [StandardScale]("age",
// "income"), is an immutable value holding parameters only. Its Fit method
// learns state from a training frame (means, scales, category lists) and
// returns it as a new fitted value, such as a [*StandardScaler], whose
// Transform applies it to any frame:
//
//	scaler, err := preprocess.StandardScale("age").Fit(ctx, train)
//	...
//	test, err = scaler.Transform(ctx, test)
//
// The spec is never changed, so one spec may be fitted many times at once
// (cross-validation does). Fitted values are immutable and safe for
// concurrent use; their exported fields are their whole state, and
// [MarshalFitted] and [UnmarshalFitted] save and load them as versioned
// JSON, read back exactly (each type's Validate method rejects a corrupt
// state with [ErrState]). Training and serving thus run the same value.
//
// Steps take the columns they work on by name; with no names, a step takes
// every column it can work on (every float column for a scaler, every
// categorical column for an encoder).
//
// # The steps
//
// Reading dirty text (string or categorical columns), each step counting
// what it could not read in a report rather than failing:
//
//   - [NormalizeMissing]: "NA", "n/a", "?", "????", "null", "-", … become
//     missing values.
//   - [ParseNumbers]: "1,234.50", "$ 1 200", "12%", "(300)", "1.234,5"
//     become floats.
//   - [ParseBools]: yes/no, y/n, true/false, 1/0, on/off become bools.
//   - [ParseDates]: ISO 8601, RFC 1123, month names, US or European numeric
//     dates and Unix times, mixed in one column, become UTC instants.
//   - [NormalizeText]: NFKC, trimming, collapsed spaces, case folding and
//     synonyms merge " us", "US" and "ＵＳ" into one category.
//   - [Dedupe] (a function, not a step) drops repeated rows.
//
// Missing values:
//
//   - [Impute]: fill by the [Mean], [Median], [MostFrequent] value or a
//     [Constant] (scikit-learn's SimpleImputer).
//   - [KNNImpute]: fill from the nearest rows (KNNImputer).
//   - [MissingIndicator]: add a 0/1 column saying where values were missing.
//   - [DropSparse]: drop the columns mostly missing in training;
//     [DropMissingRows] (a function) drops rows.
//
// Outliers, with bounds learned on training data only, clipped or made
// missing: [Range] (a fixed rule), [IQR] (Tukey's fences), [ZScore],
// [Winsorize] (quantile clipping).
//
// Scaling, each with an inverse where scikit-learn has one:
// [StandardScale], [MinMaxScale], [MaxAbsScale], [RobustScale],
// [QuantileTransform] (uniform or normal output), [PowerTransform]
// (Yeo-Johnson or Box-Cox), [NormalizeRows] (L1, L2, max).
//
// Encoding categories: [OneHot] (one 0/1 column per category, named
// column=category), [Ordinal], [FrequencyEncode], [TargetEncode] (with
// cross-fitting against leakage), [Hash] (the hashing trick).
//
// Choosing columns: [ColumnTransform] applies steps to columns chosen
// [ByName], [ByKind] or [ByPattern], passing the rest through or dropping
// them, like scikit-learn's ColumnTransformer.
//
// Every step that scikit-learn also has gives its numbers, to 1e-9
// relative, on fixtures generated with scikit-learn 1.2.1
// (testdata/gen_fixtures.py), with two exceptions of precision:
// PowerTransform's λ comes out of the same optimiser but can stop elsewhere
// within its tolerance (about 1e-7), and on columns whose mean is huge
// against their spread the scalers' means here are exact where
// scikit-learn's carry the rounding of a plain sum. Where a step departs
// from scikit-learn on purpose (a column with no present value is an error,
// not dropped; a missing value is not a one-hot category; quantiles are
// never subsampled), its doc says so.
//
// # Statistics that merge
//
// Fitting goes through summaries that merge: [Moments] (count, mean, sum of
// squared deviations, min, max, merged with the update of Chan, Golub and
// LeVeque), [Counts] (frequencies) and [Sample] (exact quantiles on data in
// memory). A step summarises fixed-size chunks of rows on all cores (a
// bounded errgroup) and merges the summaries in chunk order, so its state
// does not depend on the number of cores.
//
// The same summaries fit data that is not in one frame. The specs that
// learn statistics ([Impute], the scalers, the outlier steps, [OneHot],
// [Ordinal], [FrequencyEncode], [MissingIndicator]) are [Incremental]: their
// Begin method returns a [Partial] that adds batches,
// merges with another Partial (another shard, another goroutine) and
// finishes into the fitted step; [FitStream] fits over a stream of
// batches. The result equals the one-frame fit, exactly for counts and
// categories and to rounding for moments.
//
// Exact quantiles (medians, quartiles, the quantile transform) need every
// value in memory, and that is the default. For data larger than memory,
// the quantile steps take a MaxValues bound: beyond it, values go into a
// [Sketch], a mergeable quantile summary whose rank error is stated.
//
// # Missing and bad values
//
// Missing is NaN in a float column and code -1 in a categorical one. Steps
// leave missing values out of their statistics; how each treats them in
// Transform is on its spec. Bad input is an error, never a panic: an
// unknown column (wrapping frame.ErrNoColumn, naming it), a column of the
// wrong kind (frame.ErrKind), a frame with no rows (frame.ErrEmpty), an
// infinite value ([ErrNotFinite]), a column with nothing to learn from
// ([ErrAllMissing]), and a cancelled context (its error).
package preprocess
