package tui

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/lab"
)

// ShardsPanel shows the database tier: per shard the keys it stores (a bar
// relative to the fullest shard, so skew shows at a glance), the reads and
// writes its servers serve per second and its primary's health; under it
// its read replicas with how far behind they are; and how many keys the
// last shard change moved — the number that separates modulo hashing from
// a consistent-hash ring — with how reads are routed and how many
// acknowledged writes failovers lost.
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
// last lines; shards and replicas that do not fit are counted instead of
// cut.
func (p *ShardsPanel) render() {
	s := p.common.Styles
	v := p.view
	if v.Shards == nil || len(v.Shards.Shards) == 0 {
		p.body = s.Dim.Render("no database tier in this preset")
		return
	}
	sh := v.Shards
	iw, ih := p.inner()

	nameW := len("shard")
	peak := 0
	for _, d := range sh.Shards {
		nameW = max(nameW, lipgloss.Width(d.Primary))
		peak = max(peak, d.Load.Keys)
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
	var rows []string
	for _, d := range sh.Shards {
		frac := 0.0
		if peak > 0 {
			frac = float64(d.Load.Keys) / float64(peak)
		}
		health := s.healthMark(serverHealth(v, d.Primary))
		if !d.Writable {
			health = s.Bad.Render("✖ no writes")
		}
		rows = append(rows, fmt.Sprintf("%-*s%s %6d %5s %6s  %s", nameW, d.Primary, barCol(bar(s, frac, barW)), d.Load.Keys,
			rateText(d.Load.Reads), rateText(d.Load.Writes), health))
		for _, r := range d.Replicas {
			rows = append(rows, "  "+s.Dim.Render("└ ")+fmt.Sprintf("%s %s  %s", r.Name, s.Dim.Render("lag")+" "+lagText(r.Lag), s.healthMark(r.Health)))
		}
	}
	footer := p.footer(iw)
	room := max(ih-1-len(footer), 0) // below the header, above the footer
	if len(rows) > room {
		hidden := len(rows) - max(room-1, 0)
		rows = append(rows[:max(room-1, 0)], s.Dim.Render(fmt.Sprintf("… %d more", hidden)))
	}
	lines = append(lines, rows...)
	for len(lines) < ih-len(footer) {
		lines = append(lines, "")
	}
	lines = append(lines, footer...)
	p.body = strings.Join(lines, "\n")
}

// footer is how reads are routed and replicated, what failovers lost, and
// what the last shard change moved.
func (p *ShardsPanel) footer(w int) []string {
	s := p.common.Styles
	sh := p.view.Shards
	var tokens []string
	if sh.Replicas > 0 {
		reads := "reads → " + sh.Reads.String()
		if sh.Reads == lab.ReadSticky {
			reads += " " + sh.Sticky.String()
		}
		mode := "async " + sh.Lag.String()
		if sh.Sync {
			mode = "sync"
		}
		failover := "failover manual"
		if sh.Auto {
			failover = "failover auto"
		}
		tokens = append(tokens, s.Dim.Render(reads), s.Dim.Render(mode), s.Dim.Render(failover),
			s.Dim.Render(fmt.Sprintf("stale %s", pctText(sh.StaleRatio))))
	}
	if sh.LostWrites > 0 {
		tokens = append(tokens, s.Bad.Render(fmt.Sprintf("%d writes lost", sh.LostWrites)))
	}
	moved := []string{s.Dim.Render(fmt.Sprintf("last change moved %d keys", sh.MovedKeys)), s.Dim.Render(fmt.Sprintf("(total %d)", sh.MovedTotal))}
	return append(wrapTokens(tokens, w, " · "), wrapTokens(moved, w, " ")...)
}

// serverHealth is the named server's health in the view.
func serverHealth(v lab.View, name string) backend.Health {
	if s := v.Server(name); s != nil {
		return s.Health
	}
	return backend.Down
}

// lagText formats a replica's lag: "0.12s", "0s" when caught up.
func lagText(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	return fmt.Sprintf("%.2fs", d.Seconds())
}
