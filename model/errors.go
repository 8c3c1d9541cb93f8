package model

import "errors"

// Errors returned (wrapped, naming the model and the row, column or
// parameter involved) by the models of this package. Test for them with
// errors.Is.
var (
	// ErrLength: X and y have different numbers of rows, or sample
	// weights do not match the rows.
	ErrLength = errors.New("length mismatch")
	// ErrEmpty: X has no rows or no columns.
	ErrEmpty = errors.New("no data")
	// ErrNotFinite: X or y holds NaN or ±Inf (the error names the row and
	// column).
	ErrNotFinite = errors.New("value is NaN or infinite")
	// ErrSingleClass: a classifier was given targets with only one class.
	ErrSingleClass = errors.New("only one class in y")
	// ErrNegative: a model of counts (multinomial naive Bayes) was given a
	// negative value in X.
	ErrNegative = errors.New("negative value")
	// ErrFeatures: Predict was given a different number of columns than
	// the model was fitted on.
	ErrFeatures = errors.New("wrong number of features")
	// ErrParam: a model's parameters are invalid (C <= 0, a negative
	// alpha, an unknown strategy, …).
	ErrParam = errors.New("invalid model parameter")
	// ErrState: a fitted model's saved state is corrupt (read from a
	// damaged or hand-edited file): lengths disagree, a value is not
	// finite, classes are not sorted.
	ErrState = errors.New("corrupt fitted state")
)
