package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/scalelab/scalelab/components/trace"
	"github.com/scalelab/scalelab/lab"
)

// tracesTestTrace is a 37.2 ms GET: a cache miss (zero duration), a queue
// wait, the web server, a database read and a failed payments call.
func tracesTestTrace() *trace.Finished {
	t0 := time.Unix(1000, 0)
	ms := func(x float64) time.Time { return t0.Add(time.Duration(x * float64(time.Millisecond))) }
	id := trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	root := trace.Span{TraceID: id, SpanID: trace.SpanID{1}, Name: "GET /item", Start: t0, End: ms(37.2)}
	child := func(n byte, name string, a, b float64, err string) trace.Span {
		return trace.Span{TraceID: id, SpanID: trace.SpanID{n}, Parent: root.SpanID, Name: name, Start: ms(a), End: ms(b), Err: err}
	}
	return &trace.Finished{
		ID: id, Root: root, Duration: 37.2 * 1e6, Err: true,
		Spans: []trace.Span{
			root,
			child(2, "cache get", 0.5, 0.5, ""),
			child(3, "web-1 queue", 0, 5, ""),
			child(4, "web-1", 5, 37.2, ""),
			child(5, "db-1", 10, 30, ""),
			child(6, "payments", 30, 35, "circuit breaker is open"),
		},
	}
}

func tracesTestRender(t *testing.T, p *TracesPanel, w, h int) string {
	t.Helper()
	p.SetSize(w, h)
	out := p.View()
	if gw, gh := lipgloss.Width(out), lipgloss.Height(out); gw != w || gh != h {
		t.Fatalf("size %dx%d, want %dx%d:\n%s", gw, gh, w, h, out)
	}
	return ansi.Strip(out)
}

func tracesLine(out, sub string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

var tracesKeyT = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("t")}

