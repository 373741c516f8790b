package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab"
)

// RoutingPanel shows where the balancer sends traffic: per web server its
// request rate as a bar, requests in flight, p99 latency and health (the
// server's own state and whether health checks have ejected it).
type RoutingPanel struct {
	panelBase
	view lab.View
}

// NewRoutingPanel builds the panel.
func NewRoutingPanel(c *Common) RoutingPanel { return RoutingPanel{panelBase: panelBase{common: c}} }

// SetView gives the panel the latest lab view.
func (p *RoutingPanel) SetView(v lab.View) { p.view = v }

// Update handles keys sent to the focused panel (none yet).
func (p RoutingPanel) Update(msg tea.Msg) (RoutingPanel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p RoutingPanel) View() string {
	s := p.common.Styles
	v := p.view
	title := "Routing · " + v.Topology.Policy
	var b strings.Builder
	var peak float64
	for _, n := range v.Topology.Webs {
		peak = max(peak, metric(v, labelled("lb.routed", "backend", n)))
	}
	inner := p.w - 4
	// name, bar, rate, [in-flight], p99, health; in-flight only when wide
	wide := inner >= 48
	fixed := 6 + 1 + 1 + 5 + 1 + 7 + 1 + 8
	if wide {
		fixed += 5
	}
	barW := max(inner-fixed, 3)
	head := fmt.Sprintf("%-6s %-*s %5s", "server", barW, "share", "req/s")
	if wide {
		head += fmt.Sprintf(" %4s", "infl")
	}
	head += fmt.Sprintf(" %7s %s", "p99", "health")
	fmt.Fprintf(&b, "%s\n", s.Dim.Render(head))
	for _, n := range v.Topology.Webs {
		rate := metric(v, labelled("lb.routed", "backend", n))
		frac := 0.0
		if peak > 0 {
			frac = rate / peak
		}
		share := bar(s, frac, barW)
		if metric(v, labelled("lb.healthy", "backend", n)) == 0 {
			word := "ejected"
			if barW < len(word) {
				word = "out"
			}
			share = s.Bad.Render(fmt.Sprintf("%-*s", barW, word))
		}
		row := fmt.Sprintf("%-6s %s %5.0f", n, share, rate)
		if wide {
			row += fmt.Sprintf(" %4.0f", metric(v, labelled("lb.inflight", "backend", n)))
		}
		row += fmt.Sprintf(" %5.0fms %s", metric(v, labelled("backend.latency.p99", "backend", n)), s.healthMark(metric(v, labelled("backend.health", "backend", n))))
		fmt.Fprintf(&b, "%s\n", row)
	}
	if u := metric(v, "lb.unroutable"); u > 0 {
		fmt.Fprintf(&b, "%s\n", s.Bad.Render(fmt.Sprintf("%.0f/s unroutable: no healthy web server", u)))
	}
	return p.framed(title, strings.TrimRight(b.String(), "\n"))
}
