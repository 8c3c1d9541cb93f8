package preprocess

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/mlpipe/mlpipe/frame"
)

// DefaultMissingSpellings are the texts [NormalizeMissing] reads as a
// missing value, compared after trimming spaces and ignoring case. A text
// made only of question marks ("?", "????") is missing too. Some are real
// values in some columns ("NA" is Namibia's country code, "None" a valid
// answer): give such columns their own spellings with
// [MissingSpec.WithSpellings].
var DefaultMissingSpellings = []string{"", "na", "n/a", "nan", "null", "none", "nil", "-", "--", "#n/a", "missing"}

// MissingSpec is the specification of a step that turns the spellings of a
// missing value ("NA", "?", "null", …) in string and categorical columns
// into real missing values. Build it with [NormalizeMissing]; it is an
// immutable value, safe for concurrent use.
type MissingSpec struct {
	// Columns to clean; empty means every string and categorical column.
	Columns []string
	// Spellings read as missing; nil means [DefaultMissingSpellings].
	// Values are compared after trimming spaces; a value made only of
	// question marks is always missing.
	Spellings []string
	// CaseSensitive compares spellings exactly; by default case is ignored.
	CaseSensitive bool
}

// NormalizeMissing returns the specification of a step turning missing-value
// spellings in cols (every string and categorical column when none are
// named) into missing values.
func NormalizeMissing(cols ...string) MissingSpec { return MissingSpec{Columns: slices.Clone(cols)} }

// WithSpellings returns a copy of s reading the given spellings as missing
// (replacing the defaults).
func (s MissingSpec) WithSpellings(spellings ...string) MissingSpec {
	s.Spellings = slices.Clone(spellings)
	return s
}

// Fit checks the columns of f and counts the spellings found in each; it
// returns a [*MissingNormalizer]. It returns an error wrapping
// frame.ErrEmpty, frame.ErrNoColumn or frame.ErrKind (a column neither
// string nor categorical), and ctx.Err() when ctx is cancelled.
func (s MissingSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	names, err := textColumns("normalize missing", f, s.Columns, true)
	if err != nil {
		return nil, err
	}
	m := &MissingNormalizer{Columns: names, Spellings: s.Spellings, CaseSensitive: s.CaseSensitive}
	if m.Spellings == nil {
		m.Spellings = slices.Clone(DefaultMissingSpellings)
	}
	if _, found, err := m.apply(ctx, f); err != nil {
		return nil, err
	} else {
		m.Found = found
	}
	return m, nil
}

// MissingNormalizer is a fitted [MissingSpec]. Found counts, per column,
// the values of the training frame turned missing. It is immutable and safe
// for concurrent use.
type MissingNormalizer struct {
	Columns       []string `json:"columns"`
	Spellings     []string `json:"spellings"`
	CaseSensitive bool     `json:"case_sensitive"`
	Found         []int64  `json:"found"`
}

func (m *MissingNormalizer) isMissing() func(string) (string, bool) {
	set := make(map[string]bool, len(m.Spellings))
	for _, s := range m.Spellings {
		s = strings.TrimSpace(s)
		if !m.CaseSensitive {
			s = strings.ToLower(s)
		}
		set[s] = true
	}
	// The function returns the value and true when it is kept.
	return func(v string) (string, bool) {
		t := strings.TrimSpace(v)
		if t != "" && strings.Trim(t, "?") == "" {
			return v, false
		}
		if !m.CaseSensitive {
			t = strings.ToLower(t)
		}
		return v, !set[t]
	}
}

// Transform returns f with the missing-value spellings of each column made
// missing; kinds are kept (a categorical column keeps its dictionary). It
// returns an error wrapping frame.ErrNoColumn or frame.ErrKind, and
// ctx.Err() when ctx is cancelled.
func (m *MissingNormalizer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	out, _, err := m.apply(ctx, f)
	return out, err
}

// Count returns, per column, how many values of f Transform would make
// missing. Its errors are those of Transform.
func (m *MissingNormalizer) Count(ctx context.Context, f *frame.Frame) ([]int64, error) {
	_, found, err := m.apply(ctx, f)
	return found, err
}

