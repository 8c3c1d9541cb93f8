// Package frame holds the columnar table every mlpipe stage passes around.
//
// A [Frame] is a set of named columns of equal length. It is columnar
// because every machine-learning operation here works column by column: a
// scaler reads one column, an encoder one column, a model the assembled
// matrix.
//
// # Columns
//
// Five kinds of column exist, each with its own concrete type behind the
// sealed [Column] interface:
//
//   - [Float]: []float64, NaN is missing (the scikit-learn convention);
//   - [Categorical]: dictionary-encoded strings, []int32 codes into a
//     []string dictionary, -1 missing — strings read from files are mostly
//     categories, and codes make encoders cheap;
//   - [String]: free text with a validity mask;
//   - [Time]: instants as UTC nanoseconds with a validity mask;
//   - [Bool]: booleans with a validity mask.
//
// # Values, not objects
//
// Frames and columns are immutable. Every operation (Select, Drop, Rename,
// With, Take, Slice, Filter, Concat) returns a new Frame that shares the
// columns it did not touch, so frames are cheap to derive and safe to share
// between goroutines. Row subsets made with [Frame.Take] are how splits and
// cross-validation folds are built; [Frame.Matrix] assembles model input.
//
// Operations return errors wrapping the sentinel errors of this package
// ([ErrNoColumn], [ErrKind], [ErrLength], …) with the names involved; none
// panics on bad input, except the column constructors given a validity mask
// of the wrong length, which is a programming error.
package frame
