package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/mlpipe/mlpipe/frame"
)

// Defaults of [DriftOptions] and [NewProfile].
const (
	// DefaultPSIThreshold is the population stability index at or above
	// which a column is flagged: 0.1 to 0.2 is commonly read as a moderate
	// shift, 0.2 and more as a significant one.
	DefaultPSIThreshold = 0.2
	// DefaultMissingThreshold is the change of a column's missing rate (in
	// absolute terms: 0.1 is ten percentage points) that flags it.
	DefaultMissingThreshold = 0.1
	// ProfileBins is the number of quantile bins of a numeric column.
	ProfileBins = 10
	// ProfileCategories is the number of most frequent categories a
	// profile keeps per column; the others share one "other" bin.
	ProfileCategories = 50
)

// psiFloor replaces an empty bin's share in the index, whose log would
// otherwise be infinite.
const psiFloor = 1e-4

// otherCategory labels the bin of the categories a profile does not list.
const otherCategory = "(other)"

// ErrNoProfile is returned by [Fitted.Drift] for a pipeline fitted without
// training statistics (see [ML.Profile]).
var ErrNoProfile = errors.New("pipeline has no training profile")

// Profile holds the statistics of the training data that a batch of serving
// inputs is compared with to detect drift: per column, the missing rate,
// the mean and standard deviation, and the distribution over bins (quantile
// bins for numbers, the most frequent categories for categories). Build one
// with [NewProfile]. A Profile is a plain value, saved in the artifact, and
// safe for concurrent reads.
type Profile struct {
	Rows    int             `json:"rows"`
	Columns []ColumnProfile `json:"columns"`
}

// ColumnProfile is the training statistics of one column.
type ColumnProfile struct {
	Name string     `json:"name"`
	Kind frame.Kind `json:"kind"`
	// Missing is the share of missing values; Count the number present.
	Missing float64 `json:"missing"`
	Count   int     `json:"count"`
	// Mean and Std (population) of a float, bool (as 0/1) or time (as Unix
	// seconds) column; 0 for other kinds or with no value present.
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	// Edges are the upper edges of the numeric bins (a value v is in the
	// first bin whose edge is >= v, the last bin being open).
	Edges []float64 `json:"edges,omitempty"`
	// Categories label the bins of a categorical or bool column, the last
	// being "(other)": every category not listed.
	Categories []string `json:"categories,omitempty"`
	// Bins is the share of the present values in each bin.
	Bins []float64 `json:"bins,omitempty"`
}

// numeric reports whether the column is profiled by quantile bins.
func (c *ColumnProfile) numeric() bool { return c.Kind == frame.Float || c.Kind == frame.Time }

// NewProfile returns the profile of the named columns of f (every column
// when none are named). It returns an error wrapping frame.ErrNoColumn for
// an unknown column, frame.ErrEmpty for a frame without rows, and ctx.Err()
// when ctx is cancelled. It is safe for concurrent use.
func NewProfile(ctx context.Context, f *frame.Frame, cols ...string) (*Profile, error) {
	if f.NumRows() == 0 {
		return nil, fmt.Errorf("profile: %w", frame.ErrEmpty)
	}
	if len(cols) == 0 {
		cols = f.Names()
	}
	p := &Profile{Rows: f.NumRows(), Columns: make([]ColumnProfile, 0, len(cols))}
	for _, name := range cols {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := f.Col(name)
		if err != nil {
			return nil, fmt.Errorf("profile: %w", err)
		}
		cp := ColumnProfile{Name: name, Kind: c.Kind()}
		n := c.Len()
		missing := frame.Missing(c)
		cp.Missing, cp.Count = float64(missing)/float64(n), n-missing
		switch c.Kind() {
		case frame.Float, frame.Time:
			v := presentNumbers(c)
			cp.Mean, cp.Std = meanStd(v)
			if len(v) > 0 {
				slices.Sort(v)
				for k := 1; k < ProfileBins; k++ {
					e := frame.Quantile(v, float64(k)/ProfileBins)
					if len(cp.Edges) == 0 || e > cp.Edges[len(cp.Edges)-1] {
						cp.Edges = append(cp.Edges, e)
					}
				}
				cp.Bins = shares(numericCounts(v, cp.Edges), len(v))
			}
		case frame.Categorical, frame.Bool:
			counts := categoryCounts(c)
			if c.Kind() == frame.Bool {
				cp.Mean, cp.Std = meanStd(presentNumbers(c))
			}
			labels := make([]string, 0, len(counts))
			for l := range counts {
				labels = append(labels, l)
			}
			slices.SortFunc(labels, func(a, b string) int {
				return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
			})
			if len(labels) > ProfileCategories {
				labels = labels[:ProfileCategories]
			}
			cp.Categories = append(labels, otherCategory)
			if cp.Count > 0 {
				cp.Bins = shares(binCategories(counts, labels), cp.Count)
			}
		}
		p.Columns = append(p.Columns, cp)
	}
	return p, nil
}

