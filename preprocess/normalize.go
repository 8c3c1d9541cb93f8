package preprocess

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/mlpipe/mlpipe/frame"
)

// TextSpec is the specification of a step that normalises the text of
// category labels, so that " us", "US" and "U S"… end up one category:
// Unicode NFKC normalisation (full-width letters, ligatures and compatibility
// forms folded to their plain form), trimming, collapsing runs of white
// space to one space, case folding (Unicode full case folding, which also
// folds "ß" to "ss"), and then a table of synonyms.
//
// Columns are categorical (the dictionary is rewritten and merged, so the
// work is per distinct label, not per row) or string. Missing values stay
// missing; a value that normalises to the empty string becomes missing.
// Build it with [NormalizeText], which turns every normalisation on; it is
// an immutable value, safe for concurrent use.
type TextSpec struct {
	// Columns to normalise; empty means every string and categorical column.
	Columns []string
	// NFKC applies Unicode compatibility normalisation.
	NFKC bool
	// Trim removes leading and trailing white space.
	Trim bool
	// CollapseSpaces replaces each run of white space by one space.
	CollapseSpaces bool
	// Fold applies Unicode case folding (lower case for most scripts).
	Fold bool
	// Synonyms maps a normalised value to its canonical form ("usa" →
	// "us"). Keys are normalised like the values before lookup, so "USA "
	// and "usa" are the same key.
	Synonyms map[string]string
}

// NormalizeText returns the specification of a step normalising the text of
// cols with NFKC, trimming, collapsing spaces and case folding.
func NormalizeText(cols ...string) TextSpec {
	return TextSpec{Columns: slices.Clone(cols), NFKC: true, Trim: true, CollapseSpaces: true, Fold: true}
}

// WithSynonyms returns a copy of s that maps, after normalising, each key of
// syn to its value.
func (s TextSpec) WithSynonyms(syn map[string]string) TextSpec {
	s.Synonyms = make(map[string]string, len(syn))
	for k, v := range syn {
		s.Synonyms[k] = v
	}
	return s
}

// Fit checks the columns of f and returns a [*TextNormalizer], whose Merged
// counts per column the distinct labels of f that normalisation merged into
// another. It returns an error wrapping [ErrParam] for a synonym whose key
// normalises to nothing, frame.ErrEmpty, frame.ErrNoColumn or frame.ErrKind,
// and ctx.Err() when ctx is cancelled.
func (s TextSpec) Fit(ctx context.Context, f *frame.Frame) (Fitted, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	n := &TextNormalizer{NFKC: s.NFKC, Trim: s.Trim, CollapseSpaces: s.CollapseSpaces, Fold: s.Fold}
	if len(s.Synonyms) > 0 {
		n.Synonyms = make(map[string]string, len(s.Synonyms))
		base := n.normalizer()
		for k, v := range s.Synonyms {
			nk := base(k)
			if nk == "" {
				return nil, fmt.Errorf("normalize text: synonym key %q is empty once normalised: %w", k, ErrParam)
			}
			n.Synonyms[nk] = v
		}
	}
	var err error
	if n.Columns, err = textColumns("normalize text", f, s.Columns, true); err != nil {
		return nil, err
	}
	if _, n.Merged, err = n.apply(ctx, f); err != nil {
		return nil, err
	}
	return n, nil
}

// TextNormalizer is a fitted [TextSpec]. It is immutable and safe for
// concurrent use.
type TextNormalizer struct {
	Columns        []string          `json:"columns"`
	NFKC           bool              `json:"nfkc"`
	Trim           bool              `json:"trim"`
	CollapseSpaces bool              `json:"collapse_spaces"`
	Fold           bool              `json:"fold"`
	Synonyms       map[string]string `json:"synonyms,omitempty"`
	// Merged counts, per column, the distinct labels of the training frame
	// that became the same as another (" US" and "us": one merged).
	Merged []int64 `json:"merged"`
}

// normalizer returns the function applying the normalisations, without
// synonyms. The returned function is not safe for concurrent use (a
// case folder holds state); make one per goroutine.
func (n *TextNormalizer) normalizer() func(string) string {
	folder := cases.Fold()
	return func(s string) string {
		if (n.NFKC || n.Fold) && !utf8.ValidString(s) {
			// Invalid bytes first become U+FFFD, as folding would make
			// them anyway: NFKC passes them through and may then leave
			// the text after them unnormalised, so that a second
			// normalisation would change it again.
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		if n.NFKC {
			s = norm.NFKC.String(s)
		}
		if n.CollapseSpaces {
			s = strings.Join(strings.Fields(s), " ")
		} else if n.Trim {
			s = strings.TrimSpace(s)
		}
		if n.Fold {
			s = cherokeeFold(folder.String(s))
		}
		return s
	}
}

// cherokeeFold maps Cherokee small letters to their capitals, which is
// what Unicode case folding does for Cherokee (the one script that folds to
// upper case). golang.org/x/text/cases.Fold folds them the other way round
// and so swaps the two forms: without this, "Ꮬ" and "ꮬ" would not fold to
// one label, and folding twice would undo the first fold.
func cherokeeFold(s string) string {
	// Small letters are U+AB70–U+ABBF (UTF-8 lead byte 0xEA) and
	// U+13F8–U+13FD (0xE1).
	if strings.IndexByte(s, 0xEA) < 0 && strings.IndexByte(s, 0xE1) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xAB70 && r <= 0xABBF:
			return r - 0xAB70 + 0x13A0
		case r >= 0x13F8 && r <= 0x13FD:
			return r - 8
		}
		return r
	}, s)
}

