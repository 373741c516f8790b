package tui

import (
	"strings"

	"github.com/charmbracelet/glamour"
	glamouransi "github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// proseKey names one rendering of a step's prose.
type proseKey struct {
	lesson string
	step   int
	width  int
}

// proseRenderer renders step Markdown with glamour and keeps what it
// rendered, so each step is rendered once per width.
type proseRenderer struct {
	style   glamouransi.StyleConfig
	profile termenv.Profile
	cache   map[proseKey]string
}

// newProseRenderer picks glamour's dark or light style without its
// margins (the pane has its own); noColor keeps the style's emphasis and
// drops its colours.
func newProseRenderer(noColor, dark bool) *proseRenderer {
	style := styles.DarkStyleConfig
	if !dark {
		style = styles.LightStyleConfig
	}
	zero := uint(0)
	style.Document.Margin = &zero
	style.Document.BlockPrefix, style.Document.BlockSuffix = "", ""
	profile := lipgloss.ColorProfile()
	if noColor {
		profile = termenv.Ascii
	}
	return &proseRenderer{style: style, profile: profile, cache: map[proseKey]string{}}
}

// render renders md at k.width, or returns what it rendered before. A
// rendering error falls back to the Markdown as written.
func (r *proseRenderer) render(k proseKey, md string) string {
	if out, ok := r.cache[k]; ok {
		return out
	}
	out := md
	tr, err := glamour.NewTermRenderer(glamour.WithStyles(r.style), glamour.WithWordWrap(k.width), glamour.WithColorProfile(r.profile))
	if err == nil {
		if rendered, err := tr.Render(md); err == nil {
			out = trimBlankLines(rendered)
		}
	}
	r.cache[k] = out
	return out
}

// trimBlankLines drops blank lines at both ends.
func trimBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	blank := func(l string) bool { return strings.TrimSpace(ansi.Strip(l)) == "" }
	for len(lines) > 0 && blank(lines[0]) {
		lines = lines[1:]
	}
	for len(lines) > 0 && blank(lines[len(lines)-1]) {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}
