package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/lab"
)

// ShardsPanel shows the database tier: per shard the keys it stores (a bar
// relative to the fullest shard, so skew shows at a glance), the reads and
// writes it serves per second and its health, and how many keys the last
// shard change moved — the number that separates modulo hashing from a
// consistent-hash ring.
type ShardsPanel struct {
	panelBase
	view lab.View
	body string
}

// NewShardsPanel builds the panel.
func NewShardsPanel(c *Common) ShardsPanel { return ShardsPanel{panelBase: panelBase{common: c}} }

// SetSize sets the panel's outer size.
func (p *ShardsPanel) SetSize(w, h int) { p.w, p.h = w, h; p.render() }

// SetView gives the panel the latest lab view.
func (p *ShardsPanel) SetView(v lab.View) { p.view = v; p.render() }

// Update handles keys sent to the focused panel (none).
func (p ShardsPanel) Update(msg tea.Msg) (ShardsPanel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p ShardsPanel) View() string {
	title := PanelShards.String()
	if st := p.view.Topology.ShardStrategy; st != "" {
		title += " · " + st
	}
	return p.framed(title, p.body)
}

// render rebuilds the body from the last view. The footer always keeps the
// last line; shards that do not fit are counted instead of cut.
func (p *ShardsPanel) render() {
	s := p.common.Styles
	v := p.view
	dbs := v.Topology.DBs
	if len(dbs) == 0 {
		p.body = s.Dim.Render("no database tier in this preset")
		return
	}
	iw, ih := panelInner(s, p.w, p.h)

	nameW := len("shard")
	var peak float64
	for _, n := range dbs {
		nameW = max(nameW, lipgloss.Width(n))
		peak = max(peak, metric(v, labelled("shard.keys", "shard", n)))
	}
	// name keys reads writes  health ("▲ failing" is the widest mark)
	const numsW, healthW = 1 + 6 + 1 + 5 + 1 + 6 + 2, 9
	barW := iw - nameW - numsW - healthW - 1
	if barW < 4 {
		barW = 0
	}
	barCol := func(cell string) string {
		if barW == 0 {
			return ""
		}
		return " " + cell
	}

	lines := []string{s.Dim.Render(fmt.Sprintf("%-*s%s %6s %5s %6s  %s",
		nameW, "shard", barCol(strings.Repeat(" ", barW)), "keys", "reads", "writes", "health"))}
	footer := wrapTokens([]string{
		s.Dim.Render(fmt.Sprintf("last change moved %.0f keys", metric(v, "shard.moved_keys"))),
		s.Dim.Render(fmt.Sprintf("(total %.0f)", metric(v, "shard.moved_total"))),
	}, iw, " ")
	rows := max(ih-1-len(footer), 0) // below the header, above the footer
	shown := dbs
	if len(dbs) > rows {
		shown = dbs[:max(rows-1, 0)]
	}
	for _, n := range shown {
		keys := metric(v, labelled("shard.keys", "shard", n))
		frac := 0.0
		if peak > 0 {
			frac = keys / peak
		}
		lines = append(lines, fmt.Sprintf("%-*s%s %6.0f %5s %6s  %s", nameW, n, barCol(bar(s, frac, barW)), keys,
			rateText(metric(v, labelled("shard.reads", "shard", n))),
			rateText(metric(v, labelled("shard.writes", "shard", n))),
			s.healthMark(metric(v, labelled("backend.health", "backend", n)))))
	}
	if len(shown) < len(dbs) {
		lines = append(lines, s.Dim.Render(fmt.Sprintf("… %d more shards", len(dbs)-len(shown))))
	}
	for len(lines) < ih-len(footer) {
		lines = append(lines, "")
	}
	lines = append(lines, footer...)
	p.body = strings.Join(lines, "\n")
}