func (m *MissingNormalizer) apply(ctx context.Context, f *frame.Frame) (*frame.Frame, []int64, error) {
	keep := m.isMissing()
	found := make([]int64, len(m.Columns))
	out, err := applyColumns(ctx, f, m.Columns, func(_ context.Context, i int) (frame.Column, error) {
		c, err := f.Col(m.Columns[i])
		if err != nil {
			return nil, fmt.Errorf("normalize missing: %w", err)
		}
		switch c := c.(type) {
		case *frame.CategoricalColumn:
			drop := make([]bool, len(c.Dict()))
			some := false
			for k, s := range c.Dict() {
				_, ok := keep(s)
				drop[k] = !ok
				some = some || drop[k]
			}
			if !some {
				return c, nil
			}
			codes := make([]int32, c.Len())
			for r, code := range c.Codes() {
				if code >= 0 && drop[code] {
					code = -1
					found[i]++
				}
				codes[r] = code
			}
			return frame.NewCategoricalCodes(codes, c.Dict())
		case *frame.StringColumn:
			vals, present, bad := mapText(c, keep)
			found[i] = bad
			if bad == 0 {
				return c, nil
			}
			return frame.NewString(vals, present), nil
		}
		return nil, fmt.Errorf("normalize missing: column %q is %v, need string or categorical: %w", m.Columns[i], c.Kind(), frame.ErrKind)
	})
	return out, found, err
}

// Validate reports whether the state is usable: named unique columns and a
// count per column. It returns an error wrapping [ErrState] otherwise.
func (m *MissingNormalizer) Validate() error {
	if len(m.Columns) == 0 || len(m.Found) != len(m.Columns) {
		return fmt.Errorf("missing normalizer: %d columns, %d counts: %w", len(m.Columns), len(m.Found), ErrState)
	}
	return checkNames("missing normalizer", m.Columns)
}

// NumberSpec is the specification of a step reading numbers written as
// text, as they come in files made by people: "1,234.50", "$ 1 200",
// "€1.234,50" (with DecimalComma), "12.5%" (read as 0.125), "(300)" (an
// accounting negative, -300), "−4" (a Unicode minus), "1'000". Currency
// signs (any Unicode currency symbol) and three-letter currency codes
// ("USD 12", "12 EUR") before or after the number are dropped. Thousands
// separators must group three digits: "1,23" is not read. A present value
// that cannot be read becomes missing (NaN) and is counted; "inf" and "nan"
// are not numbers here (make them missing with [NormalizeMissing]).
//
// Columns are string or categorical and become float columns. Build it with
// [ParseNumbers]; it is an immutable value, safe for concurrent use.
type NumberSpec struct {
	// Columns to read; empty means every string and categorical column.
	Columns []string
	// DecimalComma reads "1.234,5" as 1234.5 (European); by default the
	// decimal separator is a point and commas separate thousands.
	DecimalComma bool
}

// ParseNumbers returns the specification of a step reading the text of cols
// as numbers.
func ParseNumbers(cols ...string) NumberSpec { return NumberSpec{Columns: slices.Clone(cols)} }

// Fit checks the columns of f, reads them, and returns a [*NumberParser]
// whose Report counts what could not be read. It returns an error wrapping
// frame.ErrEmpty, frame.ErrNoColumn or frame.ErrKind, and ctx.Err() when
// ctx is cancelled.
func (s NumberSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	names, err := textColumns("parse numbers", f, s.Columns, true)
	if err != nil {
		return nil, err
	}
	p := &NumberParser{Columns: names, DecimalComma: s.DecimalComma}
	if _, p.Report, err = p.Parse(ctx, f); err != nil {
		return nil, err
	}
	return p, nil
}

// NumberParser is a fitted [NumberSpec]; Report holds, per column, the
// counts of the training frame. It is immutable and safe for concurrent use.
type NumberParser struct {
	Columns      []string      `json:"columns"`
	DecimalComma bool          `json:"decimal_comma"`
	Report       []ParseReport `json:"report"`
}

// Transform returns f with each column read as numbers (see [NumberSpec]).
// It returns an error wrapping frame.ErrNoColumn or frame.ErrKind, and
// ctx.Err() when ctx is cancelled.
func (p *NumberParser) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	out, _, err := p.parser().run(ctx, f, p.Columns, false)
	return out, err
}

// Parse is Transform that also reports, per column, how many values were
// read, not read, and missing already, with examples of those not read.
func (p *NumberParser) Parse(ctx context.Context, f *frame.Frame) (*frame.Frame, []ParseReport, error) {
	return p.parser().run(ctx, f, p.Columns, true)
}

func (p *NumberParser) parser() textParser[float64] {
	comma := p.DecimalComma
	return textParser[float64]{
		step:  "parse numbers",
		parse: func(s string) (float64, bool) { return parseNumber(s, comma) },
		build: func(vals []float64, present []bool) frame.Column {
			for i, ok := range present {
				if !ok {
					vals[i] = math.NaN()
				}
			}
			return frame.NewFloat(vals)
		},
	}
}

