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
//   - [Impute]: fill missing values by the [Mean], [Median], [MostFrequent]
//     value or a [Constant] (scikit-learn's SimpleImputer).
//   - [StandardScale]: (x − mean) / std with the population standard
//     deviation (StandardScaler), with an inverse.
//   - [OneHot]: one 0/1 float column per category, named column=category
//     (OneHotEncoder), unseen categories ignored or rejected, optional drop.
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
// The same summaries fit data that is not in one frame. Every spec is
// [Incremental]: its Begin method returns a [Partial] that adds batches,
// merges with another Partial (another shard, another goroutine) and
// finishes into the fitted step; [FitStream] fits over a stream of
// batches. The result equals the one-frame fit, exactly for counts and
// categories and to rounding for moments.
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
