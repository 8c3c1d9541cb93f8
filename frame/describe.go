package frame

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
)

// Summary describes one column, as pandas' describe does. For float and bool
// columns (bool as 0/1) the numeric fields are set: Mean, Std (sample
// standard deviation, n−1), Min, the quartiles (linear interpolation, as numpy's
// default percentile) and Max; for the other kinds Unique, Top (most frequent
// value, first seen on ties) and Freq. Numeric fields are NaN when undefined.
type Summary struct {
	Name    string
	Kind    Kind
	Count   int // present values
	Missing int
	Mean    float64
	Std     float64
	Min     float64
	Q25     float64
	Q50     float64
	Q75     float64
	Max     float64
	Unique  int
	Top     string
	Freq    int
}

// Description is the result of [Frame.Describe]: one Summary per column.
type Description []Summary

// Describe summarises every column of the frame: counts, missing values and,
// per kind, moments and quartiles or the most frequent value.
func (f *Frame) Describe() Description {
	out := make(Description, 0, f.NumCols())
	for i, name := range f.names {
		out = append(out, summarize(name, f.cols[i]))
	}
	return out
}

func summarize(name string, c Column) Summary {
	s := Summary{Name: name, Kind: c.Kind(), Missing: Missing(c)}
	s.Count = c.Len() - s.Missing
	nan := math.NaN()
	s.Mean, s.Std, s.Min, s.Q25, s.Q50, s.Q75, s.Max = nan, nan, nan, nan, nan, nan, nan
	var vals []float64
	switch c := c.(type) {
	case *FloatColumn:
		vals = make([]float64, 0, s.Count)
		for _, v := range c.v {
			if v == v {
				vals = append(vals, v)
			}
		}
	case *BoolColumn:
		vals = make([]float64, 0, s.Count)
		for i, v := range c.v {
			if !c.IsNA(i) {
				vals = append(vals, b2f(v))
			}
		}
	default:
		counts := map[string]int{}
		var order []string
		for i := range c.Len() {
			if c.IsNA(i) {
				continue
			}
			k := fmt.Sprint(c.Value(i))
			if counts[k] == 0 {
				order = append(order, k)
			}
			counts[k]++
		}
		s.Unique = len(order)
		for _, k := range order {
			if counts[k] > s.Freq {
				s.Top, s.Freq = k, counts[k]
			}
		}
		return s
	}
	if len(vals) == 0 {
		return s
	}
	var sum float64
	for _, v := range vals {
		sum += v
	}
	s.Mean = sum / float64(len(vals))
	if len(vals) > 1 {
		var ss float64
		for _, v := range vals {
			d := v - s.Mean
			ss += d * d
		}
		s.Std = math.Sqrt(ss / float64(len(vals)-1))
	}
	slices.Sort(vals)
	s.Min, s.Max = vals[0], vals[len(vals)-1]
	s.Q25, s.Q50, s.Q75 = Quantile(vals, 0.25), Quantile(vals, 0.5), Quantile(vals, 0.75)
	return s
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Quantile returns the q-quantile of sorted (ascending, no NaN) by linear
// interpolation between the closest ranks, as numpy's default percentile
// does. It returns NaN for an empty slice or q outside [0, 1].
func Quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 || q < 0 || q > 1 || q != q {
		return math.NaN()
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	frac := pos - float64(lo)
	return sorted[lo] + frac*(sorted[hi]-sorted[lo])
}

// String renders the description as a table, one row per column.
func (d Description) String() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "column\tkind\tcount\tmissing\tmean\tstd\tmin\t25%\t50%\t75%\tmax\tunique\ttop\tfreq")
	for _, s := range d {
		if s.Kind == Float || s.Kind == Bool {
			fmt.Fprintf(tw, "%s\t%v\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\t\t\n", s.Name, s.Kind, s.Count, s.Missing,
				num(s.Mean), num(s.Std), num(s.Min), num(s.Q25), num(s.Q50), num(s.Q75), num(s.Max))
		} else {
			fmt.Fprintf(tw, "%s\t%v\t%d\t%d\t\t\t\t\t\t\t\t%d\t%s\t%d\n", s.Name, s.Kind, s.Count, s.Missing,
				s.Unique, clip(s.Top, 16), s.Freq)
		}
	}
	tw.Flush()
	return b.String()
}

func num(v float64) string {
	if math.IsNaN(v) {
		return "NaN"
	}
	return fmt.Sprintf("%.4g", v)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