// Validate reports whether the state is usable: named unique columns with a
// report each. It returns an error wrapping [ErrState] otherwise.
func (p *NumberParser) Validate() error {
	if len(p.Columns) == 0 || len(p.Report) != len(p.Columns) {
		return fmt.Errorf("number parser: %d columns, %d reports: %w", len(p.Columns), len(p.Report), ErrState)
	}
	return checkNames("number parser", p.Columns)
}

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || r == '\u2009'
}

// parseNumber reads one number written by a person (see NumberSpec).
func parseNumber(s string, decimalComma bool) (float64, bool) {
	s = strings.TrimFunc(s, isSpace)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimFunc(s[1:len(s)-1], isSpace)
	}
	// Strip currency signs and codes and the sign, in any order, from both
	// ends: "-$12", "$-12", "USD -12", "12 €", "12.5 %".
	percent := false
	for changed := true; changed && s != ""; {
		changed = false
		r, w := firstRune(s)
		switch {
		case unicode.Is(unicode.Sc, r):
			s, changed = s[w:], true
		case r == '-' || r == '\u2212':
			if neg {
				return 0, false
			}
			neg, s, changed = true, s[w:], true
		case r == '+':
			s, changed = s[w:], true
		case len(s) > 3 && isCode(s[:3]) && !isLetter(s[3]):
			s, changed = s[3:], true
		}
		r, w = lastRune(s)
		switch {
		case unicode.Is(unicode.Sc, r):
			s, changed = s[:len(s)-w], true
		case r == '%' && !percent:
			percent, s, changed = true, s[:len(s)-w], true
		case len(s) > 3 && isCode(s[len(s)-3:]) && !isLetter(s[len(s)-4]):
			s, changed = s[:len(s)-3], true
		}
		s = strings.TrimFunc(s, isSpace)
	}
	if s == "" {
		return 0, false
	}
	group, dec := byte(','), byte('.')
	if decimalComma {
		group, dec = '.', ','
	}
	// Split the integer part from the fraction and exponent, check the
	// thousands grouping, and rebuild a plain number for strconv.
	var b strings.Builder
	intPart, rest := s, ""
	if i := strings.IndexAny(s, string(dec)+"eE"); i >= 0 {
		intPart, rest = s[:i], s[i:]
	}
	groups := strings.FieldsFunc(intPart, func(r rune) bool { return r == rune(group) || r == '\'' || isSpace(r) })
	if len(groups) == 0 && rest == "" {
		return 0, false
	}
	sepCount := 0
	for _, r := range intPart {
		if r == rune(group) || r == '\'' || isSpace(r) {
			sepCount++
		}
	}
	if sepCount > 0 && sepCount != len(groups)-1 {
		return 0, false // doubled or leading/trailing separators
	}
	for k, g := range groups {
		if !allDigits(g) || (k > 0 && len(g) != 3) || (k == 0 && len(groups) > 1 && len(g) > 3) {
			return 0, false
		}
		b.WriteString(g)
	}
	if rest != "" {
		if rest[0] == dec {
			rest = "." + rest[1:]
		}
		if strings.ContainsAny(rest, ",' ") || strings.Count(rest, ".") > 1 {
			return 0, false
		}
		frac, exp := rest, ""
		if i := strings.IndexAny(rest, "eE"); i >= 0 {
			frac, exp = rest[:i], rest[i+1:]
			if strings.HasPrefix(exp, "+") || strings.HasPrefix(exp, "-") {
				exp = exp[1:]
			}
			if exp == "" || !allDigits(exp) {
				return 0, false
			}
		}
		if frac != "" && (frac[0] != '.' || !allDigits(frac[1:])) {
			return 0, false
		}
		if b.Len() == 0 && len(frac) <= 1 {
			return 0, false
		}
		b.WriteString(rest)
	}
	v, err := strconv.ParseFloat(b.String(), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false
	}
	if neg {
		v = -v
	}
	if percent {
		v /= 100
	}
	return v, true
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}

func lastRune(s string) (rune, int) {
	if s == "" {
		return 0, 0
	}
	rs := []rune(s)
	r := rs[len(rs)-1]
	return r, len(string(r))
}

