package etl

import (
	"context"
	"encoding/json"
	"io"
)

// RejectsWriter writes rejected records as JSON Lines, one object per
// record: {"source", "line" or "record", "error", "raw"}, so that a run's
// bad input is kept whole next to its reasons. It is a [Loader] of
// [Rejected] for the options' Rejects field. Load and Close serialise on a
// lock.
type RejectsWriter struct {
	out *output
}

var _ Loader[Rejected] = (*RejectsWriter)(nil)

// NewRejectsWriter returns a writer of rejected records to w. Close flushes
// it; it does not close w.
func NewRejectsWriter(w io.Writer) *RejectsWriter {
	return &RejectsWriter{out: newOutput(w, "rejects")}
}

type rejectLine struct {
	Source string `json:"source"`
	Line   int    `json:"line,omitempty"`
	Record int    `json:"record,omitempty"`
	Error  string `json:"error"`
	Raw    string `json:"raw"`
}

// Load writes r as one line. It returns the write error (sticky),
// [ErrClosed] after Close, or ctx.Err().
func (w *RejectsWriter) Load(ctx context.Context, r Rejected) error {
	defer w.out.mu.Unlock()
	if err := w.out.begin(ctx); err != nil {
		return err
	}
	msg := ""
	if r.Err != nil {
		msg = r.Err.Error()
	}
	b, err := json.Marshal(rejectLine{Source: r.Source, Line: r.Line, Record: r.Record, Error: msg, Raw: r.Raw})
	if err != nil {
		return err
	}
	return w.out.write(append(b, '\n'))
}

// Close flushes the buffered lines — even after a failed run, since the
// rejects of a failed run are worth keeping. It returns the write error.
func (w *RejectsWriter) Close() error {
	w.out.mu.Lock()
	w.out.ctx = nil
	w.out.mu.Unlock()
	return w.out.close()
}
