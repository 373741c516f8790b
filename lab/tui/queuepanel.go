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
type QueuePanel struct {
	panelBase
	view  lab.View
	hist  labHistory // depth per lab second
	chart chartCache
	body  string
}

// NewQueuePanel builds the panel.
func NewQueuePanel(c *Common) QueuePanel { return QueuePanel{panelBase: panelBase{common: c}} }

// SetSize sets the panel's outer size.
func (p *QueuePanel) SetSize(w, h int) { p.w, p.h = w, h; p.render() }

// SetView gives the panel the latest lab view and records one point of
// history per lab second.
func (p *QueuePanel) SetView(v lab.View) {
	p.view = v
	if v.Topology.Queue && p.hist.add(metric(v, "lab.time"), metric(v, "queue.depth")) {
		p.chart.invalidate()
	}
	p.render()
}

// Update handles keys sent to the focused panel (none).
func (p QueuePanel) Update(msg tea.Msg) (QueuePanel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p QueuePanel) View() string {
	return p.framed(PanelQueue.String(), p.body)
}

// render rebuilds the body from the last view, redrawing the sparkline
// only if its data or size changed.
func (p *QueuePanel) render() {
	s := p.common.Styles
	v := p.view
	if !v.Topology.Queue {
		p.body = s.Dim.Render("no queue in this preset")
		return
	}
	iw, ih := panelInner(s, p.w, p.h)

	depth, capacity := metric(v, "queue.depth"), metric(v, "queue.capacity")
	frac := 0.0
	if capacity > 0 {
		frac = depth / capacity
	}
	depthText := fmt.Sprintf("depth %.0f/%.0f", depth, capacity)
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
	retried := metric(v, "queue.retried")
	retriedText := "retried " + rateText(retried) + "/s"
	if retried > 0 {
		retriedText = s.Warn.Render(retriedText)
	}
	lines = append(lines, wrapTokens([]string{
		"in " + rateText(metric(v, "queue.published")) + "/s",
		"out " + rateText(metric(v, "queue.consumed")) + "/s",
		fmt.Sprintf("consumers %.0f", metric(v, "queue.consumers")),
		"oldest " + msText(metric(v, "queue.oldest")),
		retriedText,
		bad("rejected "+rateText(metric(v, "queue.rejected"))+"/s", metric(v, "queue.rejected")),
		bad(fmt.Sprintf("dead %.0f", metric(v, "queue.dead")), metric(v, "queue.dead")),
	}, iw, "  ")...)

	if ch := ih - len(lines) - 1; ch >= 1 && iw >= 4 {
		top := capacity
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
