// Package features holds feature-engineering steps: what turns cleaned
// columns into a model's input.
//
// Every step follows the shape of package preprocess: a specification
// value ([DateParts], [Polynomial], [KBins], [Tfidf], [SelectKBest], …) whose
// Fit learns from a frame and returns a fitted value implementing
// preprocess.Fitted. Fitted values are immutable, safe for concurrent use,
// registered with preprocess.Register and so saved and loaded with the rest
// of a pipeline as versioned JSON. Every fitted value also implements
// [FeatureNamer], so the names of the matrix columns are known without
// running data through ([FeatureNamesOut] chains them).
//
// Where scikit-learn has the same step, the numbers are scikit-learn's
// (1.2.1): testdata/gen_fixtures.py writes the fixtures the tests compare
// against, to 1e-9 relative or exactly.
//
// # Dates
//
// [DateParts] extracts calendar fields (year, month, weekday as pandas'
// dayofweek, …) as float columns; [Cyclical] encodes a periodic quantity as
// sin and cos; [Elapsed] measures days since a reference. Dates held as
// text are parsed into a time column first, by preprocess.ParseDates.
//
// # Numbers
//
// [Polynomial] adds products of columns in scikit-learn's order and with
// its names ("a^2", "a b"); [KBins] cuts columns into uniform, quantile or
// k-means bins, as bin numbers or one-hot columns.
//
// # Text
//
// [Tokenizer] splits text as scikit-learn's default analyzer (its token
// pattern, lowercasing, stop words, word n-grams). [CountVectorize],
// [Tfidf] and [Hashing] turn a string or categorical column into term
// counts, TF-IDF weights (smooth idf, sublinear tf, L1/L2 norms) or hashed
// term values. Their natural output is a sparse matrix, [CSR] (a
// vocabulary of 100,000 words must not become a dense matrix): each fitted
// vectoriser has a Sparse method. Transform, which must return a frame,
// makes one dense float column per term, and refuses with [ErrTooWide]
// beyond MaxDense columns (1,000 by default). FitSparse fits and returns
// the training matrix in one pass, as scikit-learn's fit_transform;
// [Assemble] puts float columns and vectoriser outputs side by side in one
// sparse model input with its column names. Fitting and transforming
// tokenise chunks of documents on all cores; a categorical column is
// tokenised once per distinct text. [TextStats] accumulates the vocabulary
// statistics batch by batch and merges shards, so a text column larger
// than memory can be fitted as a stream, to the same vectoriser.
//
// # Selection
//
// [VarianceThreshold] drops near-constant columns; [SelectKBest] keeps the
// columns scoring best against a class column by ANOVA F, chi² or mutual
// information; [DropCorrelated] drops one column of each highly correlated
// pair. Selection steps drop columns and let the rest through.
// VarianceThreshold can also be fitted from merged preprocess.Moments.
//
// # Custom logic
//
// [Func] puts a user's function in a pipeline as a named step; the name is
// what is saved, and [RegisterFunc] makes it known to a program that loads
// the pipeline.
package features
