package tui

import (
	"strings"

	"github.com/charmbracelet/glamour"
	glamouransi "github.com/charmbracelet/glamour/ansi"
	"github.com/charmbracelet/glamour/styles"
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
// margins (the pane has its own), in colours for profile (Ascii keeps the
// style's emphasis and drops its colours).
func newProseRenderer(profile termenv.Profile, dark bool) *proseRenderer {
	style := styles.DarkStyleConfig
	if !dark {
		style = styles.LightStyleConfig
	}
	zero := uint(0)
	style.Document.Margin = &zero
	style.Document.BlockPrefix, style.Document.BlockSuffix = "", ""
	return &proseRenderer{style: style, profile: profile, cache: map[proseKey]string{}}
}

// render renders md at k.width, or returns what it rendered before. A
// rendering error falls back to the Markdown as written.
func (r *proseRenderer) render(k proseKey, md string) string {
	if out, ok := r.cache[k]; ok {
		return out
	}
	out := wrapText(md, k.width)
	// Glamour's own wrapping breaks lines twice where a styled span or a
	// hyphen meets the edge ("db-" / "1"), so it renders unwrapped lines
	// (paragraphs joined first) and wrapText wraps them at spaces.
	tr, err := glamour.NewTermRenderer(glamour.WithStyles(r.style), glamour.WithWordWrap(0), glamour.WithColorProfile(r.profile))
	if err == nil {
		if rendered, err := tr.Render(unwrapMarkdown(md)); err == nil {
			out = trimBlankLines(wrapText(rendered, k.width))
		}
	}
	r.cache[k] = out
	return out
}

// unwrapMarkdown joins the lines of each paragraph into one, so that the
// source's line breaks do not survive rendering: fenced code, lists,
// headings, quotes and tables keep their lines.
func unwrapMarkdown(md string) string {
	lines := strings.Split(md, "\n")
	var out []string
	fenced := false
	block := func(l string) bool {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ">") || strings.HasPrefix(t, "|") || strings.HasPrefix(t, "```") {
			return true
		}
		if strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "+ ") {
			return true
		}
		i := strings.IndexFunc(t, func(r rune) bool { return r < '0' || r > '9' })
		return i > 0 && (strings.HasPrefix(t[i:], ". ") || strings.HasPrefix(t[i:], ") "))
	}
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
			out = append(out, l)
			continue
		}
		n := len(out)
		if !fenced && n > 0 && strings.TrimSpace(out[n-1]) != "" && !block(l) && !strings.HasPrefix(strings.TrimSpace(out[n-1]), "```") {
			out[n-1] += " " + strings.TrimSpace(l)
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// wrapText wraps each line of possibly styled text at spaces to w cells
// (a word longer than w is cut), continuing a list item's lines under its
// text. Styles never contain spaces, so splitting at spaces keeps each
// escape sequence with its word.
func wrapText(text string, w int) string {
	if w <= 0 {
		return text
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if ansi.StringWidth(line) <= w {
			out = append(out, line)
			continue
		}
		plain := ansi.Strip(line)
		indent := len(plain) - len(strings.TrimLeft(plain, " "))
		rest := strings.TrimLeft(plain, " ")
		for _, bullet := range []string{"• ", "- ", "* "} {
			if strings.HasPrefix(rest, bullet) {
				indent += ansi.StringWidth(bullet)
			}
		}
		indent = min(indent, w/2)
		cur, cw := "", 0
		for _, word := range strings.Split(line, " ") {
			ww := ansi.StringWidth(word)
			switch {
			case cw == 0:
				cur, cw = word, ww
			case cw+1+ww <= w:
				cur, cw = cur+" "+word, cw+1+ww
			default:
				out = append(out, ansi.Truncate(cur, w, ""))
				pad := strings.Repeat(" ", indent)
				cur, cw = pad+word, indent+ww
			}
		}
		out = append(out, ansi.Truncate(cur, w, ""))
	}
	return strings.Join(out, "\n")
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