func TestTracesPanelWaterfall(t *testing.T) {
	p := NewTracesPanel(upperBadCommon())
	f := tracesTestTrace()
	p.SetView(lab.View{Traces: lab.Traces{Latest: f, Slowest: f, LatestError: f}})
	out := tracesTestRender(t, p, 80, 20)
	// 80 wide: name column 19, bar track 45 cells, duration 8.
	for _, want := range []string{
		"Traces · latest · 4bf92f… · 37.2ms",
		"GET /item          " + " " + strings.Repeat("█", 45) + "   37.2ms",
		" cache get         " + " │" + strings.Repeat(" ", 44) + "    0.0ms",
		" web-1 queue       " + " " + strings.Repeat("█", 7) + strings.Repeat(" ", 38) + "    5.0ms",
		// db-1: 10..30 of 37.2 → cells 12..36
		" db-1              " + " " + strings.Repeat(" ", 12) + strings.Repeat("█", 25) + strings.Repeat(" ", 8) + "   20.0ms",
		// payments: 30..35 → cells 36..42, failed: name and bar in Bad, ✖
		" PAYMENTS          " + " " + strings.Repeat(" ", 36) + strings.Repeat("█", 7) + strings.Repeat(" ", 2) + "    5.0ms ✖",
		"  └ CIRCUIT BREAKER IS OPEN",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if l := tracesLine(out, "web-1 queue"); strings.Contains(l, "✖") {
		t.Errorf("healthy span marked failed: %q", l)
	}
}

func TestTracesPanelNarrow(t *testing.T) {
	p := NewTracesPanel(upperBadCommon())
	f := tracesTestTrace()
	p.SetView(lab.View{Traces: lab.Traces{Latest: f, Slowest: f, LatestError: f}})
	out := tracesTestRender(t, p, 40, 10)
	// 40 wide: name column 9, bar track 15 cells.
	for _, want := range []string{
		"Traces · latest · 4bf92f… · 37.2ms",
		"GET /item " + strings.Repeat("█", 15) + "   37.2ms",
		" web-1 q… " + strings.Repeat("█", 3) + strings.Repeat(" ", 12),
		" PAYMENTS ", "5.0ms ✖", "└ CIRCUIT BREAKER IS OPEN",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// Room for every span but not the error line: only the ✖.
	out = tracesTestRender(t, p, 40, 9)
	if !strings.Contains(out, "5.0ms ✖") || strings.Contains(out, "└") {
		t.Errorf("want ✖ without the error line:\n%s", out)
	}
	// Too short for every span: the rest are counted.
	out = tracesTestRender(t, p, 40, 8)
	for _, want := range []string{"GET /item", " web-1  ", "… 2 more spans"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "db-1") || strings.Contains(out, "PAYMENTS") {
		t.Errorf("db-1 and payments should not fit:\n%s", out)
	}
}

func TestTracesPanelChoiceCycles(t *testing.T) {
	p := NewTracesPanel(upperBadCommon())
	latest, slow := tracesTestTrace(), tracesTestTrace()
	slow.ID[0], slow.Duration = 0xab, 2*time.Second+400*time.Millisecond
	p.SetView(lab.View{Traces: lab.Traces{Latest: latest, Slowest: slow}})
	p.SetSize(80, 20)

	p.Update(tracesKeyT)
	if out := ansi.Strip(p.View()); !strings.Contains(out, "Traces · slowest · abf92f… · 2.40s") {
		t.Errorf("after t: want slowest:\n%s", out)
	}
	p.Update(tracesKeyT)
	out := tracesTestRender(t, p, 80, 20)
	for _, want := range []string{"Traces · latest error", "no failed trace kept", "press t for latest"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")}) // not ours
	p.Update(tracesKeyT)
	if out := ansi.Strip(p.View()); !strings.Contains(out, "Traces · latest · 4bf92f…") {
		t.Errorf("after t t x t: want latest:\n%s", out)
	}
}

func TestTracesPanelHoldsATraceToRead(t *testing.T) {
	// The latest trace changed four times a second, too fast to read.
	first, second := tracesTestTrace(), tracesTestTrace()
	second.ID[0] = 0xcd
	at := func(sec float64, speed float64, latest *trace.Finished) lab.View {
		v := lab.View{Traces: lab.Traces{Latest: latest}}
		v.T, v.Speed = time.Duration(sec*float64(time.Second)), speed
		return v
	}
	shows := func(p *TracesPanel) string {
		out := ansi.Strip(p.View())
		switch {
		case strings.Contains(out, "4bf92f…"):
			return "first"
		case strings.Contains(out, "cdf92f…"):
			return "second"
		}
		return out
	}
	for _, speed := range []float64{1, 20} {
		p := NewTracesPanel(upperBadCommon())
		p.SetSize(80, 20)
		p.SetView(at(10, speed, first))
		p.SetView(at(10+2.5*speed, speed, second)) // 2.5 real seconds on
		if got := shows(p); got != "first" {
			t.Errorf("at %gx, 2.5 s on: shows %s, want the first still", speed, got)
		}
		p.SetView(at(10+3*speed, speed, second))
		if got := shows(p); got != "second" {
			t.Errorf("at %gx, 3 s on: shows %s, want the newest", speed, got)
		}
	}
	// f holds the trace until pressed again.
	p := NewTracesPanel(upperBadCommon())
	p.SetSize(80, 20)
	p.SetView(at(10, 1, first))
	p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f")})
	p.SetView(at(100, 1, second))
	if got, out := shows(p), ansi.Strip(p.View()); got != "first" || !strings.Contains(out, "Traces · latest · held") {
		t.Errorf("held: shows %s:\n%s", got, out)
	}
	p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f")})
	p.SetView(at(101, 1, second))
	if got := shows(p); got != "second" {
		t.Errorf("released: shows %s, want the newest", got)
	}
}

func TestTracesPanelEmpty(t *testing.T) {
	p := NewTracesPanel(upperBadCommon())
	p.SetView(viewAt(0, lab.Topology{}, map[string]float64{"trace.sample": 0.01}))
	for _, sz := range [][2]int{{40, 10}, {80, 20}} {
		out := tracesTestRender(t, p, sz[0], sz[1])
		for _, want := range []string{"no traces yet (trace sample is 1%)", "press t for slowest"} {
			if !strings.Contains(out, want) {
				t.Errorf("%v: missing %q in\n%s", sz, want, out)
			}
		}
	}
	p.SetView(viewAt(0, lab.Topology{}, map[string]float64{"trace.sample": 0.05}))
	if out := tracesTestRender(t, p, 80, 20); !strings.Contains(out, "trace sample is 5%") {
		t.Errorf("want the lab's own rate:\n%s", out)
	}
}

func TestTraceBar(t *testing.T) {
	st := lipgloss.NewStyle()
	ms := time.Millisecond
	for _, c := range []struct {
		off, dur, total time.Duration
		want            string
	}{
		{2 * ms, 3 * ms, 10 * ms, "  ███     "},
		{0, 10 * ms, 10 * ms, "██████████"},
		{9900 * time.Microsecond, 10 * time.Microsecond, 10 * ms, "         █"}, // at least one cell
		{5 * ms, 0, 10 * ms, "     │    "},
		{10 * ms, 0, 10 * ms, "         │"},
	} {
		if got := traceBar(st, c.off, c.dur, c.total, 10); got != c.want {
			t.Errorf("traceBar(%v, %v, %v) = %q, want %q", c.off, c.dur, c.total, got, c.want)
		}
	}
}
