package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mlpipe/mlpipe/frame"
)

// EpochUnit is how [ParseDates] reads a bare number. It is saved by name.
type EpochUnit uint8

// The epoch units.
const (
	// EpochNone does not read bare numbers as dates: they are unparsed.
	EpochNone EpochUnit = iota
	// EpochSeconds reads a number as seconds since 1970-01-01 UTC.
	EpochSeconds
	// EpochMillis reads a number as milliseconds since 1970-01-01 UTC.
	EpochMillis
	// EpochAuto reads a number of magnitude 1e11 or more as milliseconds
	// (1973 onwards) and smaller ones as seconds (until 5138).
	EpochAuto
)

var epochNames = [...]string{"none", "seconds", "millis", "auto"}

// String returns "none", "seconds", "millis" or "auto".
func (u EpochUnit) String() string {
	if int(u) < len(epochNames) {
		return epochNames[u]
	}
	return fmt.Sprintf("EpochUnit(%d)", uint8(u))
}

// MarshalText returns the unit's name; it fails for an unknown unit.
func (u EpochUnit) MarshalText() ([]byte, error) {
	if int(u) >= len(epochNames) {
		return nil, fmt.Errorf("epoch unit %d: %w", uint8(u), ErrParam)
	}
	return []byte(epochNames[u]), nil
}

// UnmarshalText reads a unit name; it fails with an error wrapping
// [ErrParam] for an unknown one.
func (u *EpochUnit) UnmarshalText(b []byte) error {
	i := slices.Index(epochNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("epoch unit %q (want none, seconds, millis or auto): %w", b, ErrParam)
	}
	*u = EpochUnit(i)
	return nil
}

// Date layouts tried by [ParseDates], in order, after any of DateSpec.Layouts.
var (
	// isoLayouts: ISO 8601 / RFC 3339 with and without time, fraction and zone.
	isoLayouts = []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999Z0700",
		"2006-01-02 15:04:05.999999999 Z07:00",
		"2006-01-02 15:04:05.999999999 MST",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04",
		"2006-01-02 15:04",
		"2006-01-02",
		"2006/01/02 15:04:05",
		"2006/01/02 15:04",
		"2006/01/02",
	}
	// textLayouts: RFC 1123, RFC 850, ANSI C, Unix date, and month names.
	textLayouts = []string{
		time.RFC1123, time.RFC1123Z,
		"Mon, 2 Jan 2006 15:04:05 MST", "Mon, 2 Jan 2006 15:04:05 -0700",
		time.RFC850, time.ANSIC, time.UnixDate, time.RFC822, time.RFC822Z,
		"2 Jan 2006", "2 Jan 2006 15:04", "2 Jan 2006 15:04:05",
		"2 January 2006", "January 2, 2006", "Jan 2, 2006", "Jan 2 2006",
		"Monday, January 2, 2006", "2-Jan-2006", "02-Jan-06",
	}
	// usLayouts and euLayouts: numeric day and month, month first (US) or
	// day first (European); only one set is tried.
	usLayouts = []string{"1/2/2006", "1/2/2006 15:04", "1/2/2006 15:04:05", "1/2/2006 3:04 PM", "1/2/2006 3:04:05 PM", "1-2-2006"}
	euLayouts = []string{"2/1/2006", "2/1/2006 15:04", "2/1/2006 15:04:05", "2.1.2006", "2.1.2006 15:04", "2.1.2006 15:04:05", "2-1-2006"}
)

// DateSpec is the specification of a step reading dates and times written
// as text, in several layouts within one column: ISO 8601 with or without
// a time, a fraction and a zone ("2024-03-05", "2024-03-05T14:30:00+01:00",
// "2024-03-05 14:30"), RFC 1123 ("Tue, 05 Mar 2024 14:30:00 GMT"), RFC 850,
// ANSI C, month names ("5 March 2024", "Mar 5, 2024"), numeric dates with
// slashes, dots or dashes read month first ("03/05/2024", US) or, with
// DayFirst, day first ("05.03.2024", European), and with Epoch, Unix
// seconds or milliseconds. Every instant is converted to UTC; a value
// without a zone is read in Location (UTC by default).
//
// Columns are string or categorical and become time columns; a present
// value that cannot be read becomes missing and is counted. Build it with
// [ParseDates]; it is an immutable value, safe for concurrent use.
type DateSpec struct {
	// Columns to read; empty means every string and categorical column.
	Columns []string
	// DayFirst reads 03/05/2024 as 3 May (European); by default as
	// March 5 (US).
	DayFirst bool
	// Layouts (Go time layouts) are tried before the built-in ones.
	Layouts []string
	// Epoch says how bare numbers are read; by default they are not dates.
	Epoch EpochUnit
	// Location is the IANA zone name ("Europe/Oslo") of values written
	// without a zone; empty means UTC.
	Location string
}

