package features

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/preprocess"
)

// A DatePart is one calendar field [DateParts] extracts from a time column.
// It is saved by its name.
type DatePart string

// The date parts. Each becomes a float column named column_part
// (signup_year, signup_weekday, …). All are computed in UTC.
const (
	Year      DatePart = "year"      // the year, 2024
	Quarter   DatePart = "quarter"   // 1 to 4
	Month     DatePart = "month"     // 1 to 12
	Day       DatePart = "day"       // day of the month, 1 to 31
	Weekday   DatePart = "weekday"   // Monday 0 to Sunday 6, as pandas' dayofweek
	Hour      DatePart = "hour"      // 0 to 23
	Minute    DatePart = "minute"    // 0 to 59
	DayOfYear DatePart = "dayofyear" // 1 to 366
	Weekend   DatePart = "weekend"   // 1 on Saturday and Sunday, 0 otherwise
)

// DefaultDateParts are the parts [DateParts] extracts when none are named.
var DefaultDateParts = []DatePart{Year, Month, Day, Weekday, Hour, DayOfYear, Weekend}

var allDateParts = []DatePart{Year, Quarter, Month, Day, Weekday, Hour, Minute, DayOfYear, Weekend}

func (p DatePart) valid() bool { return slices.Contains(allDateParts, p) }

// of returns part p of t (which is in UTC).
func (p DatePart) of(t time.Time) float64 {
	switch p {
	case Year:
		return float64(t.Year())
	case Quarter:
		return float64((int(t.Month())-1)/3 + 1)
	case Month:
		return float64(t.Month())
	case Day:
		return float64(t.Day())
	case Weekday:
		return float64((int(t.Weekday()) + 6) % 7)
	case Hour:
		return float64(t.Hour())
	case Minute:
		return float64(t.Minute())
	case DayOfYear:
		return float64(t.YearDay())
	case Weekend:
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			return 1
		}
		return 0
	}
	return math.NaN()
}

// DatePartsSpec is the specification of a date-part extractor: it replaces
// a time column by float columns holding calendar fields of each instant,
// taken in UTC, named column_part (see [DatePart]). A missing time gives NaN
// in every part. The new columns stand where the time column stood; the
// time column itself is dropped unless KeepSource is set, because a model
// matrix cannot hold it.
//
// Build it with [DateParts]. It learns nothing: Fit checks the column and
// returns a [*DatePartExtractor]. It is a value, safe for concurrent use.
type DatePartsSpec struct {
	// Column is the time column to read.
	Column string
	// Parts to extract, in output order; empty means [DefaultDateParts].
	Parts []DatePart
	// KeepSource keeps the time column before the new ones (default: drop it).
	KeepSource bool
}

// DateParts returns the specification of a step that extracts parts (by
// default [DefaultDateParts]) of the time column col into float columns
// col_part, dropping col.
func DateParts(col string, parts ...DatePart) DatePartsSpec {
	return DatePartsSpec{Column: col, Parts: slices.Clone(parts)}
}

// WithKeepSource returns a copy of s that keeps the source column (true)
// or drops it (false, the default).
func (s DatePartsSpec) WithKeepSource(keep bool) DatePartsSpec {
	s.KeepSource = keep
	return s
}

// Fit checks that f has the time column and returns a [*DatePartExtractor].
// It returns an error wrapping [ErrParam] for an unknown or repeated part,
// frame.ErrEmpty for a frame with no rows, frame.ErrNoColumn or
// frame.ErrKind when the column is absent or not a time column, and
// frame.ErrDuplicate when an output name is already a column.
func (s DatePartsSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	parts := slices.Clone(s.Parts)
	if len(parts) == 0 {
		parts = slices.Clone(DefaultDateParts)
	}
	e := &DatePartExtractor{Column: s.Column, Parts: parts, KeepSource: s.KeepSource}
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, _, err := selectColumns("date parts", f, []string{s.Column}, frame.Time); err != nil {
		return nil, err
	}
	if _, err := e.FeatureNamesOut(f.Names()); err != nil {
		return nil, err
	}
	return e, nil
}

