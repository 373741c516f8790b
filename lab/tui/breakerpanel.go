package tui

import (
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/scalelab/scalelab/lab"
)

// breakerName is the one breaker the lab has: around calls to payments.
const breakerName = "payments"

// breakerStripSecs is how many lab seconds the state strip covers.
const breakerStripSecs = 60

// Breaker states as codes: the order is severity, so a second in which the
// breaker was ever open shows as open.
const (
	brkNone     int8 = -1 // before the lab started
	brkClosed   int8 = 0
	brkHalfOpen int8 = 1
	brkOpen     int8 = 2
)

// BreakerPanel shows the circuit breaker in front of the payments server:
// its state, consecutive failures, calls failed fast, trips, the payments
// server's own health and p99, the recent transitions, and a strip with the
// state of each of the last 60 lab seconds.
type BreakerPanel struct {
	panelBase
	view  lab.View
	strip [breakerStripSecs]int8 // state per lab second, oldest first
	body  string                 // rendered on SetView / SetSize
}

// NewBreakerPanel builds the panel.
func NewBreakerPanel(c *Common) BreakerPanel { return BreakerPanel{panelBase: panelBase{common: c}} }

// SetSize sets the panel's outer size.
func (p *BreakerPanel) SetSize(w, h int) {
	p.w, p.h = w, h
	p.body = p.render()
}

// SetView gives the panel the latest lab view.
func (p *BreakerPanel) SetView(v lab.View) {
	p.view = v
	p.strip = breakerStrip(v.Breaker, metric(v, "lab.time"), int8(metric(v, labelled("breaker.state", "name", breakerName))))
	p.body = p.render()
}

// Update handles keys sent to the focused panel (none).
func (p BreakerPanel) Update(msg tea.Msg) (BreakerPanel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p BreakerPanel) View() string {
	return p.framed("Breaker · "+breakerName, p.body)
}

// inner is the body's size inside the frame.
func (p BreakerPanel) inner() (int, int) {
	fw, fh := p.common.Styles.Panel.GetFrameSize()
	return max(p.w-fw, 0), max(p.h-fh-1, 0)
}

func (p BreakerPanel) render() string {
	s := p.common.Styles
	v := p.view
	if !v.Topology.Payments {
		return s.Dim.Render("no breaker in this preset")
	}
	iw, ih := p.inner()
	m := func(base, label string) float64 { return metric(v, labelled(base, label, breakerName)) }
	items := []string{
		"breaker " + s.breakerMark(m("breaker.state", "name")),
		fmt.Sprintf("failures %.0f", m("breaker.failures", "name")),
		fmt.Sprintf("trips %.0f", m("breaker.trips", "name")),
		fmt.Sprintf("rejected %.0f/s", m("breaker.rejected", "name")),
		"payments " + s.healthMark(m("backend.health", "backend")) + fmt.Sprintf(" · p99 %.0fms", m("backend.latency.p99", "backend")),
	}
	lines := breakerFlow(items, iw)

	rest := ih - len(lines)
	stripW := min(breakerStripSecs, iw-len("last 60s "))
	if rest >= 2 && stripW >= 10 {
		lines = append(lines, s.Dim.Render(fmt.Sprintf("last %ds ", stripW))+p.renderStrip(stripW))
		rest--
	}
	if rest > 0 {
		tr := v.Breaker
		if len(tr) == 0 {
			lines = append(lines, s.Dim.Render("no transitions yet"))
		}
		for _, t := range tr[max(len(tr)-rest, 0):] {
			lines = append(lines, fmt.Sprintf("t=%.1fs %s → %s", t.T, t.From, p.stateWord(t.To)))
		}
	}
	return strings.Join(lines, "\n")
}

// stateWord renders a breaker state word in its colour.
func (p BreakerPanel) stateWord(st string) string {
	s := p.common.Styles
	switch breakerCode(st) {
	case brkClosed:
		return s.OK.Render(st)
	case brkHalfOpen:
		return s.Warn.Render(st)
	}
	return s.Bad.Render(st)
}

// renderStrip renders the last n seconds of the strip, one cell a second,
// styling runs of equal state together.
func (p BreakerPanel) renderStrip(n int) string {
	s := p.common.Styles
	cells := p.strip[breakerStripSecs-n:]
	var b strings.Builder
	for i := 0; i < len(cells); {
		j := i
		for j < len(cells) && cells[j] == cells[i] {
			j++
		}
		run := j - i
		switch cells[i] {
		case brkNone:
			b.WriteString(strings.Repeat(" ", run))
		case brkClosed:
			b.WriteString(s.OK.Render(strings.Repeat("·", run)))
		case brkHalfOpen:
			b.WriteString(s.Warn.Render(strings.Repeat("◐", run)))
		default:
			b.WriteString(s.Bad.Render(strings.Repeat("✖", run)))
		}
		i = j
	}
	return b.String()
}

// breakerCode maps a state word to its code.
func breakerCode(st string) int8 {
	switch st {
	case "closed":
		return brkClosed
	case "half-open":
		return brkHalfOpen
	}
	return brkOpen
}

// breakerStrip computes the state of each of the last 60 lab seconds ending
// at now: cell i covers (now-60+i, now-59+i], and shows the most severe
// state the breaker was in during it. Before the first transition the
// breaker was in that transition's From state (or, with none, in current).
func breakerStrip(trs []lab.Transition, now float64, current int8) [breakerStripSecs]int8 {
	var out [breakerStripSecs]int8
	state := current
	if len(trs) > 0 {
		state = breakerCode(trs[0].From)
	}
	k := 0 // next transition to apply
	for i := range out {
		end := now - float64(breakerStripSecs-1-i)
		start := end - 1
		if end < 0 {
			out[i] = brkNone
			continue
		}
		for k < len(trs) && trs[k].T <= start {
			state = breakerCode(trs[k].To)
			k++
		}
		worst := state
		for k < len(trs) && trs[k].T <= end {
			state = breakerCode(trs[k].To)
			worst = max(worst, state)
			k++
		}
		out[i] = worst
	}
	return out
}

// breakerFlow lays items out left to right, two spaces apart, starting a new
// line when the next would pass width w.
func breakerFlow(items []string, w int) []string {
	var lines []string
	var cur strings.Builder
	cw := 0
	for _, it := range items {
		iw := lipgloss.Width(it)
		if cw > 0 && cw+2+iw > w {
			lines = append(lines, cur.String())
			cur.Reset()
			cw = 0
		}
		if cw > 0 {
			cur.WriteString("  ")
			cw += 2
		}
		cur.WriteString(it)
		cw += iw
	}
	if cw > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
