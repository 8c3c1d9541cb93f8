package features

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlpipe/mlpipe/frame"
	"github.com/mlpipe/mlpipe/internal/parallel"
	"github.com/mlpipe/mlpipe/preprocess"
)

// PolynomialSpec is the specification of polynomial and interaction terms,
// scikit-learn's PolynomialFeatures: the chosen float columns are replaced,
// at the place of the first of them, by every product of at most Degree of
// them (at least MinDegree), in scikit-learn's order — by degree, then in
// the order of itertools.combinations_with_replacement (combinations when
// InteractionOnly) — and with scikit-learn's names: "a", "b", "a^2", "a b",
// "b^2", and "1" for the bias column. NaN propagates into every term that
// involves it.
//
// Build it with [Polynomial]; it is a value, safe for concurrent use.
type PolynomialSpec struct {
	// Columns to combine; empty means every float column.
	Columns []string
	// Degree is the highest degree; 0 means 2, scikit-learn's default.
	Degree int
	// MinDegree is the lowest degree of the non-bias terms; 0 means 1.
	MinDegree int
	// InteractionOnly keeps only products of distinct columns (no a^2).
	InteractionOnly bool
	// Bias adds the constant column "1" first (scikit-learn's
	// include_bias, which it turns on by default; here it is off, since
	// models fit their own intercept).
	Bias bool
}

// Polynomial returns the specification of all terms of degree 1 to degree
// (0 for 2) of the float columns cols (all float columns when none are named).
func Polynomial(degree int, cols ...string) PolynomialSpec {
	return PolynomialSpec{Columns: slices.Clone(cols), Degree: degree}
}

// WithInteractionOnly returns a copy of s keeping only products of distinct columns.
func (s PolynomialSpec) WithInteractionOnly(only bool) PolynomialSpec {
	s.InteractionOnly = only
	return s
}

// WithBias returns a copy of s that adds (or not) the constant column "1".
func (s PolynomialSpec) WithBias(bias bool) PolynomialSpec {
	s.Bias = bias
	return s
}

// Fit checks the columns and returns a [*PolynomialExpander]. It returns an
// error wrapping [ErrParam] for a negative degree, a MinDegree above the
// degree, or more than 65,536 terms,
// frame.ErrEmpty, frame.ErrNoColumn or frame.ErrKind for a bad frame, and
// frame.ErrDuplicate when a term name is already a column.
func (s PolynomialSpec) Fit(ctx context.Context, f *frame.Frame) (preprocess.Fitted, error) {
	const step = "polynomial"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	names, _, err := selectColumns(step, f, s.Columns, frame.Float)
	if err != nil {
		return nil, err
	}
	degree := s.Degree
	if degree == 0 {
		degree = 2
	}
	p := &PolynomialExpander{Columns: names, Degree: degree, MinDegree: max(s.MinDegree, 1),
		InteractionOnly: s.InteractionOnly, Bias: s.Bias}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", err, ErrParam)
	}
	if _, err := p.FeatureNamesOut(f.Names()); err != nil {
		return nil, err
	}
	return p, nil
}

// PolynomialExpander is a fitted [PolynomialSpec]. Its fields are its saved
// state. It is immutable and safe for concurrent use.
type PolynomialExpander struct {
	Columns         []string `json:"columns"`
	Degree          int      `json:"degree"`
	MinDegree       int      `json:"min_degree"`
	InteractionOnly bool     `json:"interaction_only,omitempty"`
	Bias            bool     `json:"bias,omitempty"`
}

// maxPolyTerms bounds the number of terms, so that a mistaken degree gives
// an error rather than exhausting memory.
const maxPolyTerms = 1 << 16

// terms returns each output term as the column indices it multiplies (an
// empty term is the bias), in scikit-learn's order.
func (p *PolynomialExpander) terms() [][]int {
	var out [][]int
	if p.Bias {
		out = append(out, nil)
	}
	n := len(p.Columns)
	for d := p.MinDegree; d <= p.Degree; d++ {
		comb := make([]int, d)
		// Start from the first combination: 0,0,…,0 or 0,1,…,d-1.
		for i := range comb {
			if p.InteractionOnly {
				comb[i] = i
			}
		}
		if p.InteractionOnly && d > n {
			break
		}
		for {
			out = append(out, slices.Clone(comb))
			if len(out) > maxPolyTerms {
				return out
			}
			// Advance to the next combination in lexicographic order.
			i := d - 1
			for i >= 0 {
				limit := n - 1
				if p.InteractionOnly {
					limit = n - d + i
				}
				if comb[i] < limit {
					break
				}
				i--
			}
			if i < 0 {
				break
			}
			comb[i]++
			for k := i + 1; k < d; k++ {
				if p.InteractionOnly {
					comb[k] = comb[k-1] + 1
				} else {
					comb[k] = comb[i]
				}
			}
		}
	}
	return out
}

