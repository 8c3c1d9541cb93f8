package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/mlpipe/mlpipe/pipeline"
)

// progress draws a training run's progress on one terminal line, redrawn in
// place: the step under way, a bar of the input bytes read, rows and time.
// A nil *progress draws nothing.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	total int64
	drawn bool
}

// newProgress returns a bar on w for mode "on", "off" or "auto" (on when w
// is a terminal), or nil when off.
func newProgress(mode string, w io.Writer) *progress {
	on := mode == "on"
	if mode == "auto" {
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				on = true
			}
		}
	}
	if !on {
		return nil
	}
	return &progress{w: w, total: int64(len(customersCSV))}
}

// update is a [pipeline.Training] Progress callback.
func (p *progress) update(r pipeline.RunProgress) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	const width = 24
	frac := 1.0
	if r.Step == "extract" && r.Bytes >= 0 && p.total > 0 {
		frac = min(float64(r.Bytes)/float64(p.total), 1)
	}
	n := int(frac * width)
	fmt.Fprintf(p.w, "\r%-16s [%s%s] %6d rows %6.2fs ", r.Step,
		strings.Repeat("#", n), strings.Repeat(".", width-n), r.Rows, r.Elapsed.Seconds())
	p.drawn = true
}

// done ends the bar's line, if one was drawn.
func (p *progress) done() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
