package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab"
)

// CachePanel shows the cache in front of the database: its hit ratio over
// the last 60 lab seconds (a sparkline on a fixed 0–100% scale) and now,
// how full it is, what it throws away (evictions for room, expirations by
// TTL), how often a read returned stale data, and under write-behind how
// many writes are still on their way to the database and how late.
type CachePanel struct {
	panelBase
	view  lab.View
	hist  labHistory // hit ratio per lab second
	chart chartCache
	body  string
}

// NewCachePanel builds the panel.
func NewCachePanel(c *Common) CachePanel { return CachePanel{panelBase: panelBase{common: c}} }

// SetSize sets the panel's outer size.
func (p *CachePanel) SetSize(w, h int) { p.w, p.h = w, h; p.render() }

// SetView gives the panel the latest lab view and records one point of
// history per lab second.
func (p *CachePanel) SetView(v lab.View) {
	p.view = v
	if v.Topology.Cache && p.hist.add(metric(v, "lab.time"), metric(v, "cache.hit_ratio")) {
		p.chart.invalidate()
	}
	p.render()
}

// Update handles keys sent to the focused panel (none).
func (p CachePanel) Update(msg tea.Msg) (CachePanel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p CachePanel) View() string {
	title := PanelCache.String()
	if m := p.view.Topology.CacheMode; m != "" {
		title += " · " + m
	}
	return p.framed(title, p.body)
}

// render rebuilds the body from the last view, redrawing the sparkline
// only if its data or size changed.
func (p *CachePanel) render() {
	s := p.common.Styles
	v := p.view
	if !v.Topology.Cache {
		p.body = s.Dim.Render("no cache in this preset")
		return
	}
	iw, ih := panelInner(s, p.w, p.h)

	hit := metric(v, "cache.hit_ratio")
	hitStyle := s.OK
	switch {
	case hit < 0.5:
		hitStyle = s.Bad
	case hit < 0.8:
		hitStyle = s.Warn
	}
	staleStyle := s.Dim
	if metric(v, "cache.stale_ratio") > 0 {
		staleStyle = s.Warn
	}
	lines := wrapTokens([]string{
		"hit " + hitStyle.Render(pctText(hit)),
		staleStyle.Render("stale " + pctText(metric(v, "cache.stale_ratio"))),
	}, iw, "  ")

	size, capacity := metric(v, "cache.size"), metric(v, "cache.capacity")
	sizeText := fmt.Sprintf("size %.0f/%.0f", size, capacity)
	if bw := iw - len(sizeText) - 1; bw >= 4 {
		frac := 0.0
		if capacity > 0 {
			frac = size / capacity
		}
		sizeText += " " + bar(s, frac, bw)
	}
	lines = append(lines, sizeText)

	tokens := []string{
		"evict " + rateText(metric(v, "cache.evictions")) + "/s",
		"expire " + rateText(metric(v, "cache.expirations")) + "/s",
	}
	if v.Topology.CacheMode == "write-behind" {
		pending := metric(v, "cache.behind.pending")
		st := s.Dim
		if pending > 0 {
			st = s.Warn
		}
		tokens = append(tokens, st.Render(fmt.Sprintf("pending %.0f", pending)), st.Render("lag "+msText(metric(v, "cache.behind.lag"))))
	}
	lines = append(lines, wrapTokens(tokens, iw, "  ")...)

	if ch := ih - len(lines) - 1; ch >= 1 && iw >= 4 {
		lines = append(lines, s.Dim.Render("hit ratio, last 60 s (0–100%)"))
		lines = append(lines, p.chart.get(iw, ch, 1, func(w, h int) string {
			return sparkChart(&p.hist, 0, w, h, 1, s.Accent)
		}))
	}
	p.body = strings.Join(lines, "\n")
}
