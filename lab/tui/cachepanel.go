package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/cache"
	"github.com/scalelab/scalelab/lab"
)

// CachePanel shows the cache in front of the database: its hit ratio over
// the last 60 lab seconds (a sparkline on a fixed 0–100% scale) and now,
// how full it is, what it throws away (evictions for room, expirations by
// TTL), how often a read returned stale data, and under write-behind how
// many writes are still on their way to the database and how late.
type CachePanel struct{ charted }

// NewCachePanel builds the panel.
func NewCachePanel(c *Common) *CachePanel {
	p := &CachePanel{}
	p.charted = charted{panelBase: panelBase{common: c, title: "Cache"}, sample: cacheSample, render: p.draw}
	return p
}

// cacheSample is what the cache panel charts: the hit ratio, per lab second.
func cacheSample(v lab.View) ([]float64, bool) {
	if c := v.Cache; c != nil {
		return []float64{c.HitRatio}, true
	}
	return nil, false
}

// Update handles keys sent to the focused panel (none).
func (p *CachePanel) Update(tea.Msg) (Panel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p *CachePanel) View() string {
	title := p.title
	if c := p.view.Cache; c != nil {
		title += " · " + c.Mode.String()
	}
	return p.framed(title, p.body)
}

// draw rebuilds the body from the last view, redrawing the sparkline
// only if its data or size changed.
func (p *CachePanel) draw() {
	s := p.common.Styles
	c := p.view.Cache
	if c == nil {
		p.body = s.Dim.Render("no cache in this preset")
		return
	}
	iw, ih := p.inner()
	hitStyle := s.OK
	switch {
	case c.HitRatio < 0.5:
		hitStyle = s.Bad
	case c.HitRatio < 0.8:
		hitStyle = s.Warn
	}
	staleStyle := staleStyleOf(s, c.StaleRatio)
	lines := wrapTokens([]string{
		"hit " + hitStyle.Render(pctText(c.HitRatio)),
		staleStyle.Render("stale " + pctText(c.StaleRatio)),
	}, iw, "  ")

	sizeText := fmt.Sprintf("size %d/%d", c.Size, c.Capacity)
	if bw := iw - len(sizeText) - 1; bw >= 4 {
		frac := 0.0
		if c.Capacity > 0 {
			frac = float64(c.Size) / float64(c.Capacity)
		}
		sizeText += " " + bar(s, frac, bw)
	}
	lines = append(lines, sizeText)

	tokens := []string{
		"evict " + rateText(c.Evictions) + "/s",
		"expire " + rateText(c.Expirations) + "/s",
	}
	if c.Mode == cache.WriteBehind {
		st := s.Dim
		if c.BehindPending > 0 {
			st = s.Warn
		}
		tokens = append(tokens, st.Render(fmt.Sprintf("pending %d", c.BehindPending)), st.Render("lag "+msText(c.BehindLag)))
	}
	if c.Coalesce {
		tokens = append(tokens, "coalesced "+rateText(c.Coalesced)+"/s")
	}
	lines = append(lines, wrapTokens(tokens, iw, "  ")...)
	lines = append(lines, p.tierLines(c, iw, ih-len(lines)-2)...)
	if e := p.view.CDN; e != nil {
		lines = append(lines, wrapTokens([]string{
			"cdn " + pctText(e.HitRatio) + " hit", staleStyleOf(s, e.StaleRatio).Render("stale " + pctText(e.StaleRatio)),
			fmt.Sprintf("%d/%d", e.Size, e.Capacity), s.Dim.Render("ttl " + e.TTL.String()),
		}, iw, "  ")...)
	}

	if ch := ih - len(lines) - 1; ch >= 1 && iw >= 4 {
		lines = append(lines, s.Dim.Render("hit ratio, last 60 s (0–100%)"))
		lines = append(lines, p.chart.get(iw, ch, 1, func(w, h int) string {
			return sparkChart(&p.hist, 0, w, h, 1, s.Accent)
		}))
	}
	p.body = strings.Join(lines, "\n")
}

// staleStyleOf is dim for no stale reads, a warning for some.
func staleStyleOf(s *Styles, ratio float64) lipgloss.Style {
	if ratio > 0 {
		return s.Warn
	}
	return s.Dim
}

// tierLines describe a local or distributed tier in at most rows lines:
// its shape, then each cache with its health, hit ratio and fill, as many
// as fit (the rest summed up in a last line). The global tier, one cache,
// needs none.
func (p *CachePanel) tierLines(c *lab.CacheStats, iw, rows int) []string {
	s := p.common.Styles
	if c.Tier == lab.TierGlobal || rows < 1 {
		return nil
	}
	head := fmt.Sprintf("local · %d caches, one per web server", len(c.Nodes))
	if c.Tier == lab.TierDistributed {
		place := "mod-N"
		if c.Ring {
			place = "ring"
		}
		head = fmt.Sprintf("%s ×%d · moved %d keys", place, len(c.Nodes), c.MovedKeys)
	}
	lines := []string{s.Bold.Render(truncate(head, iw))}
	for i, n := range c.Nodes {
		if len(lines) == rows && i < len(c.Nodes) {
			lines[len(lines)-1] = s.Dim.Render(fmt.Sprintf("… %d more", len(c.Nodes)-i+1))
			break
		}
		mark := s.OK.Render(symUp)
		if n.Health != backend.Up {
			mark = s.Bad.Render(symDown)
		}
		lines = append(lines, truncate(fmt.Sprintf("%s %s %s %d/%d", mark, n.Name, pctText(n.HitRatio), n.Size, n.Capacity), iw))
	}
	return lines
}