// validate checks a profile read from an artifact.
func (p *Profile) validate() error {
	for _, c := range p.Columns {
		nb := 0
		switch {
		case c.numeric():
			nb = len(c.Edges) + 1
		case c.Kind == frame.Categorical || c.Kind == frame.Bool:
			nb = len(c.Categories)
		}
		if c.Count > 0 && nb > 0 && len(c.Bins) != nb || c.Missing < 0 || c.Missing > 1 {
			return fmt.Errorf("profile column %q: %d bins for %d edges or categories, missing rate %v", c.Name, len(c.Bins), nb, c.Missing)
		}
		if !slices.IsSorted(c.Edges) {
			return fmt.Errorf("profile column %q: edges not sorted", c.Name)
		}
	}
	return nil
}

// presentNumbers returns the present values of a float, time (Unix
// seconds) or bool (0/1) column, in a new slice.
func presentNumbers(c frame.Column) []float64 {
	out := make([]float64, 0, c.Len())
	switch c := c.(type) {
	case *frame.FloatColumn:
		for _, v := range c.Values() {
			if v == v {
				out = append(out, v)
			}
		}
	case *frame.TimeColumn:
		for i, ns := range c.Nanos() {
			if !c.IsNA(i) {
				out = append(out, float64(ns)/1e9)
			}
		}
	case *frame.BoolColumn:
		for i, b := range c.Values() {
			if !c.IsNA(i) {
				out = append(out, b2f(b))
			}
		}
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// meanStd returns the mean and population standard deviation of v, or
// zeros for an empty v.
func meanStd(v []float64) (mean, std float64) {
	if len(v) == 0 {
		return 0, 0
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)))
}

// numericCounts counts the values of v in the bins closed on the right at
// edges, the last bin open.
func numericCounts(v, edges []float64) []int {
	counts := make([]int, len(edges)+1)
	for _, x := range v {
		counts[sort.SearchFloat64s(edges, x)]++
	}
	return counts
}

// categoryCounts returns the frequency of each present label of a
// categorical or bool column.
func categoryCounts(c frame.Column) map[string]int {
	counts := map[string]int{}
	switch c := c.(type) {
	case *frame.CategoricalColumn:
		byCode := make([]int, len(c.Dict()))
		for _, code := range c.Codes() {
			if code >= 0 {
				byCode[code]++
			}
		}
		for code, n := range byCode {
			if n > 0 {
				counts[c.Dict()[code]] += n
			}
		}
	case *frame.BoolColumn:
		for i, b := range c.Values() {
			if !c.IsNA(i) {
				counts[fmt.Sprint(b)]++
			}
		}
	}
	return counts
}

// binCategories counts the labels into the bins of labels, the last bin
// (one past labels) gathering all others.
func binCategories(counts map[string]int, labels []string) []int {
	out := make([]int, len(labels)+1)
	pos := make(map[string]int, len(labels))
	for i, l := range labels {
		pos[l] = i
	}
	for l, n := range counts {
		if i, ok := pos[l]; ok {
			out[i] += n
		} else {
			out[len(labels)] += n
		}
	}
	return out
}