// ParseDates returns the specification of a step reading the text of cols
// as dates.
func ParseDates(cols ...string) DateSpec { return DateSpec{Columns: slices.Clone(cols)} }

// Fit checks the columns of f, reads them, and returns a [*DateParser] whose
// Report counts what could not be read. It returns an error wrapping
// [ErrParam] for an unknown Location or Epoch, frame.ErrEmpty,
// frame.ErrNoColumn or frame.ErrKind, and ctx.Err() when ctx is cancelled.
func (s DateSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := &DateParser{DayFirst: s.DayFirst, Layouts: slices.Clone(s.Layouts), Epoch: s.Epoch, Location: s.Location}
	if err := p.check(ErrParam); err != nil {
		return nil, err
	}
	var err error
	if p.Columns, err = textColumns("parse dates", f, s.Columns, true); err != nil {
		return nil, err
	}
	if _, p.Report, err = p.Parse(ctx, f); err != nil {
		return nil, err
	}
	return p, nil
}

// DateParser is a fitted [DateSpec]; Report holds, per column, the counts of
// the training frame. It is immutable and safe for concurrent use.
type DateParser struct {
	Columns  []string      `json:"columns"`
	DayFirst bool          `json:"day_first"`
	Layouts  []string      `json:"layouts,omitempty"`
	Epoch    EpochUnit     `json:"epoch"`
	Location string        `json:"location,omitempty"`
	Report   []ParseReport `json:"report"`
}

func (p *DateParser) check(sentinel error) error {
	if int(p.Epoch) >= len(epochNames) {
		return fmt.Errorf("parse dates: epoch unit %d: %w", p.Epoch, sentinel)
	}
	if _, err := time.LoadLocation(p.Location); err != nil {
		return fmt.Errorf("parse dates: location %q: %w: %w", p.Location, err, sentinel)
	}
	return nil
}

// Transform returns f with each column read as UTC instants. It returns an
// error wrapping frame.ErrNoColumn or frame.ErrKind, and ctx.Err() when ctx
// is cancelled.
func (p *DateParser) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	out, _, err := p.Parse(ctx, f)
	return out, err
}

// Parse is Transform that also reports, per column, how many values were
// read, not read, and missing already, with examples of those not read.
func (p *DateParser) Parse(ctx context.Context, f *frame.Frame) (*frame.Frame, []ParseReport, error) {
	parse, err := p.parseFunc()
	if err != nil {
		return nil, nil, err
	}
	tp := textParser[int64]{
		step:  "parse dates",
		parse: parse,
		build: func(vals []int64, present []bool) frame.Column { return frame.NewTimeNanos(vals, present) },
	}
	return tp.run(ctx, f, p.Columns, true)
}

func (p *DateParser) parseFunc() (func(string) (int64, bool), error) {
	loc, err := time.LoadLocation(p.Location)
	if err != nil {
		return nil, fmt.Errorf("parse dates: location %q: %w", p.Location, err)
	}
	layouts := slices.Concat(p.Layouts, isoLayouts, textLayouts)
	if p.DayFirst {
		layouts = append(layouts, euLayouts...)
	} else {
		layouts = append(layouts, usLayouts...)
	}
	epoch := p.Epoch
	return func(s string) (int64, bool) {
		s = strings.TrimSpace(s)
		if s == "" {
			return 0, false
		}
		if epoch != EpochNone && (s[0] >= '0' && s[0] <= '9' || s[0] == '-') {
			if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
				millis := epoch == EpochMillis || (epoch == EpochAuto && math.Abs(v) >= 1e11)
				ns := v * 1e9
				if millis {
					ns = v * 1e6
				}
				if math.Abs(ns) >= 9.2e18 {
					return 0, false
				}
				return int64(math.Round(ns)), true
			}
		}
		for _, l := range layouts {
			if t, err := time.ParseInLocation(l, s, loc); err == nil {
				return t.UnixNano(), true
			}
		}
		return 0, false
	}, nil
}

// Validate reports whether the state is usable: named unique columns with a
// report each, a known epoch unit and a loadable location. It returns an
// error wrapping [ErrState] otherwise.
func (p *DateParser) Validate() error {
	if len(p.Columns) == 0 || len(p.Report) != len(p.Columns) {
		return fmt.Errorf("date parser: %d columns, %d reports: %w", len(p.Columns), len(p.Report), ErrState)
	}
	if err := p.check(ErrState); err != nil {
		return err
	}
	return checkNames("date parser", p.Columns)
}

func init() {
	Register[*DateParser]("preprocess.parse_dates", 1)
}
