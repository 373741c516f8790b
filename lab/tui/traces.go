package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/components/trace"
	"github.com/scalelab/scalelab/lab"
)

// traceChoice is which kept trace the waterfall shows.
type traceChoice int

const (
	traceLatest traceChoice = iota
	traceSlowest
	traceLatestError
	numTraceChoices
)

func (c traceChoice) String() string {
	switch c {
	case traceSlowest:
		return "slowest"
	case traceLatestError:
		return "latest error"
	}
	return "latest"
}

// tracesKeys are the traces panel's own keys.
type tracesKeys struct {
	Choice, Hold key.Binding
}

func newTracesKeys() tracesKeys {
	return tracesKeys{
		Choice: key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "latest/slowest/error trace")),
		Hold:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "hold/release the trace")),
	}
}

// traceHold is how long, in real seconds, the panel shows one trace before
// it takes the newest: long enough to read a waterfall (the latest trace
// changes many times a second), at any clock speed.
const traceHold = 3.0

// TracesPanel draws one sampled request as a waterfall: a row per span with
// a bar placed by its start and sized by its duration, relative to the whole
// trace. Choice cycles between the latest, the slowest and the latest
// failed trace. A trace stays for traceHold seconds before the next one
// replaces it, and Hold keeps it until pressed again.
type TracesPanel struct {
	panelBase
	view    lab.View
	keys    tracesKeys
	choice  traceChoice
	shown   *trace.Finished // the trace drawn, nil for none
	shownAt time.Duration   // the lab time it was taken
	held    bool
	head    string // the frame title, rendered when the view, size or choice changes
	body    string
}

// NewTracesPanel builds the panel.
func NewTracesPanel(c *Common) *TracesPanel {
	p := &TracesPanel{panelBase: panelBase{common: c, title: "Traces"}, keys: newTracesKeys()}
	p.rebuild()
	return p
}

// SetSize sets the panel's outer size.
func (p *TracesPanel) SetSize(w, h int) {
	p.w, p.h = w, h
	p.rebuild()
}

// SetView gives the panel the latest lab view.
func (p *TracesPanel) SetView(v lab.View) {
	p.view = v
	p.rebuild()
}

// Update handles keys sent to the focused panel: Choice cycles the trace
// shown, Hold holds it or lets it go.
func (p *TracesPanel) Update(msg tea.Msg) (Panel, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	switch {
	case !ok:
	case key.Matches(k, p.keys.Choice):
		p.choice = (p.choice + 1) % numTraceChoices
		p.shown, p.held = nil, false
		p.rebuild()
	case key.Matches(k, p.keys.Hold):
		p.held = !p.held && p.shown != nil
		p.rebuild()
	}
	return p, nil
}

// ShortHelp is the panel's own keys, for the root's help.
func (p *TracesPanel) ShortHelp() []key.Binding { return []key.Binding{p.keys.Choice, p.keys.Hold} }

// FullHelp is the panel's own keys, for the root's help.
func (p *TracesPanel) FullHelp() [][]key.Binding { return [][]key.Binding{p.ShortHelp()} }

// View renders the panel at exactly its size.
func (p *TracesPanel) View() string {
	return p.framed(p.head, p.body)
}

// pick is the trace to draw: the one shown, while it is held or younger
// than traceHold real seconds, else the one the choice points at now.
func (p *TracesPanel) pick() *trace.Finished {
	if p.held {
		return p.shown
	}
	hold := time.Duration(traceHold * max(p.view.Speed, 0.1) * float64(time.Second))
	if age := p.view.T - p.shownAt; p.shown == nil || age < 0 || age >= hold {
		p.shown, p.shownAt = p.chosen(), p.view.T
	}
	return p.shown
}

// chosen is the trace the current choice points at (nil if none is kept).
func (p *TracesPanel) chosen() *trace.Finished {
	switch p.choice {
	case traceSlowest:
		return p.view.Traces.Slowest
	case traceLatestError:
		return p.view.Traces.LatestError
	}
	return p.view.Traces.Latest
}

func (p *TracesPanel) rebuild() {
	f := p.pick()
	iw, _ := p.inner()
	title := p.title + " · " + p.choice.String()
	if p.held {
		title += " · held"
	}
	if f == nil {
		p.head, p.body = traceCut(title, iw), p.renderEmpty()
		return
	}
	title += " · " + f.ID.String()[:6] + "… · " + traceDur(f.Duration)
	p.head, p.body = traceCut(title, iw), p.renderWaterfall(f)
}