func isCode(s string) bool {
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func isLetter(b byte) bool { return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' }

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// DefaultTrue and DefaultFalse are the spellings [ParseBools] reads,
// compared after trimming spaces and ignoring case.
var (
	DefaultTrue  = []string{"true", "t", "yes", "y", "1", "on"}
	DefaultFalse = []string{"false", "f", "no", "n", "0", "off"}
)

// BoolSpec is the specification of a step reading booleans written as
// text (yes/no, y/n, true/false, t/f, 1/0, on/off by default, any case,
// spaces trimmed). Columns are string or categorical and become bool
// columns; a present value that is no spelling becomes missing and is
// counted. Build it with [ParseBools]; it is an immutable value, safe for
// concurrent use.
type BoolSpec struct {
	// Columns to read; empty means every string and categorical column.
	Columns []string
	// True and False are the spellings; nil means [DefaultTrue] and
	// [DefaultFalse].
	True, False []string
}

// ParseBools returns the specification of a step reading the text of cols
// as booleans.
func ParseBools(cols ...string) BoolSpec { return BoolSpec{Columns: slices.Clone(cols)} }

// Fit checks the columns of f, reads them, and returns a [*BoolParser] whose
// Report counts what could not be read. It returns an error wrapping
// [ErrParam] for a spelling both true and false, frame.ErrEmpty,
// frame.ErrNoColumn or frame.ErrKind, and ctx.Err() when ctx is cancelled.
func (s BoolSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := &BoolParser{True: s.True, False: s.False}
	if p.True == nil {
		p.True = slices.Clone(DefaultTrue)
	}
	if p.False == nil {
		p.False = slices.Clone(DefaultFalse)
	}
	if err := p.checkSpellings(ErrParam); err != nil {
		return nil, err
	}
	var err error
	if p.Columns, err = textColumns("parse bools", f, s.Columns, true); err != nil {
		return nil, err
	}
	if _, p.Report, err = p.Parse(ctx, f); err != nil {
		return nil, err
	}
	return p, nil
}

// BoolParser is a fitted [BoolSpec]; Report holds, per column, the counts
// of the training frame. It is immutable and safe for concurrent use.
type BoolParser struct {
	Columns []string      `json:"columns"`
	True    []string      `json:"true"`
	False   []string      `json:"false"`
	Report  []ParseReport `json:"report"`
}

func (p *BoolParser) checkSpellings(sentinel error) error {
	for _, t := range p.True {
		for _, f := range p.False {
			if strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(f)) {
				return fmt.Errorf("parse bools: %q is both a true and a false spelling: %w", t, sentinel)
			}
		}
	}
	return nil
}

// Transform returns f with each column read as booleans. It returns an error
// wrapping frame.ErrNoColumn or frame.ErrKind, and ctx.Err() when ctx is
// cancelled.
func (p *BoolParser) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	out, _, err := p.parser().run(ctx, f, p.Columns, false)
	return out, err
}

// Parse is Transform that also reports, per column, how many values were
// read, not read, and missing already, with examples of those not read.
func (p *BoolParser) Parse(ctx context.Context, f *frame.Frame) (*frame.Frame, []ParseReport, error) {
	return p.parser().run(ctx, f, p.Columns, true)
}

func (p *BoolParser) parser() textParser[bool] {
	set := make(map[string]bool, len(p.True)+len(p.False))
	for _, s := range p.True {
		set[strings.ToLower(strings.TrimSpace(s))] = true
	}
	for _, s := range p.False {
		set[strings.ToLower(strings.TrimSpace(s))] = false
	}
	return textParser[bool]{
		step: "parse bools",
		parse: func(s string) (bool, bool) {
			v, ok := set[strings.ToLower(strings.TrimSpace(s))]
			return v, ok
		},
		build: func(vals []bool, present []bool) frame.Column { return frame.NewBool(vals, present) },
	}
}

// Validate reports whether the state is usable: named unique columns with a
// report each, and no spelling both true and false. It returns an error
// wrapping [ErrState] otherwise.
func (p *BoolParser) Validate() error {
	if len(p.Columns) == 0 || len(p.Report) != len(p.Columns) {
		return fmt.Errorf("bool parser: %d columns, %d reports: %w", len(p.Columns), len(p.Report), ErrState)
	}
	if err := p.checkSpellings(ErrState); err != nil {
		return err
	}
	return checkNames("bool parser", p.Columns)
}

func init() {
	Register[*MissingNormalizer]("preprocess.normalize_missing", 1)
	Register[*NumberParser]("preprocess.parse_numbers", 1)
	Register[*BoolParser]("preprocess.parse_bools", 1)
}
