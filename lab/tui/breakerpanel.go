package tui

import (
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/lab"
)

// breakerStripSecs is how many lab seconds the state strip covers.
const breakerStripSecs = 60

// stripNone marks a second of the strip before the lab started.
const stripNone breaker.State = -1

// BreakerPanel shows the circuit breaker and the dependency it guards: its
// state, what it counts toward tripping (consecutive failures, or under the
// ratio rule the failing share of its window), calls failed fast, trips, the
// dependency's own health and p99, the rule that trips it, the recent
// transitions, and a strip with the state of each of the last 60 lab
// seconds. Below the breaker's numbers, the event store of the orders the
// checkouts rebuild and append to (orders.go).
type BreakerPanel struct {
	panelBase
	view  lab.View
	strip [breakerStripSecs]breaker.State // per lab second, oldest first
	body  string                          // rendered on SetView / SetSize
}

// NewBreakerPanel builds the panel.
func NewBreakerPanel(c *Common) *BreakerPanel {
	return &BreakerPanel{panelBase: panelBase{common: c, title: "Breaker"}}
}

// SetSize sets the panel's outer size.
func (p *BreakerPanel) SetSize(w, h int) {
	p.w, p.h = w, h
	p.body = p.render()
}

// SetView gives the panel the latest lab view.
func (p *BreakerPanel) SetView(v lab.View) {
	p.view = v
	if len(v.Breakers) > 0 {
		p.strip = breakerStrip(v.Transitions, v.T, v.Breakers[0].State)
	}
	p.body = p.render()
}

// Update handles keys sent to the focused panel (none).
func (p *BreakerPanel) Update(tea.Msg) (Panel, tea.Cmd) { return p, nil }

// View renders the panel at exactly its size.
func (p *BreakerPanel) View() string {
	title := p.title
	if len(p.view.Breakers) > 0 {
		title += " · " + p.view.Breakers[0].Name
	}
	return p.framed(title, p.body)
}

func (p *BreakerPanel) render() string {
	s := p.common.Styles
	v := p.view
	if len(v.Breakers) == 0 {
		return s.Dim.Render("no breaker in this preset")
	}
	br := v.Breakers[0]
	iw, ih := p.inner()
	counted := fmt.Sprintf("failures %d", br.Failures)
	if br.Mode == breaker.FailureRatio {
		counted = fmt.Sprintf("failed %s of %d", pctText(br.FailureRatio), br.WindowCalls)
	}
	items := []string{
		"breaker " + s.breakerBadge(br),
		counted,
		fmt.Sprintf("trips %d", br.Trips),
		fmt.Sprintf("rejected %s/s", rateText(br.Rejected)),
	}
	// The settings when there is room for them; when narrow, the ratio
	// rule still, as a failing share means nothing without its yardstick.
	switch rule := "trips at " + br.Rule(); {
	case iw >= 60:
		items = append(items, s.Dim.Render(fmt.Sprintf("%s · open %s · trials %d", rule, br.OpenFor, br.Trials)))
	case br.Mode == breaker.FailureRatio:
		items = append(items, s.Dim.Render(rule))
	}
	if dep := v.Server(br.Name); dep != nil {
		items = append(items, dep.Name+" "+s.healthMark(dep.Health)+" · p99 "+msText(dep.P99))
	}
	items = append(items, callsTokens(s, v.Call(br.Name))...)
	lines := wrapTokens(items, iw, "  ")
	if o := v.Orders; o != nil {
		lines = append(lines, ordersLines(s, o, iw)...)
	}

	rest := ih - len(lines)
	stripW := min(breakerStripSecs, iw-len("last 60s "))
	if rest >= 2 && stripW >= 10 {
		lines = append(lines, s.Dim.Render(fmt.Sprintf("last %ds ", stripW))+p.renderStrip(stripW))
		rest--
	}
	if rest > 0 {
		tr := v.Transitions
		if len(tr) == 0 {
			lines = append(lines, s.Dim.Render("no transitions yet"))
		}
		for _, t := range tr[max(len(tr)-rest, 0):] {
			lines = append(lines, fmt.Sprintf("t=%.1fs %s → %s", t.T.Seconds(), t.From, p.stateWord(t.To)))
		}
	}
	return strings.Join(lines, "\n")
}

// stateWord renders a breaker state's word in its colour.
func (p *BreakerPanel) stateWord(st breaker.State) string {
	s := p.common.Styles
	switch st {
	case breaker.Closed:
		return s.OK.Render(st.String())
	case breaker.HalfOpen:
		return s.Warn.Render(st.String())
	}
	return s.Bad.Render(st.String())
}

// renderStrip renders the last n seconds of the strip, one cell a second,
// styling runs of equal state together.
func (p *BreakerPanel) renderStrip(n int) string {
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
		case stripNone:
			b.WriteString(strings.Repeat(" ", run))
		case breaker.Closed:
			b.WriteString(s.OK.Render(strings.Repeat("·", run)))
		case breaker.HalfOpen:
			b.WriteString(s.Warn.Render(strings.Repeat("◐", run)))
		default:
			b.WriteString(s.Bad.Render(strings.Repeat("✖", run)))
		}
		i = j
	}
	return b.String()
}

// breakerStrip computes the state of each of the last 60 lab seconds ending
// at now: cell i covers (now-60+i, now-59+i], and shows the most severe
// state the breaker was in during it (the states' order is their
// severity). Before the first transition the breaker was in that
// transition's From state (or, with none, in current).
func breakerStrip(trs []lab.Transition, now time.Duration, current breaker.State) [breakerStripSecs]breaker.State {
	var out [breakerStripSecs]breaker.State
	state := current
	if len(trs) > 0 {
		state = trs[0].From
	}
	k := 0 // next transition to apply
	for i := range out {
		end := now - time.Duration(breakerStripSecs-1-i)*time.Second
		start := end - time.Second
		if end < 0 {
			out[i] = stripNone
			continue
		}
		for k < len(trs) && trs[k].T <= start {
			state = trs[k].To
			k++
		}
		worst := state
		for k < len(trs) && trs[k].T <= end {
			state = trs[k].To
			worst = max(worst, state)
			k++
		}
		out[i] = worst
	}
	return out
}