// DatePartExtractor is a fitted [DatePartsSpec]. Its fields are its saved
// state. It is immutable and safe for concurrent use.
type DatePartExtractor struct {
	Column     string     `json:"column"`
	Parts      []DatePart `json:"parts"`
	KeepSource bool       `json:"keep_source,omitempty"`
}

// Names returns the output column names, column_part for each part.
func (e *DatePartExtractor) Names() []string {
	out := make([]string, len(e.Parts))
	for i, p := range e.Parts {
		out[i] = e.Column + "_" + string(p)
	}
	return out
}

// Transform returns f with the date-part columns in place of the time
// column. It returns an error wrapping frame.ErrNoColumn or frame.ErrKind
// when f lacks the time column, and frame.ErrDuplicate when an output name
// is already taken.
func (e *DatePartExtractor) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "date parts"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := f.Col(e.Column)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	tc, ok := c.(*frame.TimeColumn)
	if !ok {
		return nil, fmt.Errorf("%s: column %q is %v, want time: %w", step, e.Column, c.Kind(), frame.ErrKind)
	}
	n := tc.Len()
	vals := make([][]float64, len(e.Parts))
	for k := range vals {
		vals[k] = make([]float64, n)
	}
	for i := range n {
		t, ok := tc.At(i)
		for k, p := range e.Parts {
			if !ok {
				vals[k][i] = math.NaN()
			} else {
				vals[k][i] = p.of(t)
			}
		}
	}
	names := e.Names()
	add := make([]frame.Series, len(names))
	for k, name := range names {
		add[k] = frame.Floats(name, vals[k])
	}
	return replace(step, f, []replacement{{source: e.Column, drop: !e.KeepSource, add: add}})
}

// FeatureNamesOut returns in with the time column replaced by (or, with
// KeepSource, followed by) the date-part names.
func (e *DatePartExtractor) FeatureNamesOut(in []string) ([]string, error) {
	return replaceNames("date parts", in, map[string][]string{e.Column: e.Names()}, map[string]bool{e.Column: !e.KeepSource})
}

// Validate reports whether the state is usable: a named column and known,
// distinct parts. It returns an error wrapping [ErrState] otherwise.
func (e *DatePartExtractor) Validate() error {
	if e.Column == "" {
		return fmt.Errorf("date parts: no column: %w", ErrState)
	}
	if len(e.Parts) == 0 {
		return fmt.Errorf("date parts: no parts: %w", ErrState)
	}
	for i, p := range e.Parts {
		if !p.valid() {
			return fmt.Errorf("date parts: unknown part %q (want one of %v): %w", p, allDateParts, ErrState)
		}
		if slices.Contains(e.Parts[:i], p) {
			return fmt.Errorf("date parts: part %q named twice: %w", p, ErrState)
		}
	}
	return nil
}

// CyclicalSpec is the specification of a cyclical encoder: a float column
// holding a periodic quantity (a month 1–12, a weekday 0–6, an hour 0–23)
// is replaced by two float columns, column_sin = sin(2π·x/Period) and
// column_cos = cos(2π·x/Period), so that the end of a cycle sits next to
// its start. NaN gives NaN in both. The source column is dropped unless
// KeepSource is set.
//
// Build it with [Cyclical]. It learns nothing; it is a value, safe for
// concurrent use.
type CyclicalSpec struct {
	// Column is the float column to encode.
	Column string
	// Period is the length of one cycle: 12 for months, 7 for weekdays,
	// 24 for hours. It must be positive and finite.
	Period float64
	// KeepSource keeps the source column before the new ones (default: drop it).
	KeepSource bool
}

// Cyclical returns the specification of a sin/cos encoding of the float
// column col with the given period.
func Cyclical(col string, period float64) CyclicalSpec {
	return CyclicalSpec{Column: col, Period: period}
}

