package tui

import (
	"math"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/scalelab/scalelab/lab"
)

// fixedViewCommon is a plain (no colour) style sheet and the default keys,
// with lipgloss rendering ASCII so text can be compared.
func fixedViewCommon(t *testing.T) *Common {
	t.Helper()
	lipgloss.SetColorProfile(termenv.Ascii)
	return &Common{Styles: NewStyles(true), Keys: DefaultKeyMap()}
}

// assertExactSize fails unless out is exactly w×h cells.
func assertExactSize(t *testing.T, out string, w, h int) {
	t.Helper()
	if got := lipgloss.Height(out); got != h {
		t.Errorf("%d×%d: height %d, want %d\n%s", w, h, got, h, out)
	}
	for i, l := range strings.Split(out, "\n") {
		if got := lipgloss.Width(l); got != w {
			t.Errorf("%d×%d: line %d is %d wide, want %d: %q", w, h, i, got, w, l)
		}
	}
}

// assertContains fails for each want missing from out.
func assertContains(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("missing %q in\n%s", w, out)
		}
	}
}

var latencyValues = map[string]float64{
	"latency.p50": 2.1, "latency.p90": 8.4, "latency.p99": 31.0, "latency.mean": 4.2,
	"requests.rate": 120, "errors.ratio": 0.012,
}

func TestLatencyPanel(t *testing.T) {
	c := fixedViewCommon(t)
	for _, sz := range []struct{ w, h int }{{40, 10}, {80, 20}} {
		p := NewLatencyPanel(c)
		p.SetSize(sz.w, sz.h)
		for sec := range 30 {
			p.SetView(viewAt(float64(sec), lab.Topology{}, latencyValues))
		}
		out := p.View()
		assertExactSize(t, out, sz.w, sz.h)
		assertContains(t, out, "Latency", "p50 2.1ms", "p90 8.4ms", "p99 31.0ms", "mean 4.2ms", "120 req/s", "errors 1.2%")
		// The Y axis runs to the p99 rounded up to 1, 2 or 5 × 10ⁿ: 50.
		assertContains(t, out, "50│", " 0│", "─")
		if sz.h == 20 {
			assertContains(t, out, "25│") // the middle, when a row falls there
		}
	}
}

func TestLatencyPanelUpdateHasNoKeys(t *testing.T) {
	p := NewLatencyPanel(fixedViewCommon(t))
	if _, cmd := p.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("k")}); cmd != nil {
		t.Error("Update returned a command")
	}
}

// A spike shows in the chart: flat at 10 ms, then one second at 100 ms.
// The chart's top row (the scale is now 0–100) is empty right of the axis
// before the spike and carries the p99 line after it.
func TestLatencyPanelChartsSpike(t *testing.T) {
	c := fixedViewCommon(t)
	p := NewLatencyPanel(c)
	p.SetSize(80, 20)
	// chartTop is the plot area of the chart's first row: the text right
	// of the Y axis inside the panel's border.
	chartTop := func() string {
		for _, l := range strings.Split(p.View(), "\n") {
			inner := strings.TrimSuffix(strings.TrimPrefix(l, "│"), "│")
			if _, plot, ok := strings.Cut(inner, "│"); ok {
				return plot
			}
		}
		t.Fatalf("no chart in\n%s", p.View())
		return ""
	}
	for sec := range 20 {
		p.SetView(viewAt(float64(sec), lab.Topology{}, map[string]float64{"latency.p50": 10, "latency.p90": 10, "latency.p99": 100}))
	}
	if top := chartTop(); !strings.ContainsAny(top, "─╭╮╯╰") {
		t.Errorf("p99 at 100 not on the top row %q:\n%s", top, p.View())
	}
	p = NewLatencyPanel(c)
	p.SetSize(80, 20)
	for sec := range 20 {
		p.SetView(viewAt(float64(sec), lab.Topology{}, map[string]float64{"latency.p50": 10, "latency.p90": 10, "latency.p99": 10}))
	}
	p.SetView(viewAt(20, lab.Topology{}, map[string]float64{"latency.p50": 10, "latency.p90": 10, "latency.p99": 10}))
	if top := chartTop(); !strings.ContainsAny(top, "─╭╮╯╰") {
		t.Errorf("flat 10ms on a 0–10 scale not on the top row %q:\n%s", top, p.View())
	}
	assertContains(t, p.View(), "10│")
}