// Normalize returns s normalised as Transform would write it, and false
// when it normalises to nothing (Transform makes it missing).
func (n *TextNormalizer) Normalize(s string) (string, bool) {
	s = n.normalizer()(s)
	if v, ok := n.Synonyms[s]; ok {
		s = v
	}
	return s, s != ""
}

// Transform returns f with the text of each column normalised. It returns
// an error wrapping frame.ErrNoColumn or frame.ErrKind, and ctx.Err() when
// ctx is cancelled.
func (n *TextNormalizer) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	out, _, err := n.apply(ctx, f)
	return out, err
}

func (n *TextNormalizer) apply(ctx context.Context, f *frame.Frame) (*frame.Frame, []int64, error) {
	merged := make([]int64, len(n.Columns))
	out, err := applyColumns(ctx, f, n.Columns, func(_ context.Context, i int) (frame.Column, error) {
		c, err := f.Col(n.Columns[i])
		if err != nil {
			return nil, fmt.Errorf("normalize text: %w", err)
		}
		base := n.normalizer()
		fn := func(s string) (string, bool) {
			s = base(s)
			if v, ok := n.Synonyms[s]; ok {
				s = v
			}
			return s, s != ""
		}
		switch c := c.(type) {
		case *frame.CategoricalColumn:
			// Normalise the dictionary and merge equal labels.
			remap := make([]int32, len(c.Dict()))
			index := make(map[string]int32, len(c.Dict()))
			var dict []string
			for k, s := range c.Dict() {
				v, ok := fn(s)
				if !ok {
					remap[k] = -1
					continue
				}
				code, seen := index[v]
				if !seen {
					code = int32(len(dict))
					index[v] = code
					dict = append(dict, v)
				}
				remap[k] = code
			}
			used := make([]bool, len(c.Dict()))
			codes := make([]int32, c.Len())
			for r, code := range c.Codes() {
				if code >= 0 {
					used[code] = true
					code = remap[code]
				}
				codes[r] = code
			}
			// Count used labels that landed on a label already taken.
			taken := make(map[int32]bool)
			for k, u := range used {
				if u && remap[k] >= 0 {
					if taken[remap[k]] {
						merged[i]++
					}
					taken[remap[k]] = true
				}
			}
			return frame.NewCategoricalCodes(codes, dict)
		case *frame.StringColumn:
			vals, present, _ := mapText(c, fn)
			distinct := map[string]bool{}
			results := map[string]bool{}
			for r, v := range c.Values() {
				if !c.IsNA(r) && present[r] && !distinct[v] {
					distinct[v] = true
					results[vals[r]] = true
				}
			}
			merged[i] = int64(len(distinct) - len(results))
			return frame.NewString(vals, present), nil
		}
		return nil, fmt.Errorf("normalize text: column %q is %v, need string or categorical: %w", n.Columns[i], c.Kind(), frame.ErrKind)
	})
	return out, merged, err
}

// Validate reports whether the state is usable: named unique columns with a
// count each. It returns an error wrapping [ErrState] otherwise.
func (n *TextNormalizer) Validate() error {
	if len(n.Columns) == 0 || len(n.Merged) != len(n.Columns) {
		return fmt.Errorf("text normalizer: %d columns, %d counts: %w", len(n.Columns), len(n.Merged), ErrState)
	}
	return checkNames("text normalizer", n.Columns)
}

// Dedupe returns f without the rows that repeat an earlier row on the named
// columns (every column when none are named), keeping the first of each,
// and the number of rows dropped. Missing values compare equal to each
// other. It is not a [Step]: dropping rows belongs to preparing training
// data, not to a fitted pipeline that must answer every row it is given. It
// returns an error wrapping frame.ErrNoColumn for an unknown column.
func Dedupe(f *frame.Frame, cols ...string) (*frame.Frame, int, error) {
	if len(cols) == 0 {
		cols = f.Names()
	}
	columns := make([]frame.Column, len(cols))
	for i, n := range cols {
		c, err := f.Col(n)
		if err != nil {
			return nil, 0, fmt.Errorf("dedupe: %w", err)
		}
		columns[i] = c
	}
	seen := make(map[string]bool, f.NumRows())
	var key strings.Builder
	keep := make([]int, 0, f.NumRows())
	for r := range f.NumRows() {
		key.Reset()
		for _, c := range columns {
			if c.IsNA(r) {
				key.WriteString("\x00NA\x00")
				continue
			}
			fmt.Fprintf(&key, "%d:%v\x00", len(fmt.Sprint(c.Value(r))), c.Value(r))
		}
		if k := key.String(); !seen[k] {
			seen[k] = true
			keep = append(keep, r)
		}
	}
	out, err := f.Take(keep)
	if err != nil {
		return nil, 0, err
	}
	return out, f.NumRows() - len(keep), nil
}

func init() {
	Register[*TextNormalizer]("preprocess.normalize_text", 1)
}
