package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal (so progress may be drawn).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressBar draws a one-line bar on standard error. It is nil — and every
// method a no-op — when standard error is not a terminal, so logs and pipes
// never receive carriage returns.
type progressBar struct {
	w     io.Writer
	label string
	total int64 // 0 when unknown (a pipe)
	start time.Time
	drawn time.Time
	now   func() time.Time
}

func (e *env) newProgress(label string, total int64) *progressBar {
	if !isTerminal(e.errOut) {
		return nil
	}
	t := time.Now()
	return &progressBar{w: e.errOut, label: label, total: total, start: t, now: time.Now}
}

// update redraws at most ten times a second; it is called once per chunk.
func (p *progressBar) update(done int64) {
	if p == nil {
		return
	}
	if t := p.now(); t.Sub(p.drawn) >= 100*time.Millisecond {
		p.drawn = t
		fmt.Fprint(p.w, "\r"+p.line(done, t)+clearEOL)
	}
}

// finish draws the final state and ends the line.
func (p *progressBar) finish(done int64) {
	if p == nil {
		return
	}
	fmt.Fprintln(p.w, "\r"+p.line(done, p.now())+clearEOL)
}

// clearEOL erases what a longer previous line left on the right.
const clearEOL = "\x1b[K"

func (p *progressBar) line(done int64, t time.Time) string {
	rate := ""
	if secs := t.Sub(p.start).Seconds(); secs > 0 {
		rate = fmt.Sprintf("  %.0f MB/s", float64(done)/secs/1e6)
	}
	if p.total <= 0 {
		return fmt.Sprintf("%s %s%s", p.label, mib(done), rate)
	}
	const width = 30
	frac := min(float64(done)/float64(p.total), 1)
	fill := int(frac * width)
	return fmt.Sprintf("%s [%s%s] %3.0f%%  %s / %s%s", p.label, strings.Repeat("#", fill),
		strings.Repeat("-", width-fill), frac*100, mib(done), mib(p.total), rate)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