// Names returns the output column names, scikit-learn's get_feature_names_out
// with the input names: "a", "a^2", "a b", "1".
func (p *PolynomialExpander) Names() []string {
	terms := p.terms()
	out := make([]string, len(terms))
	for t, term := range terms {
		if len(term) == 0 {
			out[t] = "1"
			continue
		}
		var parts []string
		for i := 0; i < len(term); {
			j := i
			for j < len(term) && term[j] == term[i] {
				j++
			}
			name := p.Columns[term[i]]
			if j-i > 1 {
				name += "^" + strconv.Itoa(j-i)
			}
			parts = append(parts, name)
			i = j
		}
		out[t] = strings.Join(parts, " ")
	}
	return out
}

// Transform returns f with the chosen columns replaced by the polynomial
// terms, placed where the first chosen column stood. It returns an error
// wrapping frame.ErrNoColumn or frame.ErrKind when f lacks a float column,
// and frame.ErrDuplicate when a term name is already a column.
func (p *PolynomialExpander) Transform(ctx context.Context, f *frame.Frame) (*frame.Frame, error) {
	const step = "polynomial"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cols := make([][]float64, len(p.Columns))
	for i, name := range p.Columns {
		var err error
		if cols[i], err = floatCol(step, f, name); err != nil {
			return nil, err
		}
	}
	terms, names := p.terms(), p.Names()
	n := f.NumRows()
	add := make([]frame.Series, len(terms))
	err := parallel.For(ctx, len(terms), 0, func(_ context.Context, t int) error {
		v := make([]float64, n)
		term := terms[t]
		if len(term) == 0 {
			for i := range v {
				v[i] = 1
			}
		} else {
			copy(v, cols[term[0]])
			for _, c := range term[1:] {
				for i, x := range cols[c] {
					v[i] *= x
				}
			}
		}
		add[t] = frame.Floats(names[t], v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	reps := []replacement{{source: p.Columns[0], drop: true, add: add}}
	for _, c := range p.Columns[1:] {
		reps = append(reps, replacement{source: c, drop: true})
	}
	return replace(step, f, reps)
}

// FeatureNamesOut returns in with the chosen columns replaced by the term
// names at the place of the first.
func (p *PolynomialExpander) FeatureNamesOut(in []string) ([]string, error) {
	src := map[string][]string{p.Columns[0]: p.Names()}
	drop := map[string]bool{}
	for _, c := range p.Columns {
		drop[c] = true
		if c != p.Columns[0] {
			src[c] = nil
		}
	}
	return replaceNames("polynomial", in, src, drop)
}

// Validate reports whether the state is usable: named distinct columns,
// 1 <= MinDegree <= Degree, and at most 65,536 terms. It returns an error
// wrapping [ErrState] otherwise.
func (p *PolynomialExpander) Validate() error {
	const step = "polynomial"
	if err := checkState(step, p.Columns); err != nil {
		return err
	}
	if p.Degree < 1 || p.MinDegree < 1 || p.MinDegree > p.Degree {
		return fmt.Errorf("%s: degrees [%d, %d] (want 1 <= min <= max): %w", step, p.MinDegree, p.Degree, ErrState)
	}
	// Count terms before listing them: C(n+d-1, d) summed over degrees.
	total := 0.0
	n := float64(len(p.Columns))
	for d := p.MinDegree; d <= p.Degree; d++ {
		if p.InteractionOnly {
			total += binomial(n, float64(d))
		} else {
			total += binomial(n+float64(d)-1, float64(d))
		}
	}
	if total == 0 && !p.Bias {
		return fmt.Errorf("%s: %d columns with interactions of degree %d to %d make no term: %w", step, len(p.Columns), p.MinDegree, p.Degree, ErrState)
	}
	if total > maxPolyTerms {
		return fmt.Errorf("%s: %d columns to degree %d make %.0f terms, more than %d: %w", step, len(p.Columns), p.Degree, total, maxPolyTerms, ErrState)
	}
	return nil
}

func binomial(n, k float64) float64 {
	if k > n {
		return 0
	}
	lg := func(x float64) float64 { v, _ := math.Lgamma(x + 1); return v }
	return math.Round(math.Exp(lg(n) - lg(k) - lg(n-k)))
}

func init() {
	preprocess.Register[*PolynomialExpander]("features.polynomial", 1)
}