// WithKeepSource returns a copy of s that keeps the source column (true)
// or drops it (false, the default).
func (s CyclicalSpec) WithKeepSource(keep bool) CyclicalSpec {
	s.KeepSource = keep
	return s
}

// Fit checks the column and returns a [*CyclicalEncoder]. It returns an
// error wrapping [ErrParam] for a period that is not positive and finite,
// frame.ErrEmpty, frame.ErrNoColumn or frame.ErrKind for a bad frame, and
// frame.ErrDuplicate when an output name is already a column.
func (s CyclicalSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	e := &CyclicalEncoder{Column: s.Column, Period: s.Period, KeepSource: s.KeepSource}
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, _, err := selectColumns("cyclical", f, []string{s.Column}, frame.Float); err != nil {
		return nil, err
	}
	if _, err := e.FeatureNamesOut(f.Names()); err != nil {
		return nil, err
	}
	return e, nil
}

// CyclicalEncoder is a fitted [CyclicalSpec]. Its fields are its saved
// state. It is immutable and safe for concurrent use.
type CyclicalEncoder struct {
	Column     string  `json:"column"`
	Period     float64 `json:"period"`
	KeepSource bool    `json:"keep_source,omitempty"`
}

func (e *CyclicalEncoder) names() []string { return []string{e.Column + "_sin", e.Column + "_cos"} }

// Transform returns f with column_sin and column_cos in place of the
// column. It returns an error wrapping frame.ErrNoColumn or frame.ErrKind
// when f lacks the float column.
func (e *CyclicalEncoder) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "cyclical"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := floatCol(step, f, e.Column)
	if err != nil {
		return nil, err
	}
	sin, cos := make([]float64, len(v)), make([]float64, len(v))
	w := 2 * math.Pi / e.Period
	for i, x := range v {
		sin[i], cos[i] = math.Sincos(w * x)
	}
	n := e.names()
	add := []frame.Series{frame.Floats(n[0], sin), frame.Floats(n[1], cos)}
	return replace(step, f, []replacement{{source: e.Column, drop: !e.KeepSource, add: add}})
}

// FeatureNamesOut returns in with the column replaced by (or, with
// KeepSource, followed by) column_sin and column_cos.
func (e *CyclicalEncoder) FeatureNamesOut(in []string) ([]string, error) {
	return replaceNames("cyclical", in, map[string][]string{e.Column: e.names()}, map[string]bool{e.Column: !e.KeepSource})
}

// Validate reports whether the state is usable: a named column and a
// positive, finite period. It returns an error wrapping [ErrState] otherwise.
func (e *CyclicalEncoder) Validate() error {
	if e.Column == "" {
		return fmt.Errorf("cyclical: no column: %w", ErrState)
	}
	if !(e.Period > 0) || math.IsInf(e.Period, 0) {
		return fmt.Errorf("cyclical %q: period %v is not positive and finite: %w", e.Column, e.Period, ErrState)
	}
	return nil
}

// ElapsedSpec is the specification of an elapsed-time step: a time column
// is replaced by a float column, column_days, holding the time since
// Reference in days (fractional: 36 hours is 1.5; negative before the
// reference). A missing time gives NaN. The time column is dropped unless
// KeepSource is set.
//
// When Reference is the zero time, Fit learns it: the earliest time in the
// training column, so the same reference is used in serving.
//
// Build it with [Elapsed]; it is a value, safe for concurrent use.
type ElapsedSpec struct {
	// Column is the time column to read.
	Column string
	// Reference is the instant elapsed time is measured from; the zero
	// time means the training minimum.
	Reference time.Time
	// KeepSource keeps the time column before the new one (default: drop it).
	KeepSource bool
}

// Elapsed returns the specification of a step that replaces the time
// column col by col_days, the days elapsed since ref (since the training
// minimum when ref is the zero time).
func Elapsed(col string, ref time.Time) ElapsedSpec {
	return ElapsedSpec{Column: col, Reference: ref}
}