func (p *TracesPanel) renderEmpty() string {
	s := p.common.Styles
	v := p.view.Traces
	next := (p.choice + 1) % numTraceChoices
	hint := s.Dim.Render("press " + p.keyName() + " for " + next.String())
	if v.Latest == nil && v.Slowest == nil && v.LatestError == nil {
		return "no traces yet (trace sample is " + traceSample(p.view) + ")\n" +
			hint + "\n" + s.Dim.Render("tracing may be off: try :trace sample 10%")
	}
	if p.choice == traceLatestError {
		return "no failed trace kept\n" + hint
	}
	return "no " + p.choice.String() + " trace kept\n" + hint
}

// keyName is the first key bound to Choice, as help shows it.
func (p *TracesPanel) keyName() string {
	if k := p.keys.Choice.Help().Key; k != "" {
		return k
	}
	return "t"
}

// traceSample is the sample rate as set, as a percentage.
func traceSample(v lab.View) string {
	return fmt.Sprintf("%g%%", math.Round(v.Trace.Sample*1000)/10)
}

// Column widths of a waterfall row: name, bar, duration, error mark.
const (
	traceDurW  = 8
	traceMarkW = 2
)

func (p *TracesPanel) renderWaterfall(f *trace.Finished) string {
	s := p.common.Styles
	iw, ih := p.inner()
	if iw <= 0 || ih <= 0 {
		return ""
	}
	nameW := min(max(iw/4, 8), 20, iw)
	barW := max(iw-nameW-1-1-traceDurW-traceMarkW, 1)

	r0 := f.Root.Start
	total := f.Duration
	for _, sp := range f.Spans {
		total = max(total, sp.End.Sub(r0))
	}

	parent := make(map[trace.SpanID]trace.SpanID, len(f.Spans))
	spans := f.Spans
	if len(spans) == 0 {
		spans = []trace.Span{f.Root}
	}
	// Rows: one per span, plus an error line under a failed span when
	// every span and every error fits.
	errs := 0
	for _, sp := range spans {
		if sp.Err != "" {
			errs++
		}
	}
	withErrs := len(spans)+errs <= ih
	shown := spans
	if len(spans) > ih {
		shown = spans[:max(ih-1, 0)]
	}

	for _, sp := range spans {
		parent[sp.SpanID] = sp.Parent
	}
	var lines []string
	for _, sp := range shown {
		d := 0 // ancestors in this trace (a root's parent may be a caller's span, outside the lab)
		for p, ok := parent[sp.Parent]; ok && d < len(spans); p, ok = parent[p] {
			d++
		}
		name := traceCut(strings.Repeat(" ", min(d, 4))+sp.Name, nameW)
		name += strings.Repeat(" ", nameW-len([]rune(name)))
		bad := sp.Err != ""
		st := s.Bar
		if bad {
			st = s.Bad
			name = s.Bad.Render(name)
		}
		mark := "  "
		if bad {
			mark = " " + s.Bad.Render("✖")
		}
		lines = append(lines, name+" "+traceBar(st, sp.Start.Sub(r0), sp.Duration(), total, barW)+" "+
			fmt.Sprintf("%*s", traceDurW, traceDur(sp.Duration()))+mark)
		if bad && withErrs {
			lines = append(lines, s.Bad.Render(strings.Repeat(" ", min(d, 4)+1)+"└ "+sp.Err))
		}
	}
	if len(shown) < len(spans) {
		lines = append(lines, s.Dim.Render(fmt.Sprintf("… %d more spans", len(spans)-len(shown))))
	}
	return strings.Join(lines, "\n")
}

// traceBar renders one span's bar in a track w cells wide: offset and
// duration are scaled by total; a span always gets at least one cell, and a
// span of zero duration is a tick.
func traceBar(st lipgloss.Style, off, dur, total time.Duration, w int) string {
	scale := float64(w) / float64(max(total, 1))
	c0 := min(max(int(float64(off)*scale), 0), w-1)
	var mid string
	n := 1
	if dur <= 0 {
		mid = st.Render("│")
	} else {
		c1 := int(math.Ceil(float64(off+dur) * scale))
		n = min(max(c1-c0, 1), w-c0)
		mid = st.Render(strings.Repeat("█", n))
	}
	return strings.Repeat(" ", c0) + mid + strings.Repeat(" ", w-c0-n)
}

// traceCut shortens s to w cells with an ellipsis.
func traceCut(s string, w int) string {
	r := []rune(s)
	if len(r) <= w {
		return s
	}
	if w <= 1 {
		return string(r[:w])
	}
	return string(r[:w-1]) + "…"
}

// traceDur formats a duration for the waterfall: 37.2ms, 1.24s.
func traceDur(d time.Duration) string {
	if d >= time.Second {
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
