package pipeline

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// String formats the report as text: the data summary with the missing
// rate of each column that has missing values, a table of the steps, the
// metrics, the cache and where the artifact went.
func (r *RunReport) String() string {
	var b strings.Builder
	title := "training run"
	if r.Name != "" {
		title += " " + r.Name
	}
	fmt.Fprintf(&b, "%s: %s\n", title, roundDuration(r.Wall))
	d := r.Data
	fmt.Fprintf(&b, "data: %d rows, %d columns, %d batches", d.Rows, d.Columns, d.Batches)
	if d.Bytes >= 0 {
		fmt.Fprintf(&b, ", %d bytes", d.Bytes)
	}
	if d.Rejected > 0 {
		fmt.Fprintf(&b, ", %d records rejected", d.Rejected)
	}
	if len(d.SHA256) >= 12 {
		fmt.Fprintf(&b, ", sha256 %s…", d.SHA256[:12])
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	any := false
	for _, m := range d.Missing {
		if m.Missing > 0 {
			if !any {
				fmt.Fprintln(tw, "  column\tkind\tmissing\trate")
				any = true
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%.1f%%\n", m.Name, m.Kind, m.Missing, 100*m.Rate)
		}
	}
	if !any {
		fmt.Fprintln(tw, "  no missing values")
	}
	tw.Flush()

	b.WriteString("\nsteps:\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  step\trows in\trows out\ttime\tcache")
	for _, s := range r.Steps {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\t%s\n", s.Name, s.RowsIn, s.RowsOut, roundDuration(s.Time), s.Cache)
	}
	tw.Flush()

	if len(r.Metrics) > 0 || len(r.CV) > 0 {
		b.WriteString("\nmetrics:\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, m := range r.Metrics {
			fmt.Fprintf(tw, "  held out\t%s\t%.4f\n", m.Name, m.Value)
		}
		for _, m := range r.CV {
			fmt.Fprintf(tw, "  cross-validated (%d folds)\t%s\t%.4f ± %.4f\n", len(m.Folds), m.Name, m.Mean, m.Std)
		}
		tw.Flush()
	}
	if r.Cache.Used {
		fmt.Fprintf(&b, "\ncache: %d hits, %d misses, %d errors\n", r.Cache.Hits, r.Cache.Misses, r.Cache.Errors)
	}
	a := r.Artifact
	fmt.Fprintf(&b, "\nartifact: %s (%d bytes", a.Location, a.Bytes)
	if len(a.SHA256) >= 12 {
		fmt.Fprintf(&b, ", sha256 %s…", a.SHA256[:12])
	}
	b.WriteString(")\n")
	return b.String()
}