// WithKeepSource returns a copy of s that keeps the source column (true)
// or drops it (false, the default).
func (s ElapsedSpec) WithKeepSource(keep bool) ElapsedSpec {
	s.KeepSource = keep
	return s
}

// Fit returns an [*ElapsedTime] with the reference set. It returns an error
// wrapping [ErrParam] for an empty column name, frame.ErrEmpty,
// frame.ErrNoColumn or frame.ErrKind for a bad frame, [ErrAllMissing] when
// the reference is to be learned from a column with no present value, and
// frame.ErrDuplicate when the output name is already a column.
func (s ElapsedSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	const step = "elapsed"
	if s.Column == "" {
		return nil, fmt.Errorf("%s: no column: %w", step, ErrParam)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	_, cols, err := selectColumns(step, f, []string{s.Column}, frame.Time)
	if err != nil {
		return nil, err
	}
	ref := s.Reference.UTC()
	if s.Reference.IsZero() {
		tc := cols[0].(*frame.TimeColumn)
		var lo int64 = math.MaxInt64
		found := false
		for i, ns := range tc.Nanos() {
			if !tc.IsNA(i) && ns <= lo {
				lo, found = ns, true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: column %q has %d rows, all missing: %w", step, s.Column, tc.Len(), ErrAllMissing)
		}
		ref = time.Unix(0, lo).UTC()
	}
	e := &ElapsedTime{Column: s.Column, Reference: ref, KeepSource: s.KeepSource}
	if _, err := e.FeatureNamesOut(f.Names()); err != nil {
		return nil, err
	}
	return e, nil
}

// ElapsedTime is a fitted [ElapsedSpec]. Its fields are its saved state.
// It is immutable and safe for concurrent use.
type ElapsedTime struct {
	Column     string    `json:"column"`
	Reference  time.Time `json:"reference"`
	KeepSource bool      `json:"keep_source,omitempty"`
}

func (e *ElapsedTime) name() string { return e.Column + "_days" }

// Transform returns f with column_days in place of the time column. It
// returns an error wrapping frame.ErrNoColumn or frame.ErrKind when f lacks
// the time column.
func (e *ElapsedTime) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "elapsed"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := f.Col(e.Column)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", step, err)
	}
	tc, ok := c.(*frame.TimeColumn)
	if !ok {
		return nil, fmt.Errorf("%s: column %q is %v, want time: %w", step, e.Column, c.Kind(), frame.ErrKind)
	}
	ref := e.Reference.UnixNano()
	const day = float64(24 * time.Hour)
	out := make([]float64, tc.Len())
	for i, ns := range tc.Nanos() {
		if tc.IsNA(i) {
			out[i] = math.NaN()
			continue
		}
		// Whole days and the remainder separately, so that instants
		// centuries apart keep nanosecond precision.
		d := ns - ref
		out[i] = float64(d/int64(24*time.Hour)) + float64(d%int64(24*time.Hour))/day
	}
	return replace(step, f, []replacement{{source: e.Column, drop: !e.KeepSource, add: []frame.Series{frame.Floats(e.name(), out)}}})
}

// FeatureNamesOut returns in with the time column replaced by (or, with
// KeepSource, followed by) column_days.
func (e *ElapsedTime) FeatureNamesOut(in []string) ([]string, error) {
	return replaceNames("elapsed", in, map[string][]string{e.Column: {e.name()}}, map[string]bool{e.Column: !e.KeepSource})
}

// Validate reports whether the state is usable: a named column. It returns
// an error wrapping [ErrState] otherwise.
func (e *ElapsedTime) Validate() error {
	if e.Column == "" {
		return fmt.Errorf("elapsed: no column: %w", ErrState)
	}
	return nil
}

func init() {
	preprocess.Register[*DatePartExtractor]("features.date_parts", 1)
	preprocess.Register[*CyclicalEncoder]("features.cyclical", 1)
	preprocess.Register[*ElapsedTime]("features.elapsed", 1)
}
