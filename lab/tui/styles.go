package tui

import (
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/scalelab/scalelab/components/backend"
	"github.com/scalelab/scalelab/components/breaker"
	"github.com/scalelab/scalelab/lab"
)

// Styles is the one style sheet. Colours adapt to light and dark terminals;
// with NO_COLOR set every style is plain, and state is never shown by colour
// alone (every state has a symbol and a word).
type Styles struct {
	Title, Dim, Bold, Key, Err, OK, Warn, Bad, Accent lipgloss.Style

	Panel, PanelFocused lipgloss.Style // bordered panel frames
	PanelTitle          lipgloss.Style
	Node, NodeSelected  lipgloss.Style // map nodes
	Bar                 lipgloss.Style // bar fill
	BarEmpty            lipgloss.Style
	Header, Footer      lipgloss.Style
	PresenterHeader     lipgloss.Style // the presenter layout's boxed header
	CmdPrompt           lipgloss.Style

	// Series colours for charts (p50, p90, p99 …).
	Series []lipgloss.Style
}

// NewStyles builds the style sheet for the process's terminal. noColor
// strips every colour.
func NewStyles(noColor bool) *Styles { return NewStylesFor(lipgloss.DefaultRenderer(), noColor) }

// NewStylesFor builds the style sheet for the terminal r renders to (an
// SSH session's: its colour profile and background, not the server's).
func NewStylesFor(r *lipgloss.Renderer, noColor bool) *Styles {
	c := func(light, dark string) lipgloss.TerminalColor {
		if noColor {
			return lipgloss.NoColor{}
		}
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	fg := func(light, dark string) lipgloss.Style { return r.NewStyle().Foreground(c(light, dark)) }
	s := &Styles{
		Title:     fg("#5A3FC0", "#B8A6FF").Bold(true),
		Dim:       fg("#767676", "#8A8A8A"),
		Bold:      r.NewStyle().Bold(true),
		Key:       fg("#5A3FC0", "#B8A6FF").Bold(true),
		Err:       fg("#B00020", "#FF6B6B").Bold(true),
		OK:        fg("#1B7F3B", "#5FD787"),
		Warn:      fg("#8A5A00", "#FFD75F"),
		Bad:       fg("#B00020", "#FF6B6B"),
		Accent:    fg("#006C8E", "#5FD7FF"),
		Bar:       fg("#006C8E", "#5FD7FF"),
		BarEmpty:  fg("#D0D0D0", "#3A3A3A"),
		Header:    r.NewStyle().Bold(true),
		Footer:    fg("#767676", "#8A8A8A"),
		CmdPrompt: fg("#5A3FC0", "#B8A6FF").Bold(true),
	}
	border := lipgloss.RoundedBorder()
	s.Panel = r.NewStyle().Border(border).BorderForeground(c("#C0C0C0", "#4E4E4E")).Padding(0, 1)
	s.PanelFocused = s.Panel.BorderForeground(c("#5A3FC0", "#B8A6FF"))
	if noColor {
		// Without colour, focus needs another cue: a heavier border.
		s.PanelFocused = s.Panel.Border(lipgloss.ThickBorder())
	}
	s.PresenterHeader = r.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(c("#5A3FC0", "#B8A6FF")).Bold(true).Padding(0, 1)
	s.PanelTitle = s.Title
	s.Node = r.NewStyle()
	s.NodeSelected = r.NewStyle().Reverse(true).Bold(true)
	s.Series = []lipgloss.Style{fg("#1B7F3B", "#5FD787"), fg("#8A5A00", "#FFD75F"), fg("#B00020", "#FF6B6B"), fg("#006C8E", "#5FD7FF")}
	return s
}

// NoColorRequested reports whether the user asked for no colour (NO_COLOR
// set to anything, as https://no-color.org says) or the terminal has none.
func NoColorRequested() bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return true
	}
	return lipgloss.ColorProfile() == termenv.Ascii
}

// State symbols: shape and word, never colour alone.
const (
	symUp      = "●"
	symSlow    = "◐"
	symFailing = "▲"
	symHung    = "◌"
	symDown    = "✖"
	symOut     = "⊘" // ejected by the balancer
)

// healthMark renders a server's health as symbol + word in its colour.
func (s *Styles) healthMark(h backend.Health) string {
	switch h {
	case backend.Up:
		return s.OK.Render(symUp + " up")
	case backend.Slow:
		return s.Warn.Render(symSlow + " slow")
	case backend.Failing:
		return s.Bad.Render(symFailing + " failing")
	case backend.Hung:
		return s.Bad.Render(symHung + " hung")
	}
	return s.Bad.Render(symDown + " " + h.String())
}

// breakerBadge renders a breaker: its state, or off when it is out of the
// call path.
func (s *Styles) breakerBadge(b lab.BreakerStats) string {
	if !b.On {
		return s.Warn.Render(symHung + " off")
	}
	return s.breakerMark(b.State)
}

// breakerMark renders a breaker state as symbol + word in its colour.
func (s *Styles) breakerMark(st breaker.State) string {
	switch st {
	case breaker.Closed:
		return s.OK.Render(symUp + " closed")
	case breaker.HalfOpen:
		return s.Warn.Render(symSlow + " half-open")
	}
	return s.Bad.Render(symDown + " " + st.String())
}
