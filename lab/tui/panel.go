package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/scalelab/scalelab/lab"
)

// Panel is one box of the dashboard's grid. It renders the last lab.View
// it was given at exactly the size it was given, handles keys while it has
// focus, and names its own keys (help.KeyMap) so help shows them while it
// has focus — the shape of soft-serve's tab components.
//
// A new panel is one file — its type and its PanelDef — plus one line in
// the panels table (panels.go).
type Panel interface {
	help.KeyMap
	SetSize(w, h int)
	Size() (w, h int)
	SetFocused(bool)
	SetView(lab.View)
	Update(tea.Msg) (Panel, tea.Cmd)
	View() string
}

// PanelDef registers a panel with the dashboard.
type PanelDef struct {
	ID string // stable, lower case: how lessons and commands name it ("traces")
	// Metrics are the prefixes of the metric names the panel draws ("lb.",
	// "backend."): a lesson step that checks them brings the panel into focus.
	Metrics []string
	New     func(c *Common) Panel
}

// Shows reports whether the panel draws the named metric.
func (d *PanelDef) Shows(metric string) bool {
	for _, p := range d.Metrics {
		if strings.HasPrefix(metric, p) {
			return true
		}
	}
	return false
}

// eventSink is a panel that is fed the lab's events as well as views.
type eventSink interface {
	AddEvents([]lab.Event)
}

// panelBase is what every panel keeps for its frame: the shared Common,
// its title, its outer size and whether it has focus. Panels embed it; those that
// cache rendered text on resize define their own SetSize. A panel without
// keys of its own inherits empty help.
type panelBase struct {
	common  *Common
	title   string
	w, h    int
	focused bool
}

// SetSize sets the panel's outer size.
func (p *panelBase) SetSize(w, h int) { p.w, p.h = w, h }

// Size is the panel's outer size.
func (p *panelBase) Size() (int, int) { return p.w, p.h }

// SetFocused marks the panel focused or not.
func (p *panelBase) SetFocused(f bool) { p.focused = f }

// ShortHelp is the panel's own keys: none.
func (p *panelBase) ShortHelp() []key.Binding { return nil }

// FullHelp is the panel's own keys: none.
func (p *panelBase) FullHelp() [][]key.Binding { return nil }

// inner is the body's size inside the frame.
func (p *panelBase) inner() (int, int) { return panelInner(p.common.Styles, p.w, p.h) }

// framed draws body in the panel's frame at exactly its size.
func (p *panelBase) framed(title, body string) string {
	return frame(p.common.Styles, title, p.focused, p.w, p.h, body)
}

// frame draws a panel's border and title around body so that the whole is
// exactly w×h cells. Panels call it from View; body is cut or padded to fit.
func frame(s *Styles, title string, focused bool, w, h int, body string) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	st := s.Panel
	if focused {
		st = s.PanelFocused
	}
	fw, fh := st.GetFrameSize()
	iw, ih := max(w-fw, 0), max(h-fh-1, 0)           // one line for the title
	head := truncate(s.PanelTitle.Render(title), iw) // a long title must not wrap
	content := head + "\n" + fit(body, iw, ih)
	return st.Width(max(w-st.GetHorizontalBorderSize(), 0)).Height(max(h-st.GetVerticalBorderSize(), 0)).MaxHeight(h).Render(content)
}

// panelInner is the body area frame leaves inside a w×h panel: the frame's
// border and padding and one line for the title taken away.
func panelInner(s *Styles, w, h int) (int, int) {
	fw, fh := s.Panel.GetFrameSize()
	return max(w-fw, 0), max(h-fh-1, 0)
}
