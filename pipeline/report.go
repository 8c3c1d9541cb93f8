package pipeline

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// Report is what a run of a [Job] did, stage by stage. It marshals to JSON
// with durations in nanoseconds. A Report is a plain value: once returned
// it is safe to read from any goroutine.
type Report struct {
	// Stages lists the stages in chain order, extractor first.
	Stages []StageReport `json:"stages"`
	// BatchesIn and RowsIn count what the extractor emitted; BatchesOut and
	// RowsOut what the loader loaded.
	BatchesIn  int64 `json:"batches_in"`
	BatchesOut int64 `json:"batches_out"`
	RowsIn     int64 `json:"rows_in"`
	RowsOut    int64 `json:"rows_out"`
	// Busy is the sum of the stages' Busy times.
	Busy time.Duration `json:"busy_ns"`
	// Wall is the time the whole run took, Setup and Close included.
	Wall time.Duration `json:"wall_ns"`
}

// StageReport is one stage's part of a [Report].
type StageReport struct {
	// Name is the stage's name (see [Name]).
	Name string `json:"name"`
	// Kind is "extract", "transform" or "load".
	Kind string `json:"kind"`
	// Workers is the number of goroutines that ran the stage.
	Workers int `json:"workers"`
	// BatchesIn and BatchesOut count the values the stage received and
	// passed on: an extractor receives none and a loader passes none on.
	BatchesIn  int64 `json:"batches_in"`
	BatchesOut int64 `json:"batches_out"`
	// RowsIn and RowsOut count the rows in those values, for values that
	// are a [RowCounter]; other values count 0 rows.
	RowsIn  int64 `json:"rows_in"`
	RowsOut int64 `json:"rows_out"`
	// Busy is the time spent inside the stage's own code (Extract, Transform,
	// Load), summed over its workers, so it may exceed Wall; an extractor's
	// time blocked in emit is not counted.
	Busy time.Duration `json:"busy_ns"`
	// Wall is the time from the stage's first value (for an extractor, the
	// call to Extract) until it finished or failed; 0 if it never started.
	Wall time.Duration `json:"wall_ns"`
}

// Stage returns the report of the stage with the given name, and false if
// there is none.
func (r *Report) Stage(name string) (StageReport, bool) {
	for _, s := range r.Stages {
		if s.Name == name {
			return s, true
		}
	}
	return StageReport{}, false
}

// String formats the report as a text table, one line per stage and a total.
func (r *Report) String() string {
	// Names and kinds are left-aligned by padding them here; tabwriter
	// right-aligns the numbers.
	nameW, kindW := len("total"), len("kind")
	for _, s := range r.Stages {
		nameW = max(nameW, utf8.RuneCountInString(s.Name))
		kindW = max(kindW, utf8.RuneCountInString(s.Kind))
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-*s  %-*s\tworkers\tbatches in\tbatches out\trows in\trows out\tbusy\twall\t\n", nameW, "stage", kindW, "kind")
	for _, s := range r.Stages {
		fmt.Fprintf(tw, "%-*s  %-*s\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t\n",
			nameW, s.Name, kindW, s.Kind, s.Workers, s.BatchesIn, s.BatchesOut, s.RowsIn, s.RowsOut,
			roundDuration(s.Busy), roundDuration(s.Wall))
	}
	fmt.Fprintf(tw, "%-*s\t\t%d\t%d\t%d\t%d\t%s\t%s\t\n", nameW+2+kindW, "total",
		r.BatchesIn, r.BatchesOut, r.RowsIn, r.RowsOut, roundDuration(r.Busy), roundDuration(r.Wall))
	tw.Flush()
	// Right alignment pads every cell on its left, the first one too.
	var out strings.Builder
	for line := range strings.Lines(b.String()) {
		out.WriteString(strings.TrimPrefix(line, "  "))
	}
	return out.String()
}

// roundDuration keeps three significant digits: 1.23ms, 45.6µs, 2.35s.
func roundDuration(d time.Duration) time.Duration {
	for unit := time.Duration(1); unit < time.Hour; unit *= 10 {
		if d < 1000*unit {
			return d.Round(unit)
		}
	}
	return d.Round(time.Second)
}

// report builds the Report of a finished run; it must be called after the
// run's goroutines have all exited.
func (r *runner) report(wall time.Duration) *Report {
	rep := &Report{Stages: make([]StageReport, len(r.nodes)), Wall: wall}
	for i, n := range r.nodes {
		st := &r.stats[i]
		s := StageReport{
			Name:       n.name,
			Kind:       n.kind.String(),
			Workers:    n.workers,
			BatchesIn:  st.batchesIn,
			BatchesOut: st.batchesOut,
			RowsIn:     st.rowsIn,
			RowsOut:    st.rowsOut,
			Busy:       time.Duration(st.busy.Load()),
		}
		if st.started {
			s.Wall = max(st.end-st.first, 0)
		}
		rep.Stages[i] = s
		rep.Busy += s.Busy
	}
	if k := len(rep.Stages); k > 0 {
		rep.BatchesIn, rep.RowsIn = rep.Stages[0].BatchesOut, rep.Stages[0].RowsOut
		rep.BatchesOut, rep.RowsOut = rep.Stages[k-1].BatchesIn, rep.Stages[k-1].RowsIn
	}
	return rep
}