func shares(counts []int, total int) []float64 {
	out := make([]float64, len(counts))
	if total == 0 {
		return out
	}
	for i, n := range counts {
		out[i] = float64(n) / float64(total)
	}
	return out
}

// PSI returns the population stability index of the distribution actual
// against expected, two lists of shares of the same bins:
// Σ (a − e)·ln(a / e), with empty bins counted as 1e-4 so that the index
// stays finite. It returns NaN if the lengths differ. It is safe for
// concurrent use.
func PSI(expected, actual []float64) float64 {
	if len(expected) != len(actual) {
		return math.NaN()
	}
	var s float64
	for i := range expected {
		e, a := max(expected[i], psiFloor), max(actual[i], psiFloor)
		s += (a - e) * math.Log(a/e)
	}
	return s
}

// DriftOptions configures a drift check. The zero value uses the defaults.
type DriftOptions struct {
	// PSIThreshold flags a column whose population stability index is at
	// least this. Default [DefaultPSIThreshold].
	PSIThreshold float64
	// MissingThreshold flags a column whose missing rate changed by at
	// least this much. Default [DefaultMissingThreshold].
	MissingThreshold float64
}

// DriftReport compares a batch of serving inputs with the training profile,
// column by column. It marshals to JSON and prints as a table.
type DriftReport struct {
	// Rows is the size of the serving batch; TrainRows of the training data.
	Rows      int           `json:"rows"`
	TrainRows int           `json:"train_rows"`
	Columns   []ColumnDrift `json:"columns"`
}

// ColumnDrift is the comparison of one column.
type ColumnDrift struct {
	Name string     `json:"name"`
	Kind frame.Kind `json:"kind"`
	// TrainMissing and ServeMissing are the missing rates.
	TrainMissing float64 `json:"train_missing"`
	ServeMissing float64 `json:"serve_missing"`
	// TrainMean and ServeMean are the means of numeric and bool columns
	// (0 otherwise, or when no value is present); MeanShift is their
	// difference in training standard deviations (0 when that is 0).
	TrainMean float64 `json:"train_mean"`
	ServeMean float64 `json:"serve_mean"`
	MeanShift float64 `json:"mean_shift"`
	// PSI is the population stability index over the training bins plus a
	// missing-value bin; 0 for string columns, which have no bins.
	PSI float64 `json:"psi"`
	// Frequencies compares the category shares of a categorical or bool
	// column (shares of the present values).
	Frequencies []CategoryShare `json:"frequencies,omitempty"`
	// Drift is set when PSI or the change of missing rate reached its
	// threshold; Reason says which.
	Drift  bool   `json:"drift"`
	Reason string `json:"reason,omitempty"`
}

// CategoryShare is the share of one category in training and in serving.
type CategoryShare struct {
	Category string  `json:"category"`
	Train    float64 `json:"train"`
	Serve    float64 `json:"serve"`
}

// Drifted returns the names of the columns flagged as drifted, in profile
// order.
func (r *DriftReport) Drifted() []string {
	var out []string
	for _, c := range r.Columns {
		if c.Drift {
			out = append(out, c.Name)
		}
	}
	return out
}

// String formats the report as a table, one line per column.
func (r *DriftReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "drift check: %d serving rows against %d training rows\n", r.Rows, r.TrainRows)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "column\tkind\tmissing train\tmissing serve\tmean train\tmean serve\tshift (sd)\tpsi\tdrift")
	for _, c := range r.Columns {
		flag := "no"
		if c.Drift {
			flag = "DRIFT: " + c.Reason
		}
		fmt.Fprintf(tw, "%s\t%v\t%.3f\t%.3f\t%.4g\t%.4g\t%+.2f\t%.4f\t%s\n", c.Name, c.Kind,
			c.TrainMissing, c.ServeMissing, c.TrainMean, c.ServeMean, c.MeanShift, c.PSI, flag)
	}
	tw.Flush()
	return b.String()
}

