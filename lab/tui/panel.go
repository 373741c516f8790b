package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// panelBase is what every dashboard panel keeps for its frame: the shared
// Common, its outer size and whether it has focus. Panels embed it; those
// that cache rendered text on resize define their own SetSize.
type panelBase struct {
	common  *Common
	w, h    int
	focused bool
}

// SetSize sets the panel's outer size.
func (p *panelBase) SetSize(w, h int) { p.w, p.h = w, h }

// SetFocused marks the panel focused or not.
func (p *panelBase) SetFocused(f bool) { p.focused = f }

// framed draws body in the panel's frame at exactly its size.
func (p panelBase) framed(title, body string) string {
	return frame(p.common.Styles, title, p.focused, p.w, p.h, body)
}

// frame draws a panel's border and title around body so that the whole is
// exactly w×h cells. Panels call it from View; body is cut or padded to fit.
func frame(s *Styles, title string, focused bool, w, h int, body string) string {
	st := s.Panel
	if focused {
		st = s.PanelFocused
	}
	fw, fh := st.GetFrameSize()
	iw, ih := max(w-fw, 0), max(h-fh-1, 0)           // one line for the title
	head := truncate(s.PanelTitle.Render(title), iw) // a long title must not wrap
	content := head + "\n" + fit(body, iw, ih)
	return st.Width(w - st.GetHorizontalBorderSize()).Height(h - st.GetVerticalBorderSize()).MaxHeight(h).Render(content)
}

// fit cuts or pads text to exactly w columns and h lines.
func fit(text string, w, h int) string {
	lines := strings.Split(text, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			lines[i] = truncate(l, w)
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// truncate cuts a possibly styled line to w cells.
func truncate(s string, w int) string {
	return lipgloss.NewStyle().MaxWidth(w).Render(s)
}

// bar renders a horizontal bar of width w filled to frac (0..1).
func bar(s *Styles, frac float64, w int) string {
	if w <= 0 {
		return ""
	}
	frac = min(max(frac, 0), 1)
	full := int(frac*float64(w) + 0.5)
	return s.Bar.Render(strings.Repeat("█", full)) + s.BarEmpty.Render(strings.Repeat("░", w-full))
}
