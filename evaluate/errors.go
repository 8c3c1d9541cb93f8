package evaluate

import "errors"

// Errors returned (wrapped, with the names and sizes involved) by this
// package. Test for them with errors.Is.
var (
	// ErrLength: two inputs that must be the same length are not.
	ErrLength = errors.New("lengths differ")
	// ErrEmpty: an input has no elements.
	ErrEmpty = errors.New("empty input")
	// ErrUndefined: the metric is undefined for this data, such as ROC AUC
	// when y_true holds a single class, or R² with fewer than two samples.
	ErrUndefined = errors.New("metric undefined for this data")
	// ErrLabel: a label is not valid for the metric, such as a third class
	// given to a binary metric, or NaN.
	ErrLabel = errors.New("invalid label")
	// ErrValue: a value is NaN or infinite where a finite number is needed.
	ErrValue = errors.New("non-finite value")
	// ErrSplit: a splitter's parameters do not fit the data (K < 2, more
	// folds than samples, a test fraction outside (0, 1)).
	ErrSplit = errors.New("invalid split")
	// ErrTooFewMembers: a class has fewer members than the number of folds
	// (or than two, for a stratified train/test split), so some fold would
	// lack that class.
	ErrTooFewMembers = errors.New("class has too few members")
	// ErrNoProba: a scorer needs class probabilities but the predictor is
	// not a [ProbaPredictor].
	ErrNoProba = errors.New("predictor gives no probabilities")
	// ErrScorer: an unknown scorer name, or a scorer without a function.
	ErrScorer = errors.New("unknown scorer")
)
