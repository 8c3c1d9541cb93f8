package frame

import "errors"

// Errors returned (wrapped, with the names involved) by frame operations.
// Test for them with errors.Is.
var (
	ErrNoColumn  = errors.New("no such column")
	ErrDuplicate = errors.New("duplicate column name")
	ErrLength    = errors.New("column length differs from the frame's")
	ErrKind      = errors.New("wrong column kind")
	ErrEmpty     = errors.New("empty frame")
	ErrIndex     = errors.New("row index out of range")
	ErrMissing   = errors.New("missing value")
	ErrCode      = errors.New("invalid categorical code")
)
