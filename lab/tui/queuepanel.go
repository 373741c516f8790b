package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/lab"
)

// QueuePanel shows the write queue between the web tier and the database:
// its depth over the last 60 lab seconds (a sparkline scaled to the queue's
// capacity) and now, how fast messages go in and out, how many consumers
// drain it, what is retried, refused or dead-lettered, and how long the
// oldest waiting message has waited.
type QueuePanel struct{ charted }

// NewQueuePanel builds the panel.
func NewQueuePanel(c *Common) *QueuePanel {
	p := &QueuePanel{}
	p.charted = charted{panelBase: panelBase{common: c, title: "Queue"}, sample: queueSample, render: p.draw}
	return p
}

// queueSample is what the queue panel charts: its depth, per lab second.
func queueSample(v lab.View) ([]float64, bool) {
	if q := v.Queue; q != nil {
		return []float64{float64(q.Depth)}, true
	}
	return nil, false
}

// Update handles keys sent to the focused panel (none).
func (p *QueuePanel) Update(tea.Msg) (Panel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p *QueuePanel) View() string { return p.framed(p.title, p.body) }

// draw rebuilds the body from the last view, redrawing the sparkline
// only if its data or size changed.
func (p *QueuePanel) draw() {
	s := p.common.Styles
	q := p.view.Queue
	if q == nil {
		p.body = s.Dim.Render("no queue in this preset")
		return
	}
	iw, ih := p.inner()

	frac := 0.0
	if q.Capacity > 0 {
		frac = float64(q.Depth) / float64(q.Capacity)
	}
	depthText := fmt.Sprintf("depth %d/%d", q.Depth, q.Capacity)
	if frac >= 0.9 {
		depthText = s.Bad.Render(depthText)
	}
	if bw := iw - lipgloss.Width(depthText) - 1; bw >= 4 {
		depthText += " " + bar(s, frac, bw)
	}
	lines := []string{depthText}

	bad := func(text string, x float64) string {
		if x > 0 {
			return s.Bad.Render(text)
		}
		return text
	}
	retriedText := "retried " + rateText(q.Retried) + "/s"
	if q.Retried > 0 {
		retriedText = s.Warn.Render(retriedText)
	}
	lines = append(lines, wrapTokens([]string{
		"in " + rateText(q.Published) + "/s",
		"out " + rateText(q.Consumed) + "/s",
		fmt.Sprintf("consumers %d", q.Consumers),
		"oldest " + msText(q.Oldest),
		retriedText,
		bad("rejected "+rateText(q.Rejected)+"/s", q.Rejected),
		bad(fmt.Sprintf("dead %d", q.Dead), float64(q.Dead)),
	}, iw, "  ")...)

	if ch := ih - len(lines) - 1; ch >= 1 && iw >= 4 {
		top := float64(q.Capacity)
		if top <= 0 {
			top = niceCeil(p.hist.max(0))
		}
		lines = append(lines, s.Dim.Render(fmt.Sprintf("depth, last 60 s (0–%.0f)", top)))
		lines = append(lines, p.chart.get(iw, ch, top, func(w, h int) string {
			return sparkChart(&p.hist, 0, w, h, top, s.Accent)
		}))
	}
	p.body = strings.Join(lines, "\n")
}
