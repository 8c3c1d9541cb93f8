package frame

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// headRows is how many rows String shows.
const headRows = 10

// String renders the first rows of the frame as a table, with each column's
// kind under its name, "NA" for missing values, and the frame's size.
func (f *Frame) String() string { return f.Head(headRows) }

// Head renders the first n rows of the frame as String does.
func (f *Frame) Head(n int) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	row := make([]string, f.NumCols())
	line := func() { fmt.Fprintln(tw, strings.Join(row, "\t")) }
	for i, name := range f.names {
		row[i] = clip(name, 24)
	}
	line()
	for i, c := range f.cols {
		row[i] = c.Kind().String()
	}
	line()
	n = min(max(n, 0), f.NumRows())
	for r := range n {
		for i, c := range f.cols {
			row[i] = formatValue(c.Value(r))
		}
		line()
	}
	tw.Flush()
	if f.NumRows() > n {
		fmt.Fprintf(&b, "… %d more rows\n", f.NumRows()-n)
	}
	fmt.Fprintf(&b, "[%d rows × %d columns]\n", f.NumRows(), f.NumCols())
	return b.String()
}

func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "NA"
	case float64:
		return fmt.Sprintf("%.6g", v)
	case string:
		return clip(strings.ReplaceAll(v, "\t", " "), 24)
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return v.Format(time.DateOnly)
		}
		return v.Format(time.RFC3339)
	default:
		return fmt.Sprint(v)
	}
}
