package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/lab"
)

// RoutingPanel shows where the balancer sends traffic: per web server the
// requests it routed there per second as a bar, requests in flight, p99
// latency and health (the server's own state and whether health checks
// have ejected it).
type RoutingPanel struct {
	panelBase
	view  lab.View
	fleet labHistory // while autoscaling: the servers wanted and had, per lab second
	chart chartCache
}

// NewRoutingPanel builds the panel.
func NewRoutingPanel(c *Common) *RoutingPanel {
	return &RoutingPanel{panelBase: panelBase{common: c, title: "Routing"}}
}

// SetView gives the panel the latest lab view.
func (p *RoutingPanel) SetView(v lab.View) {
	p.view = v
	if f := v.Fleet; f.Autoscale && p.fleet.add(v.T.Seconds(), float64(f.Desired), float64(f.Serving+f.Warming), float64(f.Receiving)) {
		p.chart.invalidate()
	}
}

// Update handles keys sent to the focused panel (none).
func (p *RoutingPanel) Update(tea.Msg) (Panel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p *RoutingPanel) View() string {
	s := p.common.Styles
	v := p.view
	webs := v.Role(lab.RoleWeb)
	var b strings.Builder
	var peak float64
	for _, w := range webs {
		if w.Routing != nil {
			peak = max(peak, w.Routing.Routed)
		}
	}
	inner, _ := p.inner()
	// name, bar, routed/s, [in-flight], p99, health; in-flight only when wide
	wide := inner >= 48
	fixed := 6 + 1 + 1 + 6 + 1 + 7 + 1 + 9
	if wide {
		fixed += 5
	}
	barW := max(inner-fixed, 3)
	// "sent/s": what the balancer routed there, served or not; the map's
	// rates are what each server served.
	share := "share"
	if barW < len(share) {
		share = "" // the bar says it
	}
	head := fmt.Sprintf("%-6s %-*s %6s", "server", barW, share, "sent/s")
	if wide {
		head += fmt.Sprintf(" %4s", "infl")
	}
	head += fmt.Sprintf(" %7s %s", "p99", "health")
	fmt.Fprintf(&b, "%s\n", s.Dim.Render(head))
	for _, w := range webs {
		r := w.Routing
		if r == nil {
			r = &lab.RoutingStats{}
		}
		frac := 0.0
		if peak > 0 {
			frac = r.Routed / peak
		}
		share := bar(s, frac, barW)
		if word := fleetWord(v, w.Name); word != "" {
			if barW < len(word) {
				word = word[:min(len(word), max(barW, 1))]
			}
			share = s.Warn.Render(fmt.Sprintf("%-*s", barW, word))
		} else if !r.Healthy {
			word := "ejected"
			if barW < len(word) {
				word = "out"
			}
			share = s.Bad.Render(fmt.Sprintf("%-*s", barW, word))
		}
		row := fmt.Sprintf("%-6s %s %6.0f", w.Name, share, r.Routed)
		if wide {
			row += fmt.Sprintf(" %4d", r.InFlight)
		}
		row += fmt.Sprintf(" %7s %s", msText(w.P99), s.healthMark(w.Health))
		fmt.Fprintf(&b, "%s\n", row)
	}
	if u := v.Requests.Unroutable; u > 0 {
		fmt.Fprintf(&b, "%s\n", s.Bad.Render(fmt.Sprintf("%.0f/s unroutable: no healthy web server", u)))
	}
	if line := autoscaleLine(s, v.Fleet); line != "" {
		fmt.Fprintf(&b, "%s\n", line)
		p.drawFleet(&b, inner)
	}
	return p.framed(p.title+" · "+v.Topology.Policy, strings.TrimRight(b.String(), "\n"))
}

// drawFleet adds the autoscaler's chart under the panel's lines, if at
// least four rows are left: servers wanted (the autoscaler's desired
// count), had (serving and warming) and receiving traffic, over the last
// 60 lab seconds.
func (p *RoutingPanel) drawFleet(b *strings.Builder, w int) {
	s := p.common.Styles
	_, h := p.inner()
	rows := min(h-strings.Count(b.String(), "\n")-1, 10)
	if rows < 4 || w < 12 || p.fleet.len() == 0 {
		return
	}
	top := niceCeil(max(p.fleet.max(0), p.fleet.max(1), float64(p.view.Fleet.Max), 1))
	styles := []lipgloss.Style{seriesStyle(s, 0), seriesStyle(s, 1), seriesStyle(s, 2)}
	legend := styles[0].Render("want") + " " + styles[1].Render("have") + " " + styles[2].Render("in service") + s.Dim.Render(", last 60 s")
	fmt.Fprintf(b, "%s\n%s\n", truncate(legend, w), p.chart.get(w, rows-1, top, func(w, h int) string {
		return lineChart(s, &p.fleet, []int{0, 1, 2}, styles, w, h, top)
	}))
}
