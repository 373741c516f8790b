package tui

import (
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/lab"
)

// LatencyPanel shows end-to-end latency as the client sees it, of the
// requests that were served: p50, p90 and p99 over the last 60 lab seconds
// as a line chart (one line per percentile, in ms), a legend with the
// current values and the mean, and the request rate and error ratio
// beside them, with how long the failed requests took to fail: a refusal
// is fast and a timeout slow, and neither is a served request.
//
// The chart is drawn only when a new lab second arrives or the size
// changes; View just frames the cached text.
type LatencyPanel struct{ charted }

// NewLatencyPanel builds the panel.
func NewLatencyPanel(c *Common) *LatencyPanel {
	p := &LatencyPanel{}
	p.charted = charted{panelBase: panelBase{common: c, title: "Latency"}, sample: latencySample, render: p.draw}
	return p
}

// latencySample is what the latency panel charts: p50, p90 and p99 in
// ms, per lab second.
func latencySample(v lab.View) ([]float64, bool) {
	l := v.Latency
	return []float64{msFloat(l.P50), msFloat(l.P90), msFloat(l.P99)}, true
}

// Update handles keys sent to the focused panel (none).
func (p *LatencyPanel) Update(tea.Msg) (Panel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p *LatencyPanel) View() string { return p.framed(p.title+" (served) · ms", p.body) }

// draw rebuilds the body from the last view, redrawing the chart only if
// its data or size changed.
func (p *LatencyPanel) draw() {
	s := p.common.Styles
	v := p.view
	iw, ih := p.inner()
	l := v.Latency
	var tokens []string
	for i, x := range []struct {
		name string
		d    time.Duration
	}{{"p50", l.P50}, {"p90", l.P90}, {"p99", l.P99}} {
		tokens = append(tokens, seriesStyle(s, i).Render(x.name)+" "+msText(x.d))
	}
	tokens = append(tokens, s.Dim.Render("mean")+" "+msText(l.Mean))
	lines := wrapTokens(tokens, iw, "  ")
	errs := s.Dim.Render("errors " + pctText(v.Requests.ErrorRatio))
	if v.Requests.ErrorRatio > 0 {
		fail := s.Dim.Render(" fail in ") + msText(l.Failed.P50)
		if l.Failed.P50 < 50*time.Microsecond {
			fail = s.Dim.Render(" fail at once") // refused: a full queue, an open breaker
		}
		errs = s.Bad.Render("errors "+pctText(v.Requests.ErrorRatio)) + fail
	}
	rates := []string{rateText(v.Requests.Rate) + " req/s", errs}
	if lim := limitToken(s, v.Limit); lim != "" {
		rates = append(rates, lim)
	}
	lines = append(lines, wrapTokens(rates, iw, "  ")...)
	if ch := ih - len(lines); ch >= 2 && iw >= 8 {
		lines = append(lines, p.chart.get(iw, ch, 0, func(w, h int) string {
			top := niceCeil(max(p.hist.max(0), p.hist.max(1), p.hist.max(2)))
			// p99 first so the median, drawn last, stays visible where they meet.
			return lineChart(s, &p.hist, []int{2, 1, 0}, []lipgloss.Style{seriesStyle(s, 2), seriesStyle(s, 1), seriesStyle(s, 0)}, w, h, top)
		}))
	}
	p.body = strings.Join(lines, "\n")
}

// msFloat is a duration in milliseconds, for charts.
func msFloat(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
