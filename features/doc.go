// Package features holds feature-engineering steps: what turns cleaned
// columns into a model's input.
//
// Every step follows the shape of package preprocess: a specification
// value (DateParts, Polynomial, KBins, Tfidf, SelectKBest, …) whose Fit
// learns from a frame and returns a fitted value implementing
// preprocess.Fitted. Fitted values are immutable, safe for concurrent use,
// registered with preprocess.Register and so saved and loaded with the rest
// of a pipeline as versioned JSON. Every fitted value also implements
// [FeatureNamer], so the names of the matrix columns are known without
// running data through.
//
// # Dates
//
// [DateParts] extracts
// calendar fields (year, month, weekday as pandas' dayofweek, …) as float
// columns; [Cyclical] encodes a periodic quantity as sin and cos;
// [Elapsed] measures days since a reference. Dates held as text are
// parsed into a time column first, by preprocess.ParseDates.
package features