// Compare compares the serving batch f with the profile. f must hold every
// profiled column with its training kind; other columns are ignored. It
// returns an error wrapping [ErrSchema] naming a missing or mistyped
// column, and frame.ErrEmpty for a batch without rows. The population
// stability index of a small batch is noisy: compare batches of hundreds of
// rows or more. Compare does not modify p and is safe for concurrent use.
func (p *Profile) Compare(f *frame.Frame, opts DriftOptions) (*DriftReport, error) {
	if f.NumRows() == 0 {
		return nil, fmt.Errorf("drift check: %w", frame.ErrEmpty)
	}
	psiMax := cmp.Or(opts.PSIThreshold, DefaultPSIThreshold)
	missMax := cmp.Or(opts.MissingThreshold, DefaultMissingThreshold)
	r := &DriftReport{Rows: f.NumRows(), TrainRows: p.Rows}
	for _, cp := range p.Columns {
		c, err := f.Col(cp.Name)
		if err != nil {
			return nil, fmt.Errorf("drift check: %w: %w", ErrSchema, err)
		}
		if c.Kind() != cp.Kind {
			return nil, fmt.Errorf("drift check: column %q is %v, was %v in training: %w", cp.Name, c.Kind(), cp.Kind, ErrSchema)
		}
		n := c.Len()
		missing := frame.Missing(c)
		d := ColumnDrift{Name: cp.Name, Kind: cp.Kind, TrainMissing: cp.Missing,
			ServeMissing: float64(missing) / float64(n), TrainMean: cp.Mean}
		var serveBins []float64
		switch cp.Kind {
		case frame.Float, frame.Time:
			v := presentNumbers(c)
			d.ServeMean, _ = meanStd(v)
			if cp.Bins != nil {
				serveBins = shares(numericCounts(v, cp.Edges), len(v))
			}
		case frame.Categorical, frame.Bool:
			counts := categoryCounts(c)
			if cp.Kind == frame.Bool {
				d.ServeMean, _ = meanStd(presentNumbers(c))
			}
			labels := cp.Categories[:len(cp.Categories)-1]
			serveBins = shares(binCategories(counts, labels), n-missing)
			for i, l := range cp.Categories {
				var train float64
				if cp.Bins != nil {
					train = cp.Bins[i]
				}
				d.Frequencies = append(d.Frequencies, CategoryShare{l, train, serveBins[i]})
			}
			if cp.Bins == nil {
				serveBins = nil
			}
		}
		if cp.Std > 0 && n > missing {
			d.MeanShift = (d.ServeMean - cp.Mean) / cp.Std
		}
		if serveBins != nil {
			d.PSI = PSI(withMissing(cp.Bins, cp.Missing), withMissing(serveBins, d.ServeMissing))
		} else {
			d.PSI = PSI([]float64{1 - cp.Missing, cp.Missing}, []float64{1 - d.ServeMissing, d.ServeMissing})
		}
		var reasons []string
		if d.PSI >= psiMax {
			reasons = append(reasons, fmt.Sprintf("psi %.3f >= %g", d.PSI, psiMax))
		}
		if math.Abs(d.ServeMissing-d.TrainMissing) >= missMax {
			reasons = append(reasons, fmt.Sprintf("missing rate %.3f vs %.3f", d.ServeMissing, d.TrainMissing))
		}
		d.Drift, d.Reason = len(reasons) > 0, strings.Join(reasons, "; ")
		r.Columns = append(r.Columns, d)
	}
	return r, nil
}

// withMissing returns the shares of the present values scaled to all rows,
// followed by the missing share.
func withMissing(bins []float64, missing float64) []float64 {
	out := make([]float64, len(bins)+1)
	for i, b := range bins {
		out[i] = b * (1 - missing)
	}
	out[len(bins)] = missing
	return out
}

// Drift compares the serving batch f with the training profile stored in
// the fitted pipeline (see [Profile.Compare]). It returns an error wrapping
// [ErrNoProfile] when the pipeline was fitted without one.
func (p *Fitted) Drift(f *frame.Frame, opts DriftOptions) (*DriftReport, error) {
	if p.Profile == nil {
		return nil, fmt.Errorf("drift check: %w (fit with ML.Profile set, or with a Training run)", ErrNoProfile)
	}
	return p.Profile.Compare(f, opts)
}