func TestLabHistoryOnePointPerLabSecond(t *testing.T) {
	var h labHistory
	for _, tc := range []struct {
		t     float64
		added bool
		n     int
	}{
		{0.0, true, 1},
		{0.5, false, 1}, // same lab second
		{0.9, false, 1},
		{1.1, true, 2},
		{1.1, false, 2}, // lab time did not move
		{3.7, true, 3},
		{2.0, true, 1}, // lab time went back: a new lab, start afresh
	} {
		if got := h.add(tc.t, tc.t*10); got != tc.added || h.len() != tc.n {
			t.Errorf("add(%v) = %v with %d points, want %v with %d", tc.t, got, h.len(), tc.added, tc.n)
		}
	}
}

func TestLabHistoryKeepsLast60Seconds(t *testing.T) {
	var h labHistory
	for sec := range 100 {
		h.add(float64(sec), float64(sec))
	}
	if h.len() != 60 || h.t[0] != 40 || h.max(0) != 99 {
		t.Errorf("after 100 s: %d points from %v, max %v; want 60 from 40, max 99", h.len(), h.t[0], h.max(0))
	}
	h.add(500, 1) // a jump past the window drops everything older
	if h.len() != 1 || h.max(0) != 1 {
		t.Errorf("after a jump to 500 s: %d points, max %v; want 1, max 1", h.len(), h.max(0))
	}
}

func TestLabHistoryColumns(t *testing.T) {
	var h labHistory
	h.add(10, 7)
	if got := h.columns(0, 30); len(got) != 1 || got[0] != 7 {
		t.Errorf("one point: columns = %v, want [7] (right-aligned, nothing older)", got)
	}
	h = labHistory{}
	for sec := range 60 {
		h.add(float64(sec), float64(sec))
	}
	got := h.columns(0, 120)
	if len(got) != 120 || got[len(got)-1] != 59 || got[0] != 0 || math.Abs(got[60]-59.0*60/119) > 1e-9 {
		t.Fatalf("60 points on 120 columns: %d columns, %v, %v … %v; want 120, 0, 29.75 (59·60/119) … 59", len(got), got[0], got[60], got[len(got)-1])
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("columns not increasing at %d: %v", i, got[i-1:i+1])
		}
	}
	if got := h.columns(0, 10); len(got) != 10 || got[0] != 0 || got[9] != 59 {
		t.Errorf("60 points on 10 columns: %v; want 10 from 0 to 59", got)
	}
	h = labHistory{}
	for sec := range 30 {
		h.add(float64(sec), 1)
	}
	if got := h.columns(0, 60); len(got) != 30 {
		t.Errorf("30 s of history on 60 columns: %d columns, want 30 (the right half)", len(got))
	}
}

func TestNiceCeil(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{0, 1}, {-3, 1}, {0.3, 0.5}, {1, 1}, {7, 10}, {31, 50}, {120, 200}, {200, 200}, {2001, 5000},
	} {
		if got := niceCeil(tc.in); got != tc.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestWrapTokens(t *testing.T) {
	got := wrapTokens([]string{"aaaa", "bbb", "cc", "dddddddddd"}, 9, "  ")
	want := []string{"aaaa  bbb", "cc", "dddddddddd"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrapTokens = %q, want %q", got, want)
	}
}

func TestValueTexts(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{msText(2100 * time.Microsecond), "2.1ms"}, {msText(31 * time.Millisecond), "31.0ms"}, {msText(230 * time.Millisecond), "230ms"}, {msText(1250 * time.Millisecond), "1.25s"},
		{pctText(0.012), "1.2%"}, {pctText(1), "100.0%"},
		{rateText(120), "120"}, {rateText(3.5), "3.5"}, {rateText(0), "0"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
