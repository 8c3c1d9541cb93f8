package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress draws a one-line progress bar of rows and bytes read, redrawn in
// place at most ten times a second.
type progress struct {
	w     io.Writer
	on    bool
	total int64
	start time.Time
	last  time.Time
}

// newProgress returns a bar on w: mode "on", "off", or "auto" (on when w is
// a terminal). total is the input's size in bytes, 0 if unknown.
func newProgress(mode string, w io.Writer, total int64) *progress {
	on := mode == "on"
	if mode == "auto" {
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				on = true
			}
		}
	}
	return &progress{w: w, on: on, total: total, start: time.Now()}
}

func (p *progress) update(rows int, bytes int64) {
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.draw(rows, bytes)
}

func (p *progress) draw(rows int, bytes int64) {
	const width = 30
	frac := 0.0
	if p.total > 0 {
		frac = min(float64(bytes)/float64(p.total), 1)
	}
	n := int(frac * width)
	el := time.Since(p.start)
	fmt.Fprintf(p.w, "\rread [%s%s] %3.0f%%  %d rows  %.1f MB  %.1fs  %.0f MB/s ",
		strings.Repeat("#", n), strings.Repeat(".", width-n), 100*frac, rows,
		float64(bytes)/1e6, el.Seconds(), float64(bytes)/1e6/max(el.Seconds(), 1e-9))
}

func (p *progress) done(rows int, bytes int64) {
	if p.on {
		p.draw(rows, bytes)
		fmt.Fprintln(p.w)
	}
}
