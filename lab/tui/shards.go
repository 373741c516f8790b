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
func NewShardsPanel(c *Common) *ShardsPanel {
	return &ShardsPanel{panelBase: panelBase{common: c, title: "Shards"}}
}

// SetSize sets the panel's outer size.
func (p *ShardsPanel) SetSize(w, h int) { p.w, p.h = w, h; p.render() }

// SetView gives the panel the latest lab view.
func (p *ShardsPanel) SetView(v lab.View) { p.view = v; p.render() }

// Update handles keys sent to the focused panel (none).
func (p *ShardsPanel) Update(tea.Msg) (Panel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p *ShardsPanel) View() string {
	title := p.title
	if sh := p.view.Shards; sh != nil {
		title += " · " + sh.Strategy
	}
	return p.framed(title, p.body)
}

// render rebuilds the body from the last view. The footer always keeps the
// last line; shards that do not fit are counted instead of cut.
func (p *ShardsPanel) render() {
	s := p.common.Styles
	v := p.view
	dbs := v.Role(lab.RoleDB)
	if v.Shards == nil || len(dbs) == 0 {
		p.body = s.Dim.Render("no database tier in this preset")
		return
	}
	iw, ih := p.inner()

	nameW := len("shard")
	peak := 0
	for _, d := range dbs {
		nameW = max(nameW, lipgloss.Width(d.Name))
		if d.Shard != nil {
			peak = max(peak, d.Shard.Keys)
		}
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
		s.Dim.Render(fmt.Sprintf("last change moved %d keys", v.Shards.MovedKeys)),
		s.Dim.Render(fmt.Sprintf("(total %d)", v.Shards.MovedTotal)),
	}, iw, " ")
	rows := max(ih-1-len(footer), 0) // below the header, above the footer
	shown := dbs
	if len(dbs) > rows {
		shown = dbs[:max(rows-1, 0)]
	}
	for _, d := range shown {
		load := d.Shard
		if load == nil {
			load = &lab.ShardLoad{}
		}
		frac := 0.0
		if peak > 0 {
			frac = float64(load.Keys) / float64(peak)
		}
		lines = append(lines, fmt.Sprintf("%-*s%s %6d %5s %6s  %s", nameW, d.Name, barCol(bar(s, frac, barW)), load.Keys,
			rateText(load.Reads), rateText(load.Writes), s.healthMark(d.Health)))
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
